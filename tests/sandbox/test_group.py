"""Create Group Chat: the API's validation and its find-or-create on the pair of users."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    Account,
    FanslySandbox,
)

HEADERS = {"x-api-key": DEFAULT_API_KEY}
FAN_ID = "723516315247063042"
OTHER_FAN_ID = "723516315247063043"


def users(*user_ids: Any) -> list[dict[str, Any]]:
    return [{"userId": user_id, "permissionFlags": 0} for user_id in user_ids]


def post_group(sandbox: FanslySandbox, body: Any, account_id: str = DEFAULT_ACCOUNT_ID) -> requests.Response:
    url = f"{sandbox.url}/api/fansly/{account_id}/group"
    return requests.post(url, json=body, headers=HEADERS, timeout=5)


def group_of(response: requests.Response) -> dict[str, Any]:
    data = response.json()["data"]
    assert data["status_code"] == 200
    assert data["data"]["success"] is True
    group: dict[str, Any] = data["data"]["response"]
    return group


def test_create_returns_the_group_as_fansly_describes_it(fansly_sandbox: FanslySandbox) -> None:
    response = post_group(fansly_sandbox, {"users": users(DEFAULT_CREATOR_ID, FAN_ID), "type": 1})

    assert response.status_code == 200
    group = group_of(response)
    assert re.fullmatch(r"[1-9][0-9]{17}", group["id"])
    assert group == {
        "id": group["id"],
        "type": 1,
        "createdBy": DEFAULT_CREATOR_ID,
        "users": [
            {
                "userId": DEFAULT_CREATOR_ID,
                "permissionFlags": 65535,
                "userSettings": None,
                "groupId": group["id"],
            },
            {"userId": FAN_ID, "permissionFlags": 65535, "userSettings": None, "groupId": group["id"]},
        ],
        "recipients": [],
        "lastMessage": None,
        "userSettings": None,
        "permissionFlags": 0,
        "hasDmPermissionFlags": False,
        "dmPermissionFlags": 0,
        "accountDmPermissionFlags": 0,
        "groupFlagsMetadata": "{}",
    }


def test_optional_fields_are_accepted(fansly_sandbox: FanslySandbox) -> None:
    body = {
        "users": users(FAN_ID, DEFAULT_CREATOR_ID),
        "recipients": [],
        "lastMessage": None,
        "userSettings": None,
    }

    assert post_group(fansly_sandbox, body).status_code == 200


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([], "the body must be a JSON object"),
        ({"type": 1}, "users must be a list of exactly two users"),
        ({"users": users(DEFAULT_CREATOR_ID)}, "users must be a list of exactly two users"),
        ({"users": users(DEFAULT_CREATOR_ID, FAN_ID, OTHER_FAN_ID)}, "users must be a list of exactly two"),
        ({"users": [DEFAULT_CREATOR_ID, FAN_ID]}, "users[0] must be an object"),
        ({"users": users(DEFAULT_CREATOR_ID, 723516315247063042)}, "users[1].userId must be a string"),
        ({"users": users(DEFAULT_CREATOR_ID, 7.235163152470631e17)}, "users[1].userId must be a string"),
        ({"users": users(DEFAULT_CREATOR_ID, "fansly_fan")}, "users[1].userId must be a string of 1 to 20"),
        ({"users": users(DEFAULT_CREATOR_ID, "1" * 21)}, "users[1].userId must be a string of 1 to 20"),
        ({"users": users(DEFAULT_CREATOR_ID, "")}, "users[1].userId must be a string of 1 to 20"),
        ({"users": users(DEFAULT_CREATOR_ID, None)}, "users[1].userId must be a string of 1 to 20"),
        (
            {"users": [{"userId": DEFAULT_CREATOR_ID, "permissionFlags": 1}, users(FAN_ID)[0]]},
            "users[0].permissionFlags must be 0",
        ),
        ({"users": [{"userId": DEFAULT_CREATOR_ID}, users(FAN_ID)[0]]}, "users[0].permissionFlags must be 0"),
        ({"users": users(DEFAULT_CREATOR_ID, FAN_ID), "type": 2}, "type must be 1"),
        ({"users": users(DEFAULT_CREATOR_ID, FAN_ID), "type": "1"}, "type must be 1"),
        ({"users": users(DEFAULT_CREATOR_ID, FAN_ID), "recipients": None}, "recipients must be a list"),
        ({"users": users(DEFAULT_CREATOR_ID, FAN_ID), "lastMessage": "hi"}, "lastMessage must be null"),
        ({"users": users(FAN_ID, FAN_ID)}, "the two users must differ"),
        (
            {"users": users(FAN_ID, OTHER_FAN_ID)},
            f"users must include the account's own creator id {DEFAULT_CREATOR_ID}",
        ),
    ],
)
def test_invalid_body_gets_400_with_the_reason(fansly_sandbox: FanslySandbox, body: Any, reason: str) -> None:
    response = post_group(fansly_sandbox, body)

    assert response.status_code == 400
    envelope = response.json()
    assert envelope["data"] is None
    assert envelope["message"].startswith(f"Invalid request parameters: {reason}")
    assert fansly_sandbox.groups == []


def test_same_pair_finds_the_same_group_in_either_order(fansly_sandbox: FanslySandbox) -> None:
    first = group_of(post_group(fansly_sandbox, {"users": users(DEFAULT_CREATOR_ID, FAN_ID), "type": 1}))
    again = group_of(post_group(fansly_sandbox, {"users": users(FAN_ID, DEFAULT_CREATOR_ID), "type": 1}))
    other = group_of(
        post_group(fansly_sandbox, {"users": users(DEFAULT_CREATOR_ID, OTHER_FAN_ID), "type": 1})
    )

    assert again["id"] == first["id"]
    assert other["id"] != first["id"]
    assert int(other["id"]) > int(first["id"])
    assert fansly_sandbox.counters.groups_created == 2
    [record, _] = fansly_sandbox.groups
    assert record.account_id == DEFAULT_ACCOUNT_ID
    assert record.user_ids == frozenset({DEFAULT_CREATOR_ID, FAN_ID})
    assert record.partner_id == FAN_ID
    assert record.group == first


def test_without_find_or_create_every_create_makes_a_new_group(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.find_or_create = False
    body = {"users": users(DEFAULT_CREATOR_ID, FAN_ID), "type": 1}

    ids = {group_of(post_group(fansly_sandbox, body))["id"] for _ in range(3)}

    assert len(ids) == 3
    assert len(fansly_sandbox.groups) == 3


def test_create_status_applies_to_new_groups_only(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.create_status = 201
    body = {"users": users(DEFAULT_CREATOR_ID, FAN_ID), "type": 1}

    created = post_group(fansly_sandbox, body)
    found = post_group(fansly_sandbox, body)

    assert (created.status_code, created.json()["statusCode"]) == (201, 201)
    assert (found.status_code, found.json()["statusCode"]) == (200, 200)
    assert group_of(created)["id"] == group_of(found)["id"]


def test_groups_are_kept_per_account(fansly_sandbox: FanslySandbox) -> None:
    second = Account("fansly_second", "700000000000000002")
    fansly_sandbox.config.keys[DEFAULT_API_KEY] += (second,)

    mine = group_of(post_group(fansly_sandbox, {"users": users(DEFAULT_CREATOR_ID, FAN_ID)}))
    theirs = group_of(
        post_group(fansly_sandbox, {"users": users(second.creator_id, FAN_ID)}, "fansly_second")
    )

    assert mine["id"] != theirs["id"]
    assert theirs["createdBy"] == second.creator_id


def test_concurrent_creates_of_one_pair_make_one_group(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.rpm = None
    body = {"users": users(DEFAULT_CREATOR_ID, FAN_ID), "type": 1}

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(lambda _: group_of(post_group(fansly_sandbox, body))["id"], range(64)))

    # A burst of connects must not overflow the listen backlog (a refused SYN is retried after 1 s).
    assert time.monotonic() - started < 0.9
    assert len(ids) == 1
    assert fansly_sandbox.counters.groups_created == 1
    assert fansly_sandbox.counters.requests == 64
