"""FanslyHook.list_profile_stats against the sandbox: a window read in parts of 100 buckets, each bucket once."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import MakeHook

HOUR_MS = 3_600_000
SINCE = int(time.time() * 1000) - 30 * 24 * HOUR_MS


def test_a_long_window_is_read_in_parts_of_100_buckets_each_bucket_once(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    points = list(
        make_hook().list_profile_stats(since=SINCE, until=SINCE + 250 * HOUR_MS, period=timedelta(hours=1))
    )

    assert [point["timestamp"] for point in points] == [SINCE + n * HOUR_MS for n in range(250)]
    assert {point["period"] for point in points} == {HOUR_MS}
    assert points[0]["stats"][0]["type"] == 0
    assert len(fansly_sandbox.journal) == 3  # ceil(250 / 100)


def test_a_window_reaching_past_now_is_clamped_and_a_default_day_bucket_used(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    points = list(make_hook().list_profile_stats(since=SINCE, until=SINCE + 400 * 24 * HOUR_MS))

    assert len(points) == 31  # the 30 days up to now and the current, partial one; not 400
    assert len(fansly_sandbox.journal) == 1


@pytest.mark.parametrize("period", [500, 1.5, "1h", True])
def test_a_bad_period_fails_before_any_request(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, period: object
) -> None:
    with pytest.raises(FanslyValidationError, match="period"):
        make_hook().list_profile_stats(since=SINCE, until=SINCE + HOUR_MS, period=period)
    assert fansly_sandbox.journal == []


def test_an_answer_without_datapoints_fails_loudly() -> None:
    from airflow_provider_apifansly.hooks.endpoints.analytics import _buckets

    with pytest.raises(FanslyApiError, match=r"no dataset\.datapoints"):
        _buckets({"datapoints": [{"timestamp": "soon"}]}, "datapoints", "GET /x")
    with pytest.raises(FanslyApiError, match=r"no dataset\.datapoints"):
        _buckets({"profileDatapoints": []}, "datapoints", "GET /x")
    with pytest.raises(FanslyApiError, match=r"no dataset\.profileDatapoints"):
        _buckets({"datapoints": [], "profileDatapoints": {}}, "profileDatapoints", "GET /x")


DAY_MS = 24 * HOUR_MS
# A day in UTC-9 (Alaska): 09:00 UTC to 09:00 UTC, 40 days ago.
ALASKA_DAY = (int(time.time() * 1000) // DAY_MS - 40) * DAY_MS + 9 * HOUR_MS


@pytest.mark.parametrize(
    ("setting", "buckets"),
    [
        ("after_date", [(ALASKA_DAY, False)]),
        ("utc_days", [(ALASKA_DAY - 9 * HOUR_MS, True), (ALASKA_DAY + 15 * HOUR_MS, True)]),
    ],
)
def test_every_bucket_overlapping_the_window_is_kept_and_marked_when_it_sticks_out(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, setting: str, buckets: list[tuple[int, bool]]
) -> None:
    fansly_sandbox.config.stats_buckets = setting  # type: ignore[assignment]

    points = list(make_hook().list_profile_stats(since=ALASKA_DAY, until=ALASKA_DAY + DAY_MS))

    assert [(point["timestamp"], point["partial"]) for point in points] == buckets
    assert len(fansly_sandbox.journal) == 1


def test_a_part_cut_by_utc_aligned_buckets_goes_on_from_the_first_bucket_it_lacks(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.stats_buckets = "utc_days"
    since = ALASKA_DAY - 30 * DAY_MS + 30 * 60_000  # hourly buckets: not on the hour, so 101 would overlap

    points = list(
        make_hook().list_profile_stats(since=since, until=since + 100 * HOUR_MS, period=timedelta(hours=1))
    )

    first = since - 30 * 60_000
    assert [point["timestamp"] for point in points] == [first + n * HOUR_MS for n in range(101)]
    assert [point["partial"] for point in points] == [True] + [False] * 99 + [True]
    assert len(fansly_sandbox.journal) == 2  # the 101st bucket, cut from the first answer


@pytest.mark.parametrize("setting", ["after_date", "utc_days"])
def test_every_series_is_read_each_bucket_once_and_the_tops_with_their_requests_range(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, setting: str
) -> None:
    fansly_sandbox.config.stats_buckets = setting  # type: ignore[assignment]
    until = ALASKA_DAY + 250 * HOUR_MS

    rows = list(make_hook().profile_stats_series(since=ALASKA_DAY, until=until, period=timedelta(hours=1)))

    series = Counter(row["series"] for row in rows)
    requests = len(fansly_sandbox.journal)
    assert series == {
        "datapoints": 250,
        "profileDatapoints": 250,
        "topFypTags": 2 * requests,
        "topFypMediaOffers": 2 * requests,
    }
    visits = [row for row in rows if row["series"] == "profileDatapoints"]
    assert [row["timestamp"] for row in visits] == [ALASKA_DAY + n * HOUR_MS for n in range(250)]
    offer = next(row for row in rows if row["series"] == "topFypMediaOffers")
    assert (offer["windowStart"], offer["windowEnd"]) == (ALASKA_DAY, ALASKA_DAY + 100 * HOUR_MS)
    assert set(offer) >= {"mediaOfferId", "views", "uniqueViewers", "interactionTime", "tagIds"}


def test_an_answer_without_profile_datapoints_or_tops_reads_them_as_empty() -> None:
    from airflow_provider_apifansly.hooks.endpoints.analytics import _rows

    assert _rows({"datapoints": []}, "topFypTags", "GET /x") == []
    with pytest.raises(FanslyApiError, match=r"no dataset\.topFypMediaOffers list"):
        _rows({"topFypMediaOffers": [1]}, "topFypMediaOffers", "GET /x")
