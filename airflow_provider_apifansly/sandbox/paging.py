"""Cursor paging as the API's lists do it: opaque cursors, and ``nextCursor`` beside the inner data."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_apifansly.sandbox.envelope import invalid, nested

if TYPE_CHECKING:  # config is built from the resources, which import this module
    from airflow_provider_apifansly.sandbox.config import SandboxConfig

Row = TypeVar("Row")


def encode_cursor(kind: str, value: str) -> str:
    """An opaque cursor: clients must pass it back as they got it, never build or read one."""
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> str:
    """The value of a cursor of this kind; anything else is a 400 naming the cursor."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    found, colon, value = text.partition(":")
    if found != kind or not colon:
        raise invalid(f"unknown cursor {cursor!r}")
    return value


def offset_page(rows: list[Row], cursor: str | None, kind: str, size: int) -> tuple[list[Row], str | None]:
    """The page of ``rows`` that ``cursor`` starts (the first without one) and the next page's cursor.

    The cursor holds an offset, so a cursor past the rows (e.g. reused with a narrower filter) is a 400.
    """
    start = 0
    if cursor:
        offset = decode_cursor(kind, cursor)
        if not offset.isdigit() or not 0 < int(offset) <= len(rows):
            raise invalid(f"unknown cursor {cursor!r}")
        start = int(offset)
    page = rows[start : start + size]
    end = start + len(page)
    return page, encode_cursor(kind, str(end)) if end < len(rows) else None


def beside_cursor(config: SandboxConfig, response: Any, next_cursor: str | None) -> dict[str, Any]:
    """The nested payload with ``nextCursor`` beside its inner data, the last page's as configured."""
    data = nested(response)
    if next_cursor is not None:
        data["nextCursor"] = next_cursor
    elif config.last_page_cursor != "absent":
        data["nextCursor"] = None if config.last_page_cursor == "null" else ""
    return data
