"""Send Message: 201 with the message, and the body validated field by field as the API documents it."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from airflow_provider_apifansly.sandbox import DEFAULT_API_KEY, DEFAULT_CREATOR_ID, Account, FanslySandbox
from tests.sandbox.client import FAN_ID, HEADERS, Api, envelope, error_message, response_of

PPV = {"content": "for you", "mediaIds": ["790000000000000001"], "access_type": ["ppv"]}


def test_send_answers_201_with_the_message_in_the_nested_envelope(api: Api, chat_id: str) -> None:
    response = api.send(chat_id, {"content": "hi"})

    assert envelope(response, 201)["message"] == "Success"
    message = response_of(response, 201)
    assert re.fullmatch(r"[1-9][0-9]{17}", message["id"])
    assert message == {
        "id": message["id"],
        "type": 1,
        "content": "hi",
        "groupId": chat_id,
        "senderId": DEFAULT_CREATOR_ID,
        "createdAt": message["createdAt"],
        "attachments": [],
        "interactions": [],
    }


def test_the_accepted_body_is_recorded_with_the_message_and_counted(
    api: Api, fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    body = {
        **PPV,
        "price": 9.99,
        "subscriptionTierId": "790000000000000009",
        "subscriptionTierName": "Gold",
        "listId": "790000000000000010",
        "listLabel": "Best fans",
        "validBefore": 1_900_000_000,
        "validAfter": 1_800_000_000,
        "permissions": [{"access_type": ["subscription"]}],
    }

    message = response_of(api.send(chat_id, body), 201)

    [record] = fansly_sandbox.messages
    assert (record.message, record.body, record.seeded) == (message, body, False)
    assert (record.account_id, record.group_id) == ("fansly_sandbox", chat_id)
    assert fansly_sandbox.counters.messages_sent == 1


def test_media_ids_become_attachments_in_order_carrying_the_mediaids_under_the_media_switch(
    api: Api, fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    fansly_sandbox.config.attachment_content_id = "media"
    media = ["790000000000000001", {"mediaId": "790000000000000002", "previewId": "790000000000000003"}]

    message = response_of(api.send(chat_id, {"content": "look", "mediaIds": media}), 201)

    assert message["attachments"] == [
        {"contentId": "790000000000000001", "contentType": 1, "pos": 0},
        {"contentId": "790000000000000002", "contentType": 1, "pos": 1},
    ]


def test_attachments_carry_the_account_media_id_of_each_media_id_by_default(
    api: Api, fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    envelope(api.upload(), 202)
    [uploaded] = fansly_sandbox.media_jobs
    unknown = "790000000000000001"  # not uploaded through the sandbox
    media = [uploaded.media_id, unknown]

    first = response_of(api.send(chat_id, {"content": "look", "mediaIds": media}), 201)
    again = response_of(api.send(chat_id, {"content": "again", "mediaIds": [unknown]}), 201)

    content_ids = [attachment["contentId"] for attachment in first["attachments"]]
    assert content_ids[0] == uploaded.account_media_id  # the upload's, which its status names
    assert content_ids[1] not in media  # an id of its own, the same each time it is sent
    assert [attachment["contentId"] for attachment in again["attachments"]] == content_ids[1:]


def test_a_sent_message_becomes_the_chats_last_message(api: Api, chat_id: str) -> None:
    message = response_of(api.send(chat_id, {"content": "hi"}), 201)

    assert response_of(api.chats())["data"][0]["lastMessageId"] == message["id"]
    assert response_of(api.create_group(FAN_ID))["lastMessage"] == message


def test_send_to_an_unknown_chat_gets_404(api: Api, fansly_sandbox: FanslySandbox) -> None:
    message = error_message(api.send("800000000000999999", {"content": "hi"}), 404)

    assert message == "Chat not found: 800000000000999999"
    assert fansly_sandbox.messages == []


def test_send_to_a_chat_of_another_account_gets_404(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.keys[DEFAULT_API_KEY] += (Account("fansly_second", "700000000000000002"),)
    theirs = fansly_sandbox.seed_chats([FAN_ID], account_id="fansly_second")[FAN_ID]

    assert error_message(api.send(theirs, {"content": "hi"}), 404) == f"Chat not found: {theirs}"


@pytest.mark.parametrize(
    "body",
    [
        {"content": "hi", "mediaIds": [], "access_type": []},
        {**PPV, "price": 1},
        {**PPV, "price": 500},
        {**PPV, "mediaIds": [{"mediaId": "790000000000000001", "previewId": None}], "price": 5},
        {**PPV, "mediaIds": [{"mediaId": "790000000000000001"}]},
        {"content": "hi", "access_type": ["ppv", "subscription", "follow", "list", "limited_time"]},
        {
            "content": "hi",
            "mediaIds": None,
            "access_type": None,
            "price": None,
            "subscriptionTierId": None,
            "validBefore": None,
            "permissions": None,
        },
        {"content": "hi", "permissions": []},
    ],
)
def test_documented_bodies_are_accepted(api: Api, chat_id: str, body: dict[str, Any]) -> None:
    assert api.send(chat_id, body).status_code == 201


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (["hi"], "the body must be a JSON object"),
        ({}, "content must be a non-empty string"),
        ({"content": ""}, "content must be a non-empty string"),
        ({"content": "  "}, "content must be a non-empty string"),
        ({"content": 5}, "content must be a non-empty string"),
        ({"content": None}, "content must be a non-empty string"),
        ({"content": "hi", "text": "hi"}, "unknown field 'text' (Send Message takes content, mediaIds, "),
        ({"content": "hi", "mediaIds": "790000000000000001"}, "mediaIds must be a list"),
        ({"content": "hi", "mediaIds": [790000000000000001]}, "mediaIds[0] must be a media id"),
        ({"content": "hi", "mediaIds": ["1", "media_2"]}, "mediaIds[1] must be a media id"),
        ({"content": "hi", "mediaIds": [{"mediaId": 1}]}, "mediaIds[0] must be an object of mediaId and"),
        ({"content": "hi", "mediaIds": [{"previewId": "1"}]}, "mediaIds[0] must be an object of mediaId and"),
        (
            {"content": "hi", "mediaIds": [{"mediaId": "1", "previewId": "p"}]},
            "mediaIds[0] must be an object",
        ),
        ({"content": "hi", "mediaIds": [{"mediaId": "1", "locked": True}]}, "mediaIds[0] must be an object"),
        ({"content": "hi", "access_type": "ppv"}, "access_type must be a list of ppv, subscription, follow"),
        (
            {"content": "hi", "access_type": ["free"]},
            "access_type[0] must be one of ppv, subscription, follow",
        ),
        ({**PPV, "price": 0.99}, "price must be a number of dollars from 1 to 500; got 0.99"),
        ({**PPV, "price": 501}, "price must be a number of dollars from 1 to 500; got 501"),
        ({**PPV, "price": "10"}, "price must be a number of dollars from 1 to 500; got '10'"),
        ({**PPV, "price": True}, "price must be a number of dollars from 1 to 500; got True"),
        ({**PPV, "access_type": ["subscription"], "price": 10}, "price is only allowed with access_type ppv"),
        ({**PPV, "access_type": None, "price": 10}, "price is only allowed with access_type ppv"),
        ({**PPV, "mediaIds": [], "price": 10}, "price is only allowed with access_type ppv and attached"),
        (
            {"content": "hi", "access_type": ["ppv"], "price": 10},
            "price is only allowed with access_type ppv",
        ),
        ({"content": "hi", "subscriptionTierId": 5}, "subscriptionTierId must be a string"),
        ({"content": "hi", "subscriptionTierName": ["Gold"]}, "subscriptionTierName must be a string"),
        ({"content": "hi", "listId": 7}, "listId must be a string"),
        ({"content": "hi", "listLabel": False}, "listLabel must be a string"),
        ({"content": "hi", "validBefore": "tomorrow"}, "validBefore must be a whole number"),
        ({"content": "hi", "validAfter": 1.5}, "validAfter must be a whole number"),
        ({"content": "hi", "validAfter": True}, "validAfter must be a whole number"),
        ({"content": "hi", "permissions": {}}, "permissions must be a list of objects"),
        ({"content": "hi", "permissions": [["ppv"]]}, "permissions must be a list of objects"),
    ],
)
def test_an_invalid_body_gets_400_with_the_reason_and_sends_nothing(
    api: Api, fansly_sandbox: FanslySandbox, chat_id: str, body: Any, reason: str
) -> None:
    message = error_message(api.send(chat_id, body), 400)

    assert message.startswith(f"Invalid request parameters: {reason}")
    assert fansly_sandbox.messages == []
    assert fansly_sandbox.counters.messages_sent == 0


def test_a_body_that_is_not_json_gets_400(fansly_sandbox: FanslySandbox, chat_id: str) -> None:
    response = requests.post(
        f"{Api(fansly_sandbox).base}/chats/{chat_id}/messages",
        data=b'{"content": ',
        headers={**HEADERS, "Content-Type": "application/json"},
        timeout=5,
    )

    assert error_message(response, 400) == "Invalid request parameters: the body is not valid JSON"
