"""The two ways the API pages a list, each in one function that every list endpoint uses, and
``each_once``, which keeps a row that paging brings twice from being yielded twice.

Both yield whole pages, so a caller may stop between pages (and send no more
requests) but never loses rows inside one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly.connection import API_PREFIX
from airflow_provider_apifansly.exceptions import FanslyApiError
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.seen_ids import SeenIds

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
    parse: envelope.Parser[envelope.Page] | None = None,
    retry: bool = True,
) -> Iterator[envelope.Page]:
    """Pages of a cursor list: rows at ``data.data.response[rows]``, the next cursor at ``data.nextCursor``.

    One request per page; a cursor that comes back twice is an error, not an endless loop.

    :param cursor_in_response: else read the cursor at ``response.cursor`` (see ``envelope.cursor_page``).
    :param full_page: the page size asked for: a page that full without a cursor is an error, since
        more rows may exist that no cursor reaches.
    :param parse: the page reader, for a list whose cursor sits elsewhere (Chat Messages' ``response.cursor``).
    :param retry: False for a caller whose own retry loop repeats the whole read (``deliver``).
    """
    parse = parse or envelope.cursor_page(rows, cursor_in_response=cursor_in_response)
    params = dict(params or {})
    seen: set[str] = set()
    while True:
        page: envelope.Page = transport.request(
            "GET", path, parse, params=params, idempotent=True, retry=retry
        )
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
    transport: Transport,
    path: str,
    rows: str,
    limit: int,
    id_of: Callable[[dict[str, Any]], str | int],
    params: dict[str, Any] | None = None,
) -> Iterator[envelope.OffsetPage]:
    """Pages of an offset list (``limit``/``offset``, ``response.total``), each holding only rows not yielded before.

    ``total`` is compared from page to page. Rows that arrive while paging push later rows
    onto the next page, where they come again: repeats are dropped (by ``id_of``), and if the
    end is reached with fewer distinct rows than ``total``, the new ones are behind the
    offset: the list is read again from the start until they are found. Rows that leave
    push rows back past the offset: when ``total`` falls, the offset steps back by as much.
    A full page that adds no new row, or a second pass that cannot reach ``total``, is an
    error: the paging does not add up, and it is never passed off as complete.
    """
    parse = envelope.offset_page(rows)
    request = f"GET {API_PREFIX}{path}"
    seen = SeenIds()
    offset, total = 0, None
    stepped_back = again = False
    while True:
        query = {**(params or {}), "limit": limit, "offset": offset}
        page: envelope.OffsetPage = transport.request("GET", path, parse, params=query, idempotent=True)
        new = [row for row in page.rows if seen.add(id_of(row))]
        if len(page.rows) >= limit and not new and not (stepped_back or again):
            raise FanslyApiError(
                f"{request} returned a full page at offset {offset} holding only rows already read; "
                "stopping rather than skipping rows or paging forever",
                request=request,
            )
        yield envelope.OffsetPage(new, page.total)
        stepped_back = False
        if total is not None and page.total < total:
            # Rows left while paging: those after them moved back past the offset.
            stepped_back = True
            offset = max(0, offset - (total - page.total))
        else:
            offset += len(page.rows)
        total = page.total
        if len(seen) >= total and (again or offset >= total):
            return
        if not stepped_back and (not page.rows or offset >= total):
            if again:
                raise FanslyApiError(
                    f"{request} said it holds {total} rows, but two passes found {len(seen)} distinct "
                    "ones; the list is not complete",
                    request=request,
                )
            again, offset = True, 0  # rows arrived behind the offset while paging: read from the start


def each_once(
    rows: Iterable[dict[str, Any]], id_of: Callable[[dict[str, Any]], str | int]
) -> Iterator[dict[str, Any]]:
    """``rows`` without repeats of a row id: cursors are offsets in disguise, so a row can come twice."""
    seen = SeenIds()
    return (row for row in rows if seen.add(id_of(row)))
