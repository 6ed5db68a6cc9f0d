"""Earnings: transactions paged by ``limit`` and ``offset``, and the monthly totals.

``GET {account_id}/earnings/transactions``, and ``GET {account_id}/earnings/monthly``, the ledger's totals per
UTC month after a summary row (``year`` 0, ``month`` 0); its ``response`` is the bare list or an object
holding it (``config.earnings_monthly_nesting``). Given ``after``/``before``, Monthly Earnings either sums
within them and stamps every row with them (``config.earnings_monthly_window`` "clipped", as the recorded
sample) or serves the whole months they touch ("whole").

Rows come newest first (the order is not documented) with ``response.total`` the
count of the whole window. ``after`` and ``before`` are epoch milliseconds; both
bounds count as inside unless ``config.transactions_bounds`` is ``"exclusive"``.
The store keeps each account's ledger in flat arrays, so a benchmark can seed a
million transactions; a row is built only when a page holds it.
"""

from __future__ import annotations

import bisect
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, Literal

from airflow_provider_apifansly.sandbox.envelope import Reply, invalid, list_response, nested, ok
from airflow_provider_apifansly.sandbox.keys import Account
from airflow_provider_apifansly.sandbox.resources import Resource, Sandbox
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import limit, parameters
from airflow_provider_apifansly.sandbox.world import Store, World

TRANSACTIONS_PARAMETERS = ("after", "before", "limit", "offset")
MONTHLY_PARAMETERS = ("after", "before")
_DAY_MS = 86_400_000
DEFAULT_LIMIT = 20  # the docs' example asks for 20
MAX_LIMIT = 100  # the largest page seen accepted
PPV_PURCHASE = 2110  # the one transaction type known: a pay-per-view purchase
SETTLED = 1
TAX_PERCENT = 20  # the platform's share, taken from each amount into destinationTax
# Transaction ids: snowflake-like, apart from the world's other ids.
_FIRST_TRANSACTION_ID = 900_000_000_000_000_001
# Epoch milliseconds have 13 digits from 2001 to 2286; fewer digits is most likely seconds.
_MIN_MS, _MAX_MS = 10**12, 10**13


@dataclass
class EarningsSwitches:
    """How the earnings endpoints answer where the contract is silent."""

    transactions_bounds: Literal["inclusive", "exclusive"] = switch(
        "inclusive",
        "whether Earnings Transactions' after and before include a row stamped exactly on them "
        "(undocumented; the contract assumes inclusive)",
    )
    earnings_monthly_nesting: Literal["list", "data"] = switch(
        "list",
        "Monthly Earnings' response: the bare list (as Fansly answers), or an object with it under data "
        "(the other lists' wrapper)",
    )
    earnings_monthly_window: Literal["whole", "clipped"] = switch(
        "clipped",
        "what Monthly Earnings does with after/before: clipped (the only recorded sample, contract "
        "section 4: every row carries the request's after and before, and months are summed within "
        "them) or whole (whole UTC months that overlap the window, each row carrying its month's "
        "bounds); without after/before both serve whole months",
    )


class _Ledger:
    """One account's transactions in ``createdAt`` order (then seeding order), one array per field."""

    def __init__(self) -> None:
        self.created_at = array("q")
        self.amount = array("q")
        self.kind = array("l")
        self.number = array("q")  # the transaction id, as a number
        self.balance = array("q")

    def add(self, created_at: array[int], amount: array[int], kind: int, first: int) -> None:
        ordered = not self.created_at or (self.created_at[-1] <= created_at[0])
        self.created_at.extend(created_at)
        self.amount.extend(amount)
        self.kind.extend([kind] * len(created_at))
        self.number.extend(range(first, first + len(created_at)))
        if not (ordered and all(a <= b for a, b in pairwise(created_at))):
            order = sorted(range(len(self.created_at)), key=lambda i: (self.created_at[i], self.number[i]))
            for name in ("created_at", "amount", "kind", "number"):
                column = getattr(self, name)
                setattr(self, name, array(column.typecode, (column[i] for i in order)))
        self.balance = array("q", _running_balance(self.amount))

    def window(self, after: int | None, before: int | None, exclusive: bool) -> tuple[int, int]:
        """The index range ``[lo, hi)`` of the rows between the bounds."""
        lo = (
            0
            if after is None
            else (bisect.bisect_right if exclusive else bisect.bisect_left)(self.created_at, after)
        )
        hi = len(self.created_at)
        if before is not None:
            hi = (bisect.bisect_left if exclusive else bisect.bisect_right)(self.created_at, before)
        return lo, max(lo, hi)

    def row(self, index: int, destination: str) -> dict[str, Any]:
        """The transaction at ``index`` as the API shows it: money in base units (1/1000 dollar)."""
        amount = self.amount[index]
        return {
            "transactionId": str(self.number[index]),
            "type": self.kind[index],
            "destination": destination,
            "amount": amount,
            "destinationTax": _tax(amount),
            "newBalance": self.balance[index],
            "createdAt": self.created_at[index],
            "status": SETTLED,
        }


class TransactionStore(Store):
    """Every account's ledger of earnings transactions."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._ledgers: dict[str, _Ledger] = {}
        self._next = _FIRST_TRANSACTION_ID

    def add(self, account_id: str, created_at: array[int], amount: array[int], kind: int) -> list[str]:
        """Add transactions; return their ids in the order given."""
        with self.world.lock:
            first, self._next = self._next, self._next + len(created_at)
            self._ledgers.setdefault(account_id, _Ledger()).add(created_at, amount, kind, first)
            return [str(number) for number in range(first, self._next)]

    def totals(
        self, account_id: str, after: int | None, before: int | None
    ) -> tuple[dict[tuple[int, int], list[int]], list[int]]:
        """Gross and net (thousandths) per UTC month, and over all the rows.

        Of the rows with ``after <= createdAt <= before``.
        """
        with self.world.lock:
            ledger = self._ledgers.get(account_id, _Ledger())
            lo, hi = ledger.window(after, before, exclusive=False)
            months: dict[tuple[int, int], list[int]] = {}
            overall = [0, 0]
            for index in range(lo, hi):
                amount = ledger.amount[index]
                when = datetime.fromtimestamp(ledger.created_at[index] / 1000, UTC)
                for totals in (months.setdefault((when.year, when.month), [0, 0]), overall):
                    totals[0] += amount
                    totals[1] += amount - _tax(amount)
        return months, overall

    def page(
        self, account: Account, after: int | None, before: int | None, offset: int, size: int, exclusive: bool
    ) -> tuple[int, list[dict[str, Any]]]:
        """The window's row count and one page of it, newest first."""
        with self.world.lock:
            ledger = self._ledgers.get(account.account_id, _Ledger())
            lo, hi = ledger.window(after, before, exclusive)
            top = hi - offset  # newest first: offset 0 is the last index of the window
            rows = [ledger.row(i, account.creator_id) for i in range(top - 1, max(lo, top - size) - 1, -1)]
            return hi - lo, rows


def seed_transactions(
    sandbox: Sandbox,
    created_at: Iterable[int],
    *,
    amount: int | Iterable[int] = 10_000,
    type: int = PPV_PURCHASE,  # the API's field name
    account_id: str | None = None,
) -> list[str]:
    """Give the account earnings transactions; return their ``transactionId`` in the order given.

    Stored as flat arrays, so a million (e.g. ``created_at=range(...)``) seed in about a
    second. Seeding sends no request: it is neither journaled nor counted. A bad value raises
    ``ValueError``.

    :param created_at: epoch milliseconds, one per transaction; Transactions pages newest first.
    :param amount: base units (1/1000 dollar): one int for all, or one per transaction.
        ``destinationTax`` is 20% of it and ``newBalance`` the running net total.
    :param type: the transaction type (default 2110, a pay-per-view purchase).
    :param account_id: the connected account (default: the first key's first account).
    """
    account = sandbox.account(account_id)
    stamps = array("q", created_at)
    amounts = array("q", [amount] * len(stamps) if isinstance(amount, int) else amount)
    if len(amounts) != len(stamps):
        raise ValueError(
            f"amount gives {len(amounts)} values for {len(stamps)} transactions; give one each, or one int"
        )
    if stamps and not (min(stamps) >= _MIN_MS and max(stamps) < _MAX_MS):
        raise ValueError("created_at must be whole epoch milliseconds (13 digits)")
    if amounts and min(amounts) < 0:
        raise ValueError("amount must be whole base units (1/1000 dollar), at least 0")
    return sandbox.store(TransactionStore).add(account.account_id, stamps, amounts, type)


def list_transactions(call: Call) -> Reply:
    """Earnings Transactions: ``{"total": N, "data": [...]}`` for the window, one page at ``offset``."""
    account = call.account()
    found = parameters(call.request.query, TRANSACTIONS_PARAMETERS, "Earnings Transactions")
    size = limit(found, DEFAULT_LIMIT, MAX_LIMIT)
    after, before, offset = (whole(found, name) for name in ("after", "before", "offset"))
    if before is not None and before > time.time() * 1000:
        raise invalid(f"before ({before}) is in the future")
    if after is not None and before is not None and after >= before:
        raise invalid(f"after ({after}) must be before before ({before})")
    exclusive = call.switches(EarningsSwitches).transactions_bounds == "exclusive"
    store = call.world.store(TransactionStore)
    total, rows = store.page(account, after, before, offset or 0, size, exclusive)
    return ok(nested({"total": total, "data": rows}))


def list_monthly(call: Call) -> Reply:
    """Monthly Earnings: the summary row, then one row per month with earnings.

    The summary row has ``year`` 0, ``month`` 0; the months come latest first, as
    ``config.earnings_monthly_window`` reads ``after`` and ``before``.
    """
    account = call.account()
    found = parameters(call.request.query, MONTHLY_PARAMETERS, "Monthly Earnings")
    after, before = whole(found, "after"), whole(found, "before")
    if after is not None and before is not None and after >= before:
        raise invalid(f"after ({after}) must be before before ({before})")
    store, now = call.world.store(TransactionStore), int(time.time() * 1000)
    switches = call.switches(EarningsSwitches)
    if switches.earnings_monthly_window == "clipped" and (after is not None or before is not None):
        # As the recorded sample: every row carries the request's window, sums kept within it.
        window = (0 if after is None else after, now if before is None else before)
        months, summary = store.totals(account.account_id, *window)
        rows = [_month_row(0, 0, summary, *window)]
        rows += [
            _month_row(*month, totals, *window) for month, totals in sorted(months.items(), reverse=True)
        ]
    else:
        months, _ = store.totals(account.account_id, None, None)
        _, summary = store.totals(account.account_id, now - 30 * _DAY_MS, now)
        rows = [_month_row(0, 0, summary, now - 30 * _DAY_MS, now)]
        for month, totals in sorted(months.items(), reverse=True):
            start, end = month_bounds(*month)
            if (after is None or end > after) and (before is None or start < before):
                rows.append(_month_row(*month, totals, start, end))
    return ok(nested(list_response(rows, switches.earnings_monthly_nesting)))


def month_bounds(year: int, month: int) -> tuple[int, int]:
    """A UTC month as epoch ms ``[start, end)``."""
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return _ms(start), _ms(end)


RESOURCE = Resource(
    routes=(
        Route("GET", "{account_id}/earnings/transactions", list_transactions),
        Route("GET", "{account_id}/earnings/monthly", list_monthly),
    ),
    switches=EarningsSwitches,
    methods=(seed_transactions,),
)


def _month_row(year: int, month: int, totals: list[int], after: int, before: int) -> dict[str, Any]:
    """A Monthly Earnings row as Fansly's call shows it (OnlyFansAPI's sample), money in thousandths."""
    return {
        "year": year,
        "month": month,
        "totalGross": totals[0],
        "totalNet": totals[1],
        "before": before,
        "after": after,
        "topPercent": 5,
        "maxTopPercent": 100,
        "brackets": [],
    }


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def whole(found: dict[str, str], name: str) -> int | None:
    """A query value that must be a whole number, or None when absent."""
    value = found.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):
        raise invalid(f"{name} must be a whole number; got {value!r}")
    return int(value)


def _tax(amount: int) -> int:
    return amount * TAX_PERCENT // 100


def _running_balance(amounts: Iterable[int]) -> Iterable[int]:
    balance = 0
    for amount in amounts:
        balance += amount - _tax(amount)
        yield balance
