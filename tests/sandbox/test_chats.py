"""List Chats in the shape the live API sends: rows, aggregation, ``nextCursor`` beside the inner data."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox
from tests.sandbox.client import FAN_ID, Api, envelope, error_message, response_of


def fan(n: int) -> str:
    return f"72351631524706{n:04d}"


def group_ids(response: Any) -> list[str]:
    return [row["groupId"] for row in response_of(response)["data"]]


def all_pages(api: Api, **params: Any) -> list[list[str]]:
    """The group ids of every page, following ``nextCursor`` until the last page."""
    pages = []
    while True:
        data = envelope(api.chats(**params), 200)["data"]
        pages.append([row["groupId"] for row in data["data"]["response"]["data"]])
        if not data.get("nextCursor"):
            return pages
        params = {**params, "cursor": data["nextCursor"]}


def test_a_chat_is_a_row_in_response_data_with_its_fan_in_aggregation_data(api: Api) -> None:
    group_id = api.group_id(FAN_ID)

    data = envelope(api.chats(), 200)["data"]

    assert data == {
        "status_code": 200,
        "data": {
            "success": True,
            "response": {
                "data": [
                    {
                        "account_id": DEFAULT_CREATOR_ID,
                        "groupId": group_id,
                        "partnerAccountId": FAN_ID,
                        "partnerUsername": f"fan_{FAN_ID}",
                        "flags": 0,
                        "unreadCount": 0,
                        "subscriptionTierId": None,
                        "lastMessageId": None,
                        "lastUnreadMessageId": None,
                    }
                ],
                "aggregationData": {
                    "accounts": [
                        {
                            "id": FAN_ID,
                            "username": f"fan_{FAN_ID}",
                            "displayName": "Fan 3042",
                            "avatar": {"locations": []},
                        }
                    ]
                },
            },
        },
        "nextCursor": None,
    }


def test_next_cursor_sits_beside_the_inner_data_not_in_the_response(
    api: Api, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.chats_page_size = 1
    api.group_id(fan(1))
    api.group_id(fan(2))

    data = envelope(api.chats(), 200)["data"]

    assert set(data) == {"status_code", "data", "nextCursor"}
    assert isinstance(data["nextCursor"], str)
    assert data["nextCursor"]
    assert set(data["data"]["response"]) == {"data", "aggregationData"}


def test_pages_of_the_page_size_follow_next_cursor_to_every_chat_once(
    api: Api, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.chats_page_size = 2
    created = [api.group_id(fan(n)) for n in range(5)]

    pages = all_pages(api)

    assert pages == [created[4:2:-1], created[2:0:-1], created[:1]]


def test_page_size_defaults_to_20(api: Api) -> None:
    for n in range(21):
        api.group_id(fan(n))

    assert [len(page) for page in all_pages(api)] == [20, 1]


@pytest.mark.parametrize(("setting", "present", "value"), [("null", True, None), ("empty", True, "")])
def test_last_page_cursor_is_null_or_empty_as_configured(
    api: Api, fansly_sandbox: FanslySandbox, setting: Any, present: bool, value: Any
) -> None:
    fansly_sandbox.config.last_page_cursor = setting
    api.group_id()

    data = envelope(api.chats(), 200)["data"]

    assert data["nextCursor"] == value


def test_last_page_cursor_can_be_absent(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.last_page_cursor = "absent"
    api.group_id()

    data = envelope(api.chats(), 200)["data"]

    assert "nextCursor" not in data
    assert len(data["data"]["response"]["data"]) == 1


def test_no_chats_is_an_empty_page_without_a_cursor(api: Api) -> None:
    data = envelope(api.chats(), 200)["data"]

    assert data["data"]["response"] == {"data": [], "aggregationData": {"accounts": []}}
    assert data["nextCursor"] is None


def test_newest_chat_comes_first_and_oldest_reverses(api: Api) -> None:
    created = [api.group_id(fan(n)) for n in range(3)]

    assert group_ids(api.chats()) == created[::-1]
    assert group_ids(api.chats(sort="newest")) == created[::-1]
    assert group_ids(api.chats(sort="oldest")) == created


def test_a_message_makes_its_chat_the_newest(api: Api) -> None:
    first, second = api.group_id(fan(1)), api.group_id(fan(2))

    envelope(api.send(first, {"content": "hello again"}), 201)

    assert group_ids(api.chats()) == [first, second]


def test_every_chat_made_through_group_is_a_subscribers_chat(api: Api) -> None:
    group_id = api.group_id()

    assert group_ids(api.chats(filter="all")) == [group_id]
    assert group_ids(api.chats(filter="subscribers")) == [group_id]
    assert group_ids(api.chats(filter="followers")) == []
    assert group_ids(api.chats(filter="vips")) == []


def test_search_matches_part_of_the_partner_username_ignoring_case(api: Api) -> None:
    wanted = api.group_id("723516315247063042")
    api.group_id("723516315247069999")

    assert group_ids(api.chats(search="FAN_7235163152470630")) == [wanted]
    assert group_ids(api.chats(search="nobody")) == []


def test_the_fan_of_each_row_is_in_aggregation_data(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.chats_page_size = 2
    for n in range(3):
        api.group_id(fan(n))

    response = response_of(api.chats())

    assert [account["id"] for account in response["aggregationData"]["accounts"]] == [
        row["partnerAccountId"] for row in response["data"]
    ]


@pytest.mark.parametrize("name", ["limit", "offset", "page"])
def test_an_undocumented_query_parameter_gets_400_naming_it(api: Api, name: str) -> None:
    message = error_message(api.chats(**{name: "10"}), 400)

    assert message.startswith(f"Invalid request parameters: unknown query parameter '{name}'")


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"filter": "friends"}, "filter must be one of all, vips, followers, subscribers; got 'friends'"),
        ({"filter": ""}, "filter must be one of"),
        ({"sort": "recent"}, "sort must be one of newest, oldest, unread; got 'recent'"),
    ],
)
def test_a_bad_filter_or_sort_gets_400(api: Api, params: dict[str, str], reason: str) -> None:
    assert error_message(api.chats(**params), 400).startswith(f"Invalid request parameters: {reason}")


@pytest.mark.parametrize("cursor", ["999", "not a cursor", "bWVzc2FnZXM6MQ"])
def test_an_unknown_cursor_gets_400(api: Api, cursor: str) -> None:
    api.group_id()

    message = error_message(api.chats(cursor=cursor), 400)

    assert message == f"Invalid request parameters: unknown cursor {cursor!r}"


def test_a_cursor_past_the_last_chat_gets_400(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.chats_page_size = 1
    api.group_id(fan(1))
    api.group_id(fan(2))
    cursor = envelope(api.chats(), 200)["data"]["nextCursor"]

    # The same cursor with a filter that selects fewer chats points past the end.
    assert error_message(api.chats(cursor=cursor, filter="vips"), 400).startswith(
        "Invalid request parameters: unknown cursor"
    )
