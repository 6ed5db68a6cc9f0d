"""Mass messaging: one broadcast to a whole audience for one credit, never sent twice.

(docs: "Mass Messaging"), and the lists of scheduled and sent broadcasts that show what was sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyAmbiguousSendError
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, label
from airflow_provider_apifansly.hooks.paging import Page, cursor_pages
from airflow_provider_apifansly.hooks.read_back import broadcast_stamp_ms
from airflow_provider_apifansly.models.mass_message import MassMessage
from airflow_provider_apifansly.timestamps import Instant, optional_epoch_ms

# Where the rows sit (contract part 2, section 5): the native answers' keys, which apifansly passes on.
SCHEDULED_ROWS = "scheduledBroadcastMessages"
SENT_ROWS = "messages"
# Rows asked for per page of the broadcast lists: the documented default of the stats lists.
BROADCAST_PAGE = 24


class MassMessagingEndpoints(EndpointGroup):
    """``POST /{account_id}/mass-messaging``, and ``GET`` of its ``/scheduled`` and ``/stats/sent`` lists."""

    def send_mass_message(
        self,
        content: str,
        account_id: str | None = None,
        *,
        include_followers: bool = False,
        include_subscribers: bool = False,
        include_subscribers_auto_renew_on: bool = False,
        include_subscribers_auto_renew_off: bool = False,
        include_expired_subscribers: bool = False,
        exclude_creators: bool = False,
        exclude_offline_users: bool = False,
        tier_id: str | int | None = None,
        include_list_ids: list[str] | None = None,
        exclude_list_ids: list[str] | None = None,
        exclude_user_ids: list[str] | None = None,
        media_ids: list[Any] | None = None,
        access_type: list[str] | None = None,
        price: float | None = None,
        scheduled_for: Instant | None = None,
    ) -> dict[str, Any]:
        """Send (or schedule) one broadcast and return the API's ``response`` (its ``id`` when it gives one).

        Every field is checked before any request. ``include_subscribers`` sets both auto-renew
        flags; ``scheduled_for`` (a datetime, ISO text or epoch ms, in the future) is sent as
        epoch ms. Sent at most once: see ``send_broadcast``.
        """
        message = MassMessage.parse(
            content,
            include_subscribers=include_subscribers,
            tier_id=tier_id,
            media_ids=media_ids,
            access_type=access_type,
            price=price,
            scheduled_for=scheduled_for,
            include_followers=include_followers,
            include_subscribers_auto_renew_on=include_subscribers_auto_renew_on,
            include_subscribers_auto_renew_off=include_subscribers_auto_renew_off,
            include_expired_subscribers=include_expired_subscribers,
            exclude_creators=exclude_creators,
            exclude_offline_users=exclude_offline_users,
            include_list_ids=include_list_ids,
            exclude_list_ids=exclude_list_ids,
            exclude_user_ids=exclude_user_ids,
        )
        return self.send_broadcast(message, account_id)

    def send_broadcast(self, message: MassMessage, account_id: str | None = None) -> dict[str, Any]:
        """Send a validated broadcast once.

        After a failure that may have sent it, raise ``FanslyAmbiguousSendError`` (which Airflow does
        not retry) rather than risk sending it twice.

        The retry policy, told it is not idempotent, retries only what cannot have reached the
        server: a 429 or a refused connection. Reading back whether it arrived is left to a later
        try of the task (``SendMassMessageOperator.read_back``), which the user may then let run.
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/mass-messaging"
        response: dict[str, Any] = self._create_once(
            path,
            message.body(),
            FanslyAmbiguousSendError,
            f"The broadcast MAY HAVE BEEN SENT, so it is not retried (every fan would get it twice). Check "
            f"before sending it again: GET /api/fansly/{account_id}/mass-messaging/stats/sent (or "
            f".../mass-messaging/scheduled for a scheduled one), or the mass messages in Fansly; a "
            f"SendMassMessageOperator task, once cleared, reads them itself and adopts the broadcast.",
        )
        return response

    def list_scheduled_mass_messages(self, account_id: str | None = None) -> list[dict[str, Any]]:
        """Every scheduled broadcast of the account (rows of ``scheduledBroadcastMessages``), one credit per page.

        A ``messageTemplate`` sent as JSON text is parsed (text that is not JSON is kept as is).
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/mass-messaging/scheduled"
        return [
            _with_template(row) for page in self._broadcast_pages(path, SCHEDULED_ROWS) for row in page.rows
        ]

    def list_sent_mass_messages(
        self, account_id: str | None = None, *, deleted: bool = False, since: Instant | None = None
    ) -> list[dict[str, Any]]:
        """The account's sent broadcasts with their delivery stats (rows of ``messages``).

        Newest first, as the API lists them; one credit per page.

        :param deleted: list the withdrawn broadcasts (``/stats/deleted``) instead of ``/stats/sent``.
        :param since: only broadcasts created since then (a datetime, ISO text or epoch ms, as every
            ``since`` of the hook), and no page read after the first one that reaches back past it.
        """
        account_id = self.resolve_account_id(account_id)
        since_ms = optional_epoch_ms(since, field="since")
        path = f"/{account_id}/mass-messaging/stats/{'deleted' if deleted else 'sent'}"
        request = label("GET", path)
        found: list[dict[str, Any]] = []
        for page in self._broadcast_pages(path, SENT_ROWS):
            created = [broadcast_stamp_ms(row, request) for row in page.rows]
            found += [
                row for row, at in zip(page.rows, created, strict=True) if since_ms is None or at >= since_ms
            ]
            if since_ms is not None and created and min(created) < since_ms:
                break
        return found

    def _broadcast_pages(self, path: str, rows: str) -> Iterator[Page]:
        """The pages of a broadcast list: the cursor at ``data.nextCursor``, else ``response.cursor``."""
        params = {"limit": BROADCAST_PAGE}
        return cursor_pages(
            self.transport, path, rows, params, cursor_in_response=True, full_page=BROADCAST_PAGE
        )


def _with_template(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its ``messageTemplate`` as an object when it came as JSON text of one."""
    template = row.get("messageTemplate")
    if not isinstance(template, str):
        return row
    try:
        parsed = json.loads(template)
    except ValueError:
        return row
    return {**row, "messageTemplate": parsed} if isinstance(parsed, dict) else row
