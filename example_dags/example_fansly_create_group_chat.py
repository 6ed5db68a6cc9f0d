"""Create (or find) the chat between the creator and one fan, and hand its id downstream.

The fan comes from the ``user_id`` param, which ``dag_run.conf`` overrides:
``airflow dags trigger example_fansly_create_group_chat -c '{"user_id": "723516315247063042"}'``.
The account is the ``account_id`` extra of connection ``fansly_default``. Running it
again finds the same chat (create is find-or-create) and sends nothing to the fan.
To greet new fans, see ``example_fansly_welcome_pipeline``: it greets each fan once.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly.operators.group_chat import CreateGroupChatOperator

with DAG(
    dag_id="example_fansly_create_group_chat",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"user_id": Param("723516315247063042", type="string", description="The fan's native Fansly id")},
    tags=["fansly", "example"],
) as dag:
    # [START howto_create_group_chat]
    create_chat = CreateGroupChatOperator(task_id="create_group_chat", user_id="{{ params.user_id }}")

    @task
    def use_chat(group_id: str) -> str:
        """Downstream task: receives the group id through XCom."""
        print(f"Chat {group_id} is ready for the next step of the pipeline")
        return group_id

    use_chat(create_chat.output)
    # [END howto_create_group_chat]
