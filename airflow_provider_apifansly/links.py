"""Operator extra link from a task to the chat it created, in Fansly's web UI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly._compat import BaseOperatorLink, XCom

if TYPE_CHECKING:
    from airflow.sdk.types import TaskInstanceKey

FANSLY_CHAT_URL = "https://fansly.com/messages/{group_id}"


class FanslyChatLink(BaseOperatorLink):
    """ "Fansly chat": opens the group whose id the task returned (XCom ``return_value``)."""

    name = "Fansly chat"

    def get_link(self, operator: Any, *, ti_key: TaskInstanceKey) -> str:
        group_id = XCom.get_value(ti_key=ti_key, key="return_value")
        return FANSLY_CHAT_URL.format(group_id=group_id) if isinstance(group_id, str) else ""
