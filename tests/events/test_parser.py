"""parse_event: the envelope of contract §10 read into ids, a dedupe key, a time and a raw amount."""

from __future__ import annotations

import json

import pytest

from airflow_provider_apifansly.webhooks.parser import UNVERIFIED_SCALE, FanslyEventError, parse_event
from tests.events.bodies import CREATOR, message_received, ppv_purchased

ACCOUNT = "fansly_acct_a"


def body(envelope: dict[str, object]) -> bytes:
    return json.dumps(envelope).encode()


def test_a_received_message_is_keyed_by_its_id_and_its_fan_is_the_sender() -> None:
    event = parse_event(body(message_received("881", ACCOUNT, fan="723")))

    assert (event.event, event.account_id, event.subject_id, event.fan_id) == (
        "messages.received",
        ACCOUNT,
        "881",
        "723",
    )
    assert event.key_source == "id"
    assert event.occurred_at_ms == 1783533902804  # createdAt is epoch seconds with a fraction


def test_the_same_event_resent_has_the_same_key_and_another_subject_or_account_another() -> None:
    first = parse_event(body(ppv_purchased("o-1", ACCOUNT)))
    resent = ppv_purchased("o-1", ACCOUNT)
    resent["timestamp"] = "2026-07-08T18:06:00Z"  # a retry may be stamped anew

    assert parse_event(body(resent)).key == first.key
    assert parse_event(body(ppv_purchased("o-2", ACCOUNT))).key != first.key
    assert parse_event(body(ppv_purchased("o-1", "fansly_other"))).key != first.key


def test_a_ppv_purchase_passes_its_amount_through_raw_with_its_scale_unverified() -> None:
    event = parse_event(body(ppv_purchased("o-1", ACCOUNT, fan_id="724")))

    payload = event.payload()
    assert payload["amount_raw"] == 1000
    assert payload["amount_scale"] == UNVERIFIED_SCALE
    assert (payload["subject_id"], payload["fan_id"], payload["key_source"]) == ("o-1", "724", "orderId")
    assert event.occurred_at_ms == 1783533905157  # no createdAt: the envelope's ISO timestamp


def test_message_text_is_in_the_payload_only_with_include_content() -> None:
    event = parse_event(body(message_received("881", ACCOUNT)))

    assert "content" not in event.payload()
    assert "private words" not in json.dumps(event.payload())
    assert event.payload(include_content=True)["content"] == "hi! private words"
    assert event.payload()["chat_id"] == "880000000000000001"


def test_a_sent_message_names_the_fan_from_its_interactions_when_no_recipient_is_given() -> None:
    sent = message_received("882", ACCOUNT)
    sent["event"] = "messages.sent"
    sent["data"] |= {"senderId": CREATOR, "interactions": [{"userId": CREATOR}, {"userId": "725"}]}

    assert parse_event(body(sent)).fan_id == "725"
    sent["data"]["recipientId"] = "726"
    assert parse_event(body(sent)).fan_id == "726"


def test_provisional_payloads_are_keyed_by_the_body_and_flagged_so() -> None:
    tip = {"event": "tips.received", "accountId": ACCOUNT, "timestamp": 1783533902, "data": {"amount": 500}}
    subscription = {"event": "subscriptions.new", "accountId": ACCOUNT, "data": {"subscriberId": 727}}

    parsed_tip = parse_event(body(tip))
    assert (parsed_tip.subject_id, parsed_tip.key_source, parsed_tip.fan_id) == (None, "body", None)
    assert parsed_tip.occurred_at_ms == 1783533902000  # seconds, told from ms by magnitude
    assert parsed_tip.payload()["amount_raw"] == 500
    parsed_subscription = parse_event(body(subscription))
    assert parsed_subscription.fan_id == "727"  # ids are strings end to end
    assert parsed_subscription.occurred_at_ms is None
    assert parse_event(body({**tip, "data": {"amount": 501}})).key != parsed_tip.key


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe", "not JSON"),
        (b"[]", "not an object"),
        (body({"accountId": ACCOUNT, "data": {}}), "no 'event'"),
        (body({"event": "posts.liked", "accountId": ACCOUNT, "data": {}}), "unknown event 'posts.liked'"),
        (body({"event": "tips.received", "accountId": "123", "data": {}}), "'accountId' must be"),
        (body({"event": "tips.received", "accountId": ACCOUNT, "data": []}), "'data' must be an object"),
        (
            body({"event": "messages.received", "accountId": ACCOUNT, "data": {"id": 1.5}}),
            "without 'data.id'",
        ),
    ],
)
def test_unusable_bodies_raise_saying_why(raw: bytes, reason: str) -> None:
    with pytest.raises(FanslyEventError, match=reason):
        parse_event(raw)
