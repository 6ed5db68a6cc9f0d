"""The one place that knows which Airflow version is installed.

``apache-airflow-providers-common-compat`` resolves each name to its Airflow 3
(``airflow.sdk``) or Airflow 2.11 location; nothing else in the package imports
a version-dependent Airflow path. ``ObjectStoragePath`` is ``airflow.io.path``'s and
``Asset`` is ``airflow.datasets.Dataset`` on 2.x.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Connection

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
    "aget_connection",
    "amask_secret",
    "conf",
    "mask_secret",
    "run_due_at",
    "triggering_events",
]


async def aget_connection(conn_id: str) -> tuple[Connection, dict[str, Any]]:
    """A connection and its extra, read from an event loop (a trigger) without blocking it.

    common.compat picks the safe way for each version: Airflow 3.3.2+ reads and masks on the loop
    (``BaseHook.aget_connection``, ``Connection.aextra_dejson``); older ones, whose async getter masks
    through a blocking call, read in ``sync_to_async``'s thread, the path whose calls to the triggerer's
    comms go back through the loop (2.11 has no comms: its thread reads the database). A plain
    ``asyncio.to_thread`` would open a second loop on the comms channel (apache/airflow#64620).
    """
    from airflow.providers.common.compat.connection import get_async_connection, get_async_extra_dejson

    connection = await get_async_connection(conn_id)
    return connection, await get_async_extra_dejson(connection)


async def amask_secret(secret: str) -> None:
    """``mask_secret`` from an event loop: ``amask_secret`` (Airflow 3.3+), else ``mask_secret`` in
    ``sync_to_async``'s thread (for the reason ``aget_connection`` gives)."""
    try:
        from airflow.sdk.log import amask_secret as mask_on_loop
    except ImportError:
        from asgiref.sync import sync_to_async

        await sync_to_async(mask_secret)(secret)
    else:
        await mask_on_loop(secret)


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
