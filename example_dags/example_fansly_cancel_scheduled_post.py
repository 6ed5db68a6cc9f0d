"""Cancel a scheduled post before it is published, by its id.

The post id comes from the ``post_id`` param, which ``dag_run.conf`` overrides:
``airflow dags trigger example_fansly_cancel_scheduled_post -c '{"post_id": "..."}'``, e.g. a
``CreatePostOperator``'s output from the content calendar. Cancelling again is harmless: after a try
that may have cancelled it, "not found" means done.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_apifansly.operators.posts import CancelScheduledPostOperator

with DAG(
    dag_id="example_fansly_cancel_scheduled_post",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"post_id": Param("900000000000000001", type="string", description="The scheduled post's id")},
    tags=["fansly", "example"],
) as dag:
    # [START howto_cancel_scheduled_post]
    CancelScheduledPostOperator(task_id="cancel_scheduled_post", post_id="{{ params.post_id }}")
    # [END howto_cancel_scheduled_post]
