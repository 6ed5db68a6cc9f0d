"""Create the chat between the creator and one fan, then greet the fan in it.

The fan comes from the ``user_id`` param, which ``dag_run.conf`` overrides:
``airflow dags trigger example_fansly_create_group_chat -c '{"user_id": "723516315247063042"}'``.
The account is the ``account_id`` extra of connection ``fansly_default``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly.operators.group_chat import CreateGroupChatOperator

with DAG(
    dag_id="example_fansly_create_group_chat",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={
        "user_id": Param("723516315247063042", type="string", description="The fan's native Fansly id"),
        "greeting": Param("Welcome! Thanks for subscribing.", type="string"),
    },
    tags=["fansly", "example"],
) as dag:
    create_chat = CreateGroupChatOperator(task_id="create_group_chat", user_id="{{ params.user_id }}")

    @task
    def send_greeting(group_id: str, greeting: str) -> str:
        """Downstream task: receives the group id through XCom and sends the first message."""
        from airflow_provider_apifansly.hooks.fansly import FanslyHook

        message = FanslyHook().send_message(chat_id=group_id, content=greeting)
        print(f"Created group chat {group_id}; sent message {message['id']}")
        return str(message["id"])

    send_greeting(create_chat.output, "{{ params.greeting }}")
