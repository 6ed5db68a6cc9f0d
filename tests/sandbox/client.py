"""A thin client of the sandbox for its contract tests: real sockets, plain ``requests``."""

from __future__ import annotations

import re
from typing import Any

import requests

from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    FanslySandbox,
)

HEADERS = {"x-api-key": DEFAULT_API_KEY}
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
FAN_ID = "723516315247063042"


def envelope(response: requests.Response, status: int) -> dict[str, Any]:
    """Check the envelope's shape, status and timestamp, and return it."""
    assert response.status_code == status, response.text
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


def response_of(response: requests.Response, status: int = 200) -> Any:
    """The payload of a nested success: ``data.data.response``, after checking both layers."""
    data = envelope(response, status)["data"]
    assert data["status_code"] == 200
    assert data["data"]["success"] is True
    return data["data"]["response"]


class Api:
    """Calls to one sandbox's default account, with its default key."""

    def __init__(self, sandbox: FanslySandbox, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
        self.base = f"{sandbox.url}/api/fansly/{account_id}"

    def request(self, method: str, path: str, body: Any = None) -> requests.Response:
        """Any route of the account, e.g. ``request("GET", "posts/walls")``."""
        return requests.request(method, f"{self.base}/{path}", json=body, headers=HEADERS, timeout=5)

    def create_group(self, fan_id: str = FAN_ID, creator_id: str = DEFAULT_CREATOR_ID) -> requests.Response:
        users = [{"userId": creator_id, "permissionFlags": 0}, {"userId": fan_id, "permissionFlags": 0}]
        return requests.post(
            f"{self.base}/group", json={"users": users, "type": 1}, headers=HEADERS, timeout=5
        )

    def group_id(self, fan_id: str = FAN_ID) -> str:
        """Create (or find) the chat with this fan and return its id."""
        group_id: str = response_of(self.create_group(fan_id))["id"]
        return group_id

    def chats(self, **params: Any) -> requests.Response:
        return requests.get(f"{self.base}/chats", params=params, headers=HEADERS, timeout=5)

    def messages(self, chat_id: str, **params: Any) -> requests.Response:
        return requests.get(
            f"{self.base}/chats/{chat_id}/messages", params=params, headers=HEADERS, timeout=5
        )

    def send(self, chat_id: str, body: Any) -> requests.Response:
        return requests.post(f"{self.base}/chats/{chat_id}/messages", json=body, headers=HEADERS, timeout=5)

    def upload(self, data: bytes = b"\x89PNG") -> requests.Response:
        files = {"file": ("drop.png", data, "image/png")}
        return requests.post(f"{self.base}/media/upload", files=files, headers=HEADERS, timeout=5)

    def subscribers(self, **params: Any) -> requests.Response:
        return requests.get(f"{self.base}/subscribers", params=params, headers=HEADERS, timeout=5)

    def followers(self, **params: Any) -> requests.Response:
        return requests.get(f"{self.base}/followers", params=params, headers=HEADERS, timeout=5)

    def transactions(self, **params: Any) -> requests.Response:
        return requests.get(f"{self.base}/earnings/transactions", params=params, headers=HEADERS, timeout=5)

    def mass_message(self, body: Any) -> requests.Response:
        return requests.post(f"{self.base}/mass-messaging", json=body, headers=HEADERS, timeout=5)

    def scheduled(self, **params: Any) -> requests.Response:
        return requests.get(
            f"{self.base}/mass-messaging/scheduled", params=params, headers=HEADERS, timeout=5
        )

    def sent(self, **params: Any) -> requests.Response:
        return requests.get(
            f"{self.base}/mass-messaging/stats/sent", params=params, headers=HEADERS, timeout=5
        )
