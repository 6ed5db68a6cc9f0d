"""Each day, export broadcast statistics, monthly earnings and profile statistics to storage.

Three ``ExportToStorageOperator`` tasks, each one object per day and each an asset (a Dataset
on Airflow 2) for downstream DAGs: every sent broadcast's statistics (``createdAt`` in epoch
seconds), the month's earnings so far (thousandths of a dollar; the first row,
``rolling30Days``, is the API's summary, not a month; ``partial`` says a month is not wholly
inside the window) and every series of the day's profile statistics in hourly buckets. With
the ``[openlineage]`` extra each task also reports its lineage. For S3, use ``s3://...`` paths
and ``storage_conn_id="aws_default"`` (with the Amazon provider installed).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.providers.common.compat.sdk import DAG
from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_apifansly._compat import Asset
from airflow_provider_apifansly.operators.export import ExportToStorageOperator

# The demo's folder (make demo's AIRFLOW_HOME) unless EXPORT_FOLDER says otherwise.
FOLDER = os.environ.get("EXPORT_FOLDER") or str(
    Path(__file__).resolve().parent.parent / ".airflow-home" / "exports"
)

with DAG(
    dag_id="example_fansly_analytics_export",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["fansly", "example"],
) as dag:
    # [START howto_export_analytics]
    month_so_far = {
        # From the first of the run's month (UTC) to the end of its data interval: one partial month.
        "since": "{{ data_interval_start.strftime('%Y-%m-01T00:00:00+00:00') }}",
        "until": "{{ data_interval_end }}",
    }
    for resource, extra in (
        ("mass_message_stats", {}),  # a snapshot of every sent broadcast
        ("earnings_monthly", month_so_far),  # the month so far, one request
        (
            "profile_stats",
            {"period": timedelta(hours=1)},
        ),  # the day's 24 buckets of each series (one request)
    ):
        ExportToStorageOperator(
            task_id=f"export_{resource}",
            resource=resource,
            path=f"file://{FOLDER}/{resource}/{{{{ ds }}}}.csv",
            format="csv",
            outlets=[Asset(f"file://{FOLDER}/{resource}/")],
            **extra,
        )
    # [END howto_export_analytics]
