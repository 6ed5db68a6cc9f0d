"""Operators that send messages into Fansly chats, each at most once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.exceptions import FanslyAmbiguousSendError, FanslyError
from airflow_provider_apifansly.links import FanslyChatLink
from airflow_provider_apifansly.models.batch_input import parse_rendered
from airflow_provider_apifansly.operators.base import FanslyBatchOperator
from airflow_provider_apifansly.operators.once import FanslySideEffectOperator
from airflow_provider_apifansly.operators.try_record import (
    DONE,
    MAY_HAVE_ACTED,
    NOT_SENT,
    UNKNOWN,
    Attempt,
    Claims,
    TryRecord,
)

if TYPE_CHECKING:
    from airflow_provider_apifansly.bulk import BulkResult
    from airflow_provider_apifansly.models.message import OutgoingMessage


class SendMessageOperator(FanslySideEffectOperator):
    """Send one message into a chat; returns the message id (XCom ``return_value``).

    Every field is checked before any request. A failure that leaves it unclear
    whether the message arrived is resolved by reading the chat, never by sending
    blindly again (see ``FanslyHook.deliver``). A retry or a cleared task goes by the task
    instance's record (``operators/once.py``): it adopts the message an earlier try sent, sends
    one it never sent, and reads the chat back to the start of an attempt that may have sent it.
    Connection and hook options are ``FanslyBaseOperator``'s.

    :param chat_id: the chat's (group's) native id, e.g. a ``CreateGroupChatOperator``'s output. Templated.
    :param content: the text. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    :param media_ids: media to attach: ids, or ``{"mediaId", "previewId"}`` dicts. Templated.
    :param access_type: who may open the media: ``ppv``, ``subscription``, ``follow``, ``list``,
        ``limited_time``. Templated.
    :param price: dollars, 1 to 500; only with ``ppv`` and media. Templated.
    """

    template_fields: Sequence[str] = (
        "chat_id",
        "content",
        "account_id",
        "media_ids",
        "access_type",
        "price",
        "fansly_conn_id",
    )
    operator_extra_links = (FanslyChatLink(),)

    def __init__(
        self,
        *,
        chat_id: str | int,
        content: str,
        account_id: str | None = None,
        media_ids: list[Any] | str | None = None,
        access_type: list[str] | str | None = None,
        price: float | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.chat_id = chat_id
        self.content = content
        self.account_id = account_id
        self.media_ids = media_ids
        self.access_type = access_type
        self.price = price

    claim_kind = "message"

    def act(self, context: Context, record: TryRecord) -> str | None:
        """Send the message at most once, by this try's record; return its id."""
        from airflow_provider_apifansly.models.message import OutgoingMessage

        # Templates render lists and numbers to text unless the DAG renders native objects.
        message = OutgoingMessage.parse(
            self.chat_id,
            self.content,
            parse_rendered(self.media_ids, "media_ids"),
            parse_rendered(self.access_type, "access_type"),
            parse_rendered(self.price, "price"),
        )
        account_id = self.hook.resolve_account_id(self.account_id)

        def send(claims: Claims | None) -> str:
            taken = None if claims is None else claims.taken
            sent = self.hook.deliver(message, account_id, taken=taken)
            self.log.info("Fansly message %s sent to chat %s", sent["id"], message.chat_id)
            return str(sent["id"])

        def read_back(since_ms: int) -> list[str]:
            """The ids of the chat's messages like this one since ``since_ms``."""
            return [str(row["id"]) for row in self.hook.sent_messages_like(message, account_id, since_ms)]

        message_id, _ = self.once(
            context,
            record,
            request=message_request(message, account_id),
            account_id=account_id,
            do=send,
            read_back=read_back,  # a chat lists every message newest first: none there means none sent
        )
        context["ti"].xcom_push(key="chat_id", value=message.chat_id)
        return message_id

    def uncertain(self, context: Context, earlier: Attempt, why: str) -> FanslyError:
        """``FanslyAmbiguousSendError``: the message may have been sent; check the chat."""
        return FanslyAmbiguousSendError(
            f"The message to chat {self.chat_id} may have been sent, so it is not sent again: {why}. "
            "Check the chat in Fansly."
        )


def message_request(message: OutgoingMessage, account_id: str) -> dict[str, Any]:
    """A chat message's whole request, as the task instance's record keeps it."""
    return {
        "operator": "send_message",
        "account_id": account_id,
        "chat_id": message.chat_id,
        **message.body(),
    }


class SendMessagesOperator(FanslySideEffectOperator, FanslyBatchOperator):
    """Send one message to each of many chats in one task, concurrently, at the rate limit.

    XComs: ``return_value`` maps chat id -> message id; ``failed`` each failed chat to
    its error; ``credits`` the credits spent. The whole batch is checked before any
    request. A retry or a cleared task goes by the task instance's record (``operators/once.py``):
    a message an earlier try sent is adopted without a request, one it never sent is sent, and
    only a chat it may have sent into (a failure after sending, a kill) is read first, back to that
    attempt's start (one credit). When Airflow stops the task, no send starts after it. ``max_concurrency``,
    ``fail_policy`` and ``progress_every`` are ``FanslyBatchOperator``'s; the hook
    options (``max_credits`` among them) ``FanslyBaseOperator``'s.

    :param messages: ``{chat_id: content}``, or a list of dicts with ``chat_id``, ``content``
        and optionally ``media_ids``, ``access_type`` and ``price``; or a template / XCom that
        renders to either. One message per chat; an empty batch sends nothing. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    """

    template_fields: Sequence[str] = ("messages", "account_id", "fansly_conn_id")

    def __init__(
        self,
        *,
        messages: dict[str, str] | list[dict[str, Any]] | str,
        account_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.messages = messages
        self.account_id = account_id

    claim_kind = "message"

    def act(self, context: Context, record: TryRecord) -> dict[str, str]:
        """Send each chat its message at most once, by this try's record; return ``{chat_id: message_id}``.

        Adopt what an earlier try sent, read back first where one may have sent it (from that
        attempt's start), send the rest; then record each outcome and claim what was sent.
        """
        from airflow_provider_apifansly.bulk import BulkResult, send_messages
        from airflow_provider_apifansly.models.batch_input import parse_messages

        batch = {message.chat_id: message for message in parse_messages(self.messages)}
        account_id = self.hook.resolve_account_id(self.account_id)
        requests = {chat_id: message_request(message, account_id) for chat_id, message in batch.items()}
        adopted: dict[str, str] = {}
        since: dict[str, int] = {}
        for chat_id, request in requests.items():
            earlier = record.earlier(chat_id, request)
            if earlier is not None and earlier.outcome == DONE and earlier.resource_id is not None:
                adopted[chat_id] = earlier.resource_id
            elif earlier is not None and earlier.outcome in MAY_HAVE_ACTED:
                since[chat_id] = earlier.started_ms
        if adopted:
            self.log.info("%d of %d messages were sent by an earlier try; adopted", len(adopted), len(batch))
        to_send = [message for chat_id, message in batch.items() if chat_id not in adopted]
        # A chat an earlier attempt may have sent into keeps that attempt's start: it is read back to
        # it before its send, and a try stopped before that read leaves the same bound to the next.
        record.begin({message.chat_id: requests[message.chat_id] for message in to_send}, started=since)
        claims = Claims(record, account_id, "message")
        result = BulkResult(total=len(to_send))
        try:
            send_messages(
                self.hook,
                to_send,
                account_id=account_id,
                sent_since=since,
                taken=claims.taken,
                max_concurrency=self.max_concurrency,
                progress_every=self.progress_every,
                log=self.log,
                stop=self.stop_requested,
                result=result,
            )
        finally:
            self._settle(record, [message.chat_id for message in to_send], result, since)
        claims.claim(result.done.values())
        sent = {**adopted, **result.done}
        result.done = {chat_id: sent[chat_id] for chat_id in batch if chat_id in sent}
        result.total = len(batch)
        return self.report(context, result, result.done, "messages")

    def _settle(
        self, record: TryRecord, chat_ids: list[str], result: BulkResult, since: dict[str, int]
    ) -> None:
        """Record each chat's outcome.

        A chat an earlier try may have sent into and that this try did not deliver stays pending from
        that try's start (this try may not have got to read it back).
        """
        for chat_id in chat_ids:
            if chat_id in result.done:
                record.settle(chat_id, DONE, result.done[chat_id])
            elif chat_id in result.uncertain:
                record.settle(chat_id, UNKNOWN)
            elif chat_id not in since:
                record.settle(chat_id, NOT_SENT)
        self.save_after_failure(record)
