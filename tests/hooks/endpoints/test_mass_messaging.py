"""FanslyHook's mass messaging against the sandbox: both lists, the budget, the shapes it refuses."""

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
    assert {row["messageTemplate"]["content"] for row in rows} == {f"later {n}" for n in range(25)}
    assert sum(entry.path.endswith("/scheduled") for entry in fansly_sandbox.journal) == 2  # 24 a page


def test_a_message_template_sent_as_json_text_is_read_as_an_object(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.scheduled_template = "json"
    hook = make_hook()
    hook.send_mass_message("later", include_followers=True, scheduled_for=int(time.time() * 1000) + DAY_MS)

    (row,) = hook.list_scheduled_mass_messages()

    assert row["messageTemplate"]["content"] == "later"


def test_sent_broadcasts_are_read_newest_first_and_only_back_to_since(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_apifansly.hooks.endpoints import mass_messaging

    monkeypatch.setattr(mass_messaging, "BROADCAST_PAGE", 2)
    hook = make_hook()
    ids = [hook.send_mass_message(f"news {n}", include_followers=True)["id"] for n in range(3)]
    time.sleep(1 - time.time() % 1)  # the sandbox stamps whole seconds: the next two come a second later
    since = int(time.time()) * 1000  # epoch ms, as every since the hook takes
    ids += [hook.send_mass_message(f"news {n}", include_followers=True)["id"] for n in range(3, 5)]
    before = len(fansly_sandbox.journal)

    everything = hook.list_sent_mass_messages()
    recent = hook.list_sent_mass_messages(since=since)

    assert [row["id"] for row in everything] == ids[::-1]
    assert [row["id"] for row in recent] == ids[:2:-1]
    assert len(fansly_sandbox.journal) - before == 3 + 2  # every page; then two pages reach past since


def test_a_full_page_without_a_cursor_raises_rather_than_dropping_pages(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_apifansly.hooks.endpoints import mass_messaging

    monkeypatch.setattr(mass_messaging, "BROADCAST_PAGE", 2)
    hook = make_hook()
    for n in range(2):
        hook.send_mass_message(f"news {n}", include_followers=True)

    with pytest.raises(FanslyApiError, match="a full page of 2 rows without a cursor"):
        hook.list_sent_mass_messages()


def test_a_scheduled_list_without_rows_raises_rather_than_returning_nothing(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_apifansly.hooks.endpoints import mass_messaging

    monkeypatch.setattr(mass_messaging, "SCHEDULED_ROWS", "scheduledMessages")

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
