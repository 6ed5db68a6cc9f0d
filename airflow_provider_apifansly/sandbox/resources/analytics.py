"""Analytics: ``GET {account_id}/analytics/profilestats`` (Profile Stats).

``afterDate``, ``beforeDate`` and ``period`` are epoch ms; buckets start at ``afterDate``
and every ``period`` before ``beforeDate``, at most ``config.profile_datapoint_limit``
of them (the rest is cut, as ``datapointLimit`` says). Each bucket's views are made up
from its timestamp, so every answer for the same bucket agrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_apifansly.sandbox.envelope import Reply, invalid, nested, ok
from airflow_provider_apifansly.sandbox.resources import Resource
from airflow_provider_apifansly.sandbox.resources.earnings import whole
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import parameters

PROFILE_STATS_PARAMETERS = ("afterDate", "beforeDate", "period", "year", "month")
DEFAULT_PERIOD = 86_400_000  # "Defaults to daily if omitted"


@dataclass
class AnalyticsSwitches:
    """How Profile Stats answers where the contract is silent."""

    profile_datapoint_limit: int = switch(
        100,
        "the most datapoints one Profile Stats answer holds (datapointLimit; a longer range is cut)",
        minimum=1,
    )


def bucket_views(timestamp: int, period: int) -> int:
    """The views the sandbox reports for a bucket: a function of its place in time only."""
    return (timestamp // period) % 97 + 3


def profile_stats(call: Call) -> Reply:
    """Profile Stats: ``{"dataset": {...datapoints...}, "aggregationData": {...}}`` for the range."""
    call.account()
    found = parameters(call.request.query, PROFILE_STATS_PARAMETERS, "Profile Stats")
    after, before = whole(found, "afterDate"), whole(found, "beforeDate")
    period = whole(found, "period") or DEFAULT_PERIOD
    if after is None or before is None or after >= before:
        raise invalid("afterDate and beforeDate (epoch ms) must both be given, afterDate first")
    limit = call.switches(AnalyticsSwitches).profile_datapoint_limit
    stamps = range(after, before, period)[:limit]
    datapoints = [{"timestamp": stamp, "stats": [_stat(stamp, period)]} for stamp in stamps]
    dataset: dict[str, Any] = {
        "period": period,
        "dateAfter": after,
        "dateBefore": before,
        "datapointLimit": limit,
        "datapoints": datapoints,
        "profileDatapoints": [],
        "topMediaOffers": [],
        "topFypMediaOffers": [],
        "topFypTags": [],
    }
    aggregation: dict[str, list[Any]] = {"accountMedia": [], "accountMediaBundles": [], "tags": []}
    return ok(nested({"dataset": dataset, "aggregationData": aggregation}))


def _stat(stamp: int, period: int) -> dict[str, Any]:
    views = bucket_views(stamp, period)
    return {"type": 0, "views": views, "uniqueViewers": views // 2, "interactionTime": views * 1500}


RESOURCE = Resource(
    routes=(Route("GET", "{account_id}/analytics/profilestats", profile_stats),),
    switches=AnalyticsSwitches,
)
