"""Mass messaging: one broadcast to a whole audience for one credit, never sent twice (docs: "Mass Messaging")."""

from __future__ import annotations

from typing import Any

from airflow_provider_apifansly.exceptions import FanslyAmbiguousSendError, FanslyError
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, label, may_have_sent
from airflow_provider_apifansly.hooks.paging import cursor_pages
from airflow_provider_apifansly.mass_message import MassMessage
from airflow_provider_apifansly.timestamps import Instant

# The scheduled list's shape is not documented: rows are read under the key the live List Chats
# uses ("data") or the one Chat Messages uses ("messages"); any other shape raises.
SCHEDULED_ROWS = ("data", "messages")


class MassMessagingEndpoints(EndpointGroup):
    """``POST /{account_id}/mass-messaging`` and ``GET /{account_id}/mass-messaging/scheduled``."""

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
        """Send a validated broadcast once; after a failure that may have sent it, raise
        ``FanslyAmbiguousSendError`` (which Airflow does not retry) rather than risk sending it twice.

        A broadcast has no cheap, documented read-back, so unlike a chat message it cannot
        be looked for. The retry policy, told it is not idempotent, retries only what cannot
        have reached the server: a 429 or a refused connection.
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/mass-messaging"
        try:
            response: dict[str, Any] = self._account_call("POST", path, json=message.body(), idempotent=False)
        except FanslyError as exc:
            if not may_have_sent(exc):
                raise
            raise FanslyAmbiguousSendError(
                f"{exc} The broadcast MAY HAVE BEEN SENT, so it is not retried (every fan would get it "
                f"twice). Check before sending it again: GET /api/fansly/{account_id}/mass-messaging/stats/sent "
                f"(or .../mass-messaging/scheduled for a scheduled one), or the mass messages in Fansly.",
                http_status=exc.http_status,
                api_message=exc.api_message,
                request=label("POST", path),
            ) from exc
        return response

    def list_scheduled_mass_messages(self, account_id: str | None = None) -> list[dict[str, Any]]:
        """Every scheduled broadcast of the account, one credit per page.

        The response's shape is not documented: rows are read under ``data`` (as List Chats
        sends them) or ``messages``, with the cursor at ``data.nextCursor``; anything else raises.
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/mass-messaging/scheduled"
        return [row for page in cursor_pages(self.transport, path, SCHEDULED_ROWS) for row in page.rows]
