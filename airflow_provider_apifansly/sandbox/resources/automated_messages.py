"""Automated messages: ``GET``, ``POST {account_id}/automated-messages`` and ``DELETE .../{id}``.

The create body is the documented one (``triggerType``, ``content``, optional ``delay`` and
``cooldown`` in seconds, renewal and tip options, media as Send Message takes it). What the docs
leave open is switchable: the list's shape (``automated_messages_shape``), the id's field
(``automated_message_id_field``) and how a listed rule reads (``automated_messages_listing``):
as it was sent, or as Fansly's native list shows it (``native_row``).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from airflow_provider_apifansly.sandbox.envelope import ApiError, Reply, invalid, nested, ok
from airflow_provider_apifansly.sandbox.resources import Resource, Sandbox
from airflow_provider_apifansly.sandbox.resources.chat_messages import (
    MessageSwitches,
    check_content_and_media,
)
from airflow_provider_apifansly.sandbox.resources.media import MediaStore
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import json_object, parameters
from airflow_provider_apifansly.sandbox.world import Store, World

TRIGGER_TYPES = (
    "new_follower",
    "new_subscriber",
    "new_gift_link_subscriber",
    "subscriber_renew",
    "new_gift_link_subscriber_renew",
    "new_tip",
    "disabled",
)
RULE_FIELDS = (
    "triggerType",
    "content",
    "delay",
    "cooldown",
    "subscriptionStreak",
    "tipAmount",
    "keywords",
    "mediaIds",
    "access_type",
    "price",
)


@dataclass
class AutomatedMessageSwitches:
    """How the automated messages' answers look where the docs are silent."""

    automated_messages_shape: Literal["list", "keyed"] = switch(
        "list",
        "how List Automated Messages holds its rules (undocumented): response is the list, or "
        "response.automatedMessages",
    )
    automated_message_id_field: Literal["id", "automatedMessageId"] = switch(
        "id", "the field of an automated message's id, in lists and create answers (undocumented)"
    )
    automated_messages_listing: Literal["echo", "native"] = switch(
        "native",
        "how List Automated Messages shows a rule: as the create body it was sent with (echo), or as "
        "Fansly's native list does (default, as the contract's live evidence says: the text, media and "
        "price in a messageTemplate, prices in thousandths, extra fields, delay and cooldown left out "
        "when 0)",
    )
    automated_message_template: Literal["object", "json"] = switch(
        "object",
        "how a native rule holds its messageTemplate: an object (default: 'a JSON object in every live "
        "value', the contract says), or the object as JSON text (the fallback a live client keeps)",
    )
    automated_messages_listed_after: float = switch(
        0.0,
        "seconds a created automated message takes to show in List Automated Messages (0: at once), as "
        "a list that lags behind its writes would",
        minimum=0,
    )


@dataclass(frozen=True)
class AutomatedMessageRecord:
    """A rule the account holds (created through the API or seeded) and whether it was deleted since.

    :param body: the create body as sent.
    :param created_at: when it was created, epoch ms.
    :param created: when it was created, ``time.monotonic()`` (0 for a seeded rule), for the
        ``automated_messages_listed_after`` switch.
    """

    account_id: str
    rule_id: str
    body: dict[str, Any]
    created_at: int = 0
    deleted: bool = False
    created: float = 0.0


class AutomatedMessageStore(Store):
    """Every rule, in the order they were created."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._records: list[AutomatedMessageRecord] = []

    def add(self, account_id: str, body: dict[str, Any], *, created: float = 0.0) -> str:
        """Store a rule (created at ``created``, ``time.monotonic()``; 0 for a seeded one); return its id."""
        with self.world.lock:
            rule_id = self.world.next_id()
            record = AutomatedMessageRecord(
                account_id, rule_id, copy.deepcopy(body), int(time.time() * 1000), created=created
            )
            self._records.append(record)
            return rule_id

    def live(self, account_id: str) -> list[AutomatedMessageRecord]:
        """The account's rules that were not deleted, oldest first."""
        with self.world.lock:
            return [r for r in self._records if r.account_id == account_id and not r.deleted]

    def delete(self, account_id: str, rule_id: str) -> bool:
        """Delete one of the account's rules; False when it has no such rule."""
        with self.world.lock:
            for index, record in enumerate(self._records):
                if (record.account_id, record.rule_id, record.deleted) == (account_id, rule_id, False):
                    self._records[index] = replace(record, deleted=True)
                    return True
            return False

    def records(self) -> list[AutomatedMessageRecord]:
        """A copy of every rule, deleted ones included."""
        with self.world.lock:
            return [replace(r, body=copy.deepcopy(r.body)) for r in self._records]


def row(switches: AutomatedMessageSwitches, record: AutomatedMessageRecord) -> dict[str, Any]:
    """A rule as the API shows it: its id (under the configured field), then the fields it was created with."""
    return {switches.automated_message_id_field: record.rule_id, **copy.deepcopy(record.body)}


def native_row(call: Call, record: AutomatedMessageRecord) -> dict[str, Any]:
    """A rule as Fansly's native list shows it (contract section 6).

    The text, media and price in a ``messageTemplate`` (an object, or JSON text), the price in
    thousandths, media as attachments (whose ``contentId`` follows ``attachment_content_id``),
    ``delay``/``cooldown`` left out when 0, the access type not shown, and fields of its own (the creator,
    a status, times).
    """
    body, switches = record.body, call.switches(AutomatedMessageSwitches)
    media_ids = [m["mediaId"] if isinstance(m, dict) else m for m in body.get("mediaIds") or []]
    if call.switches(MessageSwitches).attachment_content_id == "account_media":
        media_ids = [call.world.store(MediaStore).account_media_id(media_id) for media_id in media_ids]
    template: dict[str, Any] = {"content": body["content"]}
    if media_ids:
        template["attachments"] = [
            {"contentType": 1, "contentId": content_id, "pos": pos}
            for pos, content_id in enumerate(media_ids)
        ]
    if body.get("price") is not None:
        template["price"] = round(body["price"] * 1000)
    options: dict[str, Any] = {
        name: body[name] for name in ("subscriptionStreak", "tipAmount", "keywords") if name in body
    }
    return {
        switches.automated_message_id_field: record.rule_id,
        "accountId": call.account().creator_id,
        "triggerType": body["triggerType"],
        "messageTemplate": json.dumps(template)
        if switches.automated_message_template == "json"
        else template,
        **{name: body[name] for name in ("delay", "cooldown") if body.get(name)},
        **options,
        "status": 1,
        "createdAt": record.created_at,
        "updatedAt": record.created_at,
    }


def list_automated_messages(call: Call) -> Reply:
    """List Automated Messages: every rule, in the configured shape, echoed or native."""
    account = call.account()
    parameters(call.request.query, (), "automated-messages")
    switches = call.switches(AutomatedMessageSwitches)
    shown_since = time.monotonic() - switches.automated_messages_listed_after
    records = [
        r
        for r in call.world.store(AutomatedMessageStore).live(account.account_id)
        if r.created <= shown_since
    ]
    if switches.automated_messages_listing == "native":
        rows = [native_row(call, r) for r in records]
    else:
        rows = [row(switches, r) for r in records]
    keyed = switches.automated_messages_shape == "keyed"
    return ok(nested({"automatedMessages": rows} if keyed else rows))


def create_automated_message(call: Call) -> Reply:
    """Create Automated Message: validate the body as documented, store the rule, answer it with its id."""
    account = call.account()
    body = check_rule(json_object(call.request))
    store = call.world.store(AutomatedMessageStore)
    rule_id = store.add(account.account_id, body, created=time.monotonic())
    return ok(nested({call.switches(AutomatedMessageSwitches).automated_message_id_field: rule_id, **body}))


def delete_automated_message(call: Call) -> Reply:
    """Delete Automated Message: 404 when the account has no such rule."""
    account = call.account()
    rule_id = call.path["rule_id"]
    if not call.world.store(AutomatedMessageStore).delete(account.account_id, rule_id):
        raise ApiError(404, "Automated message not found")
    return ok(nested({call.switches(AutomatedMessageSwitches).automated_message_id_field: rule_id}))


def seed_automated_messages(
    sandbox: Sandbox, rules: Iterable[dict[str, Any]], *, account_id: str | None = None
) -> list[str]:
    """Give the account automated messages before the test starts; return their ids.

    Each rule is a Create Automated Message body (``{"triggerType", "content", ...}``), checked as
    the API checks one (a bad one raises ``ValueError``). Seeding sends no request: it is neither
    journaled nor counted.
    """
    account = sandbox.account(account_id)
    checked = []
    for rule in rules:
        try:
            checked.append(check_rule(dict(rule)))
        except ApiError as error:
            raise ValueError(f"Not a rule the API would create: {error.message}") from None
    store = sandbox.store(AutomatedMessageStore)
    return [store.add(account.account_id, body) for body in checked]


def automated_messages(sandbox: Sandbox) -> list[AutomatedMessageRecord]:
    """A snapshot of every automated message, created or seeded (deleted ones marked), oldest first."""
    return sandbox.store(AutomatedMessageStore).records()


def check_rule(body: dict[str, Any]) -> dict[str, Any]:
    """Validate a Create Automated Message body."""
    unknown = [name for name in body if name not in RULE_FIELDS]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise invalid(f"unknown field {names} (Create Automated Message takes {', '.join(RULE_FIELDS)})")
    if body.get("triggerType") not in TRIGGER_TYPES:
        raise invalid(f"triggerType must be one of {', '.join(TRIGGER_TYPES)}")
    check_content_and_media(body)
    for name, least in (("delay", 0), ("cooldown", 0), ("subscriptionStreak", 1)):
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least):
            raise invalid(f"{name} must be a whole number of at least {least}")
    tip = body.get("tipAmount")
    if tip is not None and (isinstance(tip, bool) or not isinstance(tip, int | float) or tip <= 0):
        raise invalid("tipAmount must be a positive number")
    keywords = body.get("keywords")
    if keywords is not None and not (
        isinstance(keywords, str)
        or (isinstance(keywords, list) and all(isinstance(k, str) for k in keywords))
    ):
        raise invalid("keywords must be a string or a list of strings")
    return body


RESOURCE = Resource(
    routes=(
        Route("GET", "{account_id}/automated-messages", list_automated_messages),
        Route("POST", "{account_id}/automated-messages", create_automated_message),
        Route("DELETE", "{account_id}/automated-messages/{rule_id}", delete_automated_message),
    ),
    switches=AutomatedMessageSwitches,
    methods=(seed_automated_messages,),
    properties=(automated_messages,),
)
