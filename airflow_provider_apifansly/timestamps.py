"""Instants as users give them (datetime, ISO-8601 text, epoch milliseconds) and as the API takes them.

The API stamps rows and takes bounds in epoch **milliseconds** (messages and broadcast statistics
stamp theirs in seconds, kept as sent); durations are milliseconds too. Imports no
hook and no HTTP client (Airflow only for the typed errors of ``exceptions``), so operators can
check values cheaply while a DAG file is parsed.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from airflow_provider_apifansly.exceptions import FanslyValidationError

Instant = datetime | str | int


def to_epoch_ms(value: object, *, field: str, aware: bool = False) -> int:
    """Epoch milliseconds of a datetime (naive means UTC), an ISO-8601 string, or epoch ms (int or digits).

    :param aware: refuse a naive datetime (or ISO text without an offset) instead of reading it as
        UTC: for instants that publish something, where a wrong guess moves it by hours.
    """
    if isinstance(value, bool):
        raise FanslyValidationError(
            f"{field} must be a datetime, an ISO-8601 string or epoch ms; got {value!r}"
        )
    if isinstance(value, int):
        return _checked(value, field)
    if isinstance(value, datetime):
        if aware and value.tzinfo is None:
            raise FanslyValidationError(
                f"{field} {value.isoformat()} has no time zone; give one (e.g. '+00:00'), "
                "as a naive time would be read in the wrong zone"
            )
        moment = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        return _checked(round(moment.timestamp() * 1000), field)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return _checked(int(text), field)
        if text[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat does not read the "Z" suffix
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return to_epoch_ms(moment, field=field, aware=aware)
    raise FanslyValidationError(
        f"{field} must be a datetime, an ISO-8601 string (e.g. '2026-11-29T20:00:00+00:00') "
        f"or epoch milliseconds; got {value!r:.80}"
    )


def optional_epoch_ms(value: object, *, field: str, aware: bool = False) -> int | None:
    """Epoch ms of an optional instant; None (or empty, as a template renders it) means none."""
    return None if value is None or value == "" else to_epoch_ms(value, field=field, aware=aware)


def future_epoch_ms(value: object, *, field: str, aware: bool = False) -> int | None:
    """Epoch ms of an optional instant that must be in the future (a schedule)."""
    epoch_ms = optional_epoch_ms(value, field=field, aware=aware)
    if epoch_ms is not None and epoch_ms <= time.time() * 1000:
        raise FanslyValidationError(f"{field} must be in the future, got {iso(epoch_ms)}")
    return epoch_ms


def check_window(since_ms: int | None, until_ms: int | None) -> None:
    """A window ``[since, until)`` may be empty, never reversed."""
    if since_ms is not None and until_ms is not None and since_ms > until_ms:
        raise FanslyValidationError(f"since ({iso(since_ms)}) is after until ({iso(until_ms)})")


def iso(epoch_ms: int) -> str:
    """An epoch-ms instant as readable UTC text, for logs and errors."""
    return datetime.fromtimestamp(epoch_ms / 1000, timezone.utc).isoformat(timespec="milliseconds")


def _checked(epoch_ms: int, field: str) -> int:
    # Seconds passed for milliseconds would land in 1970: refuse them rather than read nothing.
    if epoch_ms < 10**11:
        raise FanslyValidationError(
            f"{field} {epoch_ms} looks like epoch seconds or is before 1973; give epoch milliseconds"
        )
    return epoch_ms


DAY_MS = 86_400_000


def duration_ms(value: object, *, field: str) -> int:
    """A positive duration, a ``timedelta`` or a number of days, in milliseconds."""
    if isinstance(value, timedelta):
        milliseconds = value / timedelta(milliseconds=1)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        milliseconds = value * DAY_MS
    else:
        raise FanslyValidationError(f"{field} must be a timedelta or a number of days; got {value!r:.40}")
    if not 0 < milliseconds < float("inf"):
        raise FanslyValidationError(f"{field} must be a positive duration; got {value!r:.40}")
    return round(milliseconds)


def period_ms(value: object, *, field: str) -> int:
    """A bucket length, a ``timedelta`` or whole milliseconds, at least one second, in milliseconds."""
    if isinstance(value, timedelta):
        milliseconds = value / timedelta(milliseconds=1)
    elif isinstance(value, int) and not isinstance(value, bool):
        milliseconds = value
    else:
        raise FanslyValidationError(f"{field} must be a timedelta or whole milliseconds; got {value!r:.40}")
    if milliseconds < 1000 or milliseconds != int(milliseconds):
        raise FanslyValidationError(
            f"{field} must be whole milliseconds, at least one second; got {value!r:.40}"
        )
    return int(milliseconds)


def past_window(since: object, until: object) -> tuple[int, int]:
    """``[since, until)`` in epoch ms, checked (never reversed) and with ``until`` clamped to now (the API
    refuses a future bound); ``since >= until`` afterwards means an empty window, for which no request is due."""
    since_ms = to_epoch_ms(since, field="since")
    until_ms = to_epoch_ms(until, field="until")
    check_window(since_ms, until_ms)
    return since_ms, min(until_ms, int(time.time() * 1000))
