"""The one place that knows which Airflow version is installed.

``apache-airflow-providers-common-compat`` resolves each name to its Airflow 3
(``airflow.sdk``) or Airflow 2.11 location; nothing else in the package imports
a version-dependent Airflow path.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    BaseHook,
    BaseOperator,
    BaseOperatorLink,
    Context,
    XCom,
    conf,
    mask_secret,
)

# common.compat has no trigger names; this path is the same on 2.11 and 3.x.
from airflow.triggers.base import BaseTrigger, TriggerEvent

__all__ = [
    "AirflowException",
    "AirflowFailException",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "BaseTrigger",
    "Context",
    "TriggerEvent",
    "XCom",
    "conf",
    "mask_secret",
    "object_storage_path",
]


def object_storage_path(url: str, conn_id: str | None) -> Any:
    """Airflow's ``ObjectStoragePath`` for ``url``, imported only when a URL is used (it loads fsspec)."""
    from airflow.providers.common.compat.sdk import ObjectStoragePath

    return ObjectStoragePath(url, conn_id=conn_id)
