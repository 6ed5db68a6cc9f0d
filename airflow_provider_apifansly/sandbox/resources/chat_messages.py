"""Chat messages: list (newest first) and send, at ``{account_id}/chats/{chat_id}/messages``.

``GET`` takes ``limit`` 1 to 10; ``POST`` is Send Message (201).

A sent message's attachments carry, as ``contentId``, the account media id of each mediaId sent
(or, with ``config.attachment_content_id`` ``"media"``, the mediaId itself). The store holds every
message; each new one also updates its chat in ``chats`` (last message, activity, unread count),
atomically under the world's lock.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

from airflow_provider_apifansly.sandbox.envelope import ApiError, Reply, invalid, nested, ok
from airflow_provider_apifansly.sandbox.paging import decode_cursor, encode_cursor
from airflow_provider_apifansly.sandbox.resources import Resource, Sandbox
from airflow_provider_apifansly.sandbox.resources.chats import ChatStore
from airflow_provider_apifansly.sandbox.resources.media import MediaStore
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import is_digits, json_object, limit, parameters
from airflow_provider_apifansly.sandbox.world import Store, World

MESSAGES_PARAMETERS = ("limit", "cursor")
MAX_MESSAGES_LIMIT = 10
# The body fields Send Message documents; anything else is refused.
SEND_FIELDS = (
    "content",
    "mediaIds",
    "access_type",
    "price",
    "subscriptionTierId",
    "subscriptionTierName",
    "listId",
    "listLabel",
    "validBefore",
    "validAfter",
    "permissions",
)
ACCESS_TYPES = ("ppv", "subscription", "follow", "list", "limited_time")
MAX_PRICE = 500


@dataclass
class MessageSwitches:
    """How Chat Messages and Send Message answer where the contract is silent."""

    messages_order: Literal["newest", "oldest"] = switch(
        "newest",
        "the order within a page of Chat Messages (undocumented); paging always goes from the newest "
        "messages to older ones",
    )
    attachment_content_id: Literal["account_media", "media"] = switch(
        "account_media",
        "the contentId a sent message's attachment carries: the account media id of its mediaId (the "
        "contract: the purchase reference), or the mediaId itself",
    )


@dataclass(frozen=True)
class MessageRecord:
    """A message in a group chat: sent through the API, or seeded by ``FanslySandbox.seed_message``.

    :param message: the message as Chat Messages returns it.
    :param body: the Send Message body the API accepted (None for a seeded message).
    """

    account_id: str
    group_id: str
    message: dict[str, Any]
    body: dict[str, Any] | None = None
    seeded: bool = False


def message_order(message: dict[str, Any]) -> tuple[int, int]:
    """Messages sort by ``createdAt`` (seconds), then by id, which grows with each message."""
    return message["createdAt"], int(message["id"])


class MessageStore(Store):
    """Every message of every chat, in the order they came."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._records: list[MessageRecord] = []
        self._by_chat: dict[str, list[dict[str, Any]]] = {}

    def add(
        self,
        account_id: str,
        group_id: str,
        content: str,
        *,
        sender_id: str | None = None,
        created_at: int | None = None,
        attachments: list[dict[str, Any]] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Add a message to the account's chat and return it; None when the account has no such chat.

        A message with a ``body`` was sent through the API and counts in ``messages_sent``; one
        without was seeded. ``sender_id`` defaults to the creator.
        """
        chats = self.world.store(ChatStore)
        with self.world.lock:
            record = chats.chat(group_id)
            if record is None or record.account_id != account_id:
                return None
            message = {
                "id": self.world.next_id(),
                "type": 1,
                "content": content,
                "groupId": group_id,
                "senderId": sender_id or record.group["createdBy"],
                "createdAt": int(time.time()) if created_at is None else created_at,
                "attachments": list(attachments or []),
                "interactions": [],
            }
            messages = self._by_chat.setdefault(group_id, [])
            newest = all(message_order(message) > message_order(older) for older in messages)
            messages.append(message)
            chats.note_message(group_id, message, newest=newest)
            self._records.append(
                MessageRecord(account_id, group_id, message, copy.deepcopy(body), seeded=body is None)
            )
            if body is not None:
                self.world.count("messages_sent")
            return copy.deepcopy(message)

    def of_chat(self, account_id: str, group_id: str) -> list[dict[str, Any]] | None:
        """The account's chat's messages, newest first; None when the account has no such chat."""
        with self.world.lock:
            record = self.world.store(ChatStore).chat(group_id)
            if record is None or record.account_id != account_id:
                return None
            messages = self._by_chat.get(group_id, [])
            return copy.deepcopy(sorted(messages, key=message_order, reverse=True))

    def records(self) -> list[MessageRecord]:
        """A copy of every message record, in the order they came."""
        with self.world.lock:
            return [
                replace(record, message=copy.deepcopy(record.message), body=copy.deepcopy(record.body))
                for record in self._records
            ]


def seed_message(
    sandbox: Sandbox,
    chat_id: str,
    content: str,
    *,
    sender_id: str | None = None,
    created_at: int | None = None,
) -> dict[str, Any]:
    """Add a message to a chat as if it had been sent there, and return it as Chat Messages shows it.

    Use it for what the fan wrote (``sender_id`` the fan's id), or what the creator sent by
    hand. A fan's message is unread (``unreadCount``) until the creator's next one. Seeding
    sends no request: it is neither journaled nor counted in ``messages_sent``. A bad value
    raises ``ValueError``.

    :param chat_id: the chat (group) id, created through the API or seeded.
    :param sender_id: one of the chat's two users (default: the creator).
    :param created_at: epoch seconds (default: now); messages sort on it, then on their id.
    """
    record = sandbox.store(ChatStore).chat(chat_id)
    if record is None:
        raise ValueError(f"The sandbox has no chat {chat_id!r}")
    if sender_id is not None and sender_id not in record.user_ids:
        users = " and ".join(sorted(record.user_ids))
        raise ValueError(f"Sender {sender_id!r} is not in chat {chat_id} (its users are {users})")
    if not isinstance(content, str):
        raise ValueError(f"content must be a string; got {content!r}")
    if created_at is not None and (type(created_at) is not int or created_at < 0):
        raise ValueError(f"created_at must be whole epoch seconds; got {created_at!r}")
    message = sandbox.store(MessageStore).add(
        record.account_id, chat_id, content, sender_id=sender_id, created_at=created_at
    )
    assert message is not None  # the chat exists and chats are never removed
    return message


def messages(sandbox: Sandbox) -> list[MessageRecord]:
    """A snapshot of every message, sent through the API or seeded, in the order they came."""
    return sandbox.store(MessageStore).records()


def list_messages(call: Call) -> Reply:
    """Chat Messages: the newest first, ``cursor`` reaching older ones (null at the end)."""
    account = call.account()
    chat_id = call.path["chat_id"]
    found = parameters(call.request.query, MESSAGES_PARAMETERS, "Chat Messages")
    size = limit(found, MAX_MESSAGES_LIMIT, MAX_MESSAGES_LIMIT)
    messages = call.world.store(MessageStore).of_chat(account.account_id, chat_id)
    if messages is None:
        raise ApiError(404, f"Chat not found: {chat_id}")
    start = 0
    if cursor := found.get("cursor"):
        before = decode_cursor("messages", cursor)
        ids = [message["id"] for message in messages]
        if before not in ids:
            raise invalid(f"unknown cursor {cursor!r}")
        start = ids.index(before) + 1
    page = messages[start : start + size]
    more = start + len(page) < len(messages)
    next_cursor = encode_cursor("messages", page[-1]["id"]) if more else None
    if call.switches(MessageSwitches).messages_order == "oldest":
        page.reverse()  # paging still walks from the newest messages to older ones
    return ok(nested({"messages": page, "cursor": next_cursor}))


def send_message(call: Call) -> Reply:
    """Send Message: validate the body as documented, add the message, answer it with 201."""
    account = call.account()
    chat_id = call.path["chat_id"]
    body = _send_body(json_object(call.request))
    media_ids = _media_ids(body.get("mediaIds"))
    # The account media id is the purchase reference, as the contract says.
    if call.switches(MessageSwitches).attachment_content_id == "account_media":
        media_ids = [call.world.store(MediaStore).account_media_id(media_id) for media_id in media_ids]
    attachments = [
        {"contentId": content_id, "contentType": 1, "pos": position}
        for position, content_id in enumerate(media_ids)
    ]
    message = call.world.store(MessageStore).add(
        account.account_id, chat_id, body["content"], attachments=attachments, body=body
    )
    if message is None:
        raise ApiError(404, f"Chat not found: {chat_id}")
    return Reply(201, "Success", nested(message))


RESOURCE = Resource(
    routes=(
        Route("GET", "{account_id}/chats/{chat_id}/messages", list_messages),
        Route("POST", "{account_id}/chats/{chat_id}/messages", send_message),
    ),
    switches=MessageSwitches,
    methods=(seed_message,),
    properties=(messages,),
)


def _send_body(body: dict[str, Any]) -> dict[str, Any]:
    """Validate a Send Message body as the API documents it; return it as accepted.

    Optional fields may be null, which counts as absent (as the API's validators treat it).
    """
    unknown = [name for name in body if name not in SEND_FIELDS]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise invalid(f"unknown field {names} (Send Message takes {', '.join(SEND_FIELDS)})")
    check_content_and_media(body)
    for name in ("subscriptionTierId", "subscriptionTierName", "listId", "listLabel"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise invalid(f"{name} must be a string")
    for name in ("validBefore", "validAfter"):
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise invalid(f"{name} must be a whole number")
    permissions = body.get("permissions")
    if permissions is not None and (
        not isinstance(permissions, list) or not all(isinstance(rule, dict) for rule in permissions)
    ):
        raise invalid("permissions must be a list of objects")
    return body


def check_content_and_media(body: dict[str, Any]) -> None:
    """Check ``content``, ``mediaIds``, ``access_type`` and ``price``, as Send Message and Send Mass Message do."""
    content = body.get("content")
    if not isinstance(content, str) or not content.strip():
        raise invalid("content must be a non-empty string")
    media = _media_ids(body.get("mediaIds"))
    access_type = body.get("access_type")
    if access_type is not None:
        if not isinstance(access_type, list):
            raise invalid(f"access_type must be a list of {', '.join(ACCESS_TYPES)}")
        for index, value in enumerate(access_type):
            if value not in ACCESS_TYPES:
                raise invalid(f"access_type[{index}] must be one of {', '.join(ACCESS_TYPES)}; got {value!r}")
    price = body.get("price")
    if price is not None:
        if isinstance(price, bool) or not isinstance(price, int | float) or not 1 <= price <= MAX_PRICE:
            raise invalid(f"price must be a number of dollars from 1 to {MAX_PRICE}; got {price!r}")
        if "ppv" not in (access_type or []) or not media:
            raise invalid("price is only allowed with access_type ppv and attached mediaIds")


def _media_ids(media_ids: Any) -> list[str]:
    """The media ids of ``mediaIds``: strings of digits, or objects ``{mediaId, previewId}``."""
    if media_ids is None:
        return []
    if not isinstance(media_ids, list):
        raise invalid("mediaIds must be a list")
    found = []
    for index, item in enumerate(media_ids):
        if isinstance(item, dict):
            preview_id = item.get("previewId")
            if (
                set(item) - {"mediaId", "previewId"}
                or not is_digits(item.get("mediaId"))
                or (preview_id is not None and not is_digits(preview_id))
            ):
                reason = "an object of mediaId and previewId (or null), ids of digits"
                raise invalid(f"mediaIds[{index}] must be {reason}")
            found.append(item["mediaId"])
        elif is_digits(item):
            found.append(item)
        else:
            raise invalid(f"mediaIds[{index}] must be a media id (a string of digits) or an object")
    return found
