"""Apache Airflow provider for the apifansly REST API.

``FanslyHook`` and the operators are importable from here, but lazily, so that
``import airflow_provider_apifansly`` stays cheap for DAG parsing.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "1.1.0"

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook
    from airflow_provider_apifansly.operators.base import FanslyBaseOperator
    from airflow_provider_apifansly.operators.group_chat import (
        CreateGroupChatOperator,
        CreateGroupChatsOperator,
    )
    from airflow_provider_apifansly.operators.messages import SendMessageOperator, SendMessagesOperator

_LAZY = {
    "FanslyHook": "airflow_provider_apifansly.hooks.fansly",
    "CreateGroupChatOperator": "airflow_provider_apifansly.operators.group_chat",
    "CreateGroupChatsOperator": "airflow_provider_apifansly.operators.group_chat",
    "FanslyBaseOperator": "airflow_provider_apifansly.operators.base",
    "SendMessageOperator": "airflow_provider_apifansly.operators.messages",
    "SendMessagesOperator": "airflow_provider_apifansly.operators.messages",
}

__all__ = [
    "CreateGroupChatOperator",
    "CreateGroupChatsOperator",
    "FanslyBaseOperator",
    "FanslyHook",
    "SendMessageOperator",
    "SendMessagesOperator",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
