"""``example_fansly_send_message`` in real Airflow against the sandbox: one chat, one message, once."""

from __future__ import annotations

import pytest

from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

FAN = "723516315247063042"


@pytest.mark.matrix
def test_the_example_opens_the_fans_chat_and_sends_the_text_once(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    state, tasks = run_dag("example_fansly_send_message", {"user_id": FAN, "content": "Hello from the docs"})

    assert (state, tasks) == ("success", {"open_chat": "success", "send_message": "success"})
    (group,) = fansly_sandbox.groups
    (message,) = fansly_sandbox.messages
    assert (message.group_id, message.message["content"]) == (group.group_id, "Hello from the docs")
