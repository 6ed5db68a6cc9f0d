"""Reading apifansly's response envelope and turning every failure into a typed error.

Every response is ``{"statusCode", "message", "data", "timestamp"}``; account-scoped
endpoints nest ``data = {"status_code", "data": {"success", "response"}}``. A 2xx
that does not carry a usable success is an error here, never an empty result.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyAuthError,
    FanslyError,
    FanslyNotFoundError,
    FanslyRateLimitError,
    FanslyServerError,
    FanslyValidationError,
)

_MAX_MESSAGE = 300


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


def nested_response(data: Any, *, request: str, connection: str) -> dict[str, Any]:
    """Return ``data.data.response`` of an account-scoped endpoint, checking the inner status."""
    inner_status = data.get("status_code") if isinstance(data, dict) else None
    inner = data.get("data") if isinstance(data, dict) else None
    if isinstance(inner_status, int) and not 200 <= inner_status < 300:
        detail = _inner_error(inner)
        raise error_for_status(
            inner_status, f"upstream error: {detail}", {}, request=request, connection=connection
        )
    if not isinstance(inner, dict) or inner.get("success") is not True:
        raise FanslyApiError(
            f"{request} returned a 2xx without success: {_inner_error(inner)}", request=request
        )
    response = inner.get("response")
    if not isinstance(response, dict):
        raise FanslyApiError(f"{request} returned success without a response object", request=request)
    return response


def error_for_status(
    status: int, api_message: str, headers: Mapping[str, str], *, request: str, connection: str
) -> FanslyError:
    """Map an HTTP (or inner) status to the error a user can act on.

    :param connection: how to name the connection in a hint, e.g. ``connection 'fansly_default'``.
    """
    said = f"The API said: {api_message}"
    kwargs: dict[str, Any] = {
        "http_status": status,
        "api_message": api_message,
        "request": request,
        "retry_after": retry_after_seconds(headers),
    }
    if status in (400, 422):
        return FanslyValidationError(f"{request} was rejected as invalid ({status}). {said}", **kwargs)
    if status == 401:
        return FanslyAuthError(f"API key rejected (401): check the API Key of {connection}. {said}", **kwargs)
    if status == 402:
        return FanslyApiError(
            f"Out of credits (402): the plan of {connection} has no credits left. {said}", **kwargs
        )
    if status == 403:
        return FanslyAuthError(
            f"Access denied (403) for {request}: the API key of {connection} cannot reach this "
            f"account; check account_id against GET /api/fansly/accounts. {said}",
            **kwargs,
        )
    if status == 404:
        return FanslyNotFoundError(f"Not found (404): {request}; check the account and ids. {said}", **kwargs)
    if status == 429:
        wait = kwargs["retry_after"]
        asked = f"; the server asked to wait {wait:g} s" if wait is not None else ""
        return FanslyRateLimitError(f"Rate limit exceeded (429) for {request}{asked}. {said}", **kwargs)
    if status >= 500:
        return FanslyServerError(f"Server error ({status}) for {request}. {said}", **kwargs)
    return FanslyApiError(f"Unexpected status {status} for {request}. {said}", **kwargs)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asks us to wait: ``X-RateLimit-Retry-After``, else ``Retry-After``."""
    for name in ("X-RateLimit-Retry-After", "Retry-After"):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:  # Retry-After may also be an HTTP date
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            continue
    return None


def _message(envelope: Any, body: bytes) -> str:
    if isinstance(envelope, dict) and isinstance(envelope.get("message"), str):
        text = envelope["message"]
    else:
        text = body[:_MAX_MESSAGE].decode("utf-8", "replace").strip() or "(empty body)"
    return str(text)[:_MAX_MESSAGE]


def _inner_error(inner: Any) -> str:
    if isinstance(inner, dict):
        for key in ("error", "message"):
            if inner.get(key):
                return str(inner[key])[:_MAX_MESSAGE]
    return json.dumps(inner)[:_MAX_MESSAGE]
