"""The one place that knows which Airflow version is installed.

``apache-airflow-providers-common-compat`` resolves each name to its Airflow 3
(``airflow.sdk``) or Airflow 2.11 location; nothing else in the package imports
a version-dependent Airflow path.
"""

from __future__ import annotations

from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    BaseHook,
    BaseOperator,
    BaseOperatorLink,
    Context,
    XCom,
    mask_secret,
)

__all__ = [
    "AirflowException",
    "AirflowFailException",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "Context",
    "XCom",
    "mask_secret",
]
