"""The routes, envelope and auth of the sandbox, pinned against the contract over real sockets."""

from __future__ import annotations

import pytest
import requests

from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CREATOR_ID,
    Account,
    FanslySandbox,
)
from tests.sandbox.client import HEADERS, envelope, error_message


def test_accounts_lists_the_keys_accounts_without_nesting(fansly_sandbox: FanslySandbox) -> None:
    response = requests.get(f"{fansly_sandbox.url}/api/fansly/accounts", headers=HEADERS, timeout=5)

    body = envelope(response, 200)
    assert body["message"] == "Success"
    assert body["data"] == {
        "success": True,
        "count": 1,
        "accounts": [
            {
                "accountId": DEFAULT_ACCOUNT_ID,
                "name": "Sandbox Creator",
                "email": "creator@sandbox.invalid",
                "country": "US",
                "createdAt": "2025-01-01T00:00:00.000Z",
            }
        ],
    }


def test_an_agency_key_lists_its_accounts_each_with_its_own_creator_and_data(
    fansly_sandbox: FanslySandbox,
) -> None:
    ids = fansly_sandbox.seed_accounts(3)
    fansly_sandbox.seed_chats(["723516315247063042"], account_id=ids[2])
    base = f"{fansly_sandbox.url}/api/fansly"

    accounts = envelope(requests.get(f"{base}/accounts", headers=HEADERS, timeout=5), 200)["data"]
    creators = [
        envelope(requests.get(f"{base}/{account_id}/me", headers=HEADERS, timeout=5), 200)["data"]["data"]
        for account_id in ids
    ]
    chats = [
        envelope(requests.get(f"{base}/{account_id}/chats", headers=HEADERS, timeout=5), 200)["data"]["data"]
        for account_id in ids
    ]

    assert ids == [DEFAULT_ACCOUNT_ID, f"{DEFAULT_ACCOUNT_ID}_2", f"{DEFAULT_ACCOUNT_ID}_3"]
    assert accounts["count"] == 3
    assert [(row["accountId"], row["name"]) for row in accounts["accounts"]] == [
        (ids[0], "Sandbox Creator"),
        (ids[1], "Sandbox Creator 2"),
        (ids[2], "Sandbox Creator 3"),
    ]
    assert [creator["response"]["account"]["id"] for creator in creators] == [
        DEFAULT_CREATOR_ID,
        str(int(DEFAULT_CREATOR_ID) + 1),
        str(int(DEFAULT_CREATOR_ID) + 2),
    ]
    assert [len(page["response"]["data"]) for page in chats] == [0, 0, 1]
    assert chats[2]["response"]["data"][0]["account_id"] == str(int(DEFAULT_CREATOR_ID) + 2)


def test_me_nests_the_creator_native_id(fansly_sandbox: FanslySandbox) -> None:
    url = f"{fansly_sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/me"

    data = envelope(requests.get(url, headers=HEADERS, timeout=5), 200)["data"]

    assert data["status_code"] == 200
    assert data["data"]["success"] is True
    account = data["data"]["response"]["account"]
    assert account == {
        "id": DEFAULT_CREATOR_ID,
        "username": "sandbox_creator",
        "displayName": "Sandbox Creator",
        "avatar": {"locations": []},
    }


@pytest.mark.parametrize("headers", [{}, {"x-api-key": ""}, {"x-api-key": "wrong-key"}])
def test_missing_or_unknown_key_gets_401(fansly_sandbox: FanslySandbox, headers: dict[str, str]) -> None:
    response = requests.get(f"{fansly_sandbox.url}/api/fansly/accounts", headers=headers, timeout=5)

    assert error_message(response, 401) == "Invalid or missing API key"
    assert "X-RateLimit-Limit" not in response.headers


def test_account_of_another_key_gets_403_and_unknown_account_404(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.keys["other-key"] = (Account("fansly_other", "700000000000000002"),)
    base = f"{fansly_sandbox.url}/api/fansly"

    forbidden = requests.get(f"{base}/fansly_other/me", headers=HEADERS, timeout=5)
    missing = requests.get(f"{base}/fansly_nobody/me", headers=HEADERS, timeout=5)
    own = requests.get(f"{base}/fansly_other/me", headers={"x-api-key": "other-key"}, timeout=5)

    assert error_message(forbidden, 403) == "API key cannot access account fansly_other"
    assert error_message(missing, 404) == "Account not found"
    assert envelope(own, 200)["data"]["data"]["response"]["account"]["id"] == "700000000000000002"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/fansly/nothing"),
        ("GET", "/api/fansly/fansly_sandbox/group"),
        ("DELETE", "/api/fansly/fansly_sandbox/me"),
        ("GET", "/elsewhere"),
    ],
)
def test_unknown_route_gets_404(fansly_sandbox: FanslySandbox, method: str, path: str) -> None:
    response = requests.request(method, f"{fansly_sandbox.url}{path}", headers=HEADERS, timeout=5)

    assert error_message(response, 404).startswith("Route not found")


def test_malformed_json_gets_400(fansly_sandbox: FanslySandbox) -> None:
    response = requests.post(
        f"{fansly_sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/group",
        data=b'{"users": [',
        headers={**HEADERS, "Content-Type": "application/json"},
        timeout=5,
    )

    assert error_message(response, 400) == "Invalid request parameters: the body is not valid JSON"
