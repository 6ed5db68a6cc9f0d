"""FanslyHook.list_profile_stats against the sandbox: a window read in parts of 100 buckets, each bucket once."""

from __future__ import annotations

import time
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
