"""Test-only DAGs of ``ExportToStorageOperator``: every resource and format into one folder, and a failing export.

The folder is a URL param (``file://...``, ``memory://...`` or ``flaky://...``); ``report`` prints
every task's XComs as ``XCOM <task>.<key> <json>`` for the tests to read.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import Any

import fsspec
from airflow.providers.common.compat.sdk import DAG, Param, task
from fsspec.implementations.memory import MemoryFile, MemoryFileSystem

from airflow_provider_apifansly.operators.export import ExportToStorageOperator
from airflow_provider_apifansly.operators.fans import ListFansOperator

try:  # Airflow 3
    from airflow.sdk.io import attach
except ImportError:  # Airflow 2.11
    from airflow.io.store import attach


class FlakyFile(MemoryFile):
    """A memory file that, as s3fs and the memory store do, is committed whatever happened while writing."""

    def write(self, data: Any) -> int:
        fail_after = int(os.environ.get("FLAKY_STORE_FAIL_AFTER_BYTES", "-1"))
        if fail_after >= 0 and self.tell() + len(data) > fail_after:
            super().write(bytes(data)[: max(0, fail_after - self.tell())])
            raise ConnectionResetError("flaky:// dropped the upload half-way")
        return super().write(data)


class FlakyFileSystem(MemoryFileSystem):
    """``flaky://``: the shared memory store, whose uploads fail part-way or are refused, as the test says.

    ``FLAKY_STORE_FAIL_AFTER_BYTES``: an upload fails once it passes this many bytes;
    ``FLAKY_STORE_READONLY=1``: every write is refused (permission denied).
    """

    protocol = "flaky"

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        return super()._strip_protocol(str(path).removeprefix("flaky://"))

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        if "w" not in mode:
            return super()._open(path, mode, **kwargs)
        if os.environ.get("FLAKY_STORE_READONLY") == "1":
            raise PermissionError(f"flaky:// refuses writes to {path}")
        file = FlakyFile(self, self._strip_protocol(path))
        file.commit()  # visible from the moment it is opened, as the memory store's files are
        return file


attach("memory", fs=MemoryFileSystem())  # memory:// is fsspec's; Airflow registers file:// only
fsspec.register_implementation("flaky", FlakyFileSystem, clobber=True)
attach("flaky", fs=FlakyFileSystem())

TEXT = {"type": "string"}
EXPORTS = {
    # task id: (resource, file name, format, since param, until param)
    "day1": ("transactions", "day1.jsonl", "jsonl", "day1", "day2"),
    "day2": ("transactions", "day2.jsonl", "jsonl", "day2", "day3"),
    "day1_csv": ("transactions", "day1.csv", "csv", "day1", "day2"),
    "day1_parquet": ("transactions", "day1.parquet", "parquet", "day1", "day2"),
    "current": ("transactions", "current.jsonl", "jsonl", "recent", "future"),
    "empty": ("transactions", "empty.jsonl", "jsonl", "day1", "day1"),
    "subscribers": ("subscribers", "subscribers.parquet", "parquet", "day1", "day2"),
    "followers": ("followers", "followers.csv", "csv", None, None),
    "chats": ("chats", "chats.jsonl", "jsonl", None, None),
}


@task(trigger_rule="all_done")
def report(task_ids: list[str], **context: Any) -> None:
    for task_id in task_ids:
        for key in ("return_value", "credits"):
            value = context["ti"].xcom_pull(task_ids=task_id, key=key)
            print(f"XCOM {task_id}.{key} {json.dumps(value)}")


with DAG(
    dag_id="test_fansly_export",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={name: Param("", **TEXT) for name in ("folder", "day1", "day2", "day3", "recent", "future")},
) as export_dag:
    exports = [
        ExportToStorageOperator(
            task_id=task_id,
            resource=resource,
            path=f"{{{{ params.folder }}}}/{name}",
            format=format,
            since=None if since is None else f"{{{{ params.{since} }}}}",
            until=None if until is None else f"{{{{ params.{until} }}}}",
            status="all" if resource == "subscribers" else None,
        )
        for task_id, (resource, name, format, since, until) in EXPORTS.items()
    ]
    exports >> report(list(EXPORTS))

with DAG(
    dag_id="test_fansly_export_failure",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={name: Param("", **TEXT) for name in ("path", "since", "until")},
) as failure_dag:
    export = ExportToStorageOperator(
        task_id="export",
        resource="transactions",
        path="{{ params.path }}",
        since="{{ params.since }}",
        until="{{ params.until }}",
        max_credits=2,
    )
    export >> report(["export"])

# Windows taken from the run's data interval: a manual run's interval is empty, so both must fail
# before any request (an explicit empty window, as "empty" above, succeeds).
with DAG(
    dag_id="test_fansly_interval_windows",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"folder": Param("", **TEXT)},
) as interval_dag:
    interval_export = ExportToStorageOperator(
        task_id="export", resource="transactions", path="{{ params.folder }}/interval.jsonl"
    )
    interval_fans = ListFansOperator(
        task_id="fans", since="{{ data_interval_start }}", until="{{ data_interval_end }}"
    )
    [interval_export, interval_fans] >> report(["export", "fans"])

# Chats pages past 80,000 bytes (the test sets the page size): their credits, and a budget they pass.
with DAG(
    dag_id="test_fansly_export_big_pages",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"folder": Param("", **TEXT)},
) as big_pages_dag:
    big_exports = [
        ExportToStorageOperator(
            task_id=task_id,
            resource="chats",
            path=f"{{{{ params.folder }}}}/{task_id}.jsonl",
            max_credits=budget,
        )
        for task_id, budget in (("chats", None), ("chats_budget", 3))
    ]
    big_exports >> report(["chats", "chats_budget"])

ANALYTICS = {
    # task id: (resource, file name, format)
    "top_supporters": ("top_supporters", "top_supporters.csv", "csv"),
    "mass_message_stats": ("mass_message_stats", "mass_message_stats.jsonl", "jsonl"),
    "earnings_monthly": ("earnings_monthly", "earnings_monthly.csv", "csv"),
    "profile_stats": ("profile_stats", "profile_stats.parquet", "parquet"),
}

with DAG(
    dag_id="test_fansly_export_analytics",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={name: Param("", **TEXT) for name in ("folder", "since", "until")},
) as analytics_dag:
    windowed = {"since": "{{ params.since }}", "until": "{{ params.until }}"}
    analytics = [
        ExportToStorageOperator(
            task_id=task_id,
            resource=resource,
            path=f"{{{{ params.folder }}}}/{name}",
            format=format,
            **(windowed if resource in ("top_supporters", "profile_stats") else {}),
            **({"period": timedelta(hours=1)} if resource == "profile_stats" else {}),
        )
        for task_id, (resource, name, format) in ANALYTICS.items()
    ]
    analytics >> report(list(ANALYTICS))

with DAG(
    dag_id="test_fansly_export_monthly_window",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={name: Param("", **TEXT) for name in ("folder", "since", "until")},
) as monthly_window_dag:
    window_exports = [
        ExportToStorageOperator(
            task_id=resource,
            resource=resource,
            path=f"{{{{ params.folder }}}}/{resource}.{format}",
            format=format,
            since="{{ params.since }}",
            until="{{ params.until }}",
        )
        for resource, format in (("earnings_monthly", "csv"), ("profile_stats", "jsonl"))
    ]
    window_exports >> report(["earnings_monthly", "profile_stats"])

# One export, for a try SIGKILLed mid-export (its staging object left behind) and the next that cleans up.
with DAG(
    dag_id="test_fansly_export_chats",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"folder": Param("", **TEXT)},
) as chats_dag:
    ExportToStorageOperator(task_id="export", resource="chats", path="{{ params.folder }}/chats.jsonl")
