"""Chat messages: read a chat's latest messages and send one, never twice (docs: "Chat Messages")."""

from __future__ import annotations

import time
from typing import Any

from airflow_provider_apifansly.exceptions import (
    FanslyAmbiguousSendError,
    FanslyApiFailingError,
    FanslyConnectionError,
    FanslyError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks import envelope, read_back
from airflow_provider_apifansly.hooks.endpoints.account import AccountEndpoints
from airflow_provider_apifansly.hooks.endpoints.base import label, may_have_sent, require_id
from airflow_provider_apifansly.hooks.paging import Page, messages_page
from airflow_provider_apifansly.hooks.read_back import (
    Taken,
    chat_messages_since,
    same_chat_message,
    unclaimed_ids,
)
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.models.message import OutgoingMessage
from airflow_provider_apifansly.timestamps import Instant, iso, to_epoch_ms

MAX_MESSAGES_LIMIT = 10


class ChatMessageEndpoints(AccountEndpoints):
    """``GET`` and ``POST /{account_id}/chats/{chat_id}/messages``."""

    def list_messages(
        self, chat_id: str | int, account_id: str | None = None, limit: int = MAX_MESSAGES_LIMIT
    ) -> list[dict[str, Any]]:
        """The chat's latest messages, at most ``limit`` (1 to 10), in the API's order."""
        account_id = self.resolve_account_id(account_id)
        chat_id = validate_native_id(chat_id, field="chat_id")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_MESSAGES_LIMIT:
            raise FanslyValidationError(
                f"limit must be a whole number from 1 to {MAX_MESSAGES_LIMIT}, got {limit!r}"
            )
        path = f"/{account_id}/chats/{chat_id}/messages"
        page: Page = self._account_call("GET", path, messages_page, params={"limit": limit})
        return page.rows

    def send_message(
        self,
        chat_id: str | int,
        content: str,
        account_id: str | None = None,
        *,
        media_ids: list[Any] | None = None,
        access_type: list[str] | None = None,
        price: float | None = None,
        sent_since: Instant | None = None,
    ) -> dict[str, Any]:
        """Send a message to a chat and return it; every field is checked before any request.

        Delivered at most once, even when a failure leaves it unclear whether it arrived: see ``deliver``.
        """
        message = OutgoingMessage.parse(chat_id, content, media_ids, access_type, price)
        return self.deliver(message, account_id, sent_since=sent_since)

    def deliver(
        self,
        message: OutgoingMessage,
        account_id: str | None = None,
        *,
        sent_since: Instant | None = None,
        taken: Taken | None = None,
    ) -> dict[str, Any]:
        """Send a validated message, neither lost nor duplicated by retries; return the message.

        Sending is not idempotent. After an ambiguous failure (sent, then a timeout, a drop,
        a 5xx or an upstream failure) the message may have been stored, so before sending
        again we read the chat back to when we began (less the clock skew) and return ours if it
        is there (``read_back.same_chat_message``). A 429 or a refused connection never reached the
        server and is retried directly. Residual risk: the same message sent by hand into the same chat
        within the skew window is taken for ours (where attachments name account media, one of the same
        text and as many attachments).

        :param sent_since: when an earlier attempt (an earlier try of the task) that may have sent this
            message began (a datetime, ISO text or epoch ms): the chat is read back to it, less the
            clock skew, before the first send. None (nothing may have been sent) costs no read.
        :param taken: messages another task instance owns, never taken for this one; two unclaimed
            matches raise ``FanslyAmbiguousSendError`` rather than guess.
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/chats/{message.chat_id}/messages"
        request = label("POST", path)
        now_ms = time.time() * 1000
        began = now_ms if sent_since is None else min(to_epoch_ms(sent_since, field="sent_since"), now_ms)
        since_ms = began - read_back.CLOCK_SKEW_MS
        look_first = sent_since is not None
        ambiguous = False

        def attempt() -> dict[str, Any]:
            nonlocal ambiguous, look_first
            if look_first or ambiguous:
                delivered = self._delivered(message, account_id, since_ms, taken)
                if delivered is not None:
                    return delivered
                look_first = False
            try:
                sent: dict[str, Any] = self.transport.request(
                    "POST", path, envelope.nested_response, json=message.body(), idempotent=False, retry=False
                )
            except (FanslyServerError, FanslyConnectionError) as exc:
                ambiguous = ambiguous or may_have_sent(exc)
                raise
            require_id(sent, request, "message")
            return sent

        try:
            return self.transport.retry_policy.call(attempt, idempotent=True)
        except FanslyAmbiguousSendError:
            raise
        except FanslyError as exc:
            # Out of retries after an ambiguous failure: one last look, so a message that
            # did arrive is not reported as failed (and then re-sent by hand).
            if not ambiguous:
                raise
            try:
                delivered = self._delivered(message, account_id, since_ms, taken)
            except FanslyApiFailingError as failing:  # no look possible: it may have been sent
                raise FanslyApiFailingError(
                    str(failing), http_status=failing.http_status, request=request, request_sent=True
                ) from exc
            if delivered is None:
                raise
            return delivered

    def sent_messages_like(
        self, message: OutgoingMessage, account_id: str | None, since: Instant
    ) -> list[dict[str, Any]]:
        """The chat's messages since ``since`` that can be ``message``, newest first.

        ``since`` is the caller's bound (less no skew); a message can be ``message`` as
        ``read_back.same_chat_message`` decides; no page is read past the bound.
        """
        return self._messages_like(
            message, self.resolve_account_id(account_id), to_epoch_ms(since, field="since")
        )

    def _messages_like(
        self, message: OutgoingMessage, account_id: str, since_ms: float, *, retry: bool = True
    ) -> list[dict[str, Any]]:
        creator_id = self.get_creator_id(account_id, retry=retry)
        path = f"/{account_id}/chats/{message.chat_id}/messages"
        return [
            row
            for row in chat_messages_since(self.transport, path, since_ms, retry=retry)
            if same_chat_message(row, message, creator_id)
        ]

    def _delivered(
        self, message: OutgoingMessage, account_id: str, since_ms: float, taken: Taken | None
    ) -> dict[str, Any] | None:
        """Our message in the chat, if an earlier attempt stored it.

        The one match since ``since_ms`` that no other task instance claims (see
        ``read_back.chat_messages_since``); two raise.
        """
        # Single tries: deliver's retry loop is the only one, so a failing lookup cannot multiply.
        rows = self._messages_like(message, account_id, since_ms, retry=False)
        path = f"/{account_id}/chats/{message.chat_id}/messages"
        found = unclaimed_ids(rows, taken)
        if len(found) > 1:
            raise FanslyAmbiguousSendError(
                f"{len(found)} messages in chat {message.chat_id} since {iso(since_ms)} match this one "
                f"({', '.join(found)}), none claimed by another task; it may have been sent, so it is not "
                "sent again. Check the chat and clear the task if none is ours.",
                request=label("GET", path),
            )
        if not found:
            return None
        self.log.warning(
            "Message %s reached chat %s in an earlier attempt or try; not sending it again",
            found[0],
            message.chat_id,
        )
        return next(row for row in rows if str(row.get("id")) == found[0])
