"""FanslyHook.list_subscription_segment against the sandbox: lifecycle segments of the active subscriptions."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.hooks.endpoints.segments import auto_renew_of
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import MakeHook

DAY_MS = 86_400_000


def fans(count: int, start: int) -> list[str]:
    return [str(723516315247200000 + start + n) for n in range(count)]


def seed_lifecycles(sandbox: FanslySandbox) -> dict[str, list[str]]:
    """Active subscriptions ending over the coming days, auto-renew on and off, and an expired one."""
    now = int(time.time() * 1000)
    created = now - 27 * DAY_MS
    groups = {
        "lapsing": (fans(3, 0), False, [now + DAY_MS, now + 2 * DAY_MS, now + 3 * DAY_MS - 60_000]),
        "later": (fans(2, 100), False, [now + 3 * DAY_MS + 60_000, now + 10 * DAY_MS]),
        "renewing": (fans(2, 200), True, [now + DAY_MS, now + 2 * DAY_MS]),
        "ended": (fans(1, 300), False, [now - 60_000]),  # active until its period ends: it has
    }
    for fan_ids, auto_renew, ends_at in groups.values():
        sandbox.seed_subscribers(fan_ids, created_at=created, auto_renew=auto_renew, ends_at=ends_at)
    sandbox.seed_subscribers(fans(1, 400), created_at=created, status="expired", ends_at=now + DAY_MS)
    return {name: fan_ids for name, (fan_ids, _, _) in groups.items()}


def fan_ids(rows: object) -> list[str]:
    return sorted(row["subscriberId"] for row in rows)  # type: ignore[attr-defined]


@pytest.mark.parametrize("within", [3, 3.0, timedelta(days=3)], ids=repr)
def test_expiring_keeps_auto_renew_off_ending_within_the_duration_from_now(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, within: object
) -> None:
    groups = seed_lifecycles(fansly_sandbox)

    rows = make_hook().list_subscription_segment(expiring_within=within)

    assert fan_ids(rows) == sorted(groups["lapsing"])
    assert [entry.path.split("?")[0].rsplit("/", 1)[-1] for entry in fansly_sandbox.journal] == [
        "subscribers"
    ]


def test_auto_renew_alone_filters_on_it(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    groups = seed_lifecycles(fansly_sandbox)
    hook = make_hook()

    assert fan_ids(hook.list_subscription_segment(auto_renew=True)) == sorted(groups["renewing"])
    assert fan_ids(hook.list_subscription_segment(auto_renew=False)) == sorted(
        groups["lapsing"] + groups["later"] + groups["ended"]
    )


@pytest.mark.parametrize(("cap", "pages"), [(100, 2), (50, 3)])
def test_every_active_page_is_read_whatever_page_size_the_server_serves(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, cap: int, pages: int
) -> None:
    fansly_sandbox.config.rpm = None
    fansly_sandbox.config.subscribers_page_cap = cap  # type: ignore[assignment]
    now = int(time.time() * 1000)
    fansly_sandbox.seed_subscribers(fans(120, 0), created_at=now - DAY_MS, ends_at=now + 5 * DAY_MS)
    lapsing = fansly_sandbox.seed_subscribers(
        fans(1, 500), created_at=now - 20 * DAY_MS, auto_renew=False, ends_at=now + DAY_MS
    )

    rows = list(make_hook().list_subscription_segment(expiring_within=2))

    assert rows == lapsing
    assert len(fansly_sandbox.journal) == pages  # ceil(121 active / cap): limit=100 is asked


@pytest.mark.parametrize("within", [0, -1, "3 days", "P1Y", "-1", True, timedelta(0)], ids=repr)
def test_a_bad_duration_fails_before_any_request(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, within: object
) -> None:
    with pytest.raises(FanslyValidationError, match="expiring_within"):
        make_hook().list_subscription_segment(expiring_within=within)
    assert fansly_sandbox.journal == []


@pytest.mark.parametrize("value", [None, 2, "0", 0.5])
def test_an_auto_renew_that_is_not_0_or_1_fails_loudly(value: object) -> None:
    with pytest.raises(FanslyApiError, match="autoRenew is not 0 or 1"):
        auto_renew_of({"id": "1", "autoRenew": value}, "GET /api/fansly/fansly_x/subscribers")
