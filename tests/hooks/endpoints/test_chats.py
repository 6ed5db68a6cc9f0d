"""FanslyHook's chats endpoints against the sandbox: Create Group Chat and List Chats in their live shapes."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_CREATOR_ID, FanslySandbox
from tests.helpers import MakeHook

FAN = "723516315247063042"


def test_create_group_chat_sends_the_documented_body_and_returns_the_group(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    group = make_hook().create_group_chat(FAN)

    me, create = fansly_sandbox.journal
    assert (me.method, me.path) == ("GET", f"/api/fansly/{DEFAULT_ACCOUNT_ID}/me")
    assert create.body == {
        "users": [
            {"userId": DEFAULT_CREATOR_ID, "permissionFlags": 0},
            {"userId": FAN, "permissionFlags": 0},
        ],
        "type": 1,
    }
    assert group["id"] == fansly_sandbox.groups[0].group_id
    assert {user["userId"] for user in group["users"]} == {DEFAULT_CREATOR_ID, FAN}


def fans(count: int, start: int = 0) -> list[str]:
    return [str(int(FAN) + offset) for offset in range(start, start + count)]


def chat_requests(sandbox: FanslySandbox) -> list[int | None]:
    """The statuses of the List Chats requests the sandbox answered (it answers 400 to undocumented params)."""
    return [entry.status for entry in sandbox.journal if entry.path.endswith("/chats")]


# -- List Chats ---------------------------------------------------------------------------------------


def test_list_chats_yields_every_chat_with_one_request_per_page(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.chats_page_size = 3
    seeded = fansly_sandbox.seed_chats(fans(7))

    rows = list(make_hook().list_chats())

    assert sorted(row["partnerAccountId"] for row in rows) == sorted(seeded)
    assert len(rows) == 7
    assert chat_requests(fansly_sandbox) == [200, 200, 200]


def test_a_chat_opened_while_paging_does_not_repeat_a_chat(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.chats_page_size = 3
    seeded = fansly_sandbox.seed_chats(fans(7))
    rows = make_hook().list_chats()

    first = [next(rows)["groupId"] for _ in range(3)]
    fansly_sandbox.seed_chats(fans(1, start=50))  # the newest chat comes first: the rest move down
    rest = [row["groupId"] for row in rows]

    assert sorted(first + rest) == sorted(seeded.values())  # the chat pushed onto page 2 is kept once


def test_list_chats_sends_only_documented_parameters(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.chats_page_size = 1
    fansly_sandbox.seed_chats(fans(2), relation="followers")

    rows = list(make_hook().list_chats(filter="followers", sort="oldest", search="fan_"))

    assert len(rows) == 2
    # The sandbox answers 400 to any parameter List Chats does not document (e.g. ``limit``).
    assert chat_requests(fansly_sandbox) == [200, 200]


@pytest.mark.parametrize("filter", ["followers", "subscribers", "vips"])
def test_list_chats_filter_is_sent_and_honoured(
    filter: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    expected = {
        "subscribers": fansly_sandbox.seed_chats(fans(2, start=0), relation="subscribers"),
        "followers": fansly_sandbox.seed_chats(fans(2, start=2), relation="followers"),
        "vips": fansly_sandbox.seed_chats(fans(1, start=4), relation="followers", vip=True),
    }
    if filter == "followers":
        expected["followers"].update(expected["vips"])

    rows = list(make_hook().list_chats(filter=filter))

    assert {row["partnerAccountId"]: row["groupId"] for row in rows} == expected[filter]


def test_list_chats_sort_is_sent_and_honoured(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    first, second, third = fans(3)
    seeded = fansly_sandbox.seed_chats([first, second, third])
    fansly_sandbox.seed_message(seeded[second], "hi", sender_id=second)  # unread, and the latest activity
    hook = make_hook()

    def order(sort: str) -> list[str]:
        return [row["partnerAccountId"] for row in hook.list_chats(sort=sort)]

    assert order("newest") == [second, third, first]
    assert order("oldest") == [first, third, second]
    fansly_sandbox.seed_message(seeded[first], "hello", sender_id=first)
    fansly_sandbox.seed_message(seeded[third], "reply")  # the creator's: third stays read, and newest
    assert order("unread") == [first, second, third]


def test_list_chats_search_is_sent_and_honoured(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    wanted, other = "723516315247063042", "723516315247069999"
    seeded = fansly_sandbox.seed_chats([wanted, other])

    rows = list(make_hook().list_chats(search="063042"))  # the sandbox names fans fan_<id>

    assert [(row["partnerAccountId"], row["groupId"]) for row in rows] == [(wanted, seeded[wanted])]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"filter": "vip"}, "filter must be one of all, vips, followers, subscribers; got 'vip'"),
        ({"filter": ""}, "filter must be one of"),
        ({"filter": "VIPS"}, "filter must be one of"),
        ({"sort": "latest"}, "sort must be one of newest, oldest, unread; got 'latest'"),
        ({"sort": ["newest"]}, "sort must be one of"),
        ({"search": ""}, "search must be a non-empty string"),
        ({"search": "   "}, "search must be a non-empty string"),
        ({"search": 42}, "search must be a non-empty string, got 42"),
        ({"account_id": "fansly_a/b"}, "account_id must be a connected account id"),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_list_chats_refuses_bad_arguments_before_any_request(
    arguments: dict[str, Any], message: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.seed_chats(fans(1))
    with pytest.raises(FanslyValidationError, match=message):
        list(make_hook().list_chats(**arguments))
    assert fansly_sandbox.journal == []


@pytest.mark.parametrize("last_page_cursor", ["null", "absent", "empty"])
def test_list_chats_stops_at_the_last_page_however_it_is_marked(
    last_page_cursor: Any, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.chats_page_size = 2
    fansly_sandbox.config.last_page_cursor = last_page_cursor
    seeded = fansly_sandbox.seed_chats(fans(5))

    rows = list(make_hook().list_chats())

    assert sorted(row["groupId"] for row in rows) == sorted(seeded.values())
    assert chat_requests(fansly_sandbox) == [200, 200, 200]


@pytest.mark.parametrize("last_page_cursor", ["null", "absent", "empty"])
def test_list_chats_of_an_account_without_chats_is_empty_after_one_request(
    last_page_cursor: Any, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.last_page_cursor = last_page_cursor
    assert list(make_hook().list_chats()) == []
    assert chat_requests(fansly_sandbox) == [200]


def test_existing_chats_maps_each_listed_fan_to_its_chat(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.chats_page_size = 2
    listed = fansly_sandbox.seed_chats(fans(3))
    fansly_sandbox.seed_chats(fans(1, start=10), listed=False)  # opened by an automated message

    assert make_hook().existing_chats() == listed
    assert chat_requests(fansly_sandbox) == [200, 200]


def test_list_chats_checks_its_arguments_when_called_not_when_first_read(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    with pytest.raises(FanslyValidationError, match="filter must be one of"):
        make_hook().list_chats(filter="everyone")
    assert fansly_sandbox.journal == []
