"""Open the chat with one fan and send them one message, at most once.

The fan and the text come from params, which ``dag_run.conf`` overrides:
``airflow dags trigger example_fansly_send_message -c '{"user_id": "723516315247063042"}'``.
Clearing the send task, or a retry after a failure that may have delivered the message,
reads the chat first and adopts the message found there instead of sending it again.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_apifansly.operators.group_chat import CreateGroupChatOperator
from airflow_provider_apifansly.operators.messages import SendMessageOperator

with DAG(
    dag_id="example_fansly_send_message",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={
        "user_id": Param("723516315247063042", type="string", description="The fan's native Fansly id"),
        "content": Param("Thanks for being here!", type="string", description="The text"),
    },
    tags=["fansly", "example"],
) as dag:
    # [START howto_send_message]
    chat = CreateGroupChatOperator(task_id="open_chat", user_id="{{ params.user_id }}")

    SendMessageOperator(
        task_id="send_message",
        chat_id=chat.output,  # the group id
        content="{{ params.content }}",
        # media_ids=["900000000000000001"], access_type=["ppv"], price=9.99: a pay-per-view message
    )  # return_value: the message id; XCom chat_id; the "Fansly chat" extra link
    # [END howto_send_message]
