"""Chat Messages: the newest first, ``limit`` 1 to 10, an opaque cursor to older ones; and seed_message."""

from __future__ import annotations

import time
from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import (
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    Account,
    Counters,
    FanslySandbox,
)
from tests.sandbox.client import FAN_ID, Api, error_message, response_of


def seed(sandbox: FanslySandbox, chat_id: str, count: int) -> list[str]:
    """Seed messages "1" .. "count", one second apart, oldest first; return their ids."""
    start = int(time.time()) - count
    return [sandbox.seed_message(chat_id, str(n), created_at=start + n)["id"] for n in range(1, count + 1)]


def contents(response: Any) -> list[str]:
    return [message["content"] for message in response_of(response)["messages"]]


def pages(api: Api, chat_id: str, **params: Any) -> list[list[str]]:
    """The contents of every page, following ``cursor`` until it is null."""
    found = []
    while True:
        response = response_of(api.messages(chat_id, **params))
        found.append([message["content"] for message in response["messages"]])
        if response["cursor"] is None:
            return found
        params = {**params, "cursor": response["cursor"]}


def test_a_message_sent_through_the_api_reads_back_with_the_documented_fields(api: Api, chat_id: str) -> None:
    before = int(time.time())
    sent = response_of(api.send(chat_id, {"content": "hi"}), 201)

    response = response_of(api.messages(chat_id))

    assert response == {
        "messages": [
            {
                "id": sent["id"],
                "type": 1,
                "content": "hi",
                "groupId": chat_id,
                "senderId": DEFAULT_CREATOR_ID,
                "createdAt": sent["createdAt"],
                "attachments": [],
                "interactions": [],
            }
        ],
        "cursor": None,
    }
    assert isinstance(sent["createdAt"], int)
    assert before <= sent["createdAt"] <= time.time()


def test_a_chat_without_messages_is_an_empty_page(api: Api, chat_id: str) -> None:
    assert response_of(api.messages(chat_id)) == {"messages": [], "cursor": None}


def test_the_newest_message_comes_first(api: Api, fansly_sandbox: FanslySandbox, chat_id: str) -> None:
    seed(fansly_sandbox, chat_id, 3)

    assert contents(api.messages(chat_id)) == ["3", "2", "1"]


def test_limit_defaults_to_10(api: Api, fansly_sandbox: FanslySandbox, chat_id: str) -> None:
    seed(fansly_sandbox, chat_id, 11)

    assert [len(page) for page in pages(api, chat_id)] == [10, 1]


def test_the_cursor_pages_to_older_messages_and_is_null_on_the_last_page(
    api: Api, fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    seed(fansly_sandbox, chat_id, 5)

    assert pages(api, chat_id, limit=2) == [["5", "4"], ["3", "2"], ["1"]]


def test_oldest_order_reverses_each_page_and_paging_still_goes_to_older_messages(
    api: Api, fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    fansly_sandbox.config.messages_order = "oldest"
    seed(fansly_sandbox, chat_id, 5)

    assert pages(api, chat_id, limit=2) == [["4", "5"], ["2", "3"], ["1"]]


def test_messages_sort_on_created_at_not_on_arrival(
    api: Api, fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    now = int(time.time())
    fansly_sandbox.seed_message(chat_id, "recent", created_at=now)
    fansly_sandbox.seed_message(chat_id, "older, seeded later", created_at=now - 60)

    assert contents(api.messages(chat_id)) == ["recent", "older, seeded later"]
    row = response_of(api.chats())["data"][0]
    assert row["lastMessageId"] == response_of(api.messages(chat_id))["messages"][0]["id"]


@pytest.mark.parametrize("limit", ["0", "11", "-1", "ten", "2.5", ""])
def test_a_limit_outside_1_to_10_gets_400(api: Api, chat_id: str, limit: str) -> None:
    message = error_message(api.messages(chat_id, limit=limit), 400)

    assert message == f"Invalid request parameters: limit must be a whole number from 1 to 10; got {limit!r}"


@pytest.mark.parametrize("name", ["before", "sort", "offset"])
def test_an_undocumented_query_parameter_gets_400_naming_it(api: Api, chat_id: str, name: str) -> None:
    message = error_message(api.messages(chat_id, **{name: "1"}), 400)

    assert message.startswith(f"Invalid request parameters: unknown query parameter '{name}'")


@pytest.mark.parametrize("cursor", ["800000000000000001", "garbage", "Y2hhdHM6MQ"])
def test_an_unknown_cursor_gets_400(
    api: Api, fansly_sandbox: FanslySandbox, chat_id: str, cursor: str
) -> None:
    seed(fansly_sandbox, chat_id, 2)

    message = error_message(api.messages(chat_id, cursor=cursor), 400)

    assert message == f"Invalid request parameters: unknown cursor {cursor!r}"


def test_an_unknown_chat_gets_404(api: Api) -> None:
    message = error_message(api.messages("800000000000999999"), 404)

    assert message == "Chat not found: 800000000000999999"


def test_a_chat_of_another_account_gets_404(api: Api, fansly_sandbox: FanslySandbox) -> None:
    second = Account("fansly_second", "700000000000000002")
    fansly_sandbox.config.keys[DEFAULT_API_KEY] += (second,)
    theirs = fansly_sandbox.seed_chats([FAN_ID], account_id="fansly_second")[FAN_ID]

    assert error_message(api.messages(theirs), 404) == f"Chat not found: {theirs}"
    assert response_of(Api(fansly_sandbox, "fansly_second").messages(theirs))["messages"] == []


def test_an_unlisted_chat_has_its_messages_too(api: Api, fansly_sandbox: FanslySandbox) -> None:
    chat_id = fansly_sandbox.seed_chats([FAN_ID], listed=False)[FAN_ID]
    fansly_sandbox.seed_message(chat_id, "Welcome! (automated)")

    assert contents(api.messages(chat_id)) == ["Welcome! (automated)"]


# -- seed_message -------------------------------------------------------------------------------


def test_a_seeded_message_is_the_creators_by_default_and_sends_no_request(
    fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    message = fansly_sandbox.seed_message(chat_id, "sent by hand")

    assert message["senderId"] == DEFAULT_CREATOR_ID
    assert (message["type"], message["groupId"], message["content"]) == (1, chat_id, "sent by hand")
    [record] = fansly_sandbox.messages
    assert (record.message, record.body, record.seeded) == (message, None, True)
    assert fansly_sandbox.journal == []
    assert fansly_sandbox.counters == Counters()


def test_a_fans_message_is_unread_until_the_creator_answers(
    api: Api, fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    first = fansly_sandbox.seed_message(chat_id, "hello?", sender_id=FAN_ID)
    second = fansly_sandbox.seed_message(chat_id, "anyone?", sender_id=FAN_ID)
    unread = response_of(api.chats())["data"][0]

    reply = response_of(api.send(chat_id, {"content": "hi!"}), 201)
    read = response_of(api.chats())["data"][0]

    assert first["senderId"] == FAN_ID
    assert (unread["unreadCount"], unread["lastUnreadMessageId"], unread["lastMessageId"]) == (
        2,
        second["id"],
        second["id"],
    )
    assert (read["unreadCount"], read["lastUnreadMessageId"], read["lastMessageId"]) == (0, None, reply["id"])


def test_sort_unread_lists_chats_with_unread_messages_first(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fans = ["723516315247060001", "723516315247060002", "723516315247060003"]
    chats = fansly_sandbox.seed_chats(fans)
    fansly_sandbox.seed_message(chats[fans[0]], "unread", sender_id=fans[0])

    listed = [row["partnerAccountId"] for row in response_of(api.chats(sort="unread"))["data"]]

    assert listed == [fans[0], fans[2], fans[1]]


def test_seeding_a_message_in_an_unknown_chat_raises(fansly_sandbox: FanslySandbox) -> None:
    with pytest.raises(ValueError, match="no chat '800000000000999999'"):
        fansly_sandbox.seed_message("800000000000999999", "hi")


def test_a_seeded_message_needs_a_sender_of_the_chat(fansly_sandbox: FanslySandbox, chat_id: str) -> None:
    with pytest.raises(ValueError, match="is not in chat"):
        fansly_sandbox.seed_message(chat_id, "hi", sender_id="723516315247069999")


@pytest.mark.parametrize("created_at", [1.5, "1700000000", -1, True])
def test_created_at_must_be_whole_epoch_seconds(
    fansly_sandbox: FanslySandbox, chat_id: str, created_at: Any
) -> None:
    with pytest.raises(ValueError, match="created_at must be whole epoch seconds"):
        fansly_sandbox.seed_message(chat_id, "hi", created_at=created_at)

    assert fansly_sandbox.messages == []
