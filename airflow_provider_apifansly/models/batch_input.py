"""Reading a whole batch (fans, messages) before any request: all of it valid, or none of it sent.

Templates without native rendering turn lists and dicts into their text, so a
string is read back as JSON or a Python literal.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.models.message import OutgoingMessage

MESSAGE_FIELDS = ("chat_id", "content", "media_ids", "access_type", "price")


def parse_rendered(value: Any, field: str) -> Any:
    """The value itself, or the list, dict or number that a template rendered to text."""
    if not isinstance(value, str):
        return value
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(value)
        except (ValueError, SyntaxError):
            continue
    raise FanslyValidationError(f"{field} must render to JSON or a Python literal, got {value[:100]!r}")


def pending_template(value: Any) -> bool:
    """Whether a value (or anything inside it) is still to be rendered: a Jinja template or an XCom.

    Such a value can only be checked when the task runs, not when the DAG file is parsed.
    """
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, Mapping):
        return any(pending_template(item) for item in (*value.keys(), *value.values()))
    if isinstance(value, list | tuple):
        return any(pending_template(item) for item in value)
    return hasattr(value, "resolve")  # an XComArg, resolved at run time


def parse_user_ids(user_ids: Sequence[str | int] | str) -> list[str]:
    """Validate every fan id before any request; drop duplicates, keep order."""
    user_ids = parse_rendered(user_ids, "user_ids")
    if not isinstance(user_ids, Sequence) or isinstance(user_ids, str | bytes):
        raise FanslyValidationError(f"user_ids must be a list of fan ids, got {type(user_ids).__name__}")
    ids = [validate_native_id(value, field=f"user_ids[{index}]") for index, value in enumerate(user_ids)]
    return list(dict.fromkeys(ids))


def parse_messages(messages: Any) -> list[OutgoingMessage]:
    """Validate a batch of messages.

    ``{chat_id: content}``, or a list of dicts with ``chat_id``, ``content`` and optionally ``media_ids``,
    ``access_type`` and ``price``. One message per chat.
    """
    messages = parse_rendered(messages, "messages")
    if isinstance(messages, Mapping):
        parsed = [
            OutgoingMessage.parse(chat_id, content, where=f"messages[{chat_id!r}].")
            for chat_id, content in messages.items()
        ]
    elif isinstance(messages, Sequence) and not isinstance(messages, str | bytes):
        parsed = [_message_row(row, index) for index, row in enumerate(messages)]
    else:
        raise FanslyValidationError(
            "messages must be a dict {chat_id: content} or a list of dicts with chat_id and content, "
            f"got {type(messages).__name__}"
        )
    repeated = sorted(chat for chat, count in Counter(m.chat_id for m in parsed).items() if count > 1)
    if repeated:
        raise FanslyValidationError(
            f"messages holds more than one message for chat(s) {repeated}; send one each"
        )
    return parsed


def _message_row(row: Any, index: int) -> OutgoingMessage:
    if isinstance(row, OutgoingMessage):  # validated already (an operator that sends part of its batch)
        return row
    where = f"messages[{index}]."
    if not isinstance(row, Mapping):
        raise FanslyValidationError(f"{where[:-1]} must be a dict with chat_id and content, got {row!r:.60}")
    unknown = sorted(set(row) - set(MESSAGE_FIELDS))
    if unknown:
        raise FanslyValidationError(
            f"{where[:-1]} has unknown fields {unknown}; allowed: {list(MESSAGE_FIELDS)}"
        )
    return OutgoingMessage.parse(**{name: row.get(name) for name in MESSAGE_FIELDS}, where=where)
