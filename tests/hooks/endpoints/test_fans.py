"""FanslyHook's fans endpoints against the sandbox: subscribers of a window, cheaply; followers; strict shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyAuthError,
    FanslyOutOfCreditsError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks import paging
from airflow_provider_apifansly.hooks.endpoints.fans import _Order
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import MakeHook

HOUR_MS = 3_600_000
# A data interval: [20:00, 21:00) UTC on 2026-11-29, in epoch ms.
START = int(datetime(2026, 11, 29, 20, tzinfo=UTC).timestamp() * 1000)
END = START + HOUR_MS


def fans(count: int, start: int = 0) -> list[str]:
    return [str(723516315247063042 + offset) for offset in range(start, start + count)]


def subscriber_pages(sandbox: FanslySandbox) -> int:
    return sum(1 for entry in sandbox.journal if entry.path.endswith("/subscribers"))


def statuses_sent(hook: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ``status`` of every Subscribers request the hook sends from now on, in order."""
    sent: list[str] = []
    send = hook.transport.request

    def spy(*args: Any, **kwargs: Any) -> Any:
        sent.append(kwargs["params"]["status"])
        return send(*args, **kwargs)

    monkeypatch.setattr(hook.transport, "request", spy)
    return sent


def seed_hourly_history(sandbox: FanslySandbox, old: int, new: int) -> list[str]:
    """``old`` subscriptions spread over the days before the interval, ``new`` inside it; return the new fans."""
    sandbox.seed_subscribers(fans(old), created_at=[START - (i + 1) * 60_000 for i in range(old)])
    new_fans = fans(new, start=old)
    sandbox.seed_subscribers(new_fans, created_at=[START + i * 60_000 for i in range(new)])
    return new_fans


def test_subscribers_are_yielded_as_the_api_sends_them(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    seeded = fansly_sandbox.seed_subscribers(fans(3), created_at=START)

    rows = list(make_hook().list_subscribers())

    assert sorted(rows, key=lambda row: row["id"]) == sorted(seeded, key=lambda row: row["id"])
    assert subscriber_pages(fansly_sandbox) == 1


def test_the_window_is_half_open(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    at_start, inside, at_end = fans(3)
    fansly_sandbox.seed_subscribers([at_start], created_at=START)
    fansly_sandbox.seed_subscribers([inside], created_at=END - 1)
    fansly_sandbox.seed_subscribers([at_end], created_at=END)  # belongs to the next interval

    this_hour = [row["subscriberId"] for row in make_hook().list_subscribers(since=START, until=END)]
    next_hour = [row["subscriberId"] for row in make_hook().list_subscribers(since=END, until=END + HOUR_MS)]

    assert sorted(this_hour) == sorted([at_start, inside])
    assert next_hour == [at_end]


def test_since_and_until_take_datetimes_iso_text_and_epoch_ms(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    [fan] = fans(1)
    fansly_sandbox.seed_subscribers([fan], created_at=START + 1)
    hook = make_hook()
    as_datetime = datetime(2026, 11, 29, 20, tzinfo=UTC)

    for since in (as_datetime, "2026-11-29T20:00:00+00:00", "2026-11-29T20:00:00Z", START, str(START)):
        assert [row["subscriberId"] for row in hook.list_subscribers(since=since, until=END)] == [fan]


def test_newest_first_stops_after_the_page_that_reaches_past_since(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.subscribers_order = "newest"
    new_fans = seed_hourly_history(fansly_sandbox, old=500, new=30)

    found = [row["subscriberId"] for row in make_hook().list_subscribers(since=START, until=END)]

    assert sorted(found) == sorted(new_fans)
    assert subscriber_pages(fansly_sandbox) == 1  # 30 new and a few older rows fit one page of 50


@pytest.mark.parametrize(("cap", "pages"), [(100, 2), (50, 3)])
def test_oldest_first_reads_to_the_end_and_finds_the_same_fans(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, cap: int, pages: int
) -> None:
    fansly_sandbox.config.subscribers_order = "oldest"
    fansly_sandbox.config.subscribers_page_cap = cap  # type: ignore[assignment]
    new_fans = seed_hourly_history(fansly_sandbox, old=120, new=30)

    found = [row["subscriberId"] for row in make_hook().list_subscribers(since=START, until=END)]

    assert sorted(found) == sorted(new_fans)
    assert subscriber_pages(fansly_sandbox) == pages  # 150 rows, limit=100 asked, cap a page


def test_one_row_proves_no_order(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    # Oldest-first, one row a page: the first row is older than since, yet every new fan comes later.
    fansly_sandbox.config.subscribers_order = "oldest"
    fansly_sandbox.config.fans_page_size = 1
    new_fans = seed_hourly_history(fansly_sandbox, old=1, new=2)

    found = [row["subscriberId"] for row in make_hook().list_subscribers(since=START, until=END)]

    assert sorted(found) == sorted(new_fans)
    assert subscriber_pages(fansly_sandbox) == 3


def test_a_short_page_is_not_the_last_page(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.config.fans_page_size = 7  # fewer than the 50 asked for
    fansly_sandbox.seed_subscribers(fans(20), created_at=START)

    assert len(list(make_hook().list_subscribers())) == 20
    assert subscriber_pages(fansly_sandbox) == 3


def test_an_order_that_ever_rises_or_falls_too_few_times_is_read_to_the_end() -> None:
    rising = _Order()
    for created_at in (90, 80, 70, 60, 50, 40, 45, 10):
        rising.see(created_at)
    assert not rising.passed(since=15)

    one_fall = _Order()
    for created_at in (30, 20):
        one_fall.see(created_at)
    assert not one_fall.passed(since=25)  # one fall between two rows is no proof

    newest_first = _Order()
    for created_at in (90, 80, 70, 70, 60, 50, 10):
        newest_first.see(created_at)
    assert newest_first.passed(since=15)
    assert not newest_first.passed(since=5)


def test_all_reads_the_active_and_the_expired_list_each_stopping_on_its_own(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One list of both would come active newest first, then expired newest first: its first page
    # falls steadily past since, and yet the expired subscribers of the window come after it.
    fansly_sandbox.config.subscribers_order = "active_first"
    fansly_sandbox.config.fans_page_size = 10
    new_active = seed_hourly_history(fansly_sandbox, old=40, new=3)
    new_expired = fans(2, start=100)
    fansly_sandbox.seed_subscribers(new_expired, created_at=[START + 1, START + 2], status="expired")
    fansly_sandbox.seed_subscribers(
        fans(30, start=200), created_at=[START - (i + 1) * 60_000 for i in range(30)], status="expired"
    )

    hook = make_hook()
    sent = statuses_sent(hook, monkeypatch)

    rows = list(hook.list_subscribers(status="all", since=START, until=END))

    assert sorted(row["subscriberId"] for row in rows) == sorted(new_active + new_expired)
    assert sent == ["3", "4"]  # each list's first page already proves its order and reaches past since


def test_a_subscription_moving_from_active_to_expired_between_the_two_lists_comes_once(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = make_hook()
    row = {"id": "1", "subscriberId": "723516315247063042", "createdAt": START, "status": 3}
    pages = iter([paging.Page([row], None), paging.Page([{**row, "status": 4}], None)])
    monkeypatch.setattr(hook.transport, "request", lambda *args, **kwargs: next(pages))

    assert [found["status"] for found in hook.list_subscribers(status="all")] == [3]


def test_codes_refused_with_400_switch_to_words_once_for_the_hooks_life(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    fansly_sandbox.config.subscriber_status = "words"
    fansly_sandbox.config.expired_status_code = 5
    fansly_sandbox.seed_subscribers(fans(2), created_at=START)
    fansly_sandbox.seed_subscribers(fans(1, start=2), created_at=START, status="expired")
    hook = make_hook()
    sent = statuses_sent(hook, monkeypatch)

    active = list(hook.list_subscribers(status="active"))
    every = list(hook.list_subscribers(status="all"))

    assert (len(active), len(every)) == (2, 3)
    assert sent == ["3", "active", "active", "expired"]  # one extra request, once
    assert [entry.status for entry in fansly_sandbox.journal] == [400, 200, 200, 200]
    assert hook.subscriber_status_form == "words"


def test_rows_whose_status_is_not_the_one_asked_are_kept_and_named_in_a_warning(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.expired_status_code = 5  # as a native client reads expired
    fansly_sandbox.seed_subscribers(fans(2), created_at=START, status="expired")
    hook = make_hook()
    row = {"id": "9", "subscriberId": "723516315247063099", "createdAt": START, "status": 3}

    expired = list(hook.list_subscribers(status="expired"))
    with pytest.MonkeyPatch.context() as patch:  # an "expired" list that holds an active row
        patch.setattr(hook.transport, "request", lambda *args, **kwargs: paging.Page([row], None))
        mislabelled = list(hook.list_subscribers(status="expired"))

    assert [found["status"] for found in expired + mislabelled] == [5, 5, 3]
    warnings = [line for line in capfd.readouterr().out.splitlines() if "returned rows whose status" in line]
    assert len(warnings) == 2  # once per unexpected code and list, not once per row
    assert "status=4 returned rows whose status is 5, not 4 (expired)" in warnings[0]
    assert "status=4 returned rows whose status is 3, not 4 (expired)" in warnings[1]


def test_a_follow_arriving_while_paging_does_not_repeat_a_follower(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.fans_page_size = 4
    fansly_sandbox.seed_followers(fans(10))
    rows = make_hook().list_followers()

    first = [next(rows)["followerId"] for _ in range(4)]
    fansly_sandbox.seed_followers(fans(1, start=50))  # the latest follow comes first: the rest move down
    rest = [row["followerId"] for row in rows]

    assert sorted(first + rest) == sorted(fans(10))  # the row pushed onto page 2 came twice, kept once


@pytest.mark.parametrize(("status", "expected"), [("active", {"3"}), ("expired", {"4"}), ("all", {"3", "4"})])
def test_status_selects_active_expired_or_all(
    status: str, expected: set[str], fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.seed_subscribers(fans(2), created_at=START, status="active")
    fansly_sandbox.seed_subscribers(fans(2, start=2), created_at=START, status="expired")

    rows = list(make_hook().list_subscribers(status=status))

    assert {str(row["status"]) for row in rows} == expected
    assert len(rows) == 2 * len(expected)


def test_tier_id_selects_one_tier(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.seed_subscribers(fans(2), created_at=START, tier_id="900000000000000001")
    fansly_sandbox.seed_subscribers(fans(3, start=2), created_at=START, tier_id="900000000000000002")

    rows = list(make_hook().list_subscribers(tier_id="900000000000000002"))

    assert sorted(row["subscriberId"] for row in rows) == fans(3, start=2)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": "3"},
        {"status": "Active"},
        {"since": END, "until": START},
        {"since": "yesterday"},
        {"since": 1_764_446_400},  # seconds, not ms
        {"until": True},
        {"tier_id": "gold"},
        {"search": "  "},
        {"account_id": "723516315247063042"},
    ],
    ids=repr,
)
def test_bad_arguments_are_refused_when_called_before_any_request(
    kwargs: dict[str, Any], fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    hook = make_hook()
    with pytest.raises(FanslyValidationError):
        hook.list_subscribers(**kwargs)
    assert fansly_sandbox.journal == []


def test_an_empty_window_sends_no_request(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.seed_subscribers(fans(1), created_at=START)

    assert list(make_hook().list_subscribers(since=START, until=START)) == []
    assert fansly_sandbox.journal == []


def test_out_of_credits_in_the_middle_of_the_list_raises(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.fans_page_size = 5
    fansly_sandbox.config.credits = 1
    fansly_sandbox.seed_subscribers(fans(12), created_at=START)

    with pytest.raises(FanslyOutOfCreditsError):
        list(make_hook().list_subscribers())
    assert [entry.status for entry in fansly_sandbox.journal] == [200, 402]


def test_a_key_rejected_in_the_middle_of_the_list_raises(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.fans_page_size = 5
    fansly_sandbox.seed_subscribers(fans(12), created_at=START)
    rows = make_hook().list_subscribers()

    next(rows)
    fansly_sandbox.config.keys = {}  # the key is revoked between two pages
    with pytest.raises(FanslyAuthError):
        list(rows)
    assert [entry.status for entry in fansly_sandbox.journal] == [200, 401]


def test_followers_are_listed_page_by_page(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.config.fans_page_size = 4
    seeded = fansly_sandbox.seed_followers(fans(10))

    rows = list(make_hook().list_followers())

    assert sorted(row["followerId"] for row in rows) == sorted(row["followerId"] for row in seeded)
    assert sum(1 for entry in fansly_sandbox.journal if entry.path.endswith("/followers")) == 3


def cursor_data(response: dict[str, Any], next_cursor: Any = None) -> dict[str, Any]:
    """The envelope's ``data`` of a cursor list page."""
    return {"status_code": 200, "data": {"success": True, "response": response}, "nextCursor": next_cursor}


@pytest.mark.parametrize(
    "response",
    [
        {"stats": {"total": 1}},  # no rows key at all
        {"subscriptions": {"0": {"subscriberId": "1"}}},  # rows not a list
        {"subscriptions": ["723516315247063042"]},  # rows not objects
        {"data": [{"subscriberId": "723516315247063042"}]},  # the rows under another key
    ],
    ids=["missing", "object", "strings", "other key"],
)
def test_a_subscribers_page_in_an_unknown_shape_raises(response: dict[str, Any]) -> None:
    with pytest.raises(FanslyApiError, match="subscriptions"):
        paging.cursor_page("subscriptions")(cursor_data(response), "GET /x", "connection 'c'")


def test_a_row_without_its_fan_id_or_timestamp_raises(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = make_hook()
    rows = [{"id": "1", "subscriberId": "723516315247063042", "createdAt": "yesterday"}]
    monkeypatch.setattr(hook.transport, "request", lambda *args, **kwargs: paging.Page(rows, None))
    with pytest.raises(FanslyApiError, match="createdAt"):
        list(hook.list_subscribers(since=START))

    rows[0] = {"id": "1", "createdAt": START}
    with pytest.raises(FanslyApiError, match="subscriberId"):
        list(hook.list_subscribers())


@pytest.mark.parametrize(("count", "pages"), [(200, 2), (201, 3)])
def test_a_list_of_exactly_full_pages_ends_without_a_cursor_and_nothing_is_lost(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, count: int, pages: int
) -> None:
    fansly_sandbox.config.rpm = None
    fansly_sandbox.seed_subscribers([str(723516315247500000 + n) for n in range(count)], created_at=START)

    rows = list(make_hook().list_subscribers())

    assert len(rows) == count
    assert subscriber_pages(fansly_sandbox) == pages
