"""Send Mass Message and the scheduled list: the documented body, validated; broadcasts kept for tests."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from airflow_provider_apifansly.sandbox import FanslySandbox, Fault
from tests.sandbox.client import Api, envelope, error_message, response_of

EXPIRED = {"content": "we miss you", "includeExpiredSubscribers": True}


def test_a_broadcast_is_stored_and_answered_with_its_id(api: Api, fansly_sandbox: FanslySandbox) -> None:
    response = response_of(api.mass_message(EXPIRED))

    (record,) = fansly_sandbox.mass_messages
    assert response == {"id": record.mass_message["id"]}
    assert record.body == EXPIRED


def test_only_broadcasts_still_to_come_are_scheduled_in_the_contracts_shape(api: Api) -> None:
    soon = int(time.time() * 1000) + 60_000
    api.mass_message(EXPIRED)
    later = response_of(api.mass_message({**EXPIRED, "scheduledFor": soon}))["id"]

    data = envelope(api.scheduled(), 200)["data"]

    (row,) = data["data"]["response"]["scheduledBroadcastMessages"]
    assert (row["id"], row["scheduledFor"], row["messageTemplate"]["content"]) == (later, soon, "we miss you")
    assert data["data"]["response"]["groups"] == []
    assert data["nextCursor"] is None


def test_a_scheduled_message_template_may_come_as_json_text(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.scheduled_template = "json"
    api.mass_message({**EXPIRED, "scheduledFor": int(time.time() * 1000) + 60_000})

    (row,) = response_of(api.scheduled())["scheduledBroadcastMessages"]

    assert json.loads(row["messageTemplate"])["content"] == "we miss you"


def test_sent_broadcasts_are_listed_newest_first_with_seconds_and_a_cursor(api: Api) -> None:
    ids = [response_of(api.mass_message({**EXPIRED, "content": f"news {n}"}))["id"] for n in range(3)]
    api.mass_message({**EXPIRED, "scheduledFor": int(time.time() * 1000) + 60_000})  # not sent yet

    first = envelope(api.sent(limit=2), 200)["data"]
    rest = envelope(api.sent(limit=2, cursor=first["nextCursor"]), 200)["data"]

    rows = first["data"]["response"]["messages"] + rest["data"]["response"]["messages"]
    assert [row["id"] for row in rows] == ids[::-1]
    assert abs(rows[0]["createdAt"] - time.time()) < 5  # epoch seconds
    assert rest["nextCursor"] is None


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"content": "hi"}, "the broadcast has no audience"),
        ({**EXPIRED, "content": ""}, "content must be a non-empty string"),
        ({**EXPIRED, "includeFollowers": "yes"}, "includeFollowers must be a boolean"),
        ({**EXPIRED, "excludeUserIds": ["fan"]}, "excludeUserIds must be a list of ids of digits"),
        ({**EXPIRED, "price": 5}, "price is only allowed with access_type ppv"),
        ({**EXPIRED, "scheduledFor": 1_000_000_000_000}, "scheduledFor must be in the future"),
        ({**EXPIRED, "audience": "all"}, "unknown field 'audience'"),
    ],
)
def test_a_body_the_docs_do_not_allow_is_a_400_and_stores_nothing(
    body: dict[str, Any], error: str, api: Api, fansly_sandbox: FanslySandbox
) -> None:
    assert error in error_message(api.mass_message(body), 400)
    assert fansly_sandbox.mass_messages == []


def test_stored_then_dropped_keeps_the_broadcast(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault(kind="drop", processed=True))

    with pytest.raises(requests.ConnectionError):
        api.mass_message(EXPIRED)
    assert len(fansly_sandbox.mass_messages) == 1
