"""Operator extra link from a task to the chat it created, in Fansly's web UI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly._compat import BaseOperatorLink, XCom

if TYPE_CHECKING:
    from airflow.sdk.types import TaskInstanceKey

FANSLY_CHAT_URL = "https://fansly.com/messages/{group_id}"


class FanslyChatLink(BaseOperatorLink):
    """The "Fansly chat" link: opens the chat whose id the task pushed as XCom ``chat_id``."""

    name = "Fansly chat"

    def get_link(self, operator: Any, *, ti_key: TaskInstanceKey) -> str:
        """The chat's URL on fansly.com, or an empty string while the task has pushed no ``chat_id``."""
        group_id = XCom.get_value(ti_key=ti_key, key="chat_id")
        return FANSLY_CHAT_URL.format(group_id=group_id) if isinstance(group_id, str) else ""
