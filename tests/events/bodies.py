"""Webhook bodies in the shapes of contract §10 (live fixtures of the public client)."""

from __future__ import annotations

from typing import Any

from airflow_provider_apifansly.webhooks.local_stack import ppv_purchase as ppv_purchased

__all__ = ["CREATOR", "message_received", "ppv_purchased"]

CREATOR = "720000000000000001"


def message_received(message_id: str, account: str, fan: str = "723516315247063042") -> dict[str, Any]:
    return {
        "event": "messages.received",
        "accountId": account,
        "timestamp": "2026-07-08T18:05:05.157Z",
        "data": {
            "id": message_id,
            "type": 1,
            "content": "hi! private words",
            "groupId": "880000000000000001",
            "senderId": fan,
            "inReplyTo": None,
            "interactions": [{"groupId": "880000000000000001", "userId": CREATOR, "readAt": 0}],
            "attachments": [],
            "embeds": [],
            "createdAt": 1783533902.804,
        },
    }
