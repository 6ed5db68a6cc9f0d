"""FanslyHook.list_transactions against the sandbox: half-open windows, clamping, paging, each row once."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyOutOfCreditsError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks import paging
from airflow_provider_apifansly.hooks.seen_ids import SeenIds
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import MakeHook

DAY_MS = 86_400_000
# Two adjacent data intervals: 2026-11-01 and 2026-11-02 (UTC), in epoch ms.
DAY1 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)
DAY2 = DAY1 + DAY_MS
DAY3 = DAY2 + DAY_MS


@pytest.fixture(autouse=True)
def unlimited_plan(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.rpm = None  # no server-side window: these tests count pages, not pace them


def transaction_requests(sandbox: FanslySandbox) -> int:
    return sum(entry.path.endswith("/earnings/transactions") for entry in sandbox.journal)


@pytest.mark.parametrize("bounds", ["inclusive", "exclusive"])
def test_a_row_on_the_boundary_lands_in_one_window_only_whatever_the_api_bounds(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, bounds: str
) -> None:
    fansly_sandbox.config.transactions_bounds = bounds  # type: ignore[assignment]
    before, first, last, boundary, after = fansly_sandbox.seed_transactions(
        [DAY1 - 1, DAY1, DAY2 - 1, DAY2, DAY3]
    )
    hook = make_hook()

    day1 = [row["transactionId"] for row in hook.list_transactions(since=DAY1, until=DAY2)]
    day2 = [row["transactionId"] for row in hook.list_transactions(since=DAY2, until=DAY3)]

    assert sorted(day1) == sorted([first, last])
    assert day2 == [boundary]
    assert before not in day1 + day2
    assert after not in day1 + day2


def test_rows_come_as_the_api_sends_them_in_pages_of_100(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    ids = fansly_sandbox.seed_transactions([DAY1 + n for n in range(250)], amount=7_000)

    rows = list(make_hook().list_transactions(since=DAY1, until=DAY2))

    assert [row["transactionId"] for row in rows] == ids[::-1]  # the sandbox's newest-first order
    assert rows[0]["amount"] == 7_000  # base units, untouched: $7.00
    assert transaction_requests(fansly_sandbox) == 3


def test_an_until_in_the_future_is_clamped_to_now(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    now = int(time.time() * 1000)
    [earned] = fansly_sandbox.seed_transactions([now - 60_000])

    rows = list(make_hook().list_transactions(since=now - DAY_MS, until=now + DAY_MS))

    assert [row["transactionId"] for row in rows] == [earned]  # not a 400 for a future `before`
    assert [entry.status for entry in fansly_sandbox.journal] == [200]


@pytest.mark.parametrize(
    ("since", "until"),
    [(DAY1, DAY1), (int(time.time() * 1000) + DAY_MS, int(time.time() * 1000) + 2 * DAY_MS)],
    ids=["empty", "in the future"],
)
def test_an_empty_window_sends_no_request(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, since: int, until: int
) -> None:
    assert list(make_hook().list_transactions(since=since, until=until)) == []
    assert fansly_sandbox.journal == []


def test_a_window_ending_before_it_starts_is_refused_before_any_request(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    with pytest.raises(FanslyValidationError, match=r"since .* is after until"):
        make_hook().list_transactions(since=DAY2, until=DAY1)
    assert fansly_sandbox.journal == []


def test_a_new_arrival_while_paging_is_found_and_the_row_it_shifts_is_yielded_once(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    ids = fansly_sandbox.seed_transactions([DAY1 + n for n in range(150)])
    rows = make_hook().list_transactions(since=DAY1, until=DAY2)

    first_page = [next(rows)["transactionId"] for _ in range(100)]
    [late] = fansly_sandbox.seed_transactions([DAY1 + 1_000])  # newest: every older row moves down one
    rest = [row["transactionId"] for row in rows]

    # Row 100 came again on page 2 and was not yielded twice; total rose to 151, so the list was
    # read again from the start, where the late row is.
    assert first_page + rest == [*ids[::-1], late]
    assert transaction_requests(fansly_sandbox) == 3


class ChangingList:
    """A fake transport over an offset list that a test changes between pages (the sandbox never deletes)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.offsets: list[int] = []
        self.after_page: Any = None

    def request(self, method: str, path: str, parse: Any, *, params: dict[str, Any], **_: Any) -> Any:
        self.offsets.append(params["offset"])
        page = self.rows[params["offset"] : params["offset"] + params["limit"]]
        answer = paging.OffsetPage(list(page), len(self.rows))
        if self.after_page is not None:
            self.after_page(self)
            self.after_page = None
        return answer


def transactions(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"transactionId": str(start + n), "createdAt": DAY1 + 10_000 - n} for n in range(count)]


def test_rows_leaving_while_paging_step_the_offset_back_so_none_is_skipped(
    make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = make_hook()
    listed = ChangingList(transactions(250))
    monkeypatch.setattr(hook, "transport", listed)
    listed.after_page = lambda fake: fake.rows.__delitem__(slice(0, 10))  # ten rows already read leave

    found = [row["transactionId"] for row in hook.list_transactions(since=DAY1, until=DAY2)]

    assert sorted(found, key=int) == [str(n) for n in range(250)]  # each once, none skipped
    assert listed.offsets == [0, 100, 90, 190]


def test_a_full_page_of_rows_already_read_is_an_error(
    make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = make_hook()
    listed = ChangingList(transactions(300))
    listed.request = lambda *args, params, **kwargs: paging.OffsetPage(transactions(100), 300)  # type: ignore[method-assign]
    monkeypatch.setattr(hook, "transport", listed)

    with pytest.raises(FanslyApiError, match="full page at offset 100 holding only rows already read"):
        list(hook.list_transactions(since=DAY1, until=DAY2))


def test_a_total_that_paging_never_reaches_is_an_error(
    make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = make_hook()
    listed = ChangingList(transactions(30))
    listed.request = (
        lambda *args, params, **kwargs: paging.OffsetPage(  # type: ignore[method-assign]
            transactions(30)[params["offset"] :][:30], 40
        )
    )
    monkeypatch.setattr(hook, "transport", listed)

    with pytest.raises(FanslyApiError, match="said it holds 40 rows, but two passes found 30"):
        list(hook.list_transactions(since=DAY1, until=DAY2))


def test_out_of_credits_in_the_middle_of_the_window_raises(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.credits = 1
    fansly_sandbox.seed_transactions([DAY1 + n for n in range(150)])

    with pytest.raises(FanslyOutOfCreditsError):
        list(make_hook().list_transactions(since=DAY1, until=DAY2))
    assert [entry.status for entry in fansly_sandbox.journal] == [200, 402]


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"createdAt": DAY1}, "without a transactionId"),
        ({"transactionId": "1", "createdAt": "2026-11-01"}, "without an epoch-ms createdAt"),
    ],
)
def test_a_row_without_its_id_or_timestamp_raises(
    make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch, row: dict[str, Any], error: str
) -> None:
    hook = make_hook()
    monkeypatch.setattr(hook.transport, "request", lambda *args, **kwargs: paging.OffsetPage([row], 1))

    with pytest.raises(FanslyApiError, match=error):
        list(hook.list_transactions(since=DAY1, until=DAY2))


def test_seen_ids_tell_new_ids_from_repeats_of_any_shape() -> None:
    seen = SeenIds(capacity=2)

    firsts = [seen.add(row_id) for row_id in ("900000000000000001", 900000000000000002, "tx-a", "99" * 20)]
    repeats = [seen.add(row_id) for row_id in (900000000000000001, "900000000000000002", "tx-a", "99" * 20)]

    assert firsts == [True] * 4
    assert repeats == [False] * 4
    assert len(seen) == 4


@pytest.mark.parametrize("nesting", ["list", "data"])
def test_monthly_earnings_mark_the_rolling_summary_apart_from_the_months(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, nesting: str
) -> None:
    fansly_sandbox.config.earnings_monthly_nesting = nesting  # type: ignore[assignment]
    fansly_sandbox.seed_transactions([DAY1, DAY2], amount=[1_000, 2_000])

    rows = make_hook().list_monthly_earnings()

    assert [(row["year"], row["month"], row["rolling30Days"]) for row in rows] == [
        (0, 0, True),
        (2026, 11, False),
    ]
    assert rows[1]["totalGross"] == 3_000
    assert transaction_requests(fansly_sandbox) == 0
    assert len(fansly_sandbox.journal) == 1


def test_a_monthly_row_that_is_neither_a_month_nor_the_summary_fails_loudly() -> None:
    from airflow_provider_apifansly.hooks.endpoints.earnings import _month

    with pytest.raises(FanslyApiError, match="neither a month nor the 30-day summary"):
        _month({"year": 2026, "month": 0}, "GET /api/fansly/fansly_x/earnings/monthly", None)


def utc_ms(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("setting", "october"), [("clipped", 4_000), ("whole", 6_000)])
def test_monthly_earnings_of_a_window_send_it_and_mark_the_months_partly_outside(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, setting: Any, october: int
) -> None:
    fansly_sandbox.config.earnings_monthly_window = setting
    fansly_sandbox.seed_transactions(
        [utc_ms(2026, 10, 5), utc_ms(2026, 10, 20), utc_ms(2026, 11, 3)], amount=[2_000, 4_000, 8_000]
    )
    since, until = utc_ms(2026, 10, 15), utc_ms(2026, 12, 1)

    rows = make_hook().list_monthly_earnings(since=since, until=until)

    months = {(row["year"], row["month"]): row for row in rows if not row["rolling30Days"]}
    assert {month: row["partial"] for month, row in months.items()} == {(2026, 11): False, (2026, 10): True}
    assert (months[2026, 10]["totalGross"], months[2026, 11]["totalGross"]) == (october, 8_000)
    (entry,) = fansly_sandbox.journal
    assert entry.path.endswith("/earnings/monthly")
    if setting == "clipped":  # the rows carry the window sent: after=since, before=until - 1
        assert {(row["after"], row["before"]) for row in rows} == {(since, until - 1)}
        assert rows[0]["partial"] is False


def test_monthly_earnings_without_a_window_send_none_and_carry_no_partial_mark(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.earnings_monthly_window = "clipped"
    fansly_sandbox.seed_transactions([DAY1], amount=[1_000])

    rows = make_hook().list_monthly_earnings()

    assert [row["totalGross"] for row in rows[1:]] == [1_000]
    assert not any("partial" in row for row in rows)


@pytest.mark.parametrize(
    ("window", "error"),
    [({"since": DAY1}, "both since and until"), ({"since": DAY2, "until": DAY1}, "is after until")],
)
def test_a_bad_monthly_window_fails_before_any_request(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, window: dict[str, int], error: str
) -> None:
    with pytest.raises(FanslyValidationError, match=error):
        make_hook().list_monthly_earnings(**window)  # type: ignore[arg-type]
    assert fansly_sandbox.journal == []
