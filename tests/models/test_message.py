"""A message and a batch of messages are checked against the documented Send Message body before any request."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.models.batch_input import parse_messages
from airflow_provider_apifansly.models.message import OutgoingMessage

CHAT = "800000000000000001"
MEDIA = ["900000000000000001"]


def test_a_text_message_sends_only_its_content() -> None:
    assert OutgoingMessage.parse(CHAT, "hi").body() == {"content": "hi"}


def test_a_paid_message_sends_media_access_and_price() -> None:
    message = OutgoingMessage.parse(
        int(CHAT), "unlock me", [MEDIA[0], {"mediaId": 900000000000000002, "previewId": None}], ["ppv"], 9.99
    )
    assert message.chat_id == CHAT
    assert message.body() == {
        "content": "unlock me",
        "mediaIds": [MEDIA[0], {"mediaId": "900000000000000002", "previewId": None}],
        "access_type": ["ppv"],
        "price": 9.99,
    }


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"chat_id": "abc"}, "chat_id must be a native Fansly id"),
        ({"chat_id": None}, "chat_id is missing"),
        ({"content": ""}, "content must be a non-empty string"),
        ({"content": "   "}, "content must be a non-empty string"),
        ({"content": 5}, "content must be a non-empty string"),
        ({"media_ids": "900000000000000001"}, "media_ids must be a list"),
        ({"media_ids": ["x1"]}, "media_ids\\[0\\] must be a native Fansly id"),
        ({"media_ids": [{"id": "1"}]}, "media_ids\\[0\\] must be a media id or"),
        ({"media_ids": [{"mediaId": "1", "previewId": "p"}]}, "media_ids\\[0\\].previewId must be"),
        ({"access_type": ["free"]}, "access_type\\[0\\] must be one of ppv, subscription"),
        ({"access_type": "ppv"}, "access_type must be a list"),
        ({"price": 10}, "price is only allowed on a pay-per-view message with media"),
        ({"price": 10, "access_type": ["ppv"]}, "price is only allowed on a pay-per-view message with media"),
        ({"price": 10, "media_ids": MEDIA}, "price is only allowed on a pay-per-view message with media"),
        ({"price": 0.5, "access_type": ["ppv"], "media_ids": MEDIA}, "price must be from 1 to 500"),
        ({"price": 501, "access_type": ["ppv"], "media_ids": MEDIA}, "price must be from 1 to 500"),
        ({"price": "10", "access_type": ["ppv"], "media_ids": MEDIA}, "price must be a number"),
        ({"price": True, "access_type": ["ppv"], "media_ids": MEDIA}, "price must be a number"),
    ],
)
def test_a_bad_field_is_refused_naming_it(fields: dict[str, Any], error: str) -> None:
    with pytest.raises(FanslyValidationError, match=error):
        OutgoingMessage.parse(**{"chat_id": CHAT, "content": "hi", **fields})


def test_a_batch_is_a_dict_of_contents_or_a_list_of_messages() -> None:
    by_chat = parse_messages({CHAT: "hi", "800000000000000002": "hey"})
    rows = parse_messages(
        [{"chat_id": CHAT, "content": "pay", "media_ids": MEDIA, "access_type": ["ppv"], "price": 5}]
    )
    assert [(m.chat_id, m.content) for m in by_chat] == [(CHAT, "hi"), ("800000000000000002", "hey")]
    assert rows[0].body()["price"] == 5


def test_a_batch_rendered_by_a_template_is_read_back() -> None:
    assert parse_messages(f"{{'{CHAT}': 'hi'}}")[0].content == "hi"
    assert parse_messages(f'[{{"chat_id": "{CHAT}", "content": "hi"}}]')[0].chat_id == CHAT
    assert parse_messages({}) == []


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        ("hello", "messages must render to JSON or a Python literal"),
        (42, "messages must be a dict"),
        ("42", "messages must be a dict"),
        ([CHAT], "messages\\[0\\] must be a dict with chat_id and content"),
        (
            [{"chat_id": CHAT, "content": "hi", "prize": 1}],
            "messages\\[0\\] has unknown fields \\['prize'\\]",
        ),
        ([{"chat_id": CHAT}], "messages\\[0\\].content must be a non-empty string"),
        ({CHAT: "hi", "bad": "x"}, "messages\\['bad'\\].chat_id must be a native Fansly id"),
        (
            [{"chat_id": CHAT, "content": "a"}, {"chat_id": CHAT, "content": "b"}],
            "more than one message for chat",
        ),
    ],
)
def test_one_bad_message_refuses_the_whole_batch(messages: Any, error: str) -> None:
    with pytest.raises(FanslyValidationError, match=error):
        parse_messages(messages)
