"""The names the sandbox gives fans (Fansly would return each fan's own), shared by every list of fans."""

from __future__ import annotations

from typing import Any


def fan_username(fan_id: str) -> str:
    """A fan's username, which ``search`` parameters match."""
    return f"fan_{fan_id}"


def fan_display_name(fan_id: str) -> str:
    """A fan's display name."""
    return f"Fan {fan_id[-4:]}"


def fan_accounts(fan_ids: list[str]) -> list[dict[str, Any]]:
    """The ``aggregationData.accounts`` of a page: each fan once, in the page's order."""
    return [
        {
            "id": fan_id,
            "username": fan_username(fan_id),
            "displayName": fan_display_name(fan_id),
            "avatar": {"locations": []},
        }
        for fan_id in dict.fromkeys(fan_ids)
    ]
