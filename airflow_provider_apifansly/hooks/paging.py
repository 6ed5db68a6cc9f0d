"""The two ways the API pages a list, and the readers of one page of each.

Cursor and offset paging each live in one function that every list endpoint uses; the readers parse one page
(cursor, offset, chat messages); ``each_once`` keeps a row that paging brings twice from being yielded twice.

Both yield whole pages, so a caller may stop between pages (and send no more
requests) but never loses rows inside one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly.connection import API_PREFIX
from airflow_provider_apifansly.exceptions import FanslyApiError
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.envelope import Parser
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
    parse: Parser[Page] | None = None,
    retry: bool = True,
) -> Iterator[Page]:
    """Pages of a cursor list: rows at ``data.data.response[rows]``, the next cursor at ``data.nextCursor``.

    One request per page; a cursor that comes back twice is an error, not an endless loop.

    :param cursor_in_response: else read the cursor at ``response.cursor`` (see ``cursor_page``).
    :param full_page: the page size asked for: a page that full without a cursor is an error, since
        more rows may exist that no cursor reaches.
    :param parse: the page reader, for a list whose cursor sits elsewhere (Chat Messages' ``response.cursor``).
    :param retry: False for a caller whose own retry loop repeats the whole read (``deliver``).
    """
    parse = parse or cursor_page(rows, cursor_in_response=cursor_in_response)
    params = dict(params or {})
    seen: set[str] = set()
    while True:
        page: Page = transport.request("GET", path, parse, params=params, idempotent=True, retry=retry)
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
) -> Iterator[OffsetPage]:
    """Pages of an offset list (``limit``/``offset``, ``response.total``), each holding only rows not yielded before.

    ``total`` is compared from page to page. Rows that arrive while paging push later rows
    onto the next page, where they come again: repeats are dropped (by ``id_of``), and if the
    end is reached with fewer distinct rows than ``total``, the new ones are behind the
    offset: the list is read again from the start until they are found. Rows that leave
    push rows back past the offset: when ``total`` falls, the offset steps back by as much.
    A full page that adds no new row, or a second pass that cannot reach ``total``, is an
    error: the paging does not add up, and it is never passed off as complete.
    """
    parse = offset_page(rows)
    request = f"GET {API_PREFIX}{path}"
    seen = SeenIds()
    offset, total = 0, None
    stepped_back = again = False
    while True:
        query = {**(params or {}), "limit": limit, "offset": offset}
        page: OffsetPage = transport.request("GET", path, parse, params=query, idempotent=True)
        new = [row for row in page.rows if seen.add(id_of(row))]
        if len(page.rows) >= limit and not new and not (stepped_back or again):
            raise FanslyApiError(
                f"{request} returned a full page at offset {offset} holding only rows already read; "
                "stopping rather than skipping rows or paging forever",
                request=request,
            )
        yield OffsetPage(new, page.total)
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


@dataclass(frozen=True)
class Page:
    """One page of a list endpoint: its rows, and the cursor of the next page (None on the last)."""

    rows: list[dict[str, Any]]
    cursor: str | None


def cursor_page(rows: str | tuple[str, ...], *, cursor_in_response: bool = False) -> Parser[Page]:
    """A reader of one page of a cursor list, as the live API sends List Chats.

    Rows in ``data.data.response[rows]`` (the first of several keys present, where the docs leave it
    open), the cursor in ``data.nextCursor`` beside the inner ``data``.

    :param cursor_in_response: else read ``response.cursor`` (mass messaging's lists, whose cursor
        the contract places in either).
    """

    def read(data: Any, request: str, connection: str) -> Page:
        response = envelope.nested_response(data, request=request, connection=connection)
        page_rows = envelope.rows_of(response, rows, request)
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
        response = envelope.nested_response(data, request=request, connection=connection)
        total = response.get("total")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise FanslyApiError(
                f"{request} returned no whole-number 'total' beside its rows: got {total!r:.40}",
                request=request,
            )
        return OffsetPage(envelope.rows_of(response, rows, request), total)

    return read


def messages_page(data: Any, request: str, connection: str) -> Page:
    """A Chat Messages page: ``data.data.response = {"messages": [...], "cursor": ...}``."""
    response = envelope.nested_response(data, request=request, connection=connection)
    return Page(
        envelope.rows_of(response, "messages", request), _cursor(response.get("cursor"), "cursor", request)
    )


def _cursor(value: Any, where: str, request: str) -> str | None:
    """A cursor to pass back (numbers are sent as text); absent, null or empty means the last page."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise FanslyApiError(f"{request} returned a {where} that is not a cursor: {value!r:.60}", request=request)
