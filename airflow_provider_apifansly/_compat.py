"""The one place that knows which Airflow version is installed.

``apache-airflow-providers-common-compat`` resolves each name to its Airflow 3
(``airflow.sdk``) or Airflow 2.11 location; nothing else in the package imports
a version-dependent Airflow path. ``ObjectStoragePath`` is ``airflow.io.path``'s and
``Asset`` is ``airflow.datasets.Dataset`` on 2.x.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    Asset,
    BaseHook,
    BaseOperator,
    BaseOperatorLink,
    Context,
    ObjectStoragePath,
    XCom,
    conf,
    mask_secret,
)

__all__ = [
    "AirflowException",
    "AirflowFailException",
    "Asset",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "Context",
    "ObjectStoragePath",
    "XCom",
    "conf",
    "mask_secret",
    "run_due_at",
    "triggering_events",
]


def run_due_at(dag_run: Any) -> datetime:
    """When a DAG run became due: no try of its tasks starts earlier, and clearing a task leaves it.

    Clearing resets the run's ``start_date`` and ``queued_at`` on 2.11 and 3.x, and a 3.x worker
    cannot read the task's try history, so neither can bound when an earlier try began.
    """
    run_after: datetime | None = getattr(dag_run, "run_after", None)  # Airflow 3
    if run_after is not None:
        return run_after
    # Airflow 2.11: a scheduled run is due at its data interval's end, a manual one at its logical date.
    moments: list[datetime] = [
        m for m in (dag_run.data_interval_end, dag_run.execution_date) if m is not None
    ]
    return max(moments)


def triggering_events(context: Context, asset: Any) -> list[Any]:
    """The events of ``asset`` that triggered this run, each with its ``extra`` (none for a manual run).

    Airflow 3 keys ``triggering_asset_events`` by asset; 2.11 keys ``triggering_dataset_events`` by URI.
    """
    values: Any = context  # the keys differ by version, and so does Context's type
    found = values.get("triggering_asset_events")
    if found is not None:
        return list(found.get(asset, ()))
    return list(values.get("triggering_dataset_events", {}).get(asset.uri, ()))
