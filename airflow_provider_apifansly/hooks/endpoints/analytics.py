"""Analytics: the profile's statistics over time (docs: "Profile Stats").

``GET /{account_id}/analytics/profilestats`` takes ``afterDate``, ``beforeDate`` and
``period`` (bucket length), all epoch ms, and answers at most ``datapointLimit`` (100)
buckets: a longer range may be cut, so the window is read in parts of 100 buckets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, label
from airflow_provider_apifansly.timestamps import DAY_MS, Instant, past_window, period_ms

# The most buckets one answer holds (OnlyFansAPI's sample of the same call: datapointLimit 100).
DATAPOINT_LIMIT = 100


class AnalyticsEndpoints(EndpointGroup):
    """``GET /{account_id}/analytics/profilestats``."""

    def list_profile_stats(
        self, account_id: str | None = None, *, since: Instant, until: Instant, period: Any = DAY_MS
    ) -> Iterator[dict[str, Any]]:
        """The window's datapoints, ``{"timestamp", "period", "stats"}``, oldest first, each bucket once.

        Buckets start at ``since`` and every ``period``; ``until`` after now is clamped to now.
        One request per 100 buckets; an empty window sends nothing. ``stats`` is the API's list
        (one object per stat ``type``, passed through unlabelled; times in it are ms).

        :param period: the bucket length: a ``timedelta`` or whole milliseconds (default one day).
        """
        account_id = self.resolve_account_id(account_id)
        bucket = period_ms(period, field="period")
        since_ms, until_ms = past_window(since, until)
        return self._datapoints(f"/{account_id}/analytics/profilestats", since_ms, until_ms, bucket)

    def _datapoints(self, path: str, since: int, until: int, bucket: int) -> Iterator[dict[str, Any]]:
        request = label("GET", path)
        seen: set[int] = set()
        for start in range(since, until, bucket * DATAPOINT_LIMIT):
            end = min(until, start + bucket * DATAPOINT_LIMIT)
            params = {"afterDate": start, "beforeDate": end, "period": bucket}
            response = self._account_call("GET", path, params=params)
            for point in sorted(_datapoints(response, request), key=lambda point: point["timestamp"]):
                stamp = point["timestamp"]
                if since <= stamp < until and stamp not in seen:  # a bucket on a part's edge comes once
                    seen.add(stamp)
                    yield {"timestamp": stamp, "period": bucket, "stats": point.get("stats")}


def _datapoints(response: dict[str, Any], request: str) -> list[dict[str, Any]]:
    """``response.dataset.datapoints``, each with an epoch-ms ``timestamp``; any other shape is an error."""
    dataset = response.get("dataset")
    points = dataset.get("datapoints") if isinstance(dataset, dict) else None
    if not isinstance(points, list) or not all(
        isinstance(point, dict)
        and isinstance(point.get("timestamp"), int)
        and not isinstance(point["timestamp"], bool)
        for point in points
    ):
        raise FanslyApiError(
            f"{request} returned no dataset.datapoints list of objects with an epoch-ms timestamp",
            request=request,
        )
    return points
