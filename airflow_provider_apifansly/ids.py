"""Validation of the two kinds of id the API takes, before any request is sent.

A *native id* is a Fansly user or group snowflake: a decimal string, usually 18
digits, larger than 2**53, so never a float. An *account id* is apifansly's
``fansly_...`` id of a connected account; it goes into the URL path, so its
shape is checked strictly.
"""

from __future__ import annotations

import re

from airflow_provider_apifansly.exceptions import FanslyValidationError

_NATIVE_ID = re.compile(r"[1-9][0-9]{0,19}", re.ASCII)
_ACCOUNT_ID = re.compile(r"fansly_[A-Za-z0-9_-]{1,120}", re.ASCII)
# Ids the API mints with no documented shape (upload jobs, automated messages): safe in a URL path.
_OPAQUE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}", re.ASCII)


def _as_text(value: object, field: str) -> str:
    if value is None:
        raise FanslyValidationError(f"{field} is missing (got None)")
    if not isinstance(value, str):
        raise FanslyValidationError(f"{field} must be a string, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise FanslyValidationError(f"{field} is empty")
    return value


def validate_native_id(value: object, *, field: str) -> str:
    """Return a native Fansly id as a string of digits; accept ints (rendered templates), reject the rest."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _as_text(value, field)
    if not _NATIVE_ID.fullmatch(text):
        raise FanslyValidationError(
            f"{field} must be a native Fansly id: 1 to 20 ASCII digits, no sign, no leading zero "
            f"(e.g. '723516315247063042'), got {text!r}"
        )
    return text


def validate_account_id(value: object, *, field: str = "account_id") -> str:
    """Return a connected account id (``fansly_...``) that is safe to put in a URL path."""
    text = _as_text(value, field)
    if _ACCOUNT_ID.fullmatch(text):
        return text
    if _NATIVE_ID.fullmatch(text):
        raise FanslyValidationError(
            f"{field} {text!r} looks like a native user id; it takes the connected account id "
            "('fansly_...', listed by GET /api/fansly/accounts)"
        )
    raise FanslyValidationError(
        f"{field} must be a connected account id: 'fansly_' followed by letters, digits, '_' or '-' "
        f"(no '/', '..', spaces or URL characters), got {text!r}"
    )


def validate_opaque_id(value: object, *, field: str) -> str:
    """An id of undocumented shape as the API gave it (ints as text); refused if it cannot be a path segment."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    # "." and ".." are dot-segments: a URL resolves them, and the request would go to another route.
    if not isinstance(value, str) or not _OPAQUE_ID.fullmatch(value) or value in (".", ".."):
        raise FanslyValidationError(
            f"{field} must be an id of letters, digits and _.:- (not . or ..); got {value!r:.60}"
        )
    return value
