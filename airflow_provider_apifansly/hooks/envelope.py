"""Reading apifansly's response envelope and turning every failure into a typed error.

Every response is ``{"statusCode", "message", "data", "timestamp"}``; account-scoped
endpoints nest ``data = {"status_code", "data": {"success", "response"}}``. A 2xx
that does not carry a usable success is an error here, never an empty result.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyAuthError,
    FanslyError,
    FanslyNotFoundError,
    FanslyOutOfCreditsError,
    FanslyRateLimitError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.ids import validate_native_id, validate_opaque_id

_MAX_MESSAGE = 300
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
    """Check an account-scoped answer's inner status and ``success``; return its ``response``, whatever it
    holds (its shape is undocumented for deletes, cancels and some lists)."""
    _check_inner_status(data, request, connection)
    inner = data.get("data") if isinstance(data, dict) else None
    if not isinstance(inner, dict) or inner.get("success") is not True:
        raise FanslyApiError(
            f"{request} returned a 2xx without success: {_inner_error(inner)}", request=request
        )
    return inner.get("response")


def _check_inner_status(data: Any, request: str, connection: str) -> None:
    """An upstream failure wrapped in a 2xx (``data.status_code`` not 2xx) raises as that status."""
    inner_status = data.get("status_code") if isinstance(data, dict) else None
    if isinstance(inner_status, int) and not 200 <= inner_status < 300:
        detail = _inner_error(data.get("data"))
        raise error_for_status(
            inner_status, f"upstream error: {detail}", {}, request=request, connection=connection
        )


def list_response(rows: str) -> Parser[list[dict[str, Any]]]:
    """A reader of an unpaged list whose nesting is not documented: ``data.data.response`` is the
    list itself (as Fansly's own call answers it) or an object holding it under ``rows``."""

    def read(data: Any, request: str, connection: str) -> list[dict[str, Any]]:
        response = nested_success(data, request, connection)
        return _rows({rows: response} if isinstance(response, list) else response, rows, request)

    return read


@dataclass(frozen=True)
class Page:
    """One page of a list endpoint: its rows, and the cursor of the next page (None on the last)."""

    rows: list[dict[str, Any]]
    cursor: str | None


def accounts(data: Any, request: str, connection: str) -> list[dict[str, Any]]:
    """The rows of ``GET /accounts``, which is not nested: ``data.accounts``."""
    return _rows(data, "accounts", request)


def cursor_page(rows: str | tuple[str, ...], *, cursor_in_response: bool = False) -> Parser[Page]:
    """A reader of one page of a cursor list, as the live API sends List Chats: rows in
    ``data.data.response[rows]`` (the first of several keys present, where the docs leave it open),
    the cursor in ``data.nextCursor`` beside the inner ``data``.

    :param cursor_in_response: else read ``response.cursor`` (mass messaging's lists, whose cursor
        the contract places in either).
    """

    def read(data: Any, request: str, connection: str) -> Page:
        response = nested_response(data, request=request, connection=connection)
        page_rows = _rows(response, rows, request)
        cursor = _cursor(data.get("nextCursor"), "data.nextCursor", request)
        if cursor is None and cursor_in_response:
            return Page(page_rows, _cursor(response.get("cursor"), "response.cursor", request))
        if cursor is None:  # "last page" beside, yet a cursor inside: the shape moved, so do not drop pages
            for misplaced in ("cursor", "nextCursor"):
                if response.get(misplaced):
                    raise FanslyApiError(
                        f"{request} put its cursor in data.data.response.{misplaced}, not in data.nextCursor "
                        "where the live API sends it; refusing to guess whether more pages exist",
                        request=request,
                    )
        return Page(page_rows, cursor)

    return read


chats_page = cursor_page("data")


@dataclass(frozen=True)
class OffsetPage:
    """One page of an offset list: its rows, and how many rows the whole list holds."""

    rows: list[dict[str, Any]]
    total: int


def offset_page(rows: str) -> Parser[OffsetPage]:
    """A reader of one page of an offset list: ``data.data.response = {"total": N, rows: [...]}``."""

    def read(data: Any, request: str, connection: str) -> OffsetPage:
        response = nested_response(data, request=request, connection=connection)
        total = response.get("total")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise FanslyApiError(
                f"{request} returned no whole-number 'total' beside its rows: got {total!r:.40}",
                request=request,
            )
        return OffsetPage(_rows(response, rows, request), total)

    return read


def messages_page(data: Any, request: str, connection: str) -> Page:
    """A Chat Messages page: ``data.data.response = {"messages": [...], "cursor": ...}``."""
    response = nested_response(data, request=request, connection=connection)
    return Page(_rows(response, "messages", request), _cursor(response.get("cursor"), "cursor", request))


def upload_job(data: Any, request: str, connection: str) -> str:
    """The job id of a media upload, which is not nested: ``data = {"jobId": ...}``."""
    job_id = data.get("jobId") if isinstance(data, dict) else None
    if isinstance(job_id, int) and not isinstance(job_id, bool):
        job_id = str(job_id)
    if not isinstance(job_id, str) or not job_id:
        raise FanslyApiError(f"{request} returned no 'jobId': got {_shape(data)}", request=request)
    return job_id


MEDIA_JOB_STATES = ("waiting", "active", "completed", "failed")


@dataclass(frozen=True)
class MediaJob:
    """A media processing job's state; a completed one carries its ids, a failed one its reason."""

    state: str
    progress: Any = None
    media_id: str | None = None
    account_media_id: str | None = None
    reason: str | None = None


def media_job(data: Any, request: str, connection: str) -> MediaJob:
    """A job status, not nested: ``data = {"state", "progress", "result": {"mediaId", "accountMedia": [{"id"}]}}``."""
    state = data.get("state") if isinstance(data, dict) else None
    if state not in MEDIA_JOB_STATES:
        detail = f"state {state!r:.40}" if isinstance(data, dict) else _shape(data)
        raise FanslyApiError(
            f"{request} returned no known job state ({', '.join(MEDIA_JOB_STATES)}): got {detail}",
            request=request,
        )
    if state == "failed":
        said = next((data[k] for k in ("failedReason", "error", "message") if data.get(k)), None)
        return MediaJob(state, data.get("progress"), reason=str(said)[:_MAX_MESSAGE] if said else None)
    if state != "completed":
        return MediaJob(state, data.get("progress"))
    result = data.get("result")
    media_id = result.get("mediaId") if isinstance(result, dict) else None
    account_media = result.get("accountMedia") if isinstance(result, dict) else None
    first = account_media[0] if isinstance(account_media, list) and account_media else None
    account_media_id = first.get("id") if isinstance(first, dict) else None
    for name, value in (("result.mediaId", media_id), ("result.accountMedia[0].id", account_media_id)):
        if not isinstance(value, str) or not value:
            raise FanslyApiError(
                f"{request} says the job completed without {name}: got {_shape(result)}", request=request
            )
    return MediaJob(state, data.get("progress"), media_id=media_id, account_media_id=account_media_id)


def automated_messages(data: Any, request: str, connection: str) -> list[dict[str, Any]]:
    """The rules of List Automated Messages, whose shape is undocumented: ``response`` as a list, or
    under ``response.automatedMessages``; each with its id (see ``automated_message_id``)."""
    response = nested_success(data, request, connection)
    rows = _rows({"response": response}, "response", request) if isinstance(response, list) else None
    if rows is None:
        rows = _rows(response, "automatedMessages", request)
    for row in rows:
        automated_message_id(row, request)
    return rows


def automated_message_id(row: Any, request: str) -> str:
    """A rule's id: ``id``, else ``automatedMessageId`` (the docs name neither); none is an error."""
    raw = next((row[k] for k in ("id", "automatedMessageId") if isinstance(row, dict) and row.get(k)), None)
    try:
        return validate_opaque_id(raw, field="automated message id")
    except FanslyValidationError:
        raise FanslyApiError(
            f"{request} returned an automated message without an id ('id' or 'automatedMessageId'): "
            f"got {_shape(row)}",
            request=request,
        ) from None


def created_post(data: Any, request: str, connection: str) -> dict[str, Any]:
    """Create Post's ``response`` (the post, HTTP 200 or 201); its id is ``id``, else ``postId``, and a
    success without one is an error. The id is returned under ``id`` either way."""
    response = nested_response(data, request, connection)
    raw = response.get("id") or response.get("postId")
    try:
        post_id = validate_native_id(raw, field="post id")
    except FanslyValidationError:
        raise FanslyApiError(
            f"{request} succeeded without a post id ('id' or 'postId'): got {_shape(response)}",
            request=request,
        ) from None
    return {**response, "id": post_id}


def walls(data: Any, request: str, connection: str) -> list[dict[str, Any]]:
    """Post walls: ``data.data.walls`` as a recorded answer has them (no ``success``/``response`` layer),
    else ``data.data.response.walls``; each wall with an ``id``."""
    _check_inner_status(data, request, connection)
    inner = data.get("data") if isinstance(data, dict) else None
    if isinstance(inner, dict) and "walls" in inner:
        rows = _rows(inner, "walls", request)
    else:
        rows = _rows(nested_response(data, request, connection), "walls", request)
    for row in rows:
        if not row.get("id"):
            raise FanslyApiError(
                f"{request} returned a wall without an id: got {_shape(row)}", request=request
            )
    return rows


def _rows(container: Any, key: str | tuple[str, ...], request: str) -> list[dict[str, Any]]:
    """The list of objects under ``key`` (or the first of the keys present); anything else is an
    error, never an empty list."""
    keys = (key,) if isinstance(key, str) else key
    found = next((name for name in keys if isinstance(container, dict) and name in container), keys[0])
    rows = container.get(found) if isinstance(container, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        named = " or ".join(repr(name) for name in keys)
        raise FanslyApiError(
            f"{request} returned no {named} list of objects: got {_shape(container)}", request=request
        )
    return rows


def _cursor(value: Any, where: str, request: str) -> str | None:
    """A cursor to pass back (numbers are sent as text); absent, null or empty means the last page."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise FanslyApiError(f"{request} returned a {where} that is not a cursor: {value!r:.60}", request=request)


def _shape(value: Any) -> str:
    """A short description of what arrived, naming keys but no values."""
    if isinstance(value, dict):
        keys = sorted(map(str, value))
        return f"an object with keys {keys[:12]}" + (" ..." if len(keys) > 12 else "")
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return type(value).__name__


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
    if 300 <= status < 400:
        # A redirect's body often repeats the full Location (query and all): name the host only.
        return FanslyApiError(
            f"{request} was redirected ({status}) to {_location_host(headers)}; not followed, so the API "
            f"key was not sent there. Check the API base URL of {connection}.",
            **{**kwargs, "api_message": None},
        )
    if status in (400, 422):
        return FanslyValidationError(f"{request} was rejected as invalid ({status}). {said}", **kwargs)
    if status == 401:
        return FanslyAuthError(f"API key rejected (401): check the API Key of {connection}. {said}", **kwargs)
    if status == 402:
        return FanslyOutOfCreditsError(
            f"Out of credits (402): the credits of the plan of {connection} are used up; no further "
            f"request can succeed until they are renewed. {said}",
            **kwargs,
        )
    if status == 403:
        return FanslyAuthError(
            f"Access denied (403) for {request}: the API key of {connection} cannot reach this "
            f"account; check account_id against GET /api/fansly/accounts. {said}",
            **kwargs,
        )
    if status == 404:
        return FanslyNotFoundError(f"Not found (404): {request}; check the account and ids. {said}", **kwargs)
    if status == 413:
        return FanslyValidationError(
            f"{request} was refused as too large (413): the API does not take a body this big. {said}",
            **kwargs,
        )
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


def _location_host(headers: Mapping[str, str]) -> str:
    """Where a redirect pointed: scheme, host and port only (a query may carry secrets)."""
    location = headers.get("Location")
    if not location:
        return "an unnamed location"
    parts = urlsplit(location)
    if not parts.hostname:
        return "another path of the API host"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{parts.hostname}{port}"


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
