"""FanslyHook.top_supporters against the sandbox: cut answers split until none is, spend added up once."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from airflow_provider_apifansly.exceptions import FanslyApiError
from airflow_provider_apifansly.hooks.endpoints.top_supporters import Supporter
from airflow_provider_apifansly.hooks.endpoints.top_supporters import _supporter as read_supporter
from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox
from tests.helpers import MakeHook

DAY_MS = 86_400_000
NOW = int(time.time() * 1000)
SINCE, UNTIL = NOW - 30 * DAY_MS, NOW - DAY_MS


@pytest.fixture(autouse=True)
def unlimited_plan(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.rpm = None


def fans(count: int) -> list[str]:
    return [str(723516315247100000 + n) for n in range(count)]


def top_requests(sandbox: FanslySandbox) -> list[str]:
    return [entry.path for entry in sandbox.journal if "/top-supporters" in entry.path]


def seed_spread(sandbox: FanslySandbox, count: int) -> Counter[str]:
    """Fan n spends n dollars on each of three days of the window, and once on ``until`` (outside it)."""
    expected: Counter[str] = Counter()
    for n, fan_id in enumerate(fans(count), 1):
        days = [
            SINCE + (n % 29) * DAY_MS,
            SINCE + ((n * 7) % 29) * DAY_MS + 1,
            UNTIL - 1 - (n * 13) % 29 * DAY_MS,
        ]
        sandbox.seed_supporters([fan_id] * 3, spent_at=days, gross=n * 1000)
        sandbox.seed_supporters([fan_id], spent_at=UNTIL, gross=10**9)  # on until: excluded
        expected[fan_id] = 3 * n * 1000
    return expected


@pytest.mark.parametrize("fan_field", ["correlationAccountId", "accountId"])
@pytest.mark.parametrize("nesting", ["list", "data"])
def test_a_cut_window_is_split_until_no_part_is_and_each_fans_spend_is_summed(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, fan_field: str, nesting: str
) -> None:
    fansly_sandbox.config.top_supporters_fan_field = fan_field  # type: ignore[assignment]
    fansly_sandbox.config.top_supporters_nesting = nesting  # type: ignore[assignment]
    expected = seed_spread(fansly_sandbox, 250)  # over 100: the whole window's answer is cut

    ranking = make_hook().top_supporters(since=SINCE, until=UNTIL)

    assert {s.fan_id: s.gross for s in ranking.supporters} == expected
    assert ranking.supporters[0] == Supporter(fans(250)[-1], 750_000, 600_000)  # net: gross less 20%
    assert [s.gross for s in ranking.supporters] == sorted(expected.values(), reverse=True)
    requests = top_requests(fansly_sandbox)
    assert ranking.parts > 1
    assert len(requests) == 2 * ranking.parts - 1  # every cut window is halved once
    assert (ranking.since, ranking.until) == (SINCE, UNTIL)


def test_an_uncut_window_costs_one_request_and_bounds_are_sent_in_ms(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    seed_spread(fansly_sandbox, 5)

    ranking = make_hook().top_supporters(since=SINCE, until=UNTIL)

    assert (len(ranking.supporters), ranking.parts) == (5, 1)
    assert [e.path.rsplit("/", 1)[-1] for e in fansly_sandbox.journal] == ["me", "top-supporters"]


def test_an_empty_window_sends_nothing(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    ranking = make_hook().top_supporters(since=SINCE, until=SINCE)

    assert (ranking.supporters, ranking.parts, fansly_sandbox.journal) == ([], 0, [])


def test_a_window_too_short_to_split_fails_rather_than_pass_as_complete(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.seed_supporters(fans(100), spent_at=SINCE, gross=1000)

    with pytest.raises(FanslyApiError, match="too short a window to split further"):
        make_hook().top_supporters(since=SINCE, until=SINCE + 4)


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (
            {"accountId": "1", "correlationAccountId": "2", "totalGross": 1, "totalNet": 1},
            "are not the creator",
        ),
        ({"accountId": DEFAULT_CREATOR_ID, "totalGross": 1, "totalNet": 1}, "are not the creator"),
        (
            {"accountId": DEFAULT_CREATOR_ID, "correlationAccountId": "2", "totalGross": 1.5},
            "whole totalGross",
        ),
    ],
)
def test_a_row_without_exactly_one_fan_or_whole_amounts_fails_loudly(
    row: dict[str, object], error: str
) -> None:
    with pytest.raises(FanslyApiError, match=error):
        read_supporter(row, DEFAULT_CREATOR_ID, "GET /api/fansly/fansly_x/top-supporters")
