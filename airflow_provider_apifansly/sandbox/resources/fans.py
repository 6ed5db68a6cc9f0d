"""Fans: ``GET {account_id}/subscribers`` and ``GET {account_id}/followers``.

Both page by ``nextCursor`` beside the inner data, as List Chats does, with at
most ``config.fans_page_size`` rows a page whatever ``limit`` asks (Subscribers also
at most ``config.subscribers_page_cap``: a bigger ``limit`` is cut to it). The store
holds the subscriptions and follows that ``FanslySandbox.seed_subscribers`` and
``seed_followers`` put in place (the API offers no way to create them).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from airflow_provider_apifansly.sandbox.envelope import Reply, invalid, ok
from airflow_provider_apifansly.sandbox.paging import beside_cursor, offset_page
from airflow_provider_apifansly.sandbox.profiles import fan_accounts, fan_username
from airflow_provider_apifansly.sandbox.resources import Resource, Sandbox
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import check_fan_ids, is_digits, limit, parameters
from airflow_provider_apifansly.sandbox.world import Store, World

SUBSCRIBERS_PARAMETERS = ("status", "cursor", "limit", "subscriptionTierIds", "search")
FOLLOWERS_PARAMETERS = ("cursor", "limit")
# ``status`` as the docs give it, Fansly's codes (3 active, 4 expired, "3,4" both), or as words;
# ``config.subscriber_status`` says which the sandbox takes. Stored rows say 3 or 4.
STATUS_WORDS: dict[str, tuple[int, ...]] = {"active": (3,), "expired": (4,), "all": (3, 4)}
_QUERY_CODES = {"3": 3, "4": 4}
DEFAULT_LIMIT = 20  # the docs' examples ask for 20; a sibling API pages by 20
MAX_LIMIT = 100
SubscriptionStatus = Literal["active", "expired"]
SUBSCRIPTION_STATUSES: tuple[str, ...] = get_args(SubscriptionStatus)
_STATUS_CODE = {"active": 3, "expired": 4}
# A seeded subscription's tier when none is given, and its terms: $9.99 (in cents) for 30 days.
DEFAULT_TIER_ID = "710000000000000001"
DEFAULT_TIER_NAME = "Subscribers"
PRICE_CENTS = 999
BILLING_DAYS = 30
_DAY_MS = 86_400_000
# Epoch milliseconds have 13 digits from 2001 to 2286; fewer digits is most likely seconds.
_MIN_MS, _MAX_MS = 10**12, 10**13


@dataclass
class FanSwitches:
    """How Subscribers and Followers answer where the contract is silent."""

    fans_page_size: int = switch(
        100,
        "the most rows a page of Subscribers or Followers holds, whatever limit asks (limit itself "
        "defaults to 20 and takes 1 to 100): a knob for short pages in tests. Subscribers are also cut "
        "at subscribers_page_cap. The API may send fewer rows than asked, and only nextCursor says "
        "whether more exist",
        minimum=1,
    )
    subscribers_page_cap: Literal[50, 100] = switch(
        100,
        "the largest page of Subscribers the server serves; a bigger limit is cut to it and paging goes "
        "on by cursor. 100: native clients ask limit=100 (FanslySync) and another vendor's proxy of the "
        "same call takes 1 to 100; 50 plays a server that serves less than asked",
    )
    subscribers_order: Literal["newest", "oldest", "active_first"] = switch(
        "newest",
        "the order of Subscribers (undocumented): createdAt descending as Fansly's dashboard, ascending, "
        "or active subscriptions newest first, then expired ones newest first; equal createdAt go by id",
    )
    subscriber_status: Literal["codes", "words"] = switch(
        "codes",
        "how Subscribers takes status: Fansly's codes (3 active, 4 expired, '3,4' both, as the docs say) "
        "or words only (active, expired, all; codes get 400, as later pages say)",
    )
    expired_status_code: Literal[4, 5] = switch(
        4,
        "the status code an expired subscription's row carries: 4 (the docs', unverified) or 5 (a "
        "native client's); the query code 4 selects expired rows either way",
    )


@dataclass(frozen=True)
class SubscriptionRecord:
    """A subscription of a fan to the account, as Subscribers returns it in ``subscription``."""

    account_id: str
    subscription: dict[str, Any]


@dataclass(frozen=True)
class FollowerRecord:
    """A fan following the account, as Followers returns it in ``follower`` (``id``, ``followerId``)."""

    account_id: str
    follower: dict[str, Any]


class FanStore(Store):
    """Every account's subscriptions (a fan may hold several) and followers (each fan once)."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._subscriptions: list[SubscriptionRecord] = []
        self._followers: dict[tuple[str, str], FollowerRecord] = {}

    def add_subscriptions(
        self,
        account_id: str,
        fans: list[str],
        created_at: list[int],
        *,
        status: int,
        tier_id: str,
        tier_name: str,
        auto_renew: bool,
        ends_at: list[int | None],
    ) -> list[dict[str, Any]]:
        """Add one subscription per fan, created (and ending) at the matching times; return copies of the rows."""
        with self.world.lock:
            rows = [
                _subscription(self.world, fan_id, stamp, status, tier_id, tier_name, auto_renew, ends)
                for fan_id, stamp, ends in zip(fans, created_at, ends_at, strict=True)
            ]
            self._subscriptions.extend(SubscriptionRecord(account_id, row) for row in rows)
            return copy.deepcopy(rows)

    def add_followers(self, account_id: str, fans: list[str]) -> list[dict[str, Any]]:
        """Make each fan follow the account (a fan who already does keeps their row); return copies."""
        with self.world.lock:
            rows = []
            for fan_id in fans:
                record = self._followers.get((account_id, fan_id))
                if record is None:
                    follower = {"id": self.world.next_id(), "followerId": fan_id}
                    record = self._followers[account_id, fan_id] = FollowerRecord(account_id, follower)
                rows.append(record.follower)
            return copy.deepcopy(rows)

    def subscription_rows(self, account_id: str) -> list[dict[str, Any]]:
        """Copies of the account's subscriptions, in the order they were added."""
        with self.world.lock:
            return [copy.deepcopy(r.subscription) for r in self._subscriptions if r.account_id == account_id]

    def follower_rows(self, account_id: str) -> list[dict[str, Any]]:
        """Copies of the account's followers, the latest follow first."""
        with self.world.lock:
            rows = [dict(r.follower) for r in self._followers.values() if r.account_id == account_id]
            return rows[::-1]

    def subscriptions(self) -> list[SubscriptionRecord]:
        """A copy of every subscription of every account, in the order they were added."""
        with self.world.lock:
            return [replace(r, subscription=copy.deepcopy(r.subscription)) for r in self._subscriptions]

    def followers(self) -> list[FollowerRecord]:
        """A copy of every follow of every account, in the order they were added."""
        with self.world.lock:
            return [replace(r, follower=dict(r.follower)) for r in self._followers.values()]


def seed_subscribers(
    sandbox: Sandbox,
    fan_ids: Iterable[str],
    *,
    created_at: int | Sequence[int],
    status: SubscriptionStatus = "active",
    tier_id: str | None = None,
    tier_name: str = DEFAULT_TIER_NAME,
    account_id: str | None = None,
    auto_renew: bool | None = None,
    ends_at: int | Sequence[int] | None = None,
) -> list[dict[str, Any]]:
    """Give the account subscriptions that exist before the test starts; return the rows as Subscribers shows them.

    A fan may hold several (e.g. an expired one and a new active one). Seeding sends no
    request: it is neither journaled nor counted. A bad value raises ``ValueError``.

    :param fan_ids: the fans' native ids (strings of 1 to 20 digits).
    :param created_at: epoch milliseconds: one int for every fan, or a list of one per fan.
        Subscribers sorts on it (``config.subscribers_order``).
    :param status: ``"active"`` (status 3) or ``"expired"`` (status 4, or ``config.expired_status_code``).
    :param tier_id: the subscription tier's id (default: the sandbox's one tier,
        ``710000000000000001``); ``subscriptionTierIds`` filters on it.
    :param account_id: the connected account (default: the first key's first account).
    :param auto_renew: ``autoRenew`` 1 or 0 (default: on while active, off once expired).
    :param ends_at: epoch ms when the period ends (``endsAt``, ``renewDate``): one int, or one per
        fan (default: 30 days after ``created_at``). Seed it relative to now for lapsing segments.
    """
    account = sandbox.account(account_id)
    fans = check_fan_ids(fan_ids, account.creator_id)
    stamps = _per_fan(created_at, fans, "created_at")
    ends: list[int | None] = (
        [None] * len(fans) if ends_at is None else list(_per_fan(ends_at, fans, "ends_at"))
    )
    if auto_renew is not None and not isinstance(auto_renew, bool):
        raise ValueError(f"auto_renew must be True, False or None; got {auto_renew!r}")
    if status not in _STATUS_CODE:
        raise ValueError(f"status must be one of {', '.join(SUBSCRIPTION_STATUSES)}; got {status!r}")
    if tier_id is not None and not is_digits(tier_id):
        raise ValueError(f"tier_id must be a string of 1 to 20 digits; got {tier_id!r}")
    if not isinstance(tier_name, str) or not tier_name:
        raise ValueError(f"tier_name must be a non-empty string; got {tier_name!r}")
    return sandbox.store(FanStore).add_subscriptions(
        account.account_id,
        fans,
        stamps,
        status=_STATUS_CODE[status],
        tier_id=DEFAULT_TIER_ID if tier_id is None else tier_id,
        tier_name=tier_name,
        auto_renew=status == "active" if auto_renew is None else auto_renew,
        ends_at=ends,
    )


def _per_fan(value: int | Sequence[int], fans: list[str], name: str) -> list[int]:
    """One epoch-ms time per fan, from one int for all or a list of one each; else ``ValueError``."""
    stamps = list(value) if isinstance(value, Sequence) else [value] * len(fans)
    if len(stamps) != len(fans):
        raise ValueError(f"{name} gives {len(stamps)} times for {len(fans)} fans; give one each, or one int")
    for stamp in stamps:
        if type(stamp) is not int or not _MIN_MS <= stamp < _MAX_MS:
            raise ValueError(f"{name} must be whole epoch milliseconds (13 digits); got {stamp!r}")
    return stamps


def seed_followers(
    sandbox: Sandbox, fan_ids: Iterable[str], *, account_id: str | None = None
) -> list[dict[str, Any]]:
    """Make fans follow the account before the test starts; return the rows as Followers shows them.

    A fan who already follows keeps their row. Seeding sends no request: it is neither
    journaled nor counted. A bad value raises ``ValueError``.

    :param fan_ids: the fans' native ids (strings of 1 to 20 digits).
    :param account_id: the connected account (default: the first key's first account).
    """
    account = sandbox.account(account_id)
    fans = check_fan_ids(fan_ids, account.creator_id)
    return sandbox.store(FanStore).add_followers(account.account_id, fans)


def subscriptions(sandbox: Sandbox) -> list[SubscriptionRecord]:
    """A snapshot of every seeded subscription, in the order they were seeded."""
    return sandbox.store(FanStore).subscriptions()


def followers(sandbox: Sandbox) -> list[FollowerRecord]:
    """A snapshot of every seeded follow, in the order they were seeded."""
    return sandbox.store(FanStore).followers()


def list_subscribers(call: Call) -> Reply:
    """Subscribers: the stats of all the account's subscriptions, and one page of those selected."""
    account = call.account()
    found = parameters(call.request.query, SUBSCRIBERS_PARAMETERS, "Subscribers")
    switches = call.switches(FanSwitches)
    selected = _selected_statuses(switches, found.get("status"))
    size = min(limit(found, DEFAULT_LIMIT, MAX_LIMIT), switches.fans_page_size, switches.subscribers_page_cap)
    tiers = {tier for tier in found.get("subscriptionTierIds", "").split(",") if tier}
    search = (found.get("search") or "").casefold()
    every = call.world.store(FanStore).subscription_rows(account.account_id)
    active = sum(row["status"] == 3 for row in every)
    stats = {"totalActive": active, "totalExpired": len(every) - active, "total": len(every)}
    rows = [
        row
        for row in every
        if row["status"] in selected
        and (not tiers or row["subscriptionTierId"] in tiers)
        and search in fan_username(row["subscriberId"]).casefold()
    ]
    order = switches.subscribers_order
    rows.sort(key=lambda row: (row["createdAt"], int(row["id"])), reverse=order != "oldest")
    if order == "active_first":
        rows.sort(key=lambda row: row["status"] != 3)  # stable: each status stays newest first
    page, next_cursor = offset_page(rows, found.get("cursor"), "subscribers", size)
    expired_code = switches.expired_status_code
    page = [{**row, "status": expired_code} if row["status"] == 4 else row for row in page]
    return ok(beside_cursor(call.config, {"stats": stats, "subscriptions": page}, next_cursor))


def _selected_statuses(switches: FanSwitches, status: str | None) -> tuple[int, ...]:
    """The stored statuses (3, 4) that ``status`` selects, in the form the sandbox is set to take; else 400."""
    if switches.subscriber_status == "words":
        if status not in STATUS_WORDS:
            got = "it is missing" if status is None else f"got {status!r}"
            raise invalid(f"status is required: active, expired or all; {got}")
        return STATUS_WORDS[status]
    # With expired_status_code 5, the query takes 5 for expired too, as a native client sends it.
    known = {**_QUERY_CODES, "5": 4} if switches.expired_status_code == 5 else _QUERY_CODES
    codes = (status or "").split(",")
    if status is None or not all(code in known for code in codes):
        got = "it is missing" if status is None else f"got {status!r}"
        raise invalid(f"status is required: 3 (active), 4 (expired) or 3,4 (all); {got}")
    return tuple(known[code] for code in codes)


def list_followers(call: Call) -> Reply:
    """Followers: one page of ``{id, followerId}`` rows, the latest follow first, fans in ``aggregationData``."""
    account = call.account()
    found = parameters(call.request.query, FOLLOWERS_PARAMETERS, "Followers")
    size = min(limit(found, DEFAULT_LIMIT, MAX_LIMIT), call.switches(FanSwitches).fans_page_size)
    rows = call.world.store(FanStore).follower_rows(account.account_id)
    page, next_cursor = offset_page(rows, found.get("cursor"), "followers", size)
    accounts = fan_accounts([row["followerId"] for row in page])
    return ok(
        beside_cursor(
            call.config, {"followers": page, "aggregationData": {"accounts": accounts}}, next_cursor
        )
    )


RESOURCE = Resource(
    routes=(
        Route("GET", "{account_id}/subscribers", list_subscribers),
        Route("GET", "{account_id}/followers", list_followers),
    ),
    switches=FanSwitches,
    methods=(seed_subscribers, seed_followers),
    properties=(subscriptions, followers),
)


def _subscription(
    world: World,
    fan_id: str,
    created_at: int,
    status: int,
    tier_id: str,
    tier_name: str,
    auto_renew: bool,
    ends_at: int | None,
) -> dict[str, Any]:
    """A subscription row as the API shows it.

    Money in cents, times in epoch milliseconds, ``autoRenew`` the integer 0 or 1 (a fan with it off stays
    active until ``endsAt``).
    """
    if ends_at is None:
        ends_at = created_at + BILLING_DAYS * _DAY_MS
    return {
        "id": world.next_id(),
        "historyId": world.next_id(),
        "subscriberId": fan_id,
        "subscriptionTierId": tier_id,
        "subscriptionTierName": tier_name,
        "status": status,
        "price": PRICE_CENTS,
        "renewPrice": PRICE_CENTS,
        "autoRenew": int(auto_renew),
        "billingCycle": BILLING_DAYS,
        "duration": BILLING_DAYS,
        "renewDate": ends_at,
        "createdAt": created_at,
        "updatedAt": created_at,
        "endsAt": ends_at,
    }
