"""Every operator takes the connection and hook options one way, checked when the DAG is parsed."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_apifansly.hooks.options import HookOptions
from airflow_provider_apifansly.operators.base import FanslyBaseOperator
from airflow_provider_apifansly.operators.group_chat import CreateGroupChatOperator, CreateGroupChatsOperator
from airflow_provider_apifansly.operators.messages import SendMessageOperator, SendMessagesOperator

OPERATORS: list[tuple[type[FanslyBaseOperator], dict[str, Any]]] = [
    (CreateGroupChatOperator, {"user_id": "1"}),
    (CreateGroupChatsOperator, {"user_ids": ["1"]}),
    (SendMessageOperator, {"chat_id": "1", "content": "hi"}),
    (SendMessagesOperator, {"messages": {"1": "hi"}}),
]


@pytest.mark.parametrize(("operator", "arguments"), OPERATORS, ids=[op.__name__ for op, _ in OPERATORS])
def test_every_operator_builds_its_hook_from_the_same_options(
    operator: type[FanslyBaseOperator], arguments: dict[str, Any]
) -> None:
    task = operator(
        task_id="t",
        fansly_conn_id="fansly_other",
        max_retries=1,
        rate_limit_rpm=0,
        max_credits=7,
        **arguments,
    )
    hook = task.hook
    assert hook.fansly_conn_id == "fansly_other"
    assert hook.options == HookOptions(max_retries=1, rate_limit_rpm=0, max_credits=7)
    assert hook.pool_size == getattr(task, "max_concurrency", 1)


def test_hook_options_work_with_partial_and_default_args() -> None:
    from airflow.providers.common.compat.sdk import DAG

    with DAG("options", schedule=None, default_args={"max_credits": 3}):
        mapped = CreateGroupChatOperator.partial(task_id="chat", max_retries=2).expand(user_id=["1", "2"])
        single = CreateGroupChatOperator(task_id="single", user_id="1")
    assert mapped.partial_kwargs["max_retries"] == 2
    assert single.hook_options.max_credits == 3


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"max_credits": 0}, ValueError, "max_credits must be at least 1"),
        ({"max_credits": True}, TypeError, "max_credits must be a number"),
        ({"max_credits": "100"}, TypeError, "max_credits must be a number"),
        ({"max_retries": 1.5}, TypeError, "max_retries must be a whole number"),
        ({"rate_limit_rpm": -1}, ValueError, "rate_limit_rpm must be at least 0"),
        ({"skip_existing": "yes"}, TypeError, "skip_existing must be True or False"),
        ({"max_concurrency": 0}, ValueError, "max_concurrency must be a whole number of at least 1"),
        ({"fail_policy": "ignore"}, ValueError, "fail_policy must be one of"),
    ],
)
def test_bad_options_are_refused_when_the_dag_is_parsed(
    arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        CreateGroupChatsOperator(task_id="chats", user_ids=["1"], **arguments)
