"""The sandbox's automated messages over real sockets: the documented body; list shape and id field as switches."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox
from tests.sandbox.client import Api, error_message, response_of

RULE = {"triggerType": "new_tip", "content": "Thank you!", "tipAmount": 5, "keywords": ["love"]}


@pytest.mark.parametrize(("shape", "id_field"), [("list", "id"), ("keyed", "automatedMessageId")])
def test_rules_are_created_listed_in_the_configured_shape_and_deleted(
    shape: str, id_field: str, fansly_sandbox: FanslySandbox, api: Api
) -> None:
    fansly_sandbox.config.automated_messages_listing = "echo"
    fansly_sandbox.config.automated_messages_shape = shape  # type: ignore[assignment]
    fansly_sandbox.config.automated_message_id_field = id_field  # type: ignore[assignment]

    created = response_of(api.request("POST", "automated-messages", RULE))
    listed = response_of(api.request("GET", "automated-messages"))
    deleted = api.request("DELETE", f"automated-messages/{created[id_field]}")

    assert created == {id_field: created[id_field], **RULE}
    assert listed == ([created] if shape == "list" else {"automatedMessages": [created]})
    assert response_of(deleted) == {id_field: created[id_field]}
    assert error_message(api.request("DELETE", f"automated-messages/{created[id_field]}"), 404)
    assert response_of(api.request("GET", "automated-messages")) in ([], {"automatedMessages": []})


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"triggerType": "new_like", "content": "x"}, "triggerType must be one of"),
        ({"triggerType": "new_tip"}, "content must be a non-empty string"),
        ({"triggerType": "new_tip", "content": "x", "delay": -1}, "delay must be a whole number"),
        ({"triggerType": "new_tip", "content": "x", "trigger": 1}, "unknown field 'trigger'"),
    ],
)
def test_a_bad_rule_is_a_400_naming_the_field(body: dict[str, Any], reason: str, api: Api) -> None:
    assert reason in error_message(api.request("POST", "automated-messages", body), 400)


@pytest.mark.parametrize("template", ["object", "json"])
@pytest.mark.parametrize("content_id", ["account_media", "media"])
def test_a_native_listing_shows_rules_as_fanslys_own_list_does(
    template: str, content_id: str, fansly_sandbox: FanslySandbox, api: Api
) -> None:
    fansly_sandbox.config.automated_message_template = template  # type: ignore[assignment]
    fansly_sandbox.config.attachment_content_id = content_id  # type: ignore[assignment]
    ppv = {
        "triggerType": "new_subscriber",
        "content": "Unlock me",
        "delay": 0,
        "cooldown": 600,
        "mediaIds": ["810000000000000001"],
        "access_type": ["ppv"],
        "price": 9.99,
    }
    created = response_of(api.request("POST", "automated-messages", ppv))

    (listed,) = response_of(api.request("GET", "automated-messages"))

    raw = listed.pop("messageTemplate")
    message = json.loads(raw) if template == "json" else raw
    [attachment] = message.pop("attachments")
    assert message == {"content": "Unlock me", "price": 9990}
    assert (attachment["contentId"] == "810000000000000001") is (content_id == "media")
    assert listed == {
        "id": created["id"],
        "accountId": DEFAULT_CREATOR_ID,
        "triggerType": "new_subscriber",
        "cooldown": 600,  # delay 0 is left out, as the default
        "status": 1,
        "createdAt": listed["createdAt"],
        "updatedAt": listed["createdAt"],
    }
