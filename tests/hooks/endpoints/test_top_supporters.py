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


def seed_ranked(sandbox: FanslySandbox, count: int) -> list[str]:
    """``count`` fans a minute apart, fan n spending n dollars: the answer ranks them by spend, all distinct."""
    stamps = [SINCE + n * 60_000 for n in range(count)]
    sandbox.seed_supporters(fans(count), spent_at=stamps, gross=[n * 1000 for n in range(1, count + 1)])
    return fans(count)[::-1]  # the biggest spender first


@pytest.mark.parametrize(("top", "min_gross"), [(20, None), (100, None), (None, 1_950_000), (3, 1_000)])
def test_top_n_or_min_spend_is_answered_from_the_first_answer_when_its_cut_rows_cannot_qualify(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, top: int | None, min_gross: int | None
) -> None:
    ranked = seed_ranked(fansly_sandbox, 2_000)

    ranking = make_hook().top_supporters(since=SINCE, until=UNTIL, top=top, min_gross=min_gross)

    assert len(top_requests(fansly_sandbox)) == 1
    assert ranking.parts == 1
    assert [s.fan_id for s in ranking.supporters] == ranked[:100]  # the answer's 100, ranked
    assert ranking.cut_at == 1_901_000  # fan 1,901 is the smallest listed: the cut spent at most that


# 150 fans: the first answer lists fans 51 to 150, the smallest spending $51.
@pytest.mark.parametrize(("top", "min_gross"), [(None, None), (101, None), (None, 51_000), (None, 5_000)])
def test_a_cut_answer_is_split_when_its_cut_rows_could_qualify(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, top: int | None, min_gross: int | None
) -> None:
    ranked = seed_ranked(fansly_sandbox, 150)

    ranking = make_hook().top_supporters(since=SINCE, until=UNTIL, top=top, min_gross=min_gross)

    assert len(top_requests(fansly_sandbox)) > 1
    assert [s.fan_id for s in ranking.supporters] == ranked  # every fan, as without top or min_gross
    assert ranking.cut_at is None


def test_ties_at_the_cut_keep_the_apis_choice_for_top_but_split_for_min_spend(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    # 150 fans spend the same: any 20 of them are a top 20; a min_spend of that amount needs all 150.
    fansly_sandbox.seed_supporters(fans(150), spent_at=[SINCE + n * 60_000 for n in range(150)], gross=1000)
    hook = make_hook()

    top = hook.top_supporters(since=SINCE, until=UNTIL, top=20)
    assert (len(top.supporters), top.parts, top.cut_at) == (100, 1, 1000)
    assert len(top_requests(fansly_sandbox)) == 1

    everyone = hook.top_supporters(since=SINCE, until=UNTIL, min_gross=1000)
    assert (len(everyone.supporters), everyone.cut_at) == (150, None)


@pytest.mark.parametrize("fan_field", ["correlationAccountId", "accountId"])
def test_a_row_whose_fan_id_is_null_is_skipped_and_counted_not_fatal(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, fan_field: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.top_supporters_fan_field = fan_field  # type: ignore[assignment]
    fansly_sandbox.seed_supporters([None, *fans(2)], spent_at=SINCE + DAY_MS, gross=[9000, 2000, 1000])

    ranking = make_hook().top_supporters(since=SINCE, until=UNTIL)

    assert [(s.fan_id, s.gross) for s in ranking.supporters] == [(fans(2)[0], 2000), (fans(2)[1], 1000)]
    assert ranking.skipped == 1
    assert "1 row(s) whose fan id is null: skipped" in capfd.readouterr().out
