"""Analytics: ``GET {account_id}/analytics/profilestats`` (Profile Stats).

``afterDate``, ``beforeDate`` and ``period`` are epoch ms. Buckets start at ``afterDate``, or on
the UTC boundaries of ``period`` with the first at or before ``afterDate``
(``config.stats_buckets``), every ``period`` before ``beforeDate``, at most
``config.profile_datapoint_limit`` of them (the rest is cut, as ``datapointLimit`` says). Media
views (``datapoints``) and profile visits (``profileDatapoints``) come per bucket, made up from
the bucket's timestamp so every answer for the same bucket agrees; the top FYP media offers and
tags cover the request's range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from airflow_provider_apifansly.sandbox.envelope import Reply, invalid, nested, ok
from airflow_provider_apifansly.sandbox.resources import Resource
from airflow_provider_apifansly.sandbox.resources.earnings import whole
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import parameters

PROFILE_STATS_PARAMETERS = ("afterDate", "beforeDate", "period", "year", "month")
DEFAULT_PERIOD = 86_400_000  # "Defaults to daily if omitted"
# The sandbox's FYP media offers and tags: fixed native-looking ids.
MEDIA_OFFER_IDS = ("810000000000000001", "810000000000000002")
TAG_IDS = ("820000000000000001", "820000000000000002")


@dataclass
class AnalyticsSwitches:
    """How Profile Stats answers where the contract is silent."""

    profile_datapoint_limit: int = switch(
        100,
        "the most datapoints one Profile Stats answer holds (datapointLimit; a longer range is cut)",
        minimum=1,
    )
    stats_buckets: Literal["after_date", "utc_days"] = switch(
        "after_date",
        "where Profile Stats buckets start (undocumented): at afterDate and every period after it, or "
        "on UTC boundaries of the period (midnight UTC for days), the first one at or before afterDate. "
        "No source says which; the docs only call period 'the length of the data bucket', so the "
        "default keeps what the sandbox always served",
    )


def bucket_views(timestamp: int, period: int) -> int:
    """The views the sandbox reports for a bucket: a function of its place in time only."""
    return (timestamp // period) % 97 + 3


def profile_visits(timestamp: int, period: int) -> int:
    """The profile visits the sandbox reports for a bucket, likewise."""
    return (timestamp // period) % 13 + 1


def bucket_starts(after: int, before: int, period: int, aligned: bool) -> range:
    """Where the buckets of ``[after, before)`` start: at ``after``, or on UTC multiples of ``period``."""
    first = after - after % period if aligned else after
    return range(first, before, period)


def profile_stats(call: Call) -> Reply:
    """Profile Stats: ``{"dataset": {...series...}, "aggregationData": {...}}`` for the range."""
    call.account()
    found = parameters(call.request.query, PROFILE_STATS_PARAMETERS, "Profile Stats")
    after, before = whole(found, "afterDate"), whole(found, "beforeDate")
    period = whole(found, "period") or DEFAULT_PERIOD
    if after is None or before is None or after >= before:
        raise invalid("afterDate and beforeDate (epoch ms) must both be given, afterDate first")
    switches = call.switches(AnalyticsSwitches)
    limit = switches.profile_datapoint_limit
    stamps = bucket_starts(after, before, period, switches.stats_buckets == "utc_days")[:limit]
    views = sum(bucket_views(stamp, period) for stamp in stamps)
    dataset: dict[str, Any] = {
        "period": period,
        "dateAfter": after,
        "dateBefore": before,
        "datapointLimit": limit,
        "datapoints": [{"timestamp": stamp, "stats": [_stat(stamp, period)]} for stamp in stamps],
        "profileDatapoints": [{"timestamp": stamp, "stats": [_visits(stamp, period)]} for stamp in stamps],
        "topMediaOffers": [],
        "topFypMediaOffers": [
            {
                "mediaOfferId": offer_id,
                "views": views // (rank + 2),
                "uniqueViewers": views // (rank + 2) // 2,
                "interactionTime": views // (rank + 2) * 1500,
                "tagIds": list(TAG_IDS[: len(TAG_IDS) - rank]),
            }
            for rank, offer_id in enumerate(MEDIA_OFFER_IDS)
        ],
        # The contract names no fields of a tag row: tagId and views, as a public client's fixture has them.
        "topFypTags": [
            {"tagId": tag_id, "views": views // (rank + 3)} for rank, tag_id in enumerate(TAG_IDS)
        ],
    }
    aggregation: dict[str, list[Any]] = {"accountMedia": [], "accountMediaBundles": [], "tags": []}
    return ok(nested({"dataset": dataset, "aggregationData": aggregation}))


def _stat(stamp: int, period: int) -> dict[str, Any]:
    views = bucket_views(stamp, period)
    return {"type": 0, "views": views, "uniqueViewers": views // 2, "interactionTime": views * 1500}


def _visits(stamp: int, period: int) -> dict[str, Any]:
    visits = profile_visits(stamp, period)
    return {"type": 0, "views": visits, "uniqueViewers": (visits + 1) // 2}


RESOURCE = Resource(
    routes=(Route("GET", "{account_id}/analytics/profilestats", profile_stats),),
    switches=AnalyticsSwitches,
)
