"""Analytics: the profile's statistics over time (docs: "Profile Stats").

``GET /{account_id}/analytics/profilestats`` takes ``afterDate``, ``beforeDate`` and
``period`` (bucket length), all epoch ms, and answers at most ``datapointLimit`` (100)
buckets: a longer range may be cut, so the window is read in parts of 100 buckets. Where
buckets start is not documented (at ``afterDate``, or on UTC boundaries of the period):
every bucket that overlaps the window is kept, whatever its alignment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, label
from airflow_provider_apifansly.timestamps import DAY_MS, Instant, past_window, period_ms

# The most buckets one answer holds (OnlyFansAPI's sample of the same call: datapointLimit 100).
DATAPOINT_LIMIT = 100
# The series of ``response.dataset`` a profile export holds (contract section 8): media views and
# profile visits per bucket, and the top FYP tags and media offers of each request's range.
BUCKET_SERIES = ("datapoints", "profileDatapoints")
TOP_SERIES = ("topFypTags", "topFypMediaOffers")
PROFILE_SERIES = (*BUCKET_SERIES, *TOP_SERIES)


class AnalyticsEndpoints(EndpointGroup):
    """``GET /{account_id}/analytics/profilestats``."""

    def list_profile_stats(
        self, account_id: str | None = None, *, since: Instant, until: Instant, period: Any = DAY_MS
    ) -> Iterator[dict[str, Any]]:
        """The window's media-view buckets, ``{"timestamp", "period", "partial", "stats"}``, oldest first.

        As ``profile_stats_series`` yields them for ``datapoints``, without the ``series`` field.
        """
        rows = self.profile_stats_series(account_id, since=since, until=until, period=period)
        return (
            {name: value for name, value in row.items() if name != "series"}
            for row in rows
            if row["series"] == "datapoints"
        )

    def profile_stats_series(
        self, account_id: str | None = None, *, since: Instant, until: Instant, period: Any = DAY_MS
    ) -> Iterator[dict[str, Any]]:
        """Every series of the window's statistics, one row each, ``series`` naming which.

        Buckets (``datapoints``: media views; ``profileDatapoints``: profile visits) come as
        ``{"series", "timestamp", "period", "partial", "stats"}``, each once, oldest first per answer:
        every bucket that overlaps ``[since, until)`` is kept, ``partial`` when it starts before
        ``since`` or ends after ``until`` (the API may align buckets to UTC days, not to ``since``).
        ``topFypTags`` and ``topFypMediaOffers`` rows come as the API sends them, with
        ``windowStart``/``windowEnd``: the range of the request that answered them. ``until`` after
        now is clamped to now. One request per 100 buckets (one more if an answer's buckets were cut);
        an empty window sends nothing. ``stats`` is the API's list (one object per stat ``type``,
        passed through unlabelled; times in it are ms).

        :param period: the bucket length: a ``timedelta`` or whole milliseconds (default one day).
        """
        account_id = self.resolve_account_id(account_id)
        bucket = period_ms(period, field="period")
        since_ms, until_ms = past_window(since, until)
        return self._series(f"/{account_id}/analytics/profilestats", since_ms, until_ms, bucket)

    def _series(self, path: str, since: int, until: int, bucket: int) -> Iterator[dict[str, Any]]:
        request = label("GET", path)
        seen: dict[str, set[int]] = {name: set() for name in BUCKET_SERIES}
        start = since
        while start < until:
            end = min(until, start + bucket * DATAPOINT_LIMIT)
            params = {"afterDate": start, "beforeDate": end, "period": bucket}
            dataset = _dataset(self._account_call("GET", path, params=params), request)
            covered = start
            for name in BUCKET_SERIES:
                for point in sorted(_buckets(dataset, name, request), key=lambda point: point["timestamp"]):
                    stamp = point["timestamp"]
                    covered = max(covered, stamp + bucket)
                    if stamp + bucket > since and stamp < until and stamp not in seen[name]:
                        seen[name].add(stamp)  # a bucket on a part's edge comes once
                        yield {
                            "series": name,
                            "timestamp": stamp,
                            "period": bucket,
                            "partial": stamp < since or stamp + bucket > until,
                            "stats": point.get("stats"),
                        }
            for name in TOP_SERIES:
                for row in _rows(dataset, name, request):
                    yield {"series": name, "windowStart": start, "windowEnd": end, **row}
            # A part whose buckets were cut (one more than fits, when buckets are aligned before
            # afterDate) goes on from the first bucket it did not hold.
            start = covered if start < covered < end else end


def _dataset(response: Any, request: str) -> dict[str, Any]:
    dataset = response.get("dataset") if isinstance(response, dict) else None
    if not isinstance(dataset, dict):
        raise FanslyApiError(f"{request} returned no dataset object", request=request)
    return dataset


def _rows(dataset: dict[str, Any], name: str, request: str) -> list[dict[str, Any]]:
    """``dataset[name]``: a list of objects; absent counts as empty for every series but ``datapoints``."""
    rows = dataset.get(name, None if name == "datapoints" else [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise FanslyApiError(f"{request} returned no dataset.{name} list of objects", request=request)
    return rows


def _buckets(dataset: dict[str, Any], name: str, request: str) -> list[dict[str, Any]]:
    """``dataset[name]``, each bucket with an epoch-ms ``timestamp``; any other shape is an error."""
    points = _rows(dataset, name, request)
    if not all(
        isinstance(point.get("timestamp"), int) and not isinstance(point["timestamp"], bool)
        for point in points
    ):
        raise FanslyApiError(
            f"{request} returned no dataset.{name} list of objects with an epoch-ms timestamp",
            request=request,
        )
    return points
