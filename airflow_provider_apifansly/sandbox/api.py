"""The apifansly routes the sandbox answers: their validation, their payloads and the envelope.

This module knows nothing of sockets, rate limits or faults: it turns one
authenticated request into one reply, as the real API would.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from airflow_provider_apifansly.sandbox.config import Account, SandboxConfig
from airflow_provider_apifansly.sandbox.state import World, utc_timestamp

PREFIX = "/api/fansly/"
INVALID = "Invalid request parameters"
DEFAULT_CHATS_LIMIT = 25
MAX_CHATS_LIMIT = 100

_NATIVE_ID = re.compile(r"[0-9]{1,20}", re.ASCII)


@dataclass(frozen=True)
class Request:
    """One request as read off the wire.

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
    return json.dumps(body, separators=(",", ":")).encode()


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
            return _ok(nested(_chats_page(world.chats(account.account_id), request.query)))
        case "POST", [account_id, "chats", chat_id, "messages"]:
            account = _account(config, accounts, account_id)
            message = world.add_message(account.account_id, chat_id, _content(request))
            if message is None:
                raise ApiError(404, f"Chat not found: {chat_id}")
            return _ok(nested(message))
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
        if not isinstance(user_id, str) or not _NATIVE_ID.fullmatch(user_id):
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


def _chats_page(rows: list[dict[str, Any]], query: str) -> dict[str, Any]:
    """One page of chats after ``cursor`` (the last groupId of the previous page)."""
    params = parse_qs(query)
    try:
        limit = int(params.get("limit", [str(DEFAULT_CHATS_LIMIT)])[-1])
    except ValueError:
        raise _invalid("limit must be a whole number") from None
    if limit < 1:
        raise _invalid("limit must be at least 1")
    limit = min(limit, MAX_CHATS_LIMIT)
    start = 0
    cursor = params.get("cursor", [""])[-1]
    if cursor:
        positions = [index for index, row in enumerate(rows) if row["groupId"] == cursor]
        if not positions:
            raise _invalid(f"unknown cursor {cursor!r}")
        start = positions[0] + 1
    page = rows[start : start + limit]
    more = start + limit < len(rows)
    return {"chats": page, "cursor": page[-1]["groupId"] if more else None}


def _content(request: Request) -> str:
    content = _json_object(request).get("content")
    if not isinstance(content, str) or not content.strip():
        raise _invalid("content must be a non-empty string")
    return content
