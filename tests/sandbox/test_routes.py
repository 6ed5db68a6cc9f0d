"""The routes, envelope and auth of the sandbox, pinned against the contract over real sockets."""

from __future__ import annotations

import re
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
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
FAN_ID = "723516315247063042"


def envelope(response: requests.Response, status: int) -> dict[str, Any]:
    """Check the envelope's shape, status and timestamp, and return it."""
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"statusCode", "message", "data", "timestamp"}
    assert body["statusCode"] == status
    assert isinstance(body["message"], str)
    assert body["message"]
    assert TIMESTAMP.fullmatch(body["timestamp"])
    if status >= 400:
        assert body["data"] is None
    return body


def error_message(response: requests.Response, status: int) -> str:
    message: str = envelope(response, status)["message"]
    return message


def create_group(sandbox: FanslySandbox, fan_id: str = FAN_ID) -> dict[str, Any]:
    users = [{"userId": DEFAULT_CREATOR_ID, "permissionFlags": 0}, {"userId": fan_id, "permissionFlags": 0}]
    response = requests.post(
        f"{sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/group",
        json={"users": users, "type": 1},
        headers=HEADERS,
        timeout=5,
    )
    group: dict[str, Any] = envelope(response, 200)["data"]["data"]["response"]
    return group


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


def test_message_is_recorded_and_becomes_the_chats_last_message(fansly_sandbox: FanslySandbox) -> None:
    group_id = create_group(fansly_sandbox)["id"]
    base = f"{fansly_sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/chats"

    response = requests.post(
        f"{base}/{group_id}/messages", json={"content": "hi"}, headers=HEADERS, timeout=5
    )

    message = envelope(response, 200)["data"]["data"]["response"]
    assert set(message) == {"id", "groupId", "content", "createdAt"}
    assert message["groupId"] == group_id
    assert message["content"] == "hi"
    assert re.fullmatch(r"[0-9]{18}", message["id"])
    chats = requests.get(base, headers=HEADERS, timeout=5).json()["data"]["data"]["response"]["data"]
    assert chats[0]["lastMessageId"] == message["id"]
    assert [record.message for record in fansly_sandbox.messages] == [message]
    assert fansly_sandbox.counters.messages_sent == 1


def test_message_to_an_unknown_chat_gets_404(fansly_sandbox: FanslySandbox) -> None:
    url = f"{fansly_sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/chats/800000000000999999/messages"

    response = requests.post(url, json={"content": "hi"}, headers=HEADERS, timeout=5)

    assert error_message(response, 404) == "Chat not found: 800000000000999999"


@pytest.mark.parametrize("body", [{}, {"content": ""}, {"content": "  "}, {"content": 5}, ["hi"]])
def test_message_needs_non_empty_content(fansly_sandbox: FanslySandbox, body: Any) -> None:
    group_id = create_group(fansly_sandbox)["id"]
    url = f"{fansly_sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/chats/{group_id}/messages"

    response = requests.post(url, json=body, headers=HEADERS, timeout=5)

    assert error_message(response, 400).startswith("Invalid request parameters: ")
    assert fansly_sandbox.messages == []
