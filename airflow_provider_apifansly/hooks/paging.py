"""The two ways the API pages a list, each in one function that every list endpoint uses.

Both yield whole pages, so a caller may stop between pages (and send no more
requests) but never loses rows inside one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly.connection import API_PREFIX
from airflow_provider_apifansly.exceptions import FanslyApiError
from airflow_provider_apifansly.hooks import envelope

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.transport import Transport


def cursor_pages(
    transport: Transport,
    path: str,
    rows: str | tuple[str, ...],
    params: dict[str, Any] | None = None,
    *,
    cursor_in_response: bool = False,
    full_page: int | None = None,
) -> Iterator[envelope.Page]:
    """Pages of a cursor list: rows at ``data.data.response[rows]``, the next cursor at ``data.nextCursor``.

    One request per page; a cursor that comes back twice is an error, not an endless loop.

    :param cursor_in_response: else read the cursor at ``response.cursor`` (see ``envelope.cursor_page``).
    :param full_page: the page size asked for: a page that full without a cursor is an error, since
        more rows may exist that no cursor reaches.
    """
    parse = envelope.cursor_page(rows, cursor_in_response=cursor_in_response)
    params = dict(params or {})
    seen: set[str] = set()
    while True:
        page: envelope.Page = transport.request("GET", path, parse, params=params, idempotent=True)
        if page.cursor is None and full_page is not None and len(page.rows) >= full_page:
            raise FanslyApiError(
                f"GET {API_PREFIX}{path} returned a full page of {len(page.rows)} rows without a cursor; "
                "refusing to guess whether more pages exist"
            )
        yield page
        if page.cursor is None:
            return
        if page.cursor in seen:
            raise FanslyApiError(
                f"GET {API_PREFIX}{path} returned cursor {page.cursor!r:.40} twice; "
                "stopping rather than paging forever"
            )
        seen.add(page.cursor)
        params["cursor"] = page.cursor


def offset_pages(
    transport: Transport, path: str, rows: str, limit: int, params: dict[str, Any] | None = None
) -> Iterator[envelope.OffsetPage]:
    """Pages of an offset list (``limit``/``offset``, ``response.total``): until ``total`` rows or an empty page.

    Rows that arrive while paging shift the offsets, so a row may come twice: callers that
    must not repeat one deduplicate on its id.
    """
    parse = envelope.offset_page(rows)
    offset = 0
    while True:
        query = {**(params or {}), "limit": limit, "offset": offset}
        page: envelope.OffsetPage = transport.request("GET", path, parse, params=query, idempotent=True)
        yield page
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            return
