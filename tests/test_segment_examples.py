"""The segment examples in real Airflow (``dag.test()``) against the sandbox.

Each fan offered once per subscription period, and last month's top spenders thanked.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

import pytest

from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import creator_messages, run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAY_MS = 86_400_000


def fans(count: int, start: int) -> list[str]:
    return [str(723516315247300000 + start + n) for n in range(count)]


def test_the_expiring_offer_reaches_each_lapsing_fan_once_per_period_over_two_days(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    now = int(time.time() * 1000)
    lapsing = fans(3, 0)
    fansly_sandbox.seed_subscribers(
        lapsing, created_at=now - 28 * DAY_MS, auto_renew=False, ends_at=now + DAY_MS
    )
    fansly_sandbox.seed_subscribers(
        fans(5, 100), created_at=now - 28 * DAY_MS, ends_at=now + DAY_MS
    )  # renewing

    first = run_dag("example_fansly_expiring_offer", logical_date=datetime(2026, 11, 2, tzinfo=UTC))
    assert creator_messages(fansly_sandbox) == Counter(dict.fromkeys(lapsing, 1)), first
    # The next day the same three are still lapsing (same period), and a fourth has turned auto-renew off.
    late = fans(1, 200)
    fansly_sandbox.seed_subscribers(
        late, created_at=now - 28 * DAY_MS, auto_renew=False, ends_at=now + 2 * DAY_MS
    )

    second = run_dag("example_fansly_expiring_offer", logical_date=datetime(2026, 11, 3, tzinfo=UTC))

    assert (first[0], second[0]) == ("success", "success"), second
    assert creator_messages(fansly_sandbox) == Counter(dict.fromkeys(lapsing + late, 1))
    assert list_chats_pages(fansly_sandbox) == 0  # a few fans: creates, not every List Chats page


def test_the_monthly_thanks_reaches_last_months_top_spenders(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    fansly_sandbox.config.rpm = None
    month = datetime(2026, 10, 1, tzinfo=UTC)
    start = int(month.timestamp() * 1000)
    spenders = fans(25, 0)  # fan n spends n + 1 dollars over October
    fansly_sandbox.seed_supporters(
        spenders, spent_at=[start + n * DAY_MS for n in range(25)], gross=[(n + 1) * 1000 for n in range(25)]
    )
    fansly_sandbox.seed_supporters(fans(1, 500), spent_at=start - 1, gross=10**7)  # September's

    state, tasks = run_dag(
        "example_fansly_top_supporters_thanks", logical_date=datetime(2026, 11, 1, tzinfo=UTC)
    )

    assert state == "success", tasks
    assert creator_messages(fansly_sandbox) == Counter(dict.fromkeys(spenders[5:], 1))  # the top 20
    assert list_chats_pages(fansly_sandbox) == 0


def test_the_monthly_thanks_costs_one_ranking_and_reaches_fans_who_already_have_a_chat(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    fansly_sandbox.config.rpm = None
    # September (another run than the test above: Airflow 2.11 cannot replace a run of the same date).
    start = int(datetime(2026, 9, 1, tzinfo=UTC).timestamp() * 1000)
    spenders = fans(2_000, 1_000)  # fan n spends n + 1 dollars over September: the answer is cut at 100
    fansly_sandbox.seed_supporters(
        spenders,
        spent_at=[start + n * 60_000 for n in range(2_000)],
        gross=[(n + 1) * 1000 for n in range(2_000)],
    )
    top = spenders[-20:]
    fansly_sandbox.seed_chats(top[:10])  # half of them already have a chat: create finds it

    state, tasks = run_dag(
        "example_fansly_top_supporters_thanks", logical_date=datetime(2026, 10, 1, tzinfo=UTC)
    )

    assert state == "success", tasks
    assert creator_messages(fansly_sandbox) == Counter(dict.fromkeys(top, 1))
    assert sum("/top-supporters" in entry.path for entry in fansly_sandbox.journal) == 1
    assert len(fansly_sandbox.groups) == 20  # the 10 found, not created twice
    assert list_chats_pages(fansly_sandbox) == 0


def list_chats_pages(sandbox: FanslySandbox) -> int:
    return sum(entry.method == "GET" and entry.path.endswith("/chats") for entry in sandbox.journal)
