"""Earnings: the account's transactions of a time window and its monthly totals (docs: "Earnings")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, created_at_ms, label
from airflow_provider_apifansly.hooks.paging import offset_pages
from airflow_provider_apifansly.timestamps import Instant, past_window, utc_month_ms

# The largest page seen accepted (the docs' example asks for 20).
TRANSACTIONS_PAGE_LIMIT = 100
# Monthly Earnings' nesting is not documented: the bare list, or an object holding it under "data".
_monthly_rows = envelope.list_response("data")


class EarningsEndpoints(EndpointGroup):
    """``GET /{account_id}/earnings/transactions`` and ``GET /{account_id}/earnings/monthly``."""

    def list_monthly_earnings(
        self, account_id: str | None = None, *, since: Instant | None = None, until: Instant | None = None
    ) -> list[dict[str, Any]]:
        """Monthly gross and net totals (thousandths of a dollar) as the API sends them, one request.

        Each row gains ``rolling30Days``: True for the API's first row (``year`` 0, ``month`` 0), a
        summary that is not a month; False for the months. A row with neither whole ``year`` and
        ``month`` nor that summary's zeros is an error.

        With a window ``[since, until)`` (``until`` clamped to now), it is sent as ``after=since``
        and ``before=until - 1`` ms (both bounds taken as included, as for top supporters), and each
        row gains ``partial``: True when its UTC month (the summary: its own ``after``/``before``) is
        not wholly inside the window. The API may sum such a month whole or only within the window
        (the one recorded answer stamps every row with the request's window and clips the first month
        to it): its ``after``/``before`` say which. An empty window sends nothing.
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/earnings/monthly"
        window = None
        params: dict[str, int] = {}
        if since is not None or until is not None:
            if since is None or until is None:
                raise FanslyValidationError("monthly earnings take a window of both since and until, or none")
            window = past_window(since, until)
            if window[0] >= window[1]:
                return []  # an empty (or future) window holds no earnings: no request
            params = {"after": window[0], "before": window[1] - 1}
        rows: list[dict[str, Any]] = self._account_call("GET", path, _monthly_rows, params=params or None)
        return [_month(row, label("GET", path), window) for row in rows]

    def list_transactions(
        self, account_id: str | None = None, *, since: Instant, until: Instant
    ) -> Iterator[dict[str, Any]]:
        """Transaction rows as the API sends them, those with ``since <= createdAt < until``, each once.

        Money is in the API's base units: divide ``amount``, ``destinationTax`` and
        ``newBalance`` by 1000 for dollars. ``until`` after now is clamped to now (the API
        refuses a future ``before``), so the current interval yields what exists so far.
        Arguments are checked now; pages of 100 are read as the rows are consumed. An empty
        window (``since`` at or after the clamped ``until``) sends nothing.

        :param since: the window's start, included (datetime, ISO-8601 text or epoch ms).
        :param until: the window's end, excluded.
        """
        account_id = self.resolve_account_id(account_id)
        since_ms, until_ms = past_window(since, until)
        if since_ms >= until_ms:
            return iter(())  # an empty (or future) window holds no transaction: no request
        return self._transactions(f"/{account_id}/earnings/transactions", since_ms, until_ms)

    def _transactions(self, path: str, since: int, until: int) -> Iterator[dict[str, Any]]:
        request = label("GET", path)
        # Whether after/before include their bounds is not documented: ask one millisecond
        # wider on the left, so a row on `since` comes either way, and keep [since, until)
        # here. Rows on a bound then land in exactly one of two adjacent windows.
        params = {"after": since - 1, "before": until}
        for page in offset_pages(
            self.transport, path, "data", TRANSACTIONS_PAGE_LIMIT, _transaction_id(request), params
        ):
            for row in page.rows:
                created_at = created_at_ms(row, f"transaction {row['transactionId']!r:.30}", request)
                if since <= created_at < until:
                    yield row


def _transaction_id(request: str) -> Callable[[dict[str, Any]], str | int]:
    """A row's ``transactionId``: offsets shift while paging, so repeats are told apart by it."""

    def read(row: dict[str, Any]) -> str | int:
        transaction_id = row.get("transactionId")
        if isinstance(transaction_id, bool) or not isinstance(transaction_id, str | int):
            raise FanslyApiError(
                f"{request} returned a transaction without a transactionId (got "
                f"{transaction_id!r:.40}); cannot tell repeats apart",
                request=request,
            )
        return transaction_id

    return read


def _month(row: dict[str, Any], request: str, window: tuple[int, int] | None) -> dict[str, Any]:
    """The row, marked as the summary (year 0, month 0) or a calendar month.

    With a window, also marked as partly outside it or not.
    """
    year, month = row.get("year"), row.get("month")
    summary = year == 0 and month == 0
    is_month = isinstance(year, int) and isinstance(month, int) and year > 0 and 1 <= month <= 12
    if not (summary or is_month):
        raise FanslyApiError(
            f"{request} returned a row that is neither a month nor the 30-day summary: year {year!r:.20}, "
            f"month {month!r:.20}",
            request=request,
        )
    marked = {**row, "rolling30Days": summary}
    if window is not None:
        start, end = (row.get("after"), row.get("before"))
        if is_month:
            start, end = utc_month_ms(row["year"], row["month"])
        inside = isinstance(start, int) and isinstance(end, int) and window[0] <= start and end <= window[1]
        marked["partial"] = not inside
    return marked
