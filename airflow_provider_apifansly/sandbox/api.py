"""The apifansly routes the sandbox answers: their validation, their payloads and the envelope.

This module knows nothing of sockets, rate limits or faults: it turns one
authenticated request into one reply, as the real API would. Under ``/api/fansly/``:

- ``GET accounts``: the key's connected accounts (not nested).
- ``GET {account_id}/me``: the creator's native profile.
- ``POST {account_id}/group``: find-or-create the 1-to-1 chat of two users.
- ``GET {account_id}/chats``: List Chats in its live shape, ``nextCursor`` beside the inner data.
- ``GET {account_id}/chats/{chat_id}/messages``: Chat Messages, newest first, ``limit`` 1 to 10.
- ``POST {account_id}/chats/{chat_id}/messages``: Send Message, 201.

Undocumented query parameters and body fields get a 400 naming them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs

from airflow_provider_apifansly.sandbox.config import Account, SandboxConfig
from airflow_provider_apifansly.sandbox.state import (
    CHAT_FILTERS,
    CHAT_SORTS,
    ChatFilter,
    ChatQuery,
    ChatSort,
    World,
    fan_display_name,
    utc_timestamp,
)
from airflow_provider_apifansly.sandbox.transport import HttpRequest

PREFIX = "/api/fansly/"
INVALID = "Invalid request parameters"
# The query parameters List Chats documents; anything else (e.g. ``limit``) is refused.
CHATS_PARAMETERS = ("cursor", "filter", "sort", "search", "subscriptionTierId")
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

# Built once: json.dumps with separators builds an encoder on every call, a cost on every response.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))
_NATIVE_ID = re.compile(r"[0-9]{1,20}", re.ASCII)


@dataclass(frozen=True)
class Request:
    """One request as the API reads it.

    :param key: the ``x-api-key`` header, or None.
    :param body: the parsed JSON body, the raw text when it is not JSON, or None when empty.
    :param malformed_json: the body was sent but is not JSON.
    """

    method: str
    path: str
    query: str
    key: str | None
    body: Any
    malformed_json: bool

    @classmethod
    def from_http(cls, request: HttpRequest) -> Request:
        """Read the key and decode the body: JSON when it parses, else its text, flagged as malformed."""
        body: Any = None
        malformed = False
        if request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                body, malformed = request.body.decode("utf-8", "replace"), True
        key = request.headers.get("x-api-key")
        return cls(request.method, request.path, request.query, key, body, malformed_json=malformed)


@dataclass(frozen=True)
class Reply:
    """What the API answers: an HTTP status and the envelope's message and data."""

    status: int
    message: str
    data: Any


class ApiError(Exception):
    """A request the API refuses, answered with this status and message and ``data: null``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def envelope(status: int, message: str, data: Any) -> bytes:
    """The response body every route returns: ``{statusCode, message, data, timestamp}``."""
    body = {"statusCode": status, "message": message, "data": data, "timestamp": utc_timestamp()}
    return _COMPACT_JSON.encode(body).encode()


def nested(response: Any) -> dict[str, Any]:
    """The second layer account-scoped routes wrap their payload in."""
    return {"status_code": 200, "data": {"success": True, "response": response}}


def route(config: SandboxConfig, world: World, request: Request, accounts: tuple[Account, ...]) -> Reply:
    """Answer an authenticated request (``accounts`` are those connected to its key)."""
    try:
        return _dispatch(config, world, request, accounts)
    except ApiError as error:
        return Reply(error.status, error.message, None)


def _dispatch(config: SandboxConfig, world: World, request: Request, accounts: tuple[Account, ...]) -> Reply:
    segments = request.path[len(PREFIX) :].strip("/").split("/") if request.path.startswith(PREFIX) else []
    match request.method, segments:
        case "GET", ["accounts"]:
            return _ok(_accounts(accounts))
        case "GET", [account_id, "me"]:
            account = _account(config, accounts, account_id)
            profile = {
                "id": account.creator_id,
                "username": account.username,
                "displayName": account.display_name,
            }
            return _ok(nested({"account": profile}))
        case "POST", [account_id, "group"]:
            account = _account(config, accounts, account_id)
            user_ids = _group_users(request, account.creator_id)
            group, created = world.find_or_create_group(
                account.account_id, account.creator_id, user_ids, find_existing=config.find_or_create
            )
            return Reply(config.create_status if created else 200, "Success", nested(group))
        case "GET", [account_id, "chats"]:
            account = _account(config, accounts, account_id)
            return _ok(_chats_page(config, world, account, request.query))
        case "GET", [account_id, "chats", chat_id, "messages"]:
            account = _account(config, accounts, account_id)
            return _ok(nested(_messages_page(config, world, account, chat_id, request.query)))
        case "POST", [account_id, "chats", chat_id, "messages"]:
            account = _account(config, accounts, account_id)
            body = _send_body(request)
            message = world.add_message(
                account.account_id, chat_id, body["content"], attachments=_attachments(body), body=body
            )
            if message is None:
                raise ApiError(404, f"Chat not found: {chat_id}")
            return Reply(201, "Success", nested(message))
    raise ApiError(404, f"Route not found: {request.method} {request.path}")


def _ok(data: Any) -> Reply:
    return Reply(200, "Success", data)


def _accounts(accounts: tuple[Account, ...]) -> dict[str, Any]:
    rows = [
        {
            "accountId": account.account_id,
            "name": account.display_name,
            "email": account.email,
            "country": account.country,
            "createdAt": account.created_at,
        }
        for account in accounts
    ]
    return {"success": True, "count": len(rows), "accounts": rows}


def _account(config: SandboxConfig, accounts: tuple[Account, ...], account_id: str) -> Account:
    """The key's account of that id; 403 when another key owns it, 404 when no key does."""
    for account in accounts:
        if account.account_id == account_id:
            return account
    if any(account.account_id == account_id for owned in config.keys.values() for account in owned):
        raise ApiError(403, f"API key cannot access account {account_id}")
    raise ApiError(404, "Account not found")


def _invalid(reason: str) -> ApiError:
    return ApiError(400, f"{INVALID}: {reason}")


def _json_object(request: Request) -> dict[str, Any]:
    if request.malformed_json:
        raise _invalid("the body is not valid JSON")
    if not isinstance(request.body, dict):
        raise _invalid("the body must be a JSON object")
    return request.body


def is_native_id(text: str) -> bool:
    """Whether ``text`` is shaped like a native Fansly id: 1 to 20 digits."""
    return _NATIVE_ID.fullmatch(text) is not None


def _is_int(value: Any, expected: int) -> bool:
    """Whether ``value`` is exactly this JSON integer (not a bool, not a float)."""
    return isinstance(value, int) and not isinstance(value, bool) and value == expected


def _group_users(request: Request, creator_id: str) -> tuple[str, str]:
    """Validate a Create Group Chat body as the API does; return the two native user ids."""
    body = _json_object(request)
    users = body.get("users")
    if not isinstance(users, list) or len(users) != 2:
        raise _invalid("users must be a list of exactly two users (the creator and the fan)")
    user_ids: list[str] = []
    for index, user in enumerate(users):
        if not isinstance(user, dict):
            raise _invalid(f"users[{index}] must be an object with userId and permissionFlags")
        user_id = user.get("userId")
        if not isinstance(user_id, str) or not is_native_id(user_id):
            raise _invalid(f"users[{index}].userId must be a string of 1 to 20 digits, got {user_id!r}")
        if not _is_int(user.get("permissionFlags"), 0):
            raise _invalid(f"users[{index}].permissionFlags must be 0")
        user_ids.append(user_id)
    if not _is_int(body.get("type", 1), 1):
        raise _invalid("type must be 1 (a direct message group)")
    if not isinstance(body.get("recipients", []), list):
        raise _invalid("recipients must be a list")
    for name in ("lastMessage", "userSettings"):
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise _invalid(f"{name} must be null or an object")
    first, second = user_ids
    if first == second:
        raise _invalid("the two users must differ")
    if creator_id not in user_ids:
        raise _invalid(f"users must include the account's own creator id {creator_id}")
    return first, second


def _parameters(query: str, allowed: tuple[str, ...], route: str) -> dict[str, str]:
    """The query's parameters (the last of a repeated one); an undocumented one is a 400 naming it."""
    parameters = parse_qs(query, keep_blank_values=True)
    unknown = [name for name in parameters if name not in allowed]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise _invalid(f"unknown query parameter {names} ({route} takes {', '.join(allowed)})")
    return {name: values[-1] for name, values in parameters.items()}


def _choice(parameters: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = parameters.get(name, choices[0])
    if value not in choices:
        raise _invalid(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def encode_cursor(kind: str, value: str) -> str:
    """An opaque cursor: clients must pass it back as they got it, never build or read one."""
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def _decode_cursor(kind: str, cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    found, colon, value = text.partition(":")
    if found != kind or not colon:
        raise _invalid(f"unknown cursor {cursor!r}")
    return value


def _chats_page(config: SandboxConfig, world: World, account: Account, query: str) -> dict[str, Any]:
    """One page of List Chats in its live shape: rows in ``response.data``, ``nextCursor`` beside ``data``."""
    parameters = _parameters(query, CHATS_PARAMETERS, "List Chats")
    chat_query = ChatQuery(
        filter=cast(ChatFilter, _choice(parameters, "filter", CHAT_FILTERS)),
        sort=cast(ChatSort, _choice(parameters, "sort", CHAT_SORTS)),
        search=parameters.get("search") or None,
        subscription_tier_id=parameters.get("subscriptionTierId") or None,
    )
    rows = world.chats(account.account_id, account.creator_id, chat_query)
    start = 0
    if cursor := parameters.get("cursor"):
        offset = _decode_cursor("chats", cursor)
        if not offset.isdigit() or not 0 < int(offset) <= len(rows):
            raise _invalid(f"unknown cursor {cursor!r}")
        start = int(offset)
    page = rows[start : start + config.chats_page_size]
    fans = {row["partnerAccountId"]: row["partnerUsername"] for row in page}
    accounts = [
        {
            "id": fan_id,
            "username": username,
            "displayName": fan_display_name(fan_id),
            "avatar": {"locations": []},
        }
        for fan_id, username in fans.items()
    ]
    data = nested({"data": page, "aggregationData": {"accounts": accounts}})
    end = start + len(page)
    if end < len(rows):
        data["nextCursor"] = encode_cursor("chats", str(end))
    elif config.last_page_cursor != "absent":
        data["nextCursor"] = None if config.last_page_cursor == "null" else ""
    return data


def _messages_page(
    config: SandboxConfig, world: World, account: Account, chat_id: str, query: str
) -> dict[str, Any]:
    """One page of Chat Messages: the newest first, ``cursor`` reaching older ones (null at the end)."""
    parameters = _parameters(query, MESSAGES_PARAMETERS, "Chat Messages")
    limit = parameters.get("limit", str(MAX_MESSAGES_LIMIT))
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_MESSAGES_LIMIT):
        raise _invalid(f"limit must be a whole number from 1 to {MAX_MESSAGES_LIMIT}; got {limit!r}")
    messages = world.chat_messages(account.account_id, chat_id)
    if messages is None:
        raise ApiError(404, f"Chat not found: {chat_id}")
    start = 0
    if cursor := parameters.get("cursor"):
        before = _decode_cursor("messages", cursor)
        ids = [message["id"] for message in messages]
        if before not in ids:
            raise _invalid(f"unknown cursor {cursor!r}")
        start = ids.index(before) + 1
    page = messages[start : start + int(limit)]
    more = start + len(page) < len(messages)
    next_cursor = encode_cursor("messages", page[-1]["id"]) if more else None
    if config.messages_order == "oldest":
        page.reverse()  # paging still walks from the newest messages to older ones
    return {"messages": page, "cursor": next_cursor}


def _send_body(request: Request) -> dict[str, Any]:
    """Validate a Send Message body as the API documents it; return it as accepted.

    Optional fields may be null, which counts as absent (as the API's validators treat it).
    """
    body = _json_object(request)
    unknown = [name for name in body if name not in SEND_FIELDS]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise _invalid(f"unknown field {names} (Send Message takes {', '.join(SEND_FIELDS)})")
    content = body.get("content")
    if not isinstance(content, str) or not content.strip():
        raise _invalid("content must be a non-empty string")
    media = _media_ids(body.get("mediaIds"))
    access_type = body.get("access_type")
    if access_type is not None:
        if not isinstance(access_type, list):
            raise _invalid(f"access_type must be a list of {', '.join(ACCESS_TYPES)}")
        for index, value in enumerate(access_type):
            if value not in ACCESS_TYPES:
                raise _invalid(
                    f"access_type[{index}] must be one of {', '.join(ACCESS_TYPES)}; got {value!r}"
                )
    price = body.get("price")
    if price is not None:
        if isinstance(price, bool) or not isinstance(price, int | float) or not 1 <= price <= MAX_PRICE:
            raise _invalid(f"price must be a number of dollars from 1 to {MAX_PRICE}; got {price!r}")
        if "ppv" not in (access_type or []) or not media:
            raise _invalid("price is only allowed with access_type ppv and attached mediaIds")
    for name in ("subscriptionTierId", "subscriptionTierName", "listId", "listLabel"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise _invalid(f"{name} must be a string")
    for name in ("validBefore", "validAfter"):
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _invalid(f"{name} must be a whole number")
    permissions = body.get("permissions")
    if permissions is not None and (
        not isinstance(permissions, list) or not all(isinstance(rule, dict) for rule in permissions)
    ):
        raise _invalid("permissions must be a list of objects")
    return body


def _media_ids(media_ids: Any) -> list[str]:
    """The media ids of ``mediaIds``: strings of digits, or objects ``{mediaId, previewId}``."""
    if media_ids is None:
        return []
    if not isinstance(media_ids, list):
        raise _invalid("mediaIds must be a list")
    found = []
    for index, item in enumerate(media_ids):
        if isinstance(item, dict):
            preview_id = item.get("previewId")
            if (
                set(item) - {"mediaId", "previewId"}
                or not _is_digits(item.get("mediaId"))
                or (preview_id is not None and not _is_digits(preview_id))
            ):
                reason = "an object of mediaId and previewId (or null), ids of digits"
                raise _invalid(f"mediaIds[{index}] must be {reason}")
            found.append(item["mediaId"])
        elif _is_digits(item):
            found.append(item)
        else:
            raise _invalid(f"mediaIds[{index}] must be a media id (a string of digits) or an object")
    return found


def _is_digits(value: Any) -> bool:
    return isinstance(value, str) and is_native_id(value)


def _attachments(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The message's attachments: each media id as a content of type 1 (media), in order."""
    return [
        {"contentId": media_id, "contentType": 1, "pos": position}
        for position, media_id in enumerate(_media_ids(body.get("mediaIds")))
    ]
