"""Top Supporters, Monthly Earnings and Profile Stats.

The shapes served, the caps, and the switches for what the contract leaves open.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox, SandboxConfig
from tests.sandbox.client import HEADERS, error_message, response_of

DAY_MS = 86_400_000
NOW = int(time.time() * 1000)


def get(sandbox: FanslySandbox, route: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/api/fansly/fansly_sandbox/{route}", params=params, headers=HEADERS, timeout=5
    )


def fans(count: int) -> list[str]:
    return [str(723516315247400000 + n) for n in range(count)]


def test_top_supporters_rank_the_windows_spend_and_cut_at_the_cap(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.top_supporters_cap = 2
    fansly_sandbox.seed_supporters(fans(3), spent_at=NOW - DAY_MS, gross=[1000, 3000, 2000])
    fansly_sandbox.seed_supporters(fans(1), spent_at=NOW - 3 * DAY_MS, gross=5000)  # before the window

    rows = response_of(get(fansly_sandbox, "top-supporters", after=NOW - 2 * DAY_MS, before=NOW - 1))

    assert rows == [
        {
            "accountId": DEFAULT_CREATOR_ID,
            "correlationAccountId": fans(3)[1],
            "totalGross": 3000,
            "totalNet": 2400,
        },
        {
            "accountId": DEFAULT_CREATOR_ID,
            "correlationAccountId": fans(3)[2],
            "totalGross": 2000,
            "totalNet": 1600,
        },
    ]


def test_top_supporters_switches_swap_the_fan_field_and_nest_the_list(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.top_supporters_fan_field = "accountId"
    fansly_sandbox.config.top_supporters_nesting = "data"
    fansly_sandbox.seed_supporters(fans(1), spent_at=NOW - DAY_MS, gross=1000)

    response = response_of(get(fansly_sandbox, "top-supporters"))

    assert response == {
        "data": [
            {
                "correlationAccountId": DEFAULT_CREATOR_ID,
                "accountId": fans(1)[0],
                "totalGross": 1000,
                "totalNet": 800,
            }
        ]
    }


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"before": NOW + DAY_MS}, "in the future"),
        ({"after": NOW - 1, "before": NOW - 1}, "must be before"),
        ({"limit": 5}, "unknown query parameter"),
    ],
)
def test_top_supporters_refuse_bad_windows(
    fansly_sandbox: FanslySandbox, params: dict[str, int], error: str
) -> None:
    assert error in error_message(get(fansly_sandbox, "top-supporters", **params), 400)


def test_monthly_earnings_lead_with_the_rolling_30_day_summary(fansly_sandbox: FanslySandbox) -> None:
    october = int(datetime(2026, 10, 15, tzinfo=UTC).timestamp() * 1000)
    fansly_sandbox.seed_transactions([october, october + 1, NOW - DAY_MS], amount=[10_000, 5_000, 1_000])

    rows = response_of(get(fansly_sandbox, "earnings/monthly"))

    summary, *months = rows
    assert (summary["year"], summary["month"], summary["totalGross"], summary["totalNet"]) == (
        0,
        0,
        1_000,
        800,
    )
    assert {(row["year"], row["month"]): row["totalGross"] for row in months}[(2026, 10)] == 15_000
    assert set(summary) == {
        "year",
        "month",
        "totalGross",
        "totalNet",
        "before",
        "after",
        "topPercent",
        "maxTopPercent",
        "brackets",
    }


def test_monthly_earnings_nesting_switch(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.earnings_monthly_nesting = "data"

    assert list(response_of(get(fansly_sandbox, "earnings/monthly"))) == ["data"]


def test_profile_stats_answer_a_bucket_per_period_cut_at_the_datapoint_limit(
    fansly_sandbox: FanslySandbox,
) -> None:
    fansly_sandbox.config.profile_datapoint_limit = 5
    start = NOW - 10 * DAY_MS

    response = response_of(
        get(
            fansly_sandbox,
            "analytics/profilestats",
            afterDate=start,
            beforeDate=start + 8 * 3_600_000,
            period=3_600_000,
        )
    )

    dataset = response["dataset"]
    assert [point["timestamp"] for point in dataset["datapoints"]] == [
        start + n * 3_600_000 for n in range(5)
    ]
    assert (dataset["datapointLimit"], dataset["period"]) == (5, 3_600_000)
    assert set(response["aggregationData"]) == {"accountMedia", "accountMediaBundles", "tags"}


def test_profile_stats_need_both_dates(fansly_sandbox: FanslySandbox) -> None:
    assert "afterDate and beforeDate" in error_message(
        get(fansly_sandbox, "analytics/profilestats", afterDate=NOW), 400
    )


def test_the_switches_come_from_the_environment() -> None:
    config = SandboxConfig.from_env(
        {
            "FANSLY_SANDBOX_TOP_SUPPORTERS_FAN_FIELD": "accountId",
            "FANSLY_SANDBOX_TOP_SUPPORTERS_NESTING": "data",
            "FANSLY_SANDBOX_TOP_SUPPORTERS_CAP": "50",
            "FANSLY_SANDBOX_EARNINGS_MONTHLY_NESTING": "data",
            "FANSLY_SANDBOX_PROFILE_DATAPOINT_LIMIT": "24",
        }
    )

    assert (config.top_supporters_fan_field, config.top_supporters_nesting, config.top_supporters_cap) == (
        "accountId",
        "data",
        50,
    )
    assert (config.earnings_monthly_nesting, config.profile_datapoint_limit) == ("data", 24)
    with pytest.raises(ValueError, match="top_supporters_nesting must be one of list, data"):
        SandboxConfig(top_supporters_nesting="rows")  # type: ignore[arg-type]


def ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)  # type: ignore[misc]


def seed_autumn(sandbox: FanslySandbox) -> tuple[int, int]:
    """$1 on Sep 10, $2 on Oct 5, $4 on Oct 20, $8 on Nov 3 (2026); returns the window [Oct 15, Nov 10)."""
    sandbox.seed_transactions(
        [ms(2026, 9, 10), ms(2026, 10, 5), ms(2026, 10, 20), ms(2026, 11, 3)], amount=[1000, 2000, 4000, 8000]
    )
    return ms(2026, 10, 15), ms(2026, 11, 10)


def test_monthly_earnings_clipped_stamp_every_row_with_the_window_and_sum_within_it(
    fansly_sandbox: FanslySandbox,
) -> None:
    after, before = seed_autumn(fansly_sandbox)
    assert fansly_sandbox.config.earnings_monthly_window == "clipped"  # the recorded sample's reading

    rows = response_of(get(fansly_sandbox, "earnings/monthly", after=after, before=before))

    assert [(row["year"], row["month"], row["totalGross"]) for row in rows] == [
        (0, 0, 12_000),
        (2026, 11, 8_000),
        (2026, 10, 4_000),  # Oct 5 is before the window: the first month is clipped
    ]
    assert {(row["after"], row["before"]) for row in rows} == {(after, before)}


def test_monthly_earnings_whole_serve_each_month_the_window_touches_with_its_own_bounds(
    fansly_sandbox: FanslySandbox,
) -> None:
    fansly_sandbox.config.earnings_monthly_window = "whole"
    after, before = seed_autumn(fansly_sandbox)

    summary, *months = response_of(get(fansly_sandbox, "earnings/monthly", after=after, before=before))

    assert [(row["year"], row["month"], row["totalGross"]) for row in months] == [
        (2026, 11, 8_000),
        (2026, 10, 6_000),
    ]
    assert [(row["after"], row["before"]) for row in months] == [
        (ms(2026, 11, 1), ms(2026, 12, 1)),
        (ms(2026, 10, 1), ms(2026, 11, 1)),
    ]
    assert summary["before"] - summary["after"] == 30 * DAY_MS  # the rolling 30 days, not the window


@pytest.mark.parametrize("setting", ["whole", "clipped"])
def test_monthly_earnings_without_a_window_are_whole_months_either_way(
    fansly_sandbox: FanslySandbox, setting: Any
) -> None:
    fansly_sandbox.config.earnings_monthly_window = setting
    seed_autumn(fansly_sandbox)

    months = response_of(get(fansly_sandbox, "earnings/monthly"))[1:]

    assert [row["totalGross"] for row in months] == [8_000, 6_000, 1_000]


@pytest.mark.parametrize(("setting", "first"), [("after_date", 0), ("utc_days", -9 * 3_600_000)])
def test_profile_stats_buckets_start_at_after_date_or_on_utc_days(
    fansly_sandbox: FanslySandbox, setting: Any, first: int
) -> None:
    fansly_sandbox.config.stats_buckets = setting
    after = ms(2026, 10, 1) + 9 * 3_600_000  # 09:00 UTC: midnight in UTC-9

    dataset = response_of(
        get(fansly_sandbox, "analytics/profilestats", afterDate=after, beforeDate=after + 2 * DAY_MS)
    )["dataset"]

    stamps = [point["timestamp"] - after for point in dataset["datapoints"]]
    assert stamps == [first, first + DAY_MS] + ([first + 2 * DAY_MS] if first else [])
    assert [point["timestamp"] for point in dataset["profileDatapoints"]] == [
        point["timestamp"] for point in dataset["datapoints"]
    ]


def test_profile_stats_serve_every_series_in_the_contracts_shapes(fansly_sandbox: FanslySandbox) -> None:
    dataset = response_of(
        get(fansly_sandbox, "analytics/profilestats", afterDate=NOW - 3 * DAY_MS, beforeDate=NOW - DAY_MS)
    )["dataset"]

    assert set(dataset["profileDatapoints"][0]) == {"timestamp", "stats"}
    offer = dataset["topFypMediaOffers"][0]
    assert set(offer) == {"mediaOfferId", "views", "uniqueViewers", "interactionTime", "tagIds"}
    assert set(offer["tagIds"]) <= {tag["tagId"] for tag in dataset["topFypTags"]}
    assert (dataset["topMediaOffers"], len(dataset["topFypTags"])) == ([], 2)


def test_a_top_supporter_spend_without_a_fan_is_served_with_a_null_fan_id(
    fansly_sandbox: FanslySandbox,
) -> None:
    fansly_sandbox.seed_supporters([None, fans(1)[0]], spent_at=NOW - DAY_MS, gross=[3000, 1000])

    rows = response_of(get(fansly_sandbox, "top-supporters", after=NOW - 2 * DAY_MS, before=NOW - 1))

    assert [(row["correlationAccountId"], row["totalGross"]) for row in rows] == [
        (None, 3000),
        (fans(1)[0], 1000),
    ]


def test_the_new_switches_come_from_the_environment() -> None:
    config = SandboxConfig.from_env(
        {
            "FANSLY_SANDBOX_EARNINGS_MONTHLY_WINDOW": "whole",
            "FANSLY_SANDBOX_STATS_BUCKETS": "utc_days",
            "FANSLY_SANDBOX_SUBSCRIBERS_PAGE_CAP": "50",
        }
    )

    assert (config.earnings_monthly_window, config.stats_buckets, config.subscribers_page_cap) == (
        "whole",
        "utc_days",
        50,
    )
    with pytest.raises(ValueError, match="FANSLY_SANDBOX_SUBSCRIBERS_PAGE_CAP must be 50 or 100"):
        SandboxConfig.from_env({"FANSLY_SANDBOX_SUBSCRIBERS_PAGE_CAP": "75"})
