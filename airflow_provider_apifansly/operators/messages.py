"""Operators that send messages into Fansly chats, each at most once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.batch_input import parse_rendered
from airflow_provider_apifansly.links import FanslyChatLink
from airflow_provider_apifansly.operators.base import FanslyBatchOperator
from airflow_provider_apifansly.operators.once import Adopted, FanslySideEffectOperator


class SendMessageOperator(FanslySideEffectOperator):
    """Send one message into a chat; returns the message id (XCom ``return_value``).

    Every field is checked before any request. A failure that leaves it unclear
    whether the message arrived is resolved by reading the chat, never by sending
    blindly again (see ``FanslyHook.deliver``); so is a retry or a cleared task, which
    first reads the chat for the message an earlier try may have sent. Connection and hook options are
    ``FanslyBaseOperator``'s.

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

    def read_back(self, context: Context, since: float) -> Adopted | None:
        # The chat is read right before the send, inside the hook's retries: see act.
        return None

    def act(self, context: Context, since: float | None) -> str:
        # Templates render lists and numbers to text unless the DAG renders native objects.
        message = self.hook.send_message(
            self.chat_id,
            self.content,
            self.account_id,
            media_ids=parse_rendered(self.media_ids, "media_ids"),
            access_type=parse_rendered(self.access_type, "access_type"),
            price=parse_rendered(self.price, "price"),
            sent_since=since,
        )
        context["ti"].xcom_push(key="chat_id", value=str(message.get("groupId") or self.chat_id))
        self.log.info("Fansly message %s sent to chat %s", message["id"], self.chat_id)
        return str(message["id"])


class SendMessagesOperator(FanslySideEffectOperator, FanslyBatchOperator):
    """Send one message to each of many chats in one task, concurrently, at the rate limit.

    XComs: ``return_value`` maps chat id -> message id; ``failed`` each failed chat to
    its error; ``credits`` the credits spent. The whole batch is checked before any
    request. A retry or a cleared task first reads each chat (one credit each) and
    does not send again where an earlier try's message is found. ``max_concurrency``,
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

    def read_back(self, context: Context, since: float) -> Adopted | None:
        # Each chat is read right before its own send: see act.
        return None

    def act(self, context: Context, since: float | None) -> dict[str, str]:
        from airflow_provider_apifansly.bulk import send_messages

        result = send_messages(
            self.hook,
            self.messages,
            account_id=self.account_id,
            sent_since=since,
            max_concurrency=self.max_concurrency,
            progress_every=self.progress_every,
            log=self.log,
        )
        return self.report(context, result, result.done, "messages")
