"""Chat messages: read a chat's latest messages and send one, never twice (docs: "Chat Messages")."""

from __future__ import annotations

import time
from typing import Any

from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyConnectionError,
    FanslyError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.endpoints.account import AccountEndpoints
from airflow_provider_apifansly.hooks.endpoints.base import label, require_id
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.message import OutgoingMessage

MAX_MESSAGES_LIMIT = 10
# How far the server's clock may run behind ours when we look for a message we may have sent.
DELIVERY_CLOCK_SKEW_SECONDS = 120.0


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
        page: envelope.Page = self._account_call("GET", path, envelope.messages_page, params={"limit": limit})
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
        sent_since: float | None = None,
    ) -> dict[str, Any]:
        """Send a message to a chat and return it; every field is checked before any request.

        Delivered at most once, even when a failure leaves it unclear whether it arrived: see ``deliver``.
        """
        message = OutgoingMessage.parse(chat_id, content, media_ids, access_type, price)
        return self.deliver(message, account_id, sent_since=sent_since)

    def deliver(
        self, message: OutgoingMessage, account_id: str | None = None, *, sent_since: float | None = None
    ) -> dict[str, Any]:
        """Send a validated message, neither lost nor duplicated by retries; return the message.

        Sending is not idempotent. After an ambiguous failure (sent, then a timeout, a drop,
        a 5xx or an upstream failure) the message may have been stored, so before sending
        again we read the chat back to when we began (less the clock skew) and return ours if it
        is there: sent by the creator, with the same content, media and price (see ``_same``). A 429 or a
        refused connection never reached the server and is retried directly. Residual risk:
        the same message sent by hand into the same chat within the skew window is taken for ours
        (where attachments name account media, one of the same text and as many attachments).

        :param sent_since: epoch seconds since which an earlier call (a task's earlier try) may
            have sent this message: the chat is read back to it before the first send. None
            (a first try) costs no read.
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/chats/{message.chat_id}/messages"
        request = label("POST", path)
        now = time.time()
        since = (now if sent_since is None else min(sent_since, now)) - DELIVERY_CLOCK_SKEW_SECONDS
        look_first = sent_since is not None
        ambiguous = False

        def attempt() -> dict[str, Any]:
            nonlocal ambiguous, look_first
            if look_first or ambiguous:
                delivered = self._delivered(message, account_id, since)
                if delivered is not None:
                    return delivered
                look_first = False
            try:
                sent: dict[str, Any] = self.transport.request(
                    "POST", path, envelope.nested_response, json=message.body(), idempotent=False, retry=False
                )
            except (FanslyServerError, FanslyConnectionError) as exc:
                ambiguous = ambiguous or isinstance(exc, FanslyServerError) or exc.request_sent
                raise
            require_id(sent, request, "message")
            return sent

        try:
            return self.transport.retry_policy.call(attempt, idempotent=True)
        except FanslyError:
            # Out of retries after an ambiguous failure: one last look, so a message that
            # did arrive is not reported as failed (and then re-sent by hand).
            delivered = self._delivered(message, account_id, since) if ambiguous else None
            if delivered is None:
                raise
            return delivered

    def _delivered(self, message: OutgoingMessage, account_id: str, since: float) -> dict[str, Any] | None:
        """Our message in the chat, if an earlier attempt stored it: pages back from the newest messages
        until one is older than ``since`` (one request when the first page already reaches past it)."""
        # Single tries: deliver's retry loop is the only one, so a failing lookup cannot multiply.
        creator_id = self.get_creator_id(account_id, retry=False)
        path = f"/{account_id}/chats/{message.chat_id}/messages"
        request = label("GET", path)
        params: dict[str, Any] = {"limit": MAX_MESSAGES_LIMIT}
        while True:
            page: envelope.Page = self.transport.request(
                "GET", path, envelope.messages_page, params=params, idempotent=True, retry=False
            )
            created = [_created_at(row, request) for row in page.rows]
            for row, created_at in zip(page.rows, created, strict=True):
                if created_at >= since and _same(row, message, creator_id):
                    self.log.warning(
                        "Message %s reached chat %s in an earlier attempt or try; not sending it again",
                        row.get("id"),
                        message.chat_id,
                    )
                    return row
            # The cursor reaches older messages: once a page holds one older than the bound, no later page
            # can hold ours.
            if page.cursor is None or not created or min(created) < since:
                return None
            params["cursor"] = page.cursor


def _same(row: dict[str, Any], message: OutgoingMessage, creator_id: str) -> bool:
    """Whether a chat message is ``message``: the same text, sent by the creator, the same media and,
    where the row names a price, the same price. The contract shows no price on a message row."""
    attachments = row.get("attachments") or []
    attached = sorted(str(a.get("contentId")) for a in attachments if isinstance(a, dict))
    ours = sorted(m if isinstance(m, str) else str(m["mediaId"]) for m in message.media_ids)
    # Attachments carry the accountMedia id (the contract), which the send never learns: when none of
    # them is one of our media ids, the number of attachments is all that can be compared.
    same_media = attached == ours or (not set(attached) & set(ours) and len(attached) == len(ours))
    price = row.get("price")
    return (
        row.get("content") == message.content
        and str(row.get("senderId")) == creator_id
        and same_media
        and (price is None or price == message.price)
    )


def _created_at(message: dict[str, Any], request: str) -> float:
    """A message's ``createdAt`` in epoch seconds (Fansly's samples use seconds; milliseconds are read too)."""
    value = message.get("createdAt")
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FanslyApiError(
            f"{request} returned message {message.get('id')!r} without a numeric createdAt "
            f"(got {value!r:.40}); cannot tell whether an earlier send arrived, so not sending again",
            request=request,
        ) from None
    return seconds / 1000 if seconds > 1e11 else seconds
