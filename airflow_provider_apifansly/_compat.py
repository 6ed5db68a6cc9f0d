"""The one place that knows which Airflow version is installed.

``apache-airflow-providers-common-compat`` resolves each name to its Airflow 3
(``airflow.sdk``) or Airflow 2.11 location; nothing else in the package imports
a version-dependent Airflow path. ``ObjectStoragePath`` is ``airflow.io.path``'s and
``Asset`` is ``airflow.datasets.Dataset`` on 2.x.
"""

from __future__ import annotations

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

# common.compat has no trigger names; this path is the same on 2.11 and 3.x.
from airflow.triggers.base import BaseTrigger, TriggerEvent

__all__ = [
    "AirflowException",
    "AirflowFailException",
    "Asset",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "BaseTrigger",
    "Context",
    "ObjectStoragePath",
    "TriggerEvent",
    "XCom",
    "conf",
    "mask_secret",
]
