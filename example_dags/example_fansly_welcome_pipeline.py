"""Welcome new fans: open a chat with each and send one welcome message, exactly once per fan.

Safe to run every day over all your fans. ``CreateGroupChatsOperator(skip_existing=True)``
first reads List Chats (one credit per page), so fans who already have a chat cost no
POST; only the fans whose chat was created in this run (XCom ``new``) are greeted. A
second run with the same fans sends no POST at all.

The fans come from the ``fans`` param here; in your DAG, from an upstream task that
reads your CRM or warehouse.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly.operators.group_chat import CreateGroupChatsOperator
from airflow_provider_apifansly.operators.messages import SendMessagesOperator

with DAG(
    dag_id="example_fansly_welcome_pipeline",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={
        "fans": Param(
            ["723516315247063042", "723516315247063043", "723516315247063044"],
            type="array",
            description="The fans' native Fansly ids",
        ),
        "welcome": Param("Welcome! Thanks for subscribing.", type="string"),
    },
    tags=["fansly", "example"],
) as dag:

    @task
    def list_fans(**context: object) -> list[str]:
        return [str(fan) for fan in context["params"]["fans"]]  # type: ignore[index]

    create_chats = CreateGroupChatsOperator(
        task_id="create_chats",
        user_ids=list_fans(),
        skip_existing=True,
        fail_policy="continue",  # greet the fans that did get a chat; the others are retried next run
    )

    @task
    def welcome_messages(welcome: str, **context: object) -> dict[str, str]:
        """Map XCom ``new`` (fan -> group, created in this run) to ``{group: welcome text}``."""
        new = context["ti"].xcom_pull(task_ids="create_chats", key="new") or {}  # type: ignore[attr-defined]
        print(f"{len(new)} new fans to welcome")
        return {group_id: welcome for group_id in new.values()}

    messages = welcome_messages("{{ params.welcome }}")
    create_chats >> messages
    SendMessagesOperator(task_id="send_welcomes", messages=messages)
