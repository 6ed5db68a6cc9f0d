"""Create chats with many fans in one task, as fast as the plan's rate limit allows.

``list_fans`` yields the fan ids (here generated from the ``fan_count`` param, in a
real DAG from your CRM or warehouse); ``CreateGroupChatsOperator`` creates the
chats concurrently, paced under the connection's ``rate_limit_rpm``; ``summarize``
reads the ``{fan: group id}`` mapping and the ``failed`` XCom.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly.operators.group_chat import CreateGroupChatsOperator

FIRST_FAN_ID = 800_000_000_000_000_000

with DAG(
    dag_id="example_fansly_bulk_group_chats",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"fan_count": Param(50, type="integer", minimum=1, description="How many fans to reach")},
    tags=["fansly", "example"],
) as dag:

    @task
    def list_fans(**context: object) -> list[str]:
        """The fans to reach: made up from ``fan_count`` here, from your CRM in a real DAG."""
        count = int(context["params"]["fan_count"])  # type: ignore[index]
        return [str(FIRST_FAN_ID + offset) for offset in range(count)]

    # [START howto_create_group_chats]
    create_chats = CreateGroupChatsOperator(
        task_id="create_group_chats",
        user_ids=list_fans(),
        max_concurrency=8,
        fail_policy="continue",
    )
    # [END howto_create_group_chats]

    @task
    def summarize(groups: dict[str, str], **context: object) -> int:
        """Report how many chats are ready and how many failed."""
        failed = context["ti"].xcom_pull(task_ids="create_group_chats", key="failed")  # type: ignore[attr-defined]
        print(f"{len(groups)} chats ready, {len(failed or {})} failed")
        return len(groups)

    summarize(create_chats.output)  # type: ignore[arg-type]
