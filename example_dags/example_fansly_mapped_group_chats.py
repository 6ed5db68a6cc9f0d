"""One mapped task instance per fan: simple, visible per fan in the UI; best for a handful of fans.

For hundreds or thousands of fans prefer ``example_fansly_bulk_group_chats``: each
mapped instance costs Airflow scheduling overhead, the bulk operator does not.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly.operators.group_chat import CreateGroupChatOperator

with DAG(
    dag_id="example_fansly_mapped_group_chats",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={
        "user_ids": Param(
            ["723516315247063042", "723516315247063043", "723516315247063044"],
            type="array",
            description="The fans' native Fansly ids",
        )
    },
    tags=["fansly", "example"],
) as dag:
    # [START howto_mapped_group_chats]
    @task
    def list_fans(**context: object) -> list[str]:
        """The fans from the ``user_ids`` param, as text."""
        return [str(user_id) for user_id in context["params"]["user_ids"]]  # type: ignore[index]

    @task
    def resolve_creator() -> str:
        """Look the creator up once: each mapped instance has its own hook and would ask again."""
        from airflow_provider_apifansly.hooks.fansly import FanslyHook

        return FanslyHook().get_creator_id()

    chats = CreateGroupChatOperator.partial(task_id="create_group_chat", creator_id=resolve_creator()).expand(
        user_id=list_fans()
    )

    @task
    def report(group_ids: list[str]) -> int:
        """Report the chats that are ready."""
        print(f"{len(group_ids)} chats ready: {sorted(group_ids)}")
        return len(group_ids)

    report(chats.output)  # type: ignore[arg-type]
    # [END howto_mapped_group_chats]
