"""Bulk creation through one hook against the sandbox: validation first, isolation of failures, a fault storm."""

from __future__ import annotations

import time

import pytest

from airflow_provider_apifansly.bulk import create_group_chats, parse_user_ids
from airflow_provider_apifansly.exceptions import FanslyAuthError, FanslyValidationError
from airflow_provider_apifansly.hooks.fansly import FanslyHook
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
        ("not a list", "must render to a list"),
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
    with pytest.raises(FanslyAuthError, match="Access denied \\(403\\)"):
        create_group_chats(hook, fans(500), creator_id=DEFAULT_CREATOR_ID, max_concurrency=4)
    assert fansly_sandbox.counters.requests < 20  # the in-flight few, not the 500


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
