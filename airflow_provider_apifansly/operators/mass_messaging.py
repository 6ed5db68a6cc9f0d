"""The operator that sends one broadcast (mass message) to a whole audience, for one credit, never twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.batch_input import parse_rendered
from airflow_provider_apifansly.exceptions import FanslyAmbiguousSendError, FanslyApiError, FanslyError
from airflow_provider_apifansly.mass_message import MassMessage
from airflow_provider_apifansly.operators.once import Adopted, FanslySideEffectOperator
from airflow_provider_apifansly.timestamps import iso


class SendMassMessageOperator(FanslySideEffectOperator):
    """Send (or schedule) one broadcast to an audience; returns its id when the API gives one.

    One request, so one credit, whatever the audience's size. Every field is checked
    before any request. The send is never repeated after a failure that may have
    delivered it (a timeout or drop after sending, a 5xx): the task then fails with
    ``FanslyAmbiguousSendError``, which Airflow does not retry, saying how to check.
    Only a 429 or a refused connection is retried. A later try (an Airflow retry after
    Airflow stopped the first, or a cleared task) first reads the sent (or scheduled)
    broadcasts and adopts this one if an earlier try sent it, sending nothing; a list
    it cannot read fails it with ``FanslyAmbiguousSendError``. XCom ``credits`` as every operator.

    :param content: the text. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    :param include_followers: send to the account's followers.
    :param include_subscribers: send to active subscribers (both auto-renew on and off).
    :param include_subscribers_auto_renew_on: subscribers whose subscription renews.
    :param include_subscribers_auto_renew_off: subscribers whose subscription does not renew.
    :param include_expired_subscribers: fans whose subscription expired.
    :param exclude_creators: leave out fans who are creators themselves.
    :param exclude_offline_users: leave out fans who are offline.
    :param tier_id: include the subscribers of this subscription tier. Templated.
    :param include_list_ids: include the fans of these lists. Templated.
    :param exclude_list_ids: leave out the fans of these lists. Templated.
    :param exclude_user_ids: leave out these fans (native ids). Templated.
    :param media_ids: media to attach: ids, or ``{"mediaId", "previewId"}`` dicts. Templated.
    :param access_type: who may open the media (``ppv``, ``subscription``, ...). Templated.
    :param price: dollars, 1 to 500; only with ``ppv`` and media. Templated.
    :param scheduled_for: when to send (a datetime, ISO text or epoch ms, in the future);
        None sends now. Templated.
    """

    template_fields: Sequence[str] = (
        "content",
        "account_id",
        "tier_id",
        "include_list_ids",
        "exclude_list_ids",
        "exclude_user_ids",
        "media_ids",
        "access_type",
        "price",
        "scheduled_for",
        "fansly_conn_id",
    )

    def __init__(
        self,
        *,
        content: str,
        account_id: str | None = None,
        include_followers: bool = False,
        include_subscribers: bool = False,
        include_subscribers_auto_renew_on: bool = False,
        include_subscribers_auto_renew_off: bool = False,
        include_expired_subscribers: bool = False,
        exclude_creators: bool = False,
        exclude_offline_users: bool = False,
        tier_id: str | int | None = None,
        include_list_ids: list[str] | str | None = None,
        exclude_list_ids: list[str] | str | None = None,
        exclude_user_ids: list[str] | str | None = None,
        media_ids: list[Any] | str | None = None,
        access_type: list[str] | str | None = None,
        price: float | str | None = None,
        scheduled_for: datetime | str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.content = content
        self.account_id = account_id
        self.include_followers = include_followers
        self.include_subscribers = include_subscribers
        self.include_subscribers_auto_renew_on = include_subscribers_auto_renew_on
        self.include_subscribers_auto_renew_off = include_subscribers_auto_renew_off
        self.include_expired_subscribers = include_expired_subscribers
        self.exclude_creators = exclude_creators
        self.exclude_offline_users = exclude_offline_users
        self.tier_id = tier_id
        self.include_list_ids = include_list_ids
        self.exclude_list_ids = exclude_list_ids
        self.exclude_user_ids = exclude_user_ids
        self.media_ids = media_ids
        self.access_type = access_type
        self.price = price
        self.scheduled_for = scheduled_for

    def _message(self) -> MassMessage:
        """The broadcast, every field checked (before any request)."""

        # Templates render lists, numbers and None to text unless the DAG renders native objects.
        def text(value: Any) -> Any:  # an id or an instant, taken as given
            return None if value in ("None", "") else value

        return MassMessage.parse(
            self.content,
            include_followers=self.include_followers,
            include_subscribers=self.include_subscribers,
            include_subscribers_auto_renew_on=self.include_subscribers_auto_renew_on,
            include_subscribers_auto_renew_off=self.include_subscribers_auto_renew_off,
            include_expired_subscribers=self.include_expired_subscribers,
            exclude_creators=self.exclude_creators,
            exclude_offline_users=self.exclude_offline_users,
            tier_id=text(self.tier_id),
            include_list_ids=parse_rendered(self.include_list_ids, "include_list_ids"),
            exclude_list_ids=parse_rendered(self.exclude_list_ids, "exclude_list_ids"),
            exclude_user_ids=parse_rendered(self.exclude_user_ids, "exclude_user_ids"),
            media_ids=parse_rendered(self.media_ids, "media_ids"),
            access_type=parse_rendered(self.access_type, "access_type"),
            price=parse_rendered(self.price, "price"),
            scheduled_for=text(self.scheduled_for),
        )

    def act(self, context: Context, since: float | None) -> str | None:
        response = self.hook.send_broadcast(self._message(), self.account_id)
        broadcast_id = response.get("id")
        self.log.info(
            "Fansly broadcast sent%s", f": {broadcast_id}" if broadcast_id else " (the API gave no id)"
        )
        return None if broadcast_id is None else str(broadcast_id)

    def read_back(self, context: Context, since: float) -> Adopted | None:
        """Adopt the broadcast an earlier try sent: one with this content in ``/stats/sent`` created
        since the run became due, or, for a scheduled one, with this content and ``scheduledFor`` in
        ``/scheduled``. A list that cannot be read (or a row whose text cannot) fails the task with
        ``FanslyAmbiguousSendError`` rather than risk a second broadcast."""
        from airflow_provider_apifansly.hooks.endpoints.chat_messages import DELIVERY_CLOCK_SKEW_SECONDS

        message = self._message()
        since -= DELIVERY_CLOCK_SKEW_SECONDS
        account_id = self.hook.resolve_account_id(self.account_id)
        scheduled = message.scheduled_for is not None
        listed = f"GET /api/fansly/{account_id}/mass-messaging/{'scheduled' if scheduled else 'stats/sent'}"
        try:
            if scheduled:
                found = [
                    row
                    for row in self.hook.list_scheduled_mass_messages(account_id)
                    if _is_scheduled(row, message, since, listed)
                ]
            else:
                found = [
                    row
                    for row in self.hook.list_sent_mass_messages(account_id, since=since)
                    if row.get("content") == message.content
                ]
        except FanslyError as exc:
            if exc.retryable:  # nothing was sent in this try: the next one reads again
                raise
            raise FanslyAmbiguousSendError(
                f"Try {context['ti'].try_number}: cannot tell whether an earlier try sent this broadcast, "
                f"so it is not sent again: {exc} Check {listed} (or the mass messages in Fansly) for one "
                f"with this content since {iso(round(since * 1000))}; if there is none, clear the task.",
                request=exc.request,
            ) from exc
        if not found:
            self.log.info("No broadcast of an earlier try in %s; sending it", listed)
            return None
        ids = [str(row.get("id")) for row in found]
        if len(ids) > 1:
            self.log.warning("%d broadcasts with this content since the run became due: %s", len(ids), ids)
        self.log.warning("Broadcast %s was sent by an earlier try; not sending it again", ids[0])
        return Adopted(ids[0])


def _is_scheduled(row: dict[str, Any], message: MassMessage, since: float, listed: str) -> bool:
    """Whether a scheduled row is ``message``: the same text and ``scheduledFor`` (and, where the row
    says when it was created, created since ``since``). A row whose text cannot be read raises."""
    template = row.get("messageTemplate")
    if not isinstance(template, dict) or not isinstance(template.get("content"), str):
        raise FanslyApiError(
            f"{listed} returned scheduled broadcast {row.get('id')!r:.40} whose messageTemplate has no "
            f"readable content (got {type(template).__name__})",
            request=listed,
        )
    when = row.get("scheduledFor")
    if isinstance(when, int | float) and not isinstance(when, bool) and when < 1e11:
        when *= 1000  # seconds, read by magnitude
    created = row.get("createdAt")
    recent = not isinstance(created, int | float) or (created / 1000 if created >= 1e11 else created) >= since
    return template["content"] == message.content and when == message.scheduled_for and recent
