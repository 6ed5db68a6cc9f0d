"""Fans: the account's subscribers and followers (docs: "Subscribers", "Followers")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, created_at_ms, label
from airflow_provider_apifansly.hooks.endpoints.chats import validate_search
from airflow_provider_apifansly.hooks.paging import cursor_pages
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.timestamps import Instant, check_window, to_epoch_ms

# The documented status codes: Fansly's own (3 active, 4 expired); "3,4" returns both.
SUBSCRIBER_STATUSES = {"active": "3", "expired": "4", "all": "3,4"}
# The largest page we ask for; the API may still send fewer rows (only the cursor says "more").
FANS_PAGE_LIMIT = 50
# Where each list puts the fan's native id.
FAN_ID_FIELDS = {"subscribers": "subscriberId", "followers": "followerId"}


@dataclass
class _Order:
    """What the ``createdAt`` of the rows read so far proves about the list's order."""

    last: int | None = None
    oldest: int | None = None
    fell: bool = False
    rose: bool = False

    def see(self, created_at: int) -> None:
        if self.last is not None:
            self.fell = self.fell or created_at < self.last
            self.rose = self.rose or created_at > self.last
        self.last = created_at
        self.oldest = created_at if self.oldest is None else min(self.oldest, created_at)

    def passed(self, since: int) -> bool:
        """Newest-first, as seen in the rows (a fall, never a rise), and already older than ``since``."""
        return self.fell and not self.rose and self.oldest is not None and self.oldest < since


class FanEndpoints(EndpointGroup):
    """``GET /{account_id}/subscribers`` and ``GET /{account_id}/followers``."""

    def list_subscribers(
        self,
        account_id: str | None = None,
        *,
        status: str = "active",
        tier_id: str | int | None = None,
        search: str | None = None,
        since: Instant | None = None,
        until: Instant | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Subscription rows as the API sends them, those with ``since <= createdAt < until``.

        Arguments are checked now; pages are read as the rows are consumed, ``limit=50``
        each. With ``since``, reading stops between pages once the rows read so far
        prove the list newest-first and reach past ``since``; on any other order it
        reads to the end, as a subscriber of the window may be on any page.

        :param status: ``"active"``, ``"expired"`` or ``"all"`` (sent as Fansly's codes 3, 4, 3,4).
        :param tier_id: only this subscription tier.
        :param search: text the API matches against the fans' names.
        :param since: keep rows created at or after this (datetime, ISO-8601 text or epoch ms).
        :param until: keep rows created before this. An empty window (``since == until``) sends nothing.
        """
        account_id = self.resolve_account_id(account_id)
        if status not in SUBSCRIBER_STATUSES:
            raise FanslyValidationError(
                f"status must be one of {', '.join(SUBSCRIBER_STATUSES)}; got {status!r}"
            )
        params: dict[str, Any] = {"status": SUBSCRIBER_STATUSES[status], "limit": FANS_PAGE_LIMIT}
        if tier_id is not None and tier_id != "":
            params["subscriptionTierIds"] = validate_native_id(tier_id, field="tier_id")
        if search is not None:
            params["search"] = validate_search(search)
        since_ms = None if since is None else to_epoch_ms(since, field="since")
        until_ms = None if until is None else to_epoch_ms(until, field="until")
        check_window(since_ms, until_ms)
        if since_ms is not None and since_ms == until_ms:
            return iter(())  # an empty window holds no subscription: no request
        return self._subscriptions(f"/{account_id}/subscribers", params, since_ms, until_ms)

    def _subscriptions(
        self, path: str, params: dict[str, Any], since: int | None, until: int | None
    ) -> Iterator[dict[str, Any]]:
        request = label("GET", path)
        order = _Order()
        for pages, page in enumerate(cursor_pages(self.transport, path, "subscriptions", params), 1):
            for row in page.rows:
                fan_id_of(row, "subscribers", request)
                created_at = created_at_ms(row, f"subscription {row.get('id')!r:.30}", request)
                order.see(created_at)
                if (since is None or since <= created_at) and (until is None or created_at < until):
                    yield row
            if since is not None and page.cursor is not None and order.passed(since):
                self.log.info("Subscribers come newest first and page %d reached past since: stopping", pages)
                return

    def list_followers(self, account_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Follower rows as the API sends them (the fan's id is ``followerId``); every page, as read."""
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/followers"
        request = label("GET", path)
        pages = cursor_pages(self.transport, path, "followers", {"limit": FANS_PAGE_LIMIT})
        return (row for page in pages for row in page.rows if fan_id_of(row, "followers", request))


def fan_id_of(row: dict[str, Any], source: str, request: str) -> str:
    """The fan's native id in a subscribers or followers row; a row without one is an error."""
    field = FAN_ID_FIELDS[source]
    try:
        return validate_native_id(row.get(field), field=field)
    except FanslyValidationError as exc:
        raise FanslyApiError(
            f"{request} returned a row without a usable fan id: {exc}", request=request
        ) from None
