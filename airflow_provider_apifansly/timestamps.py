"""Instants as users give them (datetime, ISO-8601 text, epoch milliseconds) and as the API takes them.

The API stamps rows and takes bounds in epoch **milliseconds** (messages and broadcast statistics
stamp theirs in seconds, kept as sent; ``stamp_ms`` reads either); durations are milliseconds too, and
every ``since`` the hook takes is an instant in these forms. Imports no hook and no HTTP client (Airflow
only for the typed errors of ``exceptions``), so operators can check values cheaply while a DAG file is parsed.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

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
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
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


def stamp_ms(value: float) -> float:
    """A row's stamp in epoch milliseconds, whichever unit the API used.

    1e11 and above are milliseconds, anything less is seconds (fractions allowed). 1e11 ms is 1973, 1e11 s
    is the year 5138: no real stamp is ambiguous. The one place the unit of a stamp is read by its
    magnitude.
    """
    return float(value) if value >= 1e11 else value * 1000.0


def iso(epoch_ms: float) -> str:
    """An epoch-ms instant as readable UTC text, for logs and errors."""
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="milliseconds")


def utc_month_ms(year: int, month: int) -> tuple[int, int]:
    """A UTC calendar month as epoch ms ``[start, end)``."""
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return round(start.timestamp() * 1000), round(end.timestamp() * 1000)


def _checked(epoch_ms: int, field: str) -> int:
    # Seconds passed for milliseconds would land in 1970: refuse them rather than read nothing.
    if epoch_ms < 10**11:
        raise FanslyValidationError(
            f"{field} {epoch_ms} looks like epoch seconds or is before 1973; give epoch milliseconds"
        )
    return epoch_ms


DAY_MS = 86_400_000


# An ISO 8601 duration of weeks, days, hours, minutes and seconds (years and months have no fixed length).
_ISO_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?",
    re.ASCII,
)


def duration_ms(value: object, *, field: str) -> int:
    """A positive duration in milliseconds.

    A ``timedelta``, a number of days, or text (as a template renders it) holding a number of days or an
    ISO 8601 duration such as ``P3D`` or ``PT36H``.
    """
    if isinstance(value, str):
        value = _parse_duration(value.strip(), field)
    if isinstance(value, timedelta):
        milliseconds = value / timedelta(milliseconds=1)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        milliseconds = value * DAY_MS
    else:
        raise FanslyValidationError(
            f"{field} must be a timedelta, a number of days or an ISO 8601 duration (e.g. 'P3D'); "
            f"got {value!r:.40}"
        )
    if not 0 < milliseconds < float("inf"):
        raise FanslyValidationError(f"{field} must be a positive duration; got {value!r:.40}")
    return round(milliseconds)


def _parse_duration(text: str, field: str) -> timedelta | float:
    """A number of days, or an ISO 8601 duration of weeks to seconds; else a clear error."""
    try:
        return float(text)
    except ValueError:
        pass
    found = _ISO_DURATION.fullmatch(text.upper())
    if found is None or text.upper() in ("P", "PT") or text.upper().endswith("T"):
        raise FanslyValidationError(
            f"{field} must be a timedelta, a number of days or an ISO 8601 duration (e.g. 'P3D', "
            f"'PT36H'; years and months have no fixed length); got {text!r:.40}"
        )
    parts = {unit: float(amount) for unit, amount in found.groupdict().items() if amount is not None}
    return timedelta(**parts)


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
    """``[since, until)`` in epoch ms, checked (never reversed), ``until`` clamped to now.

    The API refuses a future bound; ``since >= until`` afterwards means an empty window, for which no
    request is due.
    """
    since_ms = to_epoch_ms(since, field="since")
    until_ms = to_epoch_ms(until, field="until")
    check_window(since_ms, until_ms)
    return since_ms, min(until_ms, int(time.time() * 1000))
