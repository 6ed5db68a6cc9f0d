"""The operator that sends one broadcast (mass message) to a whole audience, for one credit, never twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.exceptions import FanslyAmbiguousSendError, FanslyError
from airflow_provider_apifansly.models.batch_input import parse_rendered
from airflow_provider_apifansly.models.mass_message import MassMessage
from airflow_provider_apifansly.operators.once import FanslySideEffectOperator
from airflow_provider_apifansly.operators.try_record import Attempt, Claims, TryRecord
from airflow_provider_apifansly.timestamps import iso


class SendMassMessageOperator(FanslySideEffectOperator):
    """Send (or schedule) one broadcast to an audience; returns its id when the API gives one.

    One request, so one credit, whatever the audience's size. Every field is checked
    before any request. The send is never repeated after a failure that may have
    delivered it (a timeout or drop after sending, a 5xx): the task then fails with
    ``FanslyAmbiguousSendError``, which Airflow does not retry, saying how to check.
    Only a 429 or a refused connection is retried. A later try (an Airflow retry, a cleared
    task) goes by the task instance's record (``operators/once.py``): it adopts the broadcast an
    earlier try sent, sends one it never sent, and, after one that may have sent it, reads the sent
    (or scheduled) broadcasts from that attempt's start and adopts the one no other task instance
    claims; a list it cannot read, or two look-alikes, fail it with ``FanslyAmbiguousSendError``.
    XCom ``credits`` as every operator.

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

    claim_kind = "broadcast"

    def act(self, context: Context, record: TryRecord) -> str | None:
        """Send (or schedule) the broadcast once; return its id when the API gives one."""
        from airflow_provider_apifansly.hooks.read_back import broadcasts_like, unclaimed_ids

        message = self._message()
        account_id = self.hook.resolve_account_id(self.account_id)
        listed = f"GET /api/fansly/{account_id}/mass-messaging/{'scheduled' if message.scheduled_for else 'stats/sent'}"

        def send(claims: Claims | None) -> str | None:
            response = self.hook.send_broadcast(message, account_id)
            broadcast_id = response.get("id")
            self.log.info(
                "Fansly broadcast sent%s", f": {broadcast_id}" if broadcast_id else " (the API gave no id)"
            )
            return None if broadcast_id is None else str(broadcast_id)

        def read_back(since_ms: int) -> list[str]:
            # Rows name no audience: a look-alike of another audience (a mapped sibling, another run) is
            # told apart by its claim and by the window, which starts at our own attempt. A broadcast is
            # listed once accepted (sent now: /stats/sent; scheduled: /scheduled), so none found means
            # none was made.
            try:
                rows = broadcasts_like(self.hook, message, account_id, since_ms)
            except FanslyError as exc:
                if exc.retryable:  # nothing was sent in this try: the next one reads again
                    raise
                raise FanslyAmbiguousSendError(
                    f"Cannot tell whether an earlier try sent this broadcast, so it is not sent again: {exc} "
                    f"Check {listed} (or the mass messages in Fansly) for one with this content since "
                    f"{iso(since_ms)}; if there is none, clear the task.",
                    request=exc.request,
                ) from exc
            return unclaimed_ids(rows, None)

        broadcast_id, _ = self.once(
            context,
            record,
            request={"operator": "mass_message", "account_id": account_id, **message.body()},
            account_id=account_id,
            do=send,
            read_back=read_back,
        )
        return broadcast_id

    def uncertain(self, context: Context, earlier: Attempt, why: str) -> FanslyError:
        """``FanslyAmbiguousSendError``: the broadcast may have been sent; where to check."""
        account_id = self.hook.resolve_account_id(self.account_id)
        return FanslyAmbiguousSendError(
            "The broadcast may have been sent, so it is not sent again (every fan would get it twice): "
            f"{why}. Check GET /api/fansly/{account_id}/mass-messaging/stats/sent (or .../scheduled), or "
            "the mass messages in Fansly, for the one of this task."
        )
