"""Test-wide set-up: a throwaway AIRFLOW_HOME (SQLite) set before Airflow is imported.

Integration tests use the ``airflow_db`` fixture: a migrated metadata DB with the
example DAGs serialized, which Airflow 3 needs before ``dag.test()``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DAGS = REPO / "example_dags"

os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="apifansly-airflow-home-")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(EXAMPLE_DAGS)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.pop("AIRFLOW_CONN_FANSLY_DEFAULT", None)


def airflow_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``airflow`` CLI of this interpreter's environment with the test AIRFLOW_HOME."""
    airflow = Path(sys.executable).with_name("airflow")
    return subprocess.run([str(airflow), *args], capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A migrated SQLite metadata DB with the example DAGs serialized."""
    for command in (("db", "migrate"), ("dags", "reserialize")):
        result = airflow_cli(*command)
        assert result.returncode == 0, result.stderr[-3000:]


def load_example_dag(name: str) -> Any:
    """Import an example DAG file and return its ``dag`` object."""
    spec = importlib.util.spec_from_file_location(f"example_dags.{name}", EXAMPLE_DAGS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag
