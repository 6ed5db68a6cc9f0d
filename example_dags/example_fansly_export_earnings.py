"""Export each day's earnings transactions to storage, and load them downstream when they land.

``ExportToStorageOperator`` writes one object per data interval (``[start, end)``, so a
transaction stamped on midnight is in exactly one day), here as JSON lines under the
demo's folder. A re-run of a day replaces its object with the same rows. The object's
prefix is an asset (a Dataset on Airflow 2): ``example_fansly_load_earnings`` runs each
time a day lands, and reads the objects its triggering events name (``extra["path"]``),
never "the newest file", which could be another day's. Money is in the API's base units:
divide by 1000 for dollars.
For S3, set ``path="s3://my-bucket/fansly/earnings/{{ ds }}.jsonl"`` and
``storage_conn_id="aws_default"`` (with the Amazon provider installed).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.providers.common.compat.sdk import DAG, task
from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_apifansly._compat import Asset, ObjectStoragePath, triggering_events
from airflow_provider_apifansly.operators.export import ExportToStorageOperator

# The demo's folder (make demo's AIRFLOW_HOME) unless EXPORT_FOLDER says otherwise.
FOLDER = os.environ.get("EXPORT_FOLDER") or str(
    Path(__file__).resolve().parent.parent / ".airflow-home" / "exports"
)
EARNINGS = Asset(f"file://{FOLDER}/earnings/")

with DAG(
    dag_id="example_fansly_export_earnings",
    # Runs with a day-long data interval on Airflow 2 and 3 alike (Airflow 3's plain "@daily"
    # gives each run an empty interval, so an export of it would hold nothing).
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["fansly", "example"],
) as dag:
    # [START howto_export_transactions]
    ExportToStorageOperator(
        task_id="export_transactions",
        resource="transactions",  # since/until default to the run's data interval
        path=f"file://{FOLDER}/earnings/{{{{ ds }}}}.jsonl",
        format="jsonl",
        outlets=[EARNINGS],
    )
    # [END howto_export_transactions]

with DAG(
    dag_id="example_fansly_load_earnings",
    schedule=[EARNINGS],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["fansly", "example"],
) as load_dag:

    @task
    def total_earned(**context: Any) -> float:
        """Stand-in for a warehouse load: sum, in dollars, each exported day that triggered this run."""
        total = 0
        for event in triggering_events(context, EARNINGS):  # one per day landed since the last run
            rows = ObjectStoragePath(event.extra["path"]).read_text().splitlines()
            total += sum(json.loads(row)["amount"] for row in rows)
        return total / 1000  # base units -> dollars

    total_earned()
