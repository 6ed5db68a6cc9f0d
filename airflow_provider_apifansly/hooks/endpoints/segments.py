"""Subscriber segments: the active subscriptions about to lapse, or of one auto-renew setting.

The API filters subscriptions by status and tier only, and its order says nothing
about ``endsAt``: a segment reads every active page and keeps the rows that match.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.hooks.endpoints.base import label
from airflow_provider_apifansly.hooks.endpoints.fans import FanEndpoints
from airflow_provider_apifansly.timestamps import Instant, duration_ms


class SegmentEndpoints(FanEndpoints):
    """Segments of ``GET /{account_id}/subscribers?status=3`` (active)."""

    def list_subscription_segment(
        self,
        account_id: str | None = None,
        *,
        expiring_within: Any = None,
        auto_renew: bool | None = None,
        tier_id: str | int | None = None,
        since: Instant | None = None,
        until: Instant | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Active subscription rows as the API sends them, those of the segment; every page is read.

        :param expiring_within: a ``timedelta``, a number of days, or text holding either a number
            of days or an ISO 8601 duration (``"P3D"``): keep the subscriptions with auto-renew off
            (``autoRenew`` 0) whose ``endsAt`` is in ``[now, now + expiring_within)``.
        :param auto_renew: keep only those with auto-renew on (True) or off (False).
        :param tier_id: only this subscription tier.
        :param since: created at or after (as ``list_subscribers``).
        :param until: created before.
        """
        within = None if expiring_within is None else duration_ms(expiring_within, field="expiring_within")
        if within is not None and auto_renew:
            raise FanslyValidationError(
                "expiring_within selects the subscriptions with auto-renew off; it cannot apply with auto_renew=True"
            )
        rows = self.list_subscribers(account_id, status="active", tier_id=tier_id, since=since, until=until)
        request = label("GET", f"/{self.resolve_account_id(account_id)}/subscribers")
        now = int(time.time() * 1000)
        return (row for row in rows if _in_segment(row, request, now, within, auto_renew))


def _in_segment(
    row: dict[str, Any], request: str, now: int, within: int | None, auto_renew: bool | None
) -> bool:
    renews = auto_renew_of(row, request)
    if auto_renew is not None and renews != auto_renew:
        return False
    if within is None:
        return True
    return not renews and now <= ends_at_of(row, request) < now + within


def auto_renew_of(row: dict[str, Any], request: str) -> bool:
    """A subscription's ``autoRenew``: the integer 0 or 1 (a boolean is read too); anything else is an error."""
    value = row.get("autoRenew")
    if value in (0, 1):  # True and False compare equal to 1 and 0
        return bool(value)
    raise FanslyApiError(
        f"{request} returned subscription {row.get('id')!r:.30} whose autoRenew is not 0 or 1 "
        f"(got {value!r:.40}); cannot tell whether it renews",
        request=request,
    )


def ends_at_of(row: dict[str, Any], request: str) -> int:
    """A subscription's ``endsAt`` in epoch milliseconds; without it no one can say when it lapses."""
    value = row.get("endsAt")
    if isinstance(value, bool) or not isinstance(value, int) or value < 10**11:
        raise FanslyApiError(
            f"{request} returned subscription {row.get('id')!r:.30} without an epoch-ms endsAt "
            f"(got {value!r:.40}); cannot tell when it lapses",
            request=request,
        )
    return value
