"""The sandbox's world, shared by all handler threads behind one lock.

It holds groups (find-or-create on the pair of users; created through the API
or seeded), their messages and unread counts, the per-key sliding rate windows
and credit use, fault counters, the journal and counters.
Snapshots handed to tests are copies, so they never change under a reader.
"""

from __future__ import annotations

import copy
import itertools
import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal, get_args

from airflow_provider_apifansly.sandbox.config import Fault

# Group and message ids: 18-digit snowflake-like strings, increasing and unique per sandbox.
_FIRST_ID = 800_000_000_000_000_001


def utc_timestamp() -> str:
    """Now as the API writes it: ISO-8601 with milliseconds and a ``Z``."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class JournalEntry:
    """One request as the sandbox saw it; the API key appears only as a fingerprint.

    :param status: the HTTP status sent, or None when the connection was dropped.
    :param started: ``time.monotonic()`` when the request was read.
    :param body: the request body: parsed JSON, else the raw text, else None.
    :param key: ``key:<8 hex digits of its SHA-256>``, or None when no key was sent.
    :param fault: the kind of fault injected into this request, if any.
    """

    method: str
    path: str
    status: int | None
    started: float
    duration_s: float
    body: Any
    key: str | None
    fault: str | None


@dataclass
class Counters:
    """Running totals since start or the last reset."""

    requests: int = 0
    rate_limited: int = 0
    groups_created: int = 0
    messages_sent: int = 0
    faults_injected: int = 0


Relation = Literal["subscribers", "followers"]
RELATIONS: tuple[str, ...] = get_args(Relation)
ChatFilter = Literal["all", "vips", "followers", "subscribers"]
CHAT_FILTERS: tuple[str, ...] = get_args(ChatFilter)
ChatSort = Literal["newest", "oldest", "unread"]
CHAT_SORTS: tuple[str, ...] = get_args(ChatSort)


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


@dataclass(frozen=True)
class Admission:
    """The rate-limit and credit verdict on one request of a known key.

    :param remaining: requests left in the window after this one (None: unlimited plan).
    :param retry_after: whole seconds until the oldest request leaves the window (429 only).
    """

    verdict: Literal["accepted", "rate_limited", "no_credits"]
    remaining: int | None
    retry_after: int | None = None


@dataclass
class _Window:
    """One key's accepted requests (monotonic times) within the window, and its credits spent."""

    stamps: deque[float] = field(default_factory=deque)
    credits_spent: int = 0


@dataclass
class _Chat:
    """A chat's changing state beside its record: List Chats sorts ``newest`` on ``activity``."""

    record: GroupRecord
    activity: int
    messages: list[dict[str, Any]] = field(default_factory=list)
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
        if self.filter == "vips" and not record.vip:
            return False
        if self.filter in ("followers", "subscribers") and record.relation != self.filter:
            return False
        if self.search and self.search.casefold() not in fan_username(record.partner_id).casefold():
            return False
        return not self.subscription_tier_id or record.subscription_tier_id == self.subscription_tier_id


def fan_username(fan_id: str) -> str:
    """The username the sandbox gives a fan (Fansly would return the fan's own)."""
    return f"fan_{fan_id}"


def fan_display_name(fan_id: str) -> str:
    return f"Fan {fan_id[-4:]}"


class World:
    """Everything the sandbox remembers; every method is atomic under one lock."""

    def __init__(self, *, seed: int, journal_size: int) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(_FIRST_ID)
        self._clear(seed=seed, journal_size=journal_size)

    def _clear(self, *, seed: int, journal_size: int) -> None:
        self._chats: dict[str, _Chat] = {}
        self._activity = itertools.count(1)
        self._group_by_pair: dict[tuple[str, frozenset[str]], str] = {}
        self._messages: list[MessageRecord] = []
        self._windows: dict[str, _Window] = {}
        self._journal: deque[JournalEntry] = deque(maxlen=journal_size)
        self._counters = Counters()
        self._jitter_rng = random.Random(seed)
        self._fault_counts: dict[Fault, int] = {}
        self._fault_rng = random.Random(seed)

    def reset(self, *, seed: int, journal_size: int) -> None:
        """Forget everything but the id sequence, so ids stay unique for the sandbox's life."""
        with self._lock:
            self._clear(seed=seed, journal_size=journal_size)

    def restart_faults(self, seed: int) -> None:
        """Restart every fault's ``first_n`` count and re-seed the RNG behind probabilities."""
        with self._lock:
            self._fault_counts = {}
            self._fault_rng = random.Random(seed)

    # -- rate limits, credits, faults, latency ---------------------------------------------------

    def admit(
        self, key: str, now: float, *, rpm: int | None, window_seconds: float, credits: int | None
    ) -> Admission:
        """Count a request in the key's sliding window and credits, unless it must be refused."""
        with self._lock:
            window = self._windows.setdefault(key, _Window())
            stamps = window.stamps
            if rpm is not None:
                while stamps and stamps[0] <= now - window_seconds:
                    stamps.popleft()
                if len(stamps) >= rpm:
                    wait = stamps[0] + window_seconds - now if stamps else window_seconds
                    return Admission("rate_limited", 0, max(1, math.ceil(wait)))
            if credits is not None and window.credits_spent >= credits:
                return Admission("no_credits", None if rpm is None else max(0, rpm - len(stamps)))
            if rpm is not None:
                stamps.append(now)
            window.credits_spent += 1
            return Admission("accepted", None if rpm is None else max(0, rpm - len(stamps)))

    def refund(self, key: str) -> None:
        """Take back the last admitted request of a key (a 429 fault must not count)."""
        with self._lock:
            window = self._windows[key]
            if window.stamps:
                window.stamps.pop()
            window.credits_spent -= 1

    def pick_fault(self, faults: list[Fault], method: str, path: str) -> Fault | None:
        """The first fault that acts on this request; each fault counts only the requests it sees."""
        with self._lock:
            for fault in faults:
                if fault.method is not None and fault.method.upper() != method:
                    continue
                if fault.path_contains is not None and fault.path_contains not in path:
                    continue
                seen = self._fault_counts.get(fault, 0) + 1
                self._fault_counts[fault] = seen
                if fault.first_n is not None and seen > fault.first_n:
                    continue
                if fault.probability < 1.0 and self._fault_rng.random() >= fault.probability:
                    continue
                return fault
            return None

    def jitter(self, upper: float) -> float:
        """A uniform draw in [0, upper] from the seeded RNG."""
        if upper <= 0:
            return 0.0
        with self._lock:
            return self._jitter_rng.uniform(0.0, upper)

    # -- groups and messages ---------------------------------------------------------------------

    def find_or_create_group(
        self, account_id: str, creator_id: str, user_ids: tuple[str, str], *, find_existing: bool
    ) -> tuple[dict[str, Any], bool]:
        """Return (a copy of) the pair's group and whether it was created by this call."""
        pair = (account_id, frozenset(user_ids))
        with self._lock:
            existing = self._group_by_pair.get(pair)
            if find_existing and existing is not None:
                return dict(self._chats[existing].record.group), False
            group_id = str(next(self._ids))
            group = _group_payload(group_id, creator_id, user_ids)
            partner_id = next(user_id for user_id in user_ids if user_id != creator_id)
            record = GroupRecord(account_id, group_id, pair[1], partner_id, utc_timestamp(), group)
            self._chats[group_id] = _Chat(record, next(self._activity))
            self._group_by_pair.setdefault(pair, group_id)
            self._counters.groups_created += 1
            # A shallow copy is enough: stored groups only ever get lastMessage reassigned.
            return dict(group), True

    def seed_chats(
        self,
        account_id: str,
        creator_id: str,
        fan_ids: list[str],
        *,
        listed: bool,
        relation: Relation,
        vip: bool,
        subscription_tier_id: str | None,
    ) -> dict[str, str]:
        """Put chats in place as if they already existed: fan id -> group id, the pair's own if it has one.

        Nothing is counted or journaled: no request made them.
        """
        seeded: dict[str, str] = {}
        with self._lock:
            for fan_id in fan_ids:
                pair = (account_id, frozenset((creator_id, fan_id)))
                existing = self._group_by_pair.get(pair)
                if existing is not None:
                    seeded[fan_id] = existing
                    continue
                group_id = str(next(self._ids))
                group = _group_payload(group_id, creator_id, (creator_id, fan_id))
                record = GroupRecord(
                    account_id,
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

    def chats(self, account_id: str, creator_id: str, query: ChatQuery) -> list[dict[str, Any]]:
        """The account's chats that ``query`` selects, as List Chats rows in its order."""
        with self._lock:
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
        with self._lock:
            chat = self._chats.get(group_id)
            return None if chat is None else chat.record

    def add_message(
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
        without was seeded. ``sender_id`` defaults to the creator; a fan's message is unread until
        the creator's next one.
        """
        with self._lock:
            chat = self._chats.get(group_id)
            if chat is None or chat.record.account_id != account_id:
                return None
            creator_id = chat.record.group["createdBy"]
            message_id = str(next(self._ids))
            message = {
                "id": message_id,
                "type": 1,
                "content": content,
                "groupId": group_id,
                "senderId": sender_id or creator_id,
                "createdAt": int(time.time()) if created_at is None else created_at,
                "attachments": list(attachments or []),
                "interactions": [],
            }
            newest = chat.record.group["lastMessage"]
            chat.messages.append(message)
            if newest is None or message_order(message) > message_order(newest):
                chat.last_message_id = message_id
                chat.record.group["lastMessage"] = message
                chat.activity = next(self._activity)
            if message["senderId"] == creator_id:
                chat.unread_count, chat.last_unread_message_id = 0, None
            else:
                chat.unread_count += 1
                chat.last_unread_message_id = message_id
            self._messages.append(
                MessageRecord(account_id, group_id, message, copy.deepcopy(body), seeded=body is None)
            )
            if body is not None:
                self._counters.messages_sent += 1
            return copy.deepcopy(message)

    def chat_messages(self, account_id: str, group_id: str) -> list[dict[str, Any]] | None:
        """The account's chat's messages, newest first; None when the account has no such chat."""
        with self._lock:
            chat = self._chats.get(group_id)
            if chat is None or chat.record.account_id != account_id:
                return None
            return copy.deepcopy(sorted(chat.messages, key=message_order, reverse=True))

    # -- journal and snapshots -------------------------------------------------------------------

    def record(self, entry: JournalEntry) -> None:
        """Journal a request and count it."""
        with self._lock:
            self._journal.append(entry)
            self._counters.requests += 1
            if entry.status == 429:
                self._counters.rate_limited += 1
            if entry.fault is not None:
                self._counters.faults_injected += 1

    def journal(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._journal)

    def counters(self) -> Counters:
        with self._lock:
            return replace(self._counters)

    def groups(self) -> list[GroupRecord]:
        with self._lock:
            return [
                replace(chat.record, group=copy.deepcopy(chat.record.group)) for chat in self._chats.values()
            ]

    def messages(self) -> list[MessageRecord]:
        with self._lock:
            return [
                replace(record, message=copy.deepcopy(record.message), body=copy.deepcopy(record.body))
                for record in self._messages
            ]


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


def message_order(message: dict[str, Any]) -> tuple[int, int]:
    """Messages sort by ``createdAt`` (seconds), then by id, which grows with each message."""
    return message["createdAt"], int(message["id"])


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
