"""Chats: ``POST {account_id}/group`` (find-or-create a 1-to-1 chat) and ``GET {account_id}/chats``.

List Chats answers in its live shape: rows in ``response.data``, ``nextCursor``
beside the inner data. The store holds each chat's group and the state List
Chats shows (activity order, unread count); messages live in ``chat_messages``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal, cast, get_args

from airflow_provider_apifansly.sandbox.envelope import Reply, invalid, nested, ok, utc_timestamp
from airflow_provider_apifansly.sandbox.keys import Account
from airflow_provider_apifansly.sandbox.paging import beside_cursor, offset_page
from airflow_provider_apifansly.sandbox.profiles import fan_accounts, fan_username
from airflow_provider_apifansly.sandbox.resources import Resource, Sandbox
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import (
    check_fan_ids,
    choice,
    is_int,
    is_native_id,
    json_object,
    parameters,
)
from airflow_provider_apifansly.sandbox.world import Store, World

# The query parameters List Chats documents; anything else (e.g. ``limit``) is refused.
CHATS_PARAMETERS = ("cursor", "filter", "sort", "search", "subscriptionTierId")

Relation = Literal["subscribers", "followers"]
RELATIONS: tuple[str, ...] = get_args(Relation)
ChatFilter = Literal["all", "vips", "followers", "subscribers"]
CHAT_FILTERS: tuple[str, ...] = get_args(ChatFilter)
ChatSort = Literal["newest", "oldest", "unread"]
CHAT_SORTS: tuple[str, ...] = get_args(ChatSort)


@dataclass
class ChatSwitches:
    """How Create Group Chat and List Chats behave where the contract is silent."""

    create_status: Literal[200, 201] = switch(
        200, "status of a create that makes a new group; a found one is 200"
    )
    find_or_create: bool = switch(True, "a create for an existing pair returns that group (false: a new one)")
    chats_page_size: int = switch(
        20, "rows per page of List Chats (undocumented; a sibling API uses 20)", minimum=1
    )


@dataclass(frozen=True)
class GroupRecord:
    """A group chat the sandbox holds: the account it belongs to and its payload as the API returns it.

    :param relation: the fan's relation to the creator, which List Chats' ``filter`` selects on.
    :param vip: the creator marked the fan a VIP (``filter=vips``).
    :param subscription_tier_id: the fan's subscription tier (``subscriptionTierId``), if any.
    :param listed: List Chats returns it (False: it exists, e.g. opened by an automated message,
        and ``/group`` finds it, but the inbox list never shows it).
    :param seeded: put there by ``FanslySandbox.seed_chats``, not created through the API.
    """

    account_id: str
    group_id: str
    user_ids: frozenset[str]
    partner_id: str
    created_at: str
    group: dict[str, Any]
    relation: Relation = "subscribers"
    vip: bool = False
    subscription_tier_id: str | None = None
    listed: bool = True
    seeded: bool = False


@dataclass
class _Chat:
    """A chat's changing state beside its record: List Chats sorts ``newest`` on ``activity``."""

    record: GroupRecord
    activity: int
    last_message_id: str | None = None
    unread_count: int = 0
    last_unread_message_id: str | None = None


@dataclass(frozen=True)
class ChatQuery:
    """Which chats List Chats returns, and in what order (its query parameters, validated)."""

    filter: ChatFilter = "all"
    sort: ChatSort = "newest"
    search: str | None = None
    subscription_tier_id: str | None = None

    def selects(self, record: GroupRecord) -> bool:
        """Whether the chat passes the filter, search and tier."""
        if self.filter == "vips" and not record.vip:
            return False
        if self.filter in ("followers", "subscribers") and record.relation != self.filter:
            return False
        if self.search and self.search.casefold() not in fan_username(record.partner_id).casefold():
            return False
        return not self.subscription_tier_id or record.subscription_tier_id == self.subscription_tier_id


class ChatStore(Store):
    """Every account's chats, found by group id or by their pair of users."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._chats: dict[str, _Chat] = {}
        self._activity = itertools.count(1)
        self._group_by_pair: dict[tuple[str, frozenset[str]], str] = {}

    def find_or_create_group(
        self, account_id: str, creator_id: str, user_ids: tuple[str, str], *, find_existing: bool
    ) -> tuple[dict[str, Any], bool]:
        """Return (a copy of) the pair's group and whether it was created by this call."""
        pair = (account_id, frozenset(user_ids))
        with self.world.lock:
            existing = self._group_by_pair.get(pair)
            if find_existing and existing is not None:
                return dict(self._chats[existing].record.group), False
            group_id = self.world.next_id()
            group = _group_payload(group_id, creator_id, user_ids)
            partner_id = next(user_id for user_id in user_ids if user_id != creator_id)
            record = GroupRecord(account_id, group_id, pair[1], partner_id, utc_timestamp(), group)
            self._chats[group_id] = _Chat(record, next(self._activity))
            self._group_by_pair.setdefault(pair, group_id)
            self.world.count("groups_created")
            # A shallow copy is enough: stored groups only ever get lastMessage reassigned.
            return dict(group), True

    def seed(
        self,
        account: Account,
        fans: list[str],
        *,
        listed: bool,
        relation: Relation,
        vip: bool,
        subscription_tier_id: str | None,
    ) -> dict[str, str]:
        """Put chats in place as if they already existed: fan id -> group id, the pair's own if it has one."""
        seeded: dict[str, str] = {}
        with self.world.lock:
            for fan_id in fans:
                pair = (account.account_id, frozenset((account.creator_id, fan_id)))
                existing = self._group_by_pair.get(pair)
                if existing is not None:
                    seeded[fan_id] = existing
                    continue
                group_id = self.world.next_id()
                group = _group_payload(group_id, account.creator_id, (account.creator_id, fan_id))
                record = GroupRecord(
                    account.account_id,
                    group_id,
                    pair[1],
                    fan_id,
                    utc_timestamp(),
                    group,
                    relation=relation,
                    vip=vip,
                    subscription_tier_id=subscription_tier_id,
                    listed=listed,
                    seeded=True,
                )
                self._chats[group_id] = _Chat(record, next(self._activity))
                self._group_by_pair[pair] = seeded[fan_id] = group_id
        return seeded

    def rows(self, account_id: str, creator_id: str, query: ChatQuery) -> list[dict[str, Any]]:
        """The account's chats that ``query`` selects, as List Chats rows in its order."""
        with self.world.lock:
            chats = [
                chat
                for chat in self._chats.values()
                if chat.record.account_id == account_id and chat.record.listed and query.selects(chat.record)
            ]
            # newest: the chat with the latest message (or, without one, latest created) first.
            chats.sort(key=lambda chat: chat.activity, reverse=query.sort != "oldest")
            if query.sort == "unread":
                chats.sort(key=lambda chat: chat.unread_count == 0)  # stable: newest within each part
            return [_chat_row(chat, creator_id) for chat in chats]

    def chat(self, group_id: str) -> GroupRecord | None:
        """The record of a chat of any account, or None."""
        with self.world.lock:
            chat = self._chats.get(group_id)
            return None if chat is None else chat.record

    def note_message(self, group_id: str, message: dict[str, Any], *, newest: bool) -> None:
        """Update the chat for a new message: its last message and activity, and its unread count."""
        with self.world.lock:
            chat = self._chats[group_id]
            if newest:
                chat.last_message_id = message["id"]
                chat.record.group["lastMessage"] = message
                chat.activity = next(self._activity)
            if message["senderId"] == chat.record.group["createdBy"]:
                chat.unread_count, chat.last_unread_message_id = 0, None
            else:
                chat.unread_count += 1
                chat.last_unread_message_id = message["id"]

    def groups(self) -> list[GroupRecord]:
        """A copy of every group, oldest first."""
        with self.world.lock:
            return [
                replace(chat.record, group=copy.deepcopy(chat.record.group)) for chat in self._chats.values()
            ]


def seed_chats(
    sandbox: Sandbox,
    fan_ids: Iterable[str],
    *,
    account_id: str | None = None,
    listed: bool = True,
    relation: Relation = "subscribers",
    vip: bool = False,
    subscription_tier_id: str | None = None,
) -> dict[str, str]:
    """Give the account chats that exist before the test starts; return fan id -> group id.

    They behave as existing chats: ``POST /group`` for the pair finds them (200, no new
    group) and List Chats returns them, unless ``listed`` is False (Fansly's automated
    messages open chats that the inbox list never shows). Seeding sends no request: it is
    neither journaled nor counted. A fan who already has a chat keeps it. A bad value raises
    ``ValueError``.

    :param fan_ids: the fans' native ids (strings of 1 to 20 digits).
    :param account_id: the connected account (default: the first key's first account).
    :param relation: ``"subscribers"`` or ``"followers"``, which List Chats' ``filter`` selects.
    :param vip: List Chats' ``filter=vips`` selects these chats.
    :param subscription_tier_id: the rows' ``subscriptionTierId``, which its filter of that name matches.
    """
    account = sandbox.account(account_id)
    fans = check_fan_ids(fan_ids, account.creator_id)
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {', '.join(RELATIONS)}; got {relation!r}")
    return sandbox.store(ChatStore).seed(
        account, fans, listed=listed, relation=relation, vip=vip, subscription_tier_id=subscription_tier_id
    )


def groups(sandbox: Sandbox) -> list[GroupRecord]:
    """A snapshot of every group, created through the API or seeded, oldest first."""
    return sandbox.store(ChatStore).groups()


def create_group(call: Call) -> Reply:
    """Create Group Chat: find-or-create the pair's group; a new one answers ``create_status``."""
    account = call.account()
    switches = call.switches(ChatSwitches)
    user_ids = _group_users(json_object(call.request), account.creator_id)
    group, created = call.world.store(ChatStore).find_or_create_group(
        account.account_id, account.creator_id, user_ids, find_existing=switches.find_or_create
    )
    return Reply(switches.create_status if created else 200, "Success", nested(group))


def list_chats(call: Call) -> Reply:
    """List Chats: one page of rows in ``response.data``, their fans in ``aggregationData``."""
    account = call.account()
    found = parameters(call.request.query, CHATS_PARAMETERS, "List Chats")
    query = ChatQuery(
        filter=cast(ChatFilter, choice(found, "filter", CHAT_FILTERS)),
        sort=cast(ChatSort, choice(found, "sort", CHAT_SORTS)),
        search=found.get("search") or None,
        subscription_tier_id=found.get("subscriptionTierId") or None,
    )
    rows = call.world.store(ChatStore).rows(account.account_id, account.creator_id, query)
    size = call.switches(ChatSwitches).chats_page_size
    page, next_cursor = offset_page(rows, found.get("cursor"), "chats", size)
    accounts = fan_accounts([row["partnerAccountId"] for row in page])
    return ok(
        beside_cursor(call.config, {"data": page, "aggregationData": {"accounts": accounts}}, next_cursor)
    )


RESOURCE = Resource(
    routes=(
        Route("POST", "{account_id}/group", create_group),
        Route("GET", "{account_id}/chats", list_chats),
    ),
    switches=ChatSwitches,
    methods=(seed_chats,),
    properties=(groups,),
)


def _group_users(body: dict[str, Any], creator_id: str) -> tuple[str, str]:
    """Validate a Create Group Chat body as the API does; return the two native user ids."""
    users = body.get("users")
    if not isinstance(users, list) or len(users) != 2:
        raise invalid("users must be a list of exactly two users (the creator and the fan)")
    user_ids: list[str] = []
    for index, user in enumerate(users):
        if not isinstance(user, dict):
            raise invalid(f"users[{index}] must be an object with userId and permissionFlags")
        user_id = user.get("userId")
        if not isinstance(user_id, str) or not is_native_id(user_id):
            raise invalid(f"users[{index}].userId must be a string of 1 to 20 digits, got {user_id!r}")
        if not is_int(user.get("permissionFlags"), 0):
            raise invalid(f"users[{index}].permissionFlags must be 0")
        user_ids.append(user_id)
    if not is_int(body.get("type", 1), 1):
        raise invalid("type must be 1 (a direct message group)")
    if not isinstance(body.get("recipients", []), list):
        raise invalid("recipients must be a list")
    for name in ("lastMessage", "userSettings"):
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise invalid(f"{name} must be null or an object")
    first, second = user_ids
    if first == second:
        raise invalid("the two users must differ")
    if creator_id not in user_ids:
        raise invalid(f"users must include the account's own creator id {creator_id}")
    return first, second


def _group_payload(group_id: str, creator_id: str, user_ids: tuple[str, str]) -> dict[str, Any]:
    """A new 1-to-1 group exactly as Fansly describes it."""
    return {
        "id": group_id,
        "type": 1,
        "createdBy": creator_id,
        "users": [
            {"userId": user_id, "permissionFlags": 65535, "userSettings": None, "groupId": group_id}
            for user_id in user_ids
        ],
        "recipients": [],
        "lastMessage": None,
        "userSettings": None,
        "permissionFlags": 0,
        "hasDmPermissionFlags": False,
        "dmPermissionFlags": 0,
        "accountDmPermissionFlags": 0,
        "groupFlagsMetadata": "{}",
    }


def _chat_row(chat: _Chat, creator_id: str) -> dict[str, Any]:
    """A List Chats row as the live API sends it (``account_id`` is the creator's native id)."""
    record = chat.record
    return {
        "account_id": creator_id,
        "groupId": record.group_id,
        "partnerAccountId": record.partner_id,
        "partnerUsername": fan_username(record.partner_id),
        "flags": 0,
        "unreadCount": chat.unread_count,
        "subscriptionTierId": record.subscription_tier_id,
        "lastMessageId": chat.last_message_id,
        "lastUnreadMessageId": chat.last_unread_message_id,
    }
