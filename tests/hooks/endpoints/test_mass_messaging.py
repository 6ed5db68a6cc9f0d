"""FanslyHook's mass messaging against the sandbox: the scheduled list, the budget, and the shapes it refuses."""

from __future__ import annotations

import time

import pytest

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyCreditBudgetError
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import MakeHook

DAY_MS = 86_400_000


def test_scheduled_broadcasts_are_listed_across_pages_and_sent_ones_are_not(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    hook = make_hook()
    soon = int(time.time() * 1000) + DAY_MS
    hook.send_mass_message("now", include_followers=True)
    scheduled = [
        hook.send_mass_message(f"later {n}", include_followers=True, scheduled_for=soon + n)["id"]
        for n in range(25)
    ]

    rows = hook.list_scheduled_mass_messages()

    assert [row["id"] for row in rows] == scheduled
    assert sum(entry.path.endswith("/scheduled") for entry in fansly_sandbox.journal) == 2  # 20 a page


def test_a_scheduled_list_without_rows_raises_rather_than_returning_nothing(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_apifansly.hooks.endpoints import mass_messaging

    monkeypatch.setattr(mass_messaging, "SCHEDULED_ROWS", ("scheduledMessages",))

    with pytest.raises(FanslyApiError, match="returned no 'scheduledMessages' list of objects"):
        make_hook().list_scheduled_mass_messages()


def test_the_credit_budget_refuses_a_broadcast_it_cannot_pay_for(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    hook = make_hook(max_credits=1)
    hook.list_scheduled_mass_messages()

    with pytest.raises(FanslyCreditBudgetError, match="credit budget of 1 reached"):
        hook.send_mass_message("we miss you", include_expired_subscribers=True)
    assert fansly_sandbox.mass_messages == []
    assert len(fansly_sandbox.journal) == 1
