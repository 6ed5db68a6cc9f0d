"""Mass messaging: Send Mass Message, and the lists of scheduled and sent broadcasts.

``POST {account_id}/mass-messaging``, ``GET {account_id}/mass-messaging/scheduled`` and ``.../stats/sent``
(and ``/stats/deleted``).

The store keeps every broadcast the API accepted. The lists answer in the contract's shapes
(part 2, section 5): ``scheduledBroadcastMessages`` (and ``groups``), each row's
``messageTemplate`` an object or JSON text (``config.scheduled_template``); sent broadcasts
under ``messages``, newest first, ``createdAt`` in epoch seconds. Both page by a cursor
``nextCursor`` beside the inner data, as List Chats does.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

from airflow_provider_apifansly.sandbox.envelope import Reply, invalid, nested, ok
from airflow_provider_apifansly.sandbox.paging import beside_cursor, offset_page
from airflow_provider_apifansly.sandbox.resources import Resource, Sandbox
from airflow_provider_apifansly.sandbox.resources.chat_messages import check_content_and_media
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import is_digits, json_object, limit, parameters
from airflow_provider_apifansly.sandbox.world import Store

AUDIENCE_FLAGS = (
    "includeFollowers",
    "includeSubscribersAutoRenewOn",
    "includeSubscribersAutoRenewOff",
    "includeExpiredSubscribers",
    "excludeCreators",
    "excludeOfflineUsers",
)
ID_LISTS = ("includeListIds", "excludeListIds", "excludeUserIds")
MASS_FIELDS = (
    "content",
    "mediaIds",
    "access_type",
    "price",
    "scheduledFor",
    "includeSubscriptionTierId",
    *AUDIENCE_FLAGS,
    *ID_LISTS,
)
LIST_PARAMETERS = ("cursor", "limit")
# The stats lists' documented default page; the most a page holds (one native client clamps to 50).
LIST_PAGE, MAX_LIST_PAGE = 24, 50


@dataclass
class MassMessageSwitches:
    """How the mass messaging lists answer where the contract is silent."""

    scheduled_template: Literal["object", "json"] = switch(
        "object",
        "how the scheduled broadcasts list sends a row's messageTemplate: an object, or the object as "
        "JSON text (the audit says it 'may be a JSON string')",
    )


@dataclass(frozen=True)
class MassMessageRecord:
    """A broadcast the API accepted.

    :param body: the Send Mass Message body as sent.
    :param mass_message: the broadcast as the scheduled list shows it (``id``, ``content``, ``scheduledFor``, ...).
    """

    account_id: str
    body: dict[str, Any]
    mass_message: dict[str, Any]


class MassMessageStore(Store):
    """Every accepted broadcast, in the order they came."""

    def __init__(self, world: Any) -> None:
        super().__init__(world)
        self._records: list[MassMessageRecord] = []

    def add(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store a broadcast and return a copy of it."""
        with self.world.lock:
            mass_message = {
                "id": self.world.next_id(),
                "content": body["content"],
                "scheduledFor": body.get("scheduledFor"),
                "createdAt": int(time.time()),  # epoch seconds, as broadcasts are stamped
            }
            self._records.append(MassMessageRecord(account_id, copy.deepcopy(body), mass_message))
            return dict(mass_message)

    def scheduled(self, account_id: str, now_ms: int) -> list[dict[str, Any]]:
        """The account's broadcasts still to be sent, the soonest first."""
        with self.world.lock:
            rows = [
                dict(r.mass_message)
                for r in self._records
                if r.account_id == account_id and (r.mass_message["scheduledFor"] or 0) > now_ms
            ]
        return sorted(rows, key=lambda row: (row["scheduledFor"], int(row["id"])))

    def sent(self, account_id: str, now_ms: int) -> list[dict[str, Any]]:
        """The account's broadcasts sent by now (at once, or when their time came), the newest first."""
        with self.world.lock:
            rows = [
                dict(r.mass_message)
                for r in self._records
                if r.account_id == account_id and (r.mass_message["scheduledFor"] or 0) <= now_ms
            ]
        return sorted(rows, key=lambda row: (row["createdAt"], int(row["id"])), reverse=True)

    def records(self) -> list[MassMessageRecord]:
        """A copy of every broadcast record."""
        with self.world.lock:
            return [
                replace(r, body=copy.deepcopy(r.body), mass_message=dict(r.mass_message))
                for r in self._records
            ]


def send_mass_message(call: Call) -> Reply:
    """Send Mass Message: validate the body as documented, store the broadcast, answer its id."""
    account = call.account()
    body = _mass_body(json_object(call.request))
    mass_message = call.world.store(MassMessageStore).add(account.account_id, body)
    return ok(nested({"id": mass_message["id"]}))


def list_scheduled(call: Call) -> Reply:
    """The scheduled broadcasts, a page at a time, each row's text in its ``messageTemplate``."""
    account = call.account()
    rows = call.world.store(MassMessageStore).scheduled(account.account_id, int(time.time() * 1000))
    page, next_cursor = _page(call, rows, "scheduled")
    as_text = call.switches(MassMessageSwitches).scheduled_template == "json"
    scheduled = [
        {
            "id": row["id"],
            "accountId": account.creator_id,
            "messageTemplate": json.dumps(template) if as_text else template,
            "scheduledFor": row["scheduledFor"],
            "createdAt": row["createdAt"],
        }
        for row in page
        for template in ({"content": row["content"], "attachments": []},)
    ]
    return ok(
        beside_cursor(call.config, {"scheduledBroadcastMessages": scheduled, "groups": []}, next_cursor)
    )


def list_sent(call: Call) -> Reply:
    """The sent broadcasts with their stats, newest first, a page at a time."""
    account = call.account()
    rows = call.world.store(MassMessageStore).sent(account.account_id, int(time.time() * 1000))
    page, next_cursor = _page(call, rows, "sent")
    messages = [
        {
            "id": row["id"],
            "content": row["content"],
            "createdAt": row["createdAt"],
            "deletedAt": None,
            "stats": {"total": 0, "delivered": 0, "read": 0},
            "attachments": [],
        }
        for row in page
    ]
    return ok(beside_cursor(call.config, {**_SENT_AGGREGATES, "messages": messages}, next_cursor))


def list_deleted(call: Call) -> Reply:
    """The withdrawn broadcasts: none, as the sandbox cannot withdraw one."""
    call.account()
    _page(call, [], "deleted")
    return ok(beside_cursor(call.config, {**_SENT_AGGREGATES, "messages": []}, None))


_SENT_AGGREGATES: dict[str, list[Any]] = {"accountMedia": [], "accountMediaBundles": []}


def _page(call: Call, rows: list[dict[str, Any]], kind: str) -> tuple[list[dict[str, Any]], str | None]:
    found = parameters(call.request.query, LIST_PARAMETERS, "Mass Messaging lists")
    return offset_page(rows, found.get("cursor"), kind, limit(found, LIST_PAGE, MAX_LIST_PAGE))


def mass_messages(sandbox: Sandbox) -> list[MassMessageRecord]:
    """A snapshot of every broadcast the API accepted (sent or scheduled), in the order they came."""
    return sandbox.store(MassMessageStore).records()


RESOURCE = Resource(
    routes=(
        Route("GET", "{account_id}/mass-messaging/scheduled", list_scheduled),
        Route("GET", "{account_id}/mass-messaging/stats/sent", list_sent),
        Route("GET", "{account_id}/mass-messaging/stats/deleted", list_deleted),
        Route("POST", "{account_id}/mass-messaging", send_mass_message),
    ),
    switches=MassMessageSwitches,
    properties=(mass_messages,),
)


def _mass_body(body: dict[str, Any]) -> dict[str, Any]:
    """Validate a Send Mass Message body; a broadcast must include some audience."""
    unknown = [name for name in body if name not in MASS_FIELDS]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise invalid(f"unknown field {names} (Send Mass Message takes {', '.join(MASS_FIELDS)})")
    check_content_and_media(body)
    for name in AUDIENCE_FLAGS:
        if not isinstance(body.get(name, False), bool):
            raise invalid(f"{name} must be a boolean")
    tier = body.get("includeSubscriptionTierId")
    if tier is not None and not is_digits(tier):
        raise invalid("includeSubscriptionTierId must be an id of digits")
    for name in ID_LISTS:
        ids = body.get(name)
        if ids is not None and (not isinstance(ids, list) or not all(is_digits(value) for value in ids)):
            raise invalid(f"{name} must be a list of ids of digits")
    included = any(body.get(name) for name in AUDIENCE_FLAGS if name.startswith("include"))
    if not included and tier is None and not body.get("includeListIds"):
        raise invalid("the broadcast has no audience")
    scheduled = body.get("scheduledFor")
    if scheduled is not None:
        if isinstance(scheduled, bool) or not isinstance(scheduled, int):
            raise invalid("scheduledFor must be epoch milliseconds")
        if scheduled <= time.time() * 1000:
            raise invalid("scheduledFor must be in the future")
    return body
