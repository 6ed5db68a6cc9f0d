"""Reading apifansly's response envelope: its ``data``, the nesting of account-scoped answers, a list's rows.

Every response is ``{"statusCode", "message", "data", "timestamp"}``; account-scoped
endpoints nest ``data = {"status_code", "data": {"success", "response"}}``. A 2xx
that does not carry a usable success is an error here, never an empty result; ``errors.py``
names the error of a failed status, each endpoint module reads its own resource, and ``paging.py``
its pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from airflow_provider_apifansly.exceptions import FanslyApiError
from airflow_provider_apifansly.hooks.errors import error_for_status
from airflow_provider_apifansly.shapes import shape_of

MAX_MESSAGE = 300  # characters of an API message kept in an error
P = TypeVar("P")
# Reads a response's envelope ``data``, given the request's label and how to name the connection.
Parser = Callable[[Any, str, str], P]


def unwrap(status: int, headers: Mapping[str, str], body: bytes, *, request: str, connection: str) -> Any:
    """Return the envelope's ``data`` for a successful response; raise the matching error otherwise."""
    try:
        envelope = json.loads(body)
    except ValueError:
        envelope = None
    api_message = _message(envelope, body)
    if isinstance(envelope, dict):
        inner_status = envelope.get("statusCode")
        if 200 <= status < 300 and isinstance(inner_status, int) and not 200 <= inner_status < 300:
            status = inner_status  # an error envelope behind an HTTP 200
    if not 200 <= status < 300:
        raise error_for_status(status, api_message, headers, request=request, connection=connection)
    if not isinstance(envelope, dict) or "data" not in envelope:
        raise FanslyApiError(
            f"{request} returned HTTP {status} without a JSON envelope: {api_message}",
            http_status=status,
            request=request,
        )
    return envelope["data"]


def nested_response(data: Any, request: str, connection: str) -> dict[str, Any]:
    """Return ``data.data.response`` of an account-scoped endpoint, checking the inner status."""
    response = nested_success(data, request, connection)
    if not isinstance(response, dict):
        raise FanslyApiError(f"{request} returned success without a response object", request=request)
    return response


def nested_success(data: Any, request: str, connection: str) -> Any:
    """Check an account-scoped answer's inner status and ``success``.

    Return its ``response``, whatever it holds (its shape is undocumented for deletes, cancels and some
    lists).
    """
    check_inner_status(data, request, connection)
    inner = data.get("data") if isinstance(data, dict) else None
    if not isinstance(inner, dict) or inner.get("success") is not True:
        raise FanslyApiError(
            f"{request} returned a 2xx without success: {_inner_error(inner)}", request=request
        )
    return inner.get("response")


def check_inner_status(data: Any, request: str, connection: str) -> None:
    """An upstream failure wrapped in a 2xx (``data.status_code`` not 2xx) raises as that status."""
    inner_status = data.get("status_code") if isinstance(data, dict) else None
    if isinstance(inner_status, int) and not 200 <= inner_status < 300:
        detail = _inner_error(data.get("data"))
        raise error_for_status(
            inner_status, f"upstream error: {detail}", {}, request=request, connection=connection
        )


def list_response(rows: str) -> Parser[list[dict[str, Any]]]:
    """A reader of an unpaged list whose nesting is not documented.

    ``data.data.response`` is the list itself (as Fansly's own call answers it) or an object holding it
    under ``rows``.
    """

    def read(data: Any, request: str, connection: str) -> list[dict[str, Any]]:
        response = nested_success(data, request, connection)
        return rows_of({rows: response} if isinstance(response, list) else response, rows, request)

    return read


def rows_of(container: Any, key: str | tuple[str, ...], request: str) -> list[dict[str, Any]]:
    """The list of objects under ``key`` (or the first of the keys present).

    Anything else is an error, never an empty list.
    """
    keys = (key,) if isinstance(key, str) else key
    found = next((name for name in keys if isinstance(container, dict) and name in container), keys[0])
    rows = container.get(found) if isinstance(container, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        named = " or ".join(repr(name) for name in keys)
        raise FanslyApiError(
            f"{request} returned no {named} list of objects: got {shape_of(container)}", request=request
        )
    return rows


def _message(envelope: Any, body: bytes) -> str:
    if isinstance(envelope, dict) and isinstance(envelope.get("message"), str):
        text = envelope["message"]
    else:
        text = body[:MAX_MESSAGE].decode("utf-8", "replace").strip() or "(empty body)"
    return str(text)[:MAX_MESSAGE]


def _inner_error(inner: Any) -> str:
    if isinstance(inner, dict):
        for key in ("error", "message"):
            if inner.get(key):
                return str(inner[key])[:MAX_MESSAGE]
    return json.dumps(inner)[:MAX_MESSAGE]
