"""The one place that knows which Airflow version is installed.

``apache-airflow-providers-common-compat`` resolves each name to its Airflow 3
(``airflow.sdk``) or Airflow 2.11 location; nothing else in the package imports
a version-dependent Airflow path. ``ObjectStoragePath`` is ``airflow.io.path``'s and
``Asset`` is ``airflow.datasets.Dataset`` on 2.x.
"""

from __future__ import annotations

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
    Variable,
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
    "read_variable",
    "triggering_events",
    "write_variable",
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
    """``mask_secret`` from an event loop.

    ``amask_secret`` (Airflow 3.3+), else ``mask_secret`` in ``sync_to_async``'s thread (for the reason
    ``aget_connection`` gives).
    """
    try:
        from airflow.sdk.log import amask_secret as mask_on_loop
    except ImportError:
        from asgiref.sync import sync_to_async

        await sync_to_async(mask_secret)(secret)
    else:
        await mask_on_loop(secret)


def read_variable(key: str) -> Any:
    """A JSON Variable's value, None when there is none, read from a task.

    ``airflow.sdk.Variable`` through the execution API on 3.x, ``airflow.models.Variable`` and its
    database on 2.11. Their default argument is named differently (``default`` / ``default_var``), so it
    goes by position.
    """
    return Variable.get(key, None, deserialize_json=True)


def write_variable(key: str, value: Any, description: str) -> None:
    """Store a JSON Variable from a task (3.0 to 3.3: the task SDK's ``Variable.set``; 2.11: the database)."""
    Variable.set(key, value, description=description, serialize_json=True)


def triggering_events(context: Context, asset: Any) -> list[Any]:
    """The events of ``asset`` that triggered this run, each with its ``extra`` (none for a manual run).

    Airflow 3 keys ``triggering_asset_events`` by asset; 2.11 keys ``triggering_dataset_events`` by URI.
    """
    values: Any = context  # the keys differ by version, and so does Context's type
    found = values.get("triggering_asset_events")
    if found is not None:
        return list(found.get(asset, ()))
    return list(values.get("triggering_dataset_events", {}).get(asset.uri, ()))
