"""Re-engage expired subscribers once a week: one broadcast (mass message) to all of them.

A broadcast is one request, so one credit, however many fans it reaches: re-engaging
3,000 expired subscribers costs 1 credit, where one message per fan would cost 3,000.
It is never sent twice: after a failure that may have delivered it (a timeout after
sending, a 5xx) the task fails without Airflow's retries and says how to check.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_apifansly.operators.mass_messaging import SendMassMessageOperator

with DAG(
    dag_id="example_fansly_reengage_expired",
    schedule="@weekly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},  # never spent on an ambiguous send
    params={
        "content": Param(
            "We miss you! Come back this week and see what's new.", type="string", description="The text"
        ),
    },
    tags=["fansly", "example"],
) as dag:
    # [START howto_send_mass_message]
    SendMassMessageOperator(
        task_id="reengage_expired",
        content="{{ params.content }}",
        include_expired_subscribers=True,
        exclude_creators=True,
    )
    # [END howto_send_mass_message]
