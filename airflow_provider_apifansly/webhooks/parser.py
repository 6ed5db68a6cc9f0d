"""apifansly's webhook envelope read into a ``FanslyEvent``.

The receiver checks bodies with it and the trigger builds its payloads with it, so both agree on ids, keys and
times.

Imports neither Airflow nor Redis: the receiver runs without loading Airflow. Contract §10: the envelope
is ``{"event", "accountId", "timestamp", "data"}``; ``subscriptions.new`` and ``tips.received`` payloads
are provisional, so they are read defensively; amounts pass through raw, their scale unverified.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

MESSAGE_EVENTS = frozenset({"messages.received", "messages.sent"})
EVENTS = frozenset({*MESSAGE_EVENTS, "ppv.purchased", "subscriptions.new", "tips.received"})
# Which field of ``data`` identifies the event's subject, so that a resent webhook dedupes.
SUBJECT_FIELDS = {"messages.received": "id", "messages.sent": "id", "ppv.purchased": "orderId"}
# Provisional payloads (contract §10): where a fan's native id may be, in order.
FAN_FIELDS = ("fanId", "subscriberId", "accountId", "userId", "senderId")
# Webhook amounts are cents or thousandths of a dollar; the contract cannot tell, so they are never converted.
UNVERIFIED_SCALE = "unverified: cents or thousandths of a dollar (contract §10)"
# Below this an epoch number is seconds, above it milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
SECONDS_BELOW = 100_000_000_000
KeySource = Literal["id", "orderId", "body"]


class FanslyEventError(ValueError):
    """A body that is not an event this provider can use; ``reason`` says why (it goes to the quarantine)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FanslyEvent:
    """One webhook event.

    :param event: the event name, e.g. ``ppv.purchased``.
    :param account_id: the connected account it belongs to (``fansly_...``).
    :param key: the dedupe key: sha256 of (``apifansly``, event, account, subject) in hex.
    :param occurred_at_ms: when it happened, epoch ms (``data.createdAt``, else the envelope's ``timestamp``).
    :param subject_id: the message id or PPV order id; None when the key hashes the body.
    :param fan_id: the fan's native id, where the payload names one.
    :param data: the envelope's ``data`` as sent.
    :param key_source: what the key hashes: ``id``, ``orderId``, or the whole ``body`` (no subject id known).
    """

    event: str
    account_id: str
    key: str
    occurred_at_ms: int | None
    subject_id: str | None
    fan_id: str | None
    data: dict[str, Any]
    key_source: KeySource = "body"

    @property
    def amount_raw(self) -> int | None:
        """The amount as sent (a PPV's ``orderMetadata.accountMediaPrice``, a tip's ``amount``); scale unknown."""
        if self.event == "ppv.purchased":
            metadata = self.data.get("orderMetadata")
            value = metadata.get("accountMediaPrice") if isinstance(metadata, dict) else None
        else:
            value = self.data.get("amount", self.data.get("tipAmount"))
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def payload(self, *, include_content: bool = False) -> dict[str, Any]:
        """What a trigger event carries: ids, time and amount; message text only with ``include_content``.

        Asset-event extras are stored in Airflow's metadata DB, shown in its UI and logged by the triggerer.
        """
        payload: dict[str, Any] = {
            "event": self.event,
            "account_id": self.account_id,
            "key": self.key,
            "key_source": self.key_source,
            "occurred_at_ms": self.occurred_at_ms,
            "subject_id": self.subject_id,
            "fan_id": self.fan_id,
        }
        if self.event in MESSAGE_EVENTS:
            payload["chat_id"] = _text_id(self.data.get("groupId"))
        amount = self.amount_raw
        if amount is not None:
            payload.update(amount_raw=amount, amount_scale=UNVERIFIED_SCALE)
        if include_content and self.event in MESSAGE_EVENTS:
            content = self.data.get("content")
            payload["content"] = content if isinstance(content, str) else None
        return payload


def parse_event(body: bytes | str) -> FanslyEvent:
    """Read one webhook body; raise ``FanslyEventError`` saying what is wrong with anything else."""
    raw = body.encode() if isinstance(body, str) else body
    try:
        envelope = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FanslyEventError(f"body is not JSON: {exc}") from None
    if not isinstance(envelope, dict):
        raise FanslyEventError(f"body is JSON {type(envelope).__name__}, not an object")
    event = envelope.get("event")
    if not isinstance(event, str) or not event:
        raise FanslyEventError("no 'event' name")
    if event not in EVENTS:
        raise FanslyEventError(f"unknown event {event[:80]!r}")
    account_id = envelope.get("accountId")
    if not isinstance(account_id, str) or not account_id.startswith("fansly_"):
        raise FanslyEventError(
            f"'accountId' must be a connected account id ('fansly_...'), got {account_id!r:.80}"
        )
    data = envelope.get("data")
    if not isinstance(data, dict):
        raise FanslyEventError(f"'data' must be an object, got {type(data).__name__}")

    subject_field = SUBJECT_FIELDS.get(event)
    subject_id = _text_id(data.get(subject_field)) if subject_field else None
    if subject_field and subject_id is None:
        raise FanslyEventError(f"{event} without 'data.{subject_field}'")
    key_source: KeySource = "body"
    if subject_id is not None:
        subject, key_source = subject_id, "id" if subject_field == "id" else "orderId"
    else:
        subject = "body:" + hashlib.sha256(raw).hexdigest()
    key = hashlib.sha256("\n".join(("apifansly", event, account_id, subject)).encode()).hexdigest()
    return FanslyEvent(
        event=event,
        account_id=account_id,
        key=key,
        occurred_at_ms=_occurred_at_ms(data.get("createdAt"), envelope.get("timestamp")),
        subject_id=subject_id,
        fan_id=_fan_id(event, data),
        data=data,
        key_source=key_source,
    )


def epoch_ms(value: object) -> int | None:
    """Epoch ms of a number of seconds or milliseconds (told apart by magnitude) or ISO-8601 text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return round(value * 1000) if abs(value) < SECONDS_BELOW else round(value)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return epoch_ms(float(text))
        except ValueError:
            pass
        if text[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat does not read the "Z" suffix
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return round(moment.timestamp() * 1000)
    return None


def _occurred_at_ms(created_at: object, timestamp: object) -> int | None:
    found = epoch_ms(created_at)
    return found if found is not None else epoch_ms(timestamp)


def _text_id(value: object) -> str | None:
    """An id as text: strings as sent, integers as digits; anything else (floats, bools) is no id."""
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _fan_id(event: str, data: dict[str, Any]) -> str | None:
    """The fan's native id.

    The sender of a received message, the other party of a sent one, else a guess among the provisional
    fields.
    """
    if event == "messages.received":
        return _text_id(data.get("senderId"))
    if event == "messages.sent":
        named = _text_id(data.get("recipientId")) or _text_id(data.get("fanId"))
        if named:
            return named
        creator = _text_id(data.get("senderId"))
        interactions = data.get("interactions")
        for interaction in interactions if isinstance(interactions, list) else ():
            user = _text_id(interaction.get("userId")) if isinstance(interaction, dict) else None
            if user and user != creator:
                return user
        return None
    for field in FAN_FIELDS:
        found = _text_id(data.get(field))
        if found:
            return found
    return None
