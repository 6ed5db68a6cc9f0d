"""The per-key sliding window, its headers, and credits, with an injected clock."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from airflow_provider_apifansly.sandbox import (
    DEFAULT_API_KEY,
    FanslySandbox,
    Fault,
    SandboxConfig,
    single_key,
)

HEADERS = {"x-api-key": DEFAULT_API_KEY}


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limited(clock: FakeClock) -> Iterator[FanslySandbox]:
    """Three requests per 60 s window."""
    with FanslySandbox(SandboxConfig(rpm=3), clock=clock) as sandbox:
        yield sandbox


def get(sandbox: FanslySandbox, key: str = DEFAULT_API_KEY) -> requests.Response:
    return requests.get(f"{sandbox.url}/api/fansly/accounts", headers={"x-api-key": key}, timeout=5)


def test_remaining_counts_down_and_the_fourth_request_gets_429(
    limited: FanslySandbox, clock: FakeClock
) -> None:
    remaining = []
    for _ in range(3):
        response = get(limited)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Plan"] == "Custom"
        assert "X-RateLimit-Retry-After" not in response.headers
        remaining.append(response.headers["X-RateLimit-Remaining"])
        clock.now += 10

    refused = get(limited)

    assert remaining == ["2", "1", "0"]
    assert refused.status_code == 429
    body = refused.json()
    assert body["statusCode"] == 429
    assert body["data"] is None
    assert body["message"].startswith("Rate limit exceeded.")
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    # The oldest request (t=1000) leaves the window at t=1060; it is now t=1030.
    assert refused.headers["X-RateLimit-Retry-After"] == "30"
    assert "Retry-After" not in refused.headers
    assert limited.counters.rate_limited == 1


def test_window_slides_and_refused_requests_do_not_count(limited: FanslySandbox, clock: FakeClock) -> None:
    for _ in range(3):
        get(limited)
        clock.now += 10
    for _ in range(5):
        assert get(limited).status_code == 429

    clock.now = 1060.0  # the first request has left the window; 429s never entered it
    passed = get(limited)
    refused = get(limited)

    assert passed.status_code == 200
    assert passed.headers["X-RateLimit-Remaining"] == "0"
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Retry-After"] == "10"


def test_retry_after_is_at_least_one_second(limited: FanslySandbox, clock: FakeClock) -> None:
    for _ in range(3):
        get(limited)
    clock.now += 59.9

    assert get(limited).headers["X-RateLimit-Retry-After"] == "1"


def test_plain_retry_after_only_when_switched_on(limited: FanslySandbox) -> None:
    limited.config.send_retry_after = True
    for _ in range(3):
        get(limited)

    refused = get(limited)

    assert refused.headers["Retry-After"] == refused.headers["X-RateLimit-Retry-After"] == "60"


def test_each_key_has_its_own_window(limited: FanslySandbox) -> None:
    limited.config.keys.update(single_key("second-key", "fansly_second", "700000000000000002"))
    for _ in range(3):
        get(limited)

    assert get(limited).status_code == 429
    assert get(limited, "second-key").status_code == 200


def test_real_clock_window_of_a_fraction_of_a_second() -> None:
    with FanslySandbox(SandboxConfig(rpm=2, window_seconds=0.3)) as sandbox:
        assert [get(sandbox).status_code for _ in range(3)] == [200, 200, 429]
        time.sleep(0.35)
        assert get(sandbox).status_code == 200


@pytest.mark.parametrize(("rpm", "plan"), [(100, "Free"), (600, "Starter"), (1000, "Pro"), (5, "Custom")])
def test_plan_header_follows_rpm(fansly_sandbox: FanslySandbox, rpm: int, plan: str) -> None:
    fansly_sandbox.config.rpm = rpm

    response = get(fansly_sandbox)

    assert response.headers["X-RateLimit-Plan"] == plan
    assert response.headers["X-RateLimit-Limit"] == str(rpm)
    assert response.headers["X-RateLimit-Remaining"] == str(rpm - 1)


def test_unlimited_plan_names_itself_without_a_limit(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.rpm = None

    response = get(fansly_sandbox)

    assert response.headers["X-RateLimit-Plan"] == "Enterprise"
    assert "X-RateLimit-Limit" not in response.headers
    assert "X-RateLimit-Remaining" not in response.headers


def test_spent_credits_get_402(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.credits = 2

    statuses = [get(fansly_sandbox).status_code for _ in range(4)]

    assert statuses == [200, 200, 402, 402]
    refused = get(fansly_sandbox).json()
    assert refused["message"] == "Insufficient credits"
    assert refused["data"] is None
    fansly_sandbox.reset()
    assert get(fansly_sandbox).status_code == 200


def test_absent_rate_limit_headers_leave_every_answer_bare_but_a_429_keeps_its_wait(
    limited: FanslySandbox, clock: FakeClock
) -> None:
    limited.config.rate_limit_headers = "absent"
    limited.config.send_retry_after = True

    answers = [get(limited) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    for answer in answers:
        assert not {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Plan"} & set(answer.headers)
    refused = answers[-1]
    assert refused.headers["X-RateLimit-Retry-After"] == refused.headers["Retry-After"] == "60"


def test_absent_rate_limit_headers_also_hide_an_unlimited_plan(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.rpm = None
    fansly_sandbox.config.rate_limit_headers = "absent"

    assert "X-RateLimit-Plan" not in get(fansly_sandbox).headers


def test_a_429_without_retry_after_names_no_wait_anywhere(limited: FanslySandbox, clock: FakeClock) -> None:
    limited.config.retry_after_on_429 = "absent"
    limited.config.send_retry_after = True  # the plain header goes too
    for _ in range(3):
        assert get(limited).status_code == 200

    refused = get(limited)

    assert refused.status_code == 429
    assert "X-RateLimit-Retry-After" not in refused.headers
    assert "Retry-After" not in refused.headers
    body = refused.json()
    assert (body["statusCode"], body["message"], body["data"]) == (429, "Rate limit exceeded.", None)
    assert (refused.headers["X-RateLimit-Limit"], refused.headers["X-RateLimit-Remaining"]) == ("3", "0")
    clock.now += 60
    assert get(limited).status_code == 200


def test_a_silent_server_sends_no_rate_header_at_all(limited: FanslySandbox) -> None:
    limited.config.rate_limit_headers = "absent"
    limited.config.retry_after_on_429 = "absent"
    for _ in range(3):
        get(limited)

    refused = get(limited)

    assert refused.status_code == 429
    assert not [name for name in refused.headers if "ratelimit" in name.lower() or name == "Retry-After"]


def test_a_429_fault_follows_the_retry_after_switch(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.retry_after_on_429 = "absent"
    fansly_sandbox.set_faults(Fault(kind="status", status=429, retry_after=5, first_n=1))

    refused = get(fansly_sandbox)

    assert refused.status_code == 429
    assert "X-RateLimit-Retry-After" not in refused.headers


def get_account(sandbox: FanslySandbox, account_id: str) -> requests.Response:
    return requests.get(f"{sandbox.url}/api/fansly/{account_id}/me", headers=HEADERS, timeout=5)


@pytest.fixture
def agency(limited: FanslySandbox) -> tuple[FanslySandbox, list[str]]:
    """The three-a-window sandbox whose key has two accounts, Remaining counted per account."""
    limited.config.rate_limit_remaining = "account"
    return limited, limited.seed_accounts(2)


def test_remaining_per_account_counts_only_that_accounts_requests(
    agency: tuple[FanslySandbox, list[str]],
) -> None:
    sandbox, (first, second) = agency

    remaining = [
        get_account(sandbox, account).headers["X-RateLimit-Remaining"] for account in (first, first, second)
    ]

    assert remaining == ["2", "1", "2"]  # the key has none left, but the second account has used one


def test_remaining_per_account_still_limits_the_key_and_its_429_counts_the_account(
    agency: tuple[FanslySandbox, list[str]], clock: FakeClock
) -> None:
    sandbox, (first, second) = agency
    for _ in range(3):
        assert get_account(sandbox, first).status_code == 200

    refused = get_account(sandbox, second)

    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Remaining"] == "3"  # the second account has sent nothing
    assert refused.headers["X-RateLimit-Retry-After"] == "60"
    clock.now += 60  # the first account's requests leave the window; 429s never entered it
    assert get_account(sandbox, second).headers["X-RateLimit-Remaining"] == "2"


def test_remaining_per_account_counts_the_keys_on_a_route_without_an_account(
    agency: tuple[FanslySandbox, list[str]],
) -> None:
    sandbox, (first, _) = agency
    get_account(sandbox, first)

    listed = get(sandbox)  # GET /accounts names no account
    mine = get_account(sandbox, first)

    assert listed.headers["X-RateLimit-Remaining"] == "1"  # both requests of the key
    assert mine.headers["X-RateLimit-Remaining"] == "1"  # the account's two, not the listing


def test_remaining_per_key_is_the_documented_default(limited: FanslySandbox) -> None:
    [first, second] = limited.seed_accounts(2)

    remaining = [
        get_account(limited, account).headers["X-RateLimit-Remaining"] for account in (first, second)
    ]

    assert remaining == ["2", "1"]
