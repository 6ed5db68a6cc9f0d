"""The typed error of a failed status, and how long the server asks us to wait.

An HTTP (or inner envelope) status becomes the error a user can act on; ``Retry-After`` headers become
seconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any
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
    """Seconds the server asks us to wait: ``X-RateLimit-Retry-After``, else ``Retry-After``.

    A ``Retry-After`` date is read against the answer's own clock (its ``Date`` header), so a server
    clock ahead of or behind ours asks for the wait it means; without a usable ``Date``, against ours.
    A date already past is 0.
    """
    for name in ("X-RateLimit-Retry-After", "Retry-After"):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        asked = _http_date(value)  # Retry-After may also be an HTTP date
        if asked is None:
            continue
        now = _http_date(headers.get("Date"))
        return max(0.0, asked - (time.time() if now is None else now))
    return None


def _http_date(value: str | None) -> float | None:
    """Epoch seconds of an HTTP date (a zone-less one read as GMT, as HTTP dates are), None if not one."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


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
