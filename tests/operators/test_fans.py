"""ListFansOperator and the hourly welcome pipeline, in real Airflow (``dag.test()``) against the sandbox."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_apifansly.operators.fans import ListFansOperator
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import creator_messages, printed_xcoms, run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
FIRST_END = datetime(2026, 11, 29, 21, tzinfo=UTC)  # the first run's interval is [20:00, 21:00)
SECOND_END = datetime(2026, 11, 29, 22, tzinfo=UTC)
BOUNDARY = int(FIRST_END.timestamp() * 1000)
START = BOUNDARY - HOUR_MS


def fans(count: int, start: int) -> list[str]:
    return [str(723516315247000000 + start + offset) for offset in range(count)]


def subscriber_pages(sandbox: FanslySandbox) -> int:
    return sum(entry.path.endswith("/subscribers") for entry in sandbox.journal)


def list_subscribers(
    since: datetime | int | None = None, until: datetime | int | None = None
) -> tuple[str, dict]:
    conf = {"since": None if since is None else str(since), "until": None if until is None else str(until)}
    return run_dag("fansly_test_dags", conf, dag_id="test_fansly_list_subscribers")


@pytest.mark.matrix
def test_the_hourly_pipeline_welcomes_each_new_subscriber_once_over_two_intervals(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.seed_subscribers(fans(200, 0), created_at=[START - (n + 1) * 60_000 for n in range(200)])
    first = fans(3, 1000)
    fansly_sandbox.seed_subscribers(first, created_at=[START, START + 60_000, BOUNDARY - 1])
    on_boundary = fans(1, 2000)  # subscribed exactly at the end of the first interval: the second's
    fansly_sandbox.seed_subscribers(on_boundary, created_at=BOUNDARY)
    second = fans(2, 3000)
    fansly_sandbox.seed_subscribers(second, created_at=[BOUNDARY + 60_000, BOUNDARY + 120_000])
    fansly_sandbox.seed_subscribers(fans(1, 4000), created_at=START + 1, status="expired")

    state, tasks = run_dag("example_fansly_welcome_pipeline", logical_date=FIRST_END)
    assert state == "success", tasks
    assert creator_messages(fansly_sandbox) == Counter(dict.fromkeys(first, 1))
    assert subscriber_pages(fansly_sandbox) == 1  # newest first: the first page already reaches 20:00

    state, tasks = run_dag("example_fansly_welcome_pipeline", logical_date=SECOND_END)
    assert state == "success", tasks
    assert creator_messages(fansly_sandbox) == Counter(dict.fromkeys(first + on_boundary + second, 1))
    assert "3 new subscribers to welcome" in capfd.readouterr().out


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_both_row_orders_give_the_same_fans(
    order: str, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.subscribers_order = order  # type: ignore[assignment]
    fansly_sandbox.seed_subscribers(fans(120, 0), created_at=[START - (n + 1) * 60_000 for n in range(120)])
    new = fans(5, 1000)
    fansly_sandbox.seed_subscribers(new, created_at=[START + n * 60_000 for n in range(5)])

    state, tasks = list_subscribers(START, BOUNDARY)

    assert state == "success", tasks
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert sorted(xcoms["return_value"]) == sorted(new)
    assert (
        xcoms["credits"] == subscriber_pages(fansly_sandbox) == {"newest": 1, "oldest": 2}[order]
    )  # 125 rows


def list_all_subscribers(since: int, until: int) -> tuple[str, dict]:
    return run_dag(
        "fansly_test_dags",
        {"since": str(since), "until": str(until)},
        dag_id="test_fansly_list_all_subscribers",
    )


def test_status_all_finds_the_expired_fans_of_a_list_that_comes_active_then_expired(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # As one list: active newest first, then expired newest first. Its first page falls steadily
    # past since, and yet the window's expired subscribers come after it.
    fansly_sandbox.config.subscribers_order = "active_first"
    fansly_sandbox.config.fans_page_size = 10
    fansly_sandbox.seed_subscribers(fans(30, 0), created_at=[START - (n + 1) * 60_000 for n in range(30)])
    active = fans(2, 1000)
    fansly_sandbox.seed_subscribers(active, created_at=[START + 1, START + 2])
    expired = fans(2, 2000)
    fansly_sandbox.seed_subscribers(expired, created_at=[START + 3, START + 4], status="expired")

    state, tasks = list_all_subscribers(START, BOUNDARY)

    assert state == "success", tasks
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert sorted(xcoms["return_value"]) == sorted(active + expired)
    assert xcoms["credits"] == 2  # one page of each list


def test_a_sandbox_that_takes_status_words_only_costs_one_extra_request(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.subscriber_status = "words"
    fansly_sandbox.config.expired_status_code = 5
    active, expired = fans(2, 0), fans(1, 1000)
    fansly_sandbox.seed_subscribers(active, created_at=START)
    fansly_sandbox.seed_subscribers(expired, created_at=START, status="expired")

    state, tasks = list_all_subscribers(START, BOUNDARY)

    assert state == "success", tasks
    output = capfd.readouterr().out
    assert sorted(printed_xcoms(output)["return_value"]) == sorted(active + expired)
    assert [entry.status for entry in fansly_sandbox.journal] == [400, 200, 200]
    assert "sending status as words" in output
    assert "returned rows whose status is 5, not 4 (expired)" in output  # the drift is named


def test_fan_ids_are_unique_strings_in_api_order(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fan, other = fans(2, 0)
    fansly_sandbox.seed_subscribers([fan], created_at=START)  # the same fan twice: two tiers
    fansly_sandbox.seed_subscribers([other], created_at=START + 1)
    fansly_sandbox.seed_subscribers([fan], created_at=START + 2, tier_id="900000000000000002")

    state, _ = list_subscribers()

    assert state == "success"
    assert printed_xcoms(capfd.readouterr().out)["return_value"] == [fan, other]


def test_followers_are_listed(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.fans_page_size = 4
    followers = fans(9, 0)
    fansly_sandbox.seed_followers(followers)

    state, _ = run_dag("fansly_test_dags", dag_id="test_fansly_list_followers")

    assert state == "success"
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert sorted(xcoms["return_value"]) == followers
    assert xcoms["credits"] == 3


def test_credits_running_out_mid_list_fail_the_task(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.fans_page_size = 5
    fansly_sandbox.config.credits = 1
    fansly_sandbox.seed_subscribers(fans(12, 0), created_at=START)

    _, tasks = list_subscribers()

    assert tasks["fans"] == "failed"
    output = capfd.readouterr().out
    assert "Out of credits (402)" in output
    xcoms = printed_xcoms(output)
    assert xcoms["return_value"] is None
    assert xcoms["credits"] == 2


def test_a_rejected_key_fails_the_task_without_retrying(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.keys = {}

    _, tasks = list_subscribers()

    assert tasks["fans"] == "failed"
    assert "API key rejected (401)" in capfd.readouterr().out
    assert [entry.status for entry in fansly_sandbox.journal] == [401]


def test_the_expiring_segment_lists_fans_lapsing_within_three_days_from_every_active_page(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    now = int(time.time() * 1000)
    fansly_sandbox.seed_subscribers(fans(60, 0), created_at=now - DAY_MS, ends_at=now + DAY_MS)  # renewing
    lapsing = fans(2, 1000)
    fansly_sandbox.seed_subscribers(
        lapsing, created_at=now - 2 * DAY_MS, auto_renew=False, ends_at=now + DAY_MS
    )
    fansly_sandbox.seed_subscribers(fans(1, 2000), created_at=now, auto_renew=False, ends_at=now + 4 * DAY_MS)

    state, tasks = run_dag("fansly_test_dags", dag_id="test_fansly_expiring_fans")

    assert state == "success", tasks
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert sorted(xcoms["return_value"]) == lapsing
    assert xcoms["ends_at"] == dict.fromkeys(lapsing, now + DAY_MS)  # each period's identity
    assert xcoms["credits"] == subscriber_pages(fansly_sandbox) == 1  # 63 active: one page of 100


def test_top_supporters_rank_fans_by_spend_and_top_3_needs_only_the_first_cut_answer(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.rpm = None
    since = int(time.time() * 1000) - 10 * DAY_MS
    # 150 fans spend $1 on day 1: the whole window's answer (100 rows) is cut, yet holds the top 3.
    fansly_sandbox.seed_supporters(
        fans(150, 0), spent_at=[since + 1 + n * 60_000 for n in range(150)], gross=1000
    )
    big, middle, small, below = fans(4, 1000)
    for day in range(1, 4):  # spread over days, so only the sum puts them in order
        fansly_sandbox.seed_supporters(
            [big, middle, small], spent_at=since + day * DAY_MS, gross=[4000, 2000, 1000]
        )
    fansly_sandbox.seed_supporters([below, small], spent_at=since + 5 * DAY_MS, gross=[2000, 1])
    fansly_sandbox.seed_supporters([below], spent_at=since + 9 * DAY_MS, gross=10**6)  # after until

    state, tasks = run_dag(
        "fansly_test_dags",
        {"since": str(since), "until": str(since + 8 * DAY_MS)},
        dag_id="test_fansly_top_supporters",
    )

    assert state == "success", tasks
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert xcoms["return_value"] == [big, middle, small]  # min_spend $2.50 drops the $2 and $1 fans
    assert xcoms["spend"] == {big: 12_000, middle: 6_000, small: 3_001}
    requests = sum("/top-supporters" in entry.path for entry in fansly_sandbox.journal)
    assert xcoms["credits"] == requests + 1 == 2  # one ranking, and /me once


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"source": "followers", "since": "{{ data_interval_start }}"}, "cannot apply to source='followers'"),
        ({"source": "followers", "status": "expired"}, "cannot apply to source='followers'"),
        ({"source": "fans"}, "source must be one of"),
        ({"status": "3"}, "status must be one of"),
        ({"source": "followers", "min_spend": 5}, "min_spend cannot apply to source='followers'"),
        ({"min_spend": 5}, "min_spend cannot apply to source='subscribers'"),
        ({"source": "top_supporters", "expiring_within": 3}, "expiring_within cannot apply"),
        ({"source": "top_supporters", "tier_id": "1"}, "tier_id cannot apply"),
        ({"expiring_within": 3, "status": "all"}, "with status other than 'active'"),
        ({"expiring_within": 3, "auto_renew": True}, "auto_renew=True"),
        ({"expiring_within": "3 days"}, "timedelta, a number of days or an ISO 8601 duration"),
        ({"source": "top_supporters", "top": "0"}, "top must be a whole number"),
        ({"expiring_within": -1}, "positive duration"),
        ({"auto_renew": "yes"}, "auto_renew must be True, False or None"),
        ({"auto_renew": False, "status": "expired"}, "active subscriptions only"),
        ({"source": "top_supporters", "min_spend": -1}, "at least 0"),
        ({"source": "top_supporters", "min_spend": "a lot"}, "number of dollars"),
        ({"source": "top_supporters", "top": 0}, "top must be a whole number"),
    ],
    ids=repr,
)
def test_bad_arguments_fail_when_the_dag_is_parsed(kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        ListFansOperator(task_id="fans", **kwargs)


def seed_expiring(sandbox: FanslySandbox, renewing: int) -> tuple[list[str], int]:
    """``renewing`` fans renewing tomorrow, two lapsing tomorrow, one lapsing in four days."""
    now = int(time.time() * 1000)
    sandbox.seed_subscribers(fans(renewing, 0), created_at=now - DAY_MS, ends_at=now + DAY_MS)
    lapsing = fans(2, 100_000)
    sandbox.seed_subscribers(lapsing, created_at=now - 2 * DAY_MS, auto_renew=False, ends_at=now + DAY_MS)
    sandbox.seed_subscribers(fans(1, 200_000), created_at=now, auto_renew=False, ends_at=now + 4 * DAY_MS)
    return lapsing, now


@pytest.mark.parametrize(("cap", "pages"), [(100, 2), (50, 3)])
@pytest.mark.parametrize("within", ["P3D", "PT72H", "3", "2.5"])
def test_a_templated_expiring_within_renders_to_a_duration_and_pages_by_cursor_whatever_the_page_size(
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    capfd: pytest.CaptureFixture[str],
    within: str,
    cap: int,
    pages: int,
) -> None:
    fansly_sandbox.config.subscribers_page_cap = cap  # type: ignore[assignment]
    lapsing, _ = seed_expiring(fansly_sandbox, renewing=120)

    state, tasks = run_dag("fansly_test_dags", {"within": within}, dag_id="test_fansly_templated_segment")

    assert state == "success", tasks
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert sorted(xcoms["return_value"]) == lapsing
    assert xcoms["credits"] == subscriber_pages(fansly_sandbox) == pages  # ceil(123 / cap): limit=100 asked


@pytest.mark.parametrize(("auto_renew", "count"), [("True", 120), ("false", 3)])
def test_a_templated_auto_renew_renders_from_text(
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    capfd: pytest.CaptureFixture[str],
    auto_renew: str,
    count: int,
) -> None:
    seed_expiring(fansly_sandbox, renewing=120)

    state, tasks = run_dag(
        "fansly_test_dags", {"auto_renew": auto_renew}, dag_id="test_fansly_templated_segment"
    )

    assert state == "success", tasks
    assert len(printed_xcoms(capfd.readouterr().out)["return_value"]) == count


def top_supporters_run(since: int, until: int, **params: str) -> tuple[str, dict]:
    conf = {"since": str(since), "until": str(until), **params}
    return run_dag("fansly_test_dags", conf, dag_id="test_fansly_templated_top_supporters")


def test_templated_top_20_of_2000_spenders_costs_one_ranking_request_not_a_split(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.rpm = None
    since = int(time.time() * 1000) - 10 * DAY_MS
    spenders = fans(2_000, 0)
    fansly_sandbox.seed_supporters(
        spenders,
        spent_at=[since + 1 + n * 60_000 for n in range(2_000)],
        gross=[1000 + n for n in range(2_000)],
    )

    state, tasks = top_supporters_run(since, since + 5 * DAY_MS, top="20")

    assert state == "success", tasks
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert xcoms["return_value"] == spenders[::-1][:20]
    assert xcoms["credits"] == 2  # /me and one ranking: the answer's 100 hold the top 20
    assert sum("/top-supporters" in entry.path for entry in fansly_sandbox.journal) == 1


def test_a_top_supporter_row_without_a_fan_id_is_skipped_counted_and_logged(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    since = int(time.time() * 1000) - 10 * DAY_MS
    big, small = fans(2, 0)
    fansly_sandbox.seed_supporters([None, big, small], spent_at=since + DAY_MS, gross=[50_000, 4_000, 1_000])

    state, tasks = top_supporters_run(since, since + 5 * DAY_MS, min_spend="2.5")

    assert state == "success", tasks
    output = capfd.readouterr().out
    assert printed_xcoms(output)["spend"] == {big: 4_000}
    assert "1 top-supporter row(s) whose fan id (correlationAccountId) is null were skipped" in output


BAD_WINDOW = {"since": "1700000000000", "until": "1700086400000"}


@pytest.mark.parametrize(
    ("dag_id", "conf", "error"),
    [
        ("test_fansly_templated_segment", {"within": "3 days"}, "ISO 8601 duration (e.g. 'P3D'"),
        ("test_fansly_templated_segment", {"within": "P1M"}, "years and months have no fixed length"),
        (
            "test_fansly_templated_segment",
            {"within": "P3D", "auto_renew": "True"},
            "cannot apply with status other than 'active' or auto_renew=True",
        ),
        ("test_fansly_templated_segment", {"auto_renew": "maybe"}, "auto_renew must be True, False or None"),
        ("test_fansly_templated_top_supporters", {**BAD_WINDOW, "top": "-1"}, "top must be a whole number"),
        ("test_fansly_templated_top_supporters", {**BAD_WINDOW, "min_spend": "lots"}, "number of dollars"),
    ],
)
def test_a_bad_rendered_segment_or_ranking_fails_the_task_before_any_request(
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    capfd: pytest.CaptureFixture[str],
    dag_id: str,
    conf: dict[str, str],
    error: str,
) -> None:
    _, tasks = run_dag("fansly_test_dags", conf, dag_id=dag_id)

    assert tasks["fans"] == "failed"
    assert error in capfd.readouterr().out
    assert fansly_sandbox.journal == []
