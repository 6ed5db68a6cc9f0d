"""Bulk runs through one hook against the sandbox.

Validation first, isolation of failures, stops, skip_existing, credit budgets, and a fault storm.
"""

from __future__ import annotations

import time

import pytest

from airflow_provider_apifansly.bulk import create_group_chats, send_messages
from airflow_provider_apifansly.exceptions import (
    FanslyAuthError,
    FanslyCreditBudgetError,
    FanslyOutOfCreditsError,
    FanslyRateLimitWaitError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks.fansly import FanslyHook
from airflow_provider_apifansly.models.batch_input import parse_user_ids
from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox, Fault

FIRST_FAN = 723516315247000000


def fans(count: int) -> list[str]:
    return [str(FIRST_FAN + offset) for offset in range(count)]


@pytest.fixture
def hook(fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch) -> FanslyHook:
    fansly_sandbox.config.rpm = None
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(rate_limit_rpm=0))
    return FanslyHook(pool_size=16)


def test_ids_are_deduplicated_in_order_and_rendered_lists_are_read() -> None:
    assert parse_user_ids(["3", 1, "3", "2"]) == ["3", "1", "2"]
    assert parse_user_ids("['5', '4']") == ["5", "4"]
    assert parse_user_ids('["6"]') == ["6"]


@pytest.mark.parametrize(
    ("user_ids", "message"),
    [
        (["1", "x"], "user_ids\\[1\\] must be a native Fansly id"),
        ("not a list", "must render to JSON or a Python literal"),
        ({"1": "2"}, "user_ids must be a list"),
        ([DEFAULT_CREATOR_ID], "contains the creator's own id"),
    ],
)
def test_one_bad_id_refuses_the_whole_batch_before_any_create(
    user_ids: object, message: str, hook: FanslyHook, fansly_sandbox: FanslySandbox
) -> None:
    with pytest.raises(FanslyValidationError, match=message):
        create_group_chats(hook, user_ids, creator_id=DEFAULT_CREATOR_ID)  # type: ignore[arg-type]
    assert fansly_sandbox.journal == []


def test_every_fan_gets_its_group_with_one_request_each(
    hook: FanslyHook, fansly_sandbox: FanslySandbox
) -> None:
    result = create_group_chats(hook, fans(200), max_concurrency=8)

    assert list(result.groups) == fans(200)
    assert result.failed == {}
    assert {g.partner_id: g.group_id for g in fansly_sandbox.groups} == result.groups
    assert fansly_sandbox.counters.requests == 201  # one GET /me, one create per fan


def test_a_permanent_error_for_one_fan_does_not_stop_the_others(
    hook: FanslyHook, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=400, first_n=1, path_contains="/group"))
    result = create_group_chats(hook, fans(20), creator_id=DEFAULT_CREATOR_ID, max_concurrency=1)

    assert list(result.failed) == [fans(1)[0]]
    assert "rejected as invalid (400)" in result.failed[fans(1)[0]]
    assert list(result.groups) == fans(20)[1:]


def test_an_auth_error_stops_everything_at_once(hook: FanslyHook, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=403, path_contains="/group"))

    result = create_group_chats(hook, fans(500), creator_id=DEFAULT_CREATOR_ID, max_concurrency=4)

    assert isinstance(result.stopped, FanslyAuthError)
    assert "Access denied (403)" in str(result.stopped)
    assert fansly_sandbox.counters.requests <= 4  # the calls in flight, not the 500
    assert sorted(result.failed) == fans(500)  # every fan is reported, none silently dropped


def test_running_out_of_credits_stops_the_run_within_two_pools_of_requests(
    hook: FanslyHook, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.credits = 60

    result = create_group_chats(hook, fans(300), creator_id=DEFAULT_CREATOR_ID, max_concurrency=8)

    assert isinstance(result.stopped, FanslyOutOfCreditsError)
    statuses = [entry.status for entry in fansly_sandbox.journal]
    after_first_402 = len(statuses) - statuses.index(402) - 1
    assert after_first_402 <= 2 * 8
    assert len(result.groups) == 60
    assert len(result.failed) == 240
    assert all("credits" in error for error in result.failed.values())


def test_skip_existing_takes_listed_chats_without_a_post(
    hook: FanslyHook, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.chats_page_size = 20
    listed = fansly_sandbox.seed_chats(fans(50)[:45])

    result = create_group_chats(hook, fans(50), creator_id=DEFAULT_CREATOR_ID, skip_existing=True)

    posts = [entry for entry in fansly_sandbox.journal if entry.method == "POST"]
    pages = [entry for entry in fansly_sandbox.journal if entry.path.endswith("/chats")]
    assert (len(pages), len(posts)) == (3, 5)  # 45 chats at 20 a page, and only the 5 new fans
    assert {fan: result.groups[fan] for fan in listed} == listed
    assert list(result.new) == fans(50)[45:]
    assert list(result.groups) == fans(50)
    assert hook.requests_sent == len(fansly_sandbox.journal) == 8


def test_skip_existing_still_creates_a_fan_the_list_does_not_show(
    hook: FanslyHook, fansly_sandbox: FanslySandbox
) -> None:
    unlisted = fansly_sandbox.seed_chats(fans(1), listed=False)

    result = create_group_chats(hook, fans(1), creator_id=DEFAULT_CREATOR_ID, skip_existing=True)

    assert result.groups == unlisted  # find-or-create found it: no new group
    assert fansly_sandbox.counters.groups_created == 0


def test_a_budget_that_cannot_cover_the_run_is_refused_before_any_request(
    fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(rate_limit_rpm=0))
    with pytest.raises(FanslyCreditBudgetError, match="needs 11 credits \\(10 fans and one GET /me\\)"):
        create_group_chats(FanslyHook(max_credits=10), fans(10))
    with pytest.raises(FanslyCreditBudgetError, match="needs 3 credits \\(one per message\\)"):
        send_messages(FanslyHook(max_credits=2), {"1": "a", "2": "b", "3": "c"})
    assert fansly_sandbox.journal == []


def test_a_budget_reached_mid_run_sends_no_request_beyond_it(
    fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(rate_limit_rpm=0))
    fansly_sandbox.seed_chats(fans(30)[:10])  # one page of chats; the other 20 fans need a POST each
    hook = FanslyHook(max_credits=12, pool_size=4)

    result = create_group_chats(hook, fans(30), skip_existing=True, max_concurrency=4)

    assert len(fansly_sandbox.journal) == hook.requests_sent == 12  # /me, one page, 10 creates
    assert isinstance(result.stopped, FanslyCreditBudgetError)
    assert len(result.groups) == 20
    assert len(result.failed) == 10
    assert "credit budget of 12 reached after 12 requests (12 credits); 10 fans not done" in str(
        result.stop_error(hook, "fans")
    )


def test_a_retry_needs_a_credit_per_chat_read_and_one_for_the_creator_not_two_per_message(
    hook: FanslyHook, fansly_sandbox: FanslySandbox
) -> None:
    messages = {group: "Welcome!" for group in fansly_sandbox.seed_chats(fans(3)).values()}
    first = send_messages(hook, messages)  # the earlier try delivered every message
    retry = FanslyHook(max_credits=4)  # 3 reads and one GET /me; 2 x 3 + 1 = 7 is not needed

    result = send_messages(retry, messages, sent_since=int(time.time() * 1000) - 60_000)

    assert result.done == first.done
    assert (retry.credits_spent, len(fansly_sandbox.messages)) == (4, 3)


def test_a_fault_storm_leaves_every_fan_with_exactly_one_group(
    hook: FanslyHook, fansly_sandbox: FanslySandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.set_faults(
        Fault(kind="status", status=429, retry_after=1, first_n=16, path_contains="/group"),  # a burst
        Fault(kind="status", status=503, probability=0.04, path_contains="/group"),
        Fault(kind="status", status=502, probability=0.03, path_contains="/group"),
        Fault(kind="status", status=500, probability=0.03, path_contains="/group"),
        Fault(kind="drop", probability=0.04, path_contains="/group"),
        Fault(kind="drop", processed=True, probability=0.01, path_contains="/group"),
    )
    hook = FanslyHook(pool_size=16, max_retries=8)
    started = time.monotonic()

    result = create_group_chats(hook, fans(1000), creator_id=DEFAULT_CREATOR_ID, max_concurrency=16)

    wall = time.monotonic() - started
    counters = fansly_sandbox.counters
    per_chat = counters.requests / len(result.groups)
    with capsys.disabled():
        print(
            f"\nfault storm: {counters.requests} requests for {len(result.groups)} chats "
            f"({per_chat:.3f} per chat), {counters.requests - 1000} retries, {counters.rate_limited} 429s, "
            f"{counters.faults_injected} faults, {wall:.1f} s"
        )
    assert result.failed == {}
    assert list(result.groups) == fans(1000)
    assert counters.groups_created == 1000
    assert sorted(g.partner_id for g in fansly_sandbox.groups) == fans(1000)
    assert per_chat <= 1.2


def test_a_429_asking_longer_than_max_retry_wait_stops_the_run_at_once_and_sends_nothing_during_it(
    fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(max_retry_wait=30))
    hook = FanslyHook(pool_size=4)  # paced: the connection's plan allows 600 a minute
    fansly_sandbox.set_faults(
        Fault(kind="status", status=429, retry_after=600, first_n=1, path_contains="/group")
    )

    result = create_group_chats(hook, fans(12), creator_id=DEFAULT_CREATOR_ID, max_concurrency=4)

    assert isinstance(result.stopped, FanslyRateLimitWaitError)
    refused = next(n for n, entry in enumerate(fansly_sandbox.journal) if entry.status == 429)
    sent_after = fansly_sandbox.journal[refused + 1 :]
    assert len(sent_after) <= 3  # at most the other threads' requests already on the wire; none later
    assert len(result.done) + len(result.failed) == 12
    assert len(result.failed) >= 12 - 1 - len(sent_after)
    assert all("600" in reason or "wait" in reason for reason in result.failed.values())
    with pytest.raises(FanslyRateLimitWaitError, match="longer than max_retry_wait=30 s"):
        hook.create_group_chat(
            fans(13)[-1], creator_id=DEFAULT_CREATOR_ID
        )  # still in force: refused, not sent
    assert len(fansly_sandbox.journal) == refused + 1 + len(sent_after)
