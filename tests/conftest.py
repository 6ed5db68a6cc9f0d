"""Test-wide set-up: a throwaway AIRFLOW_HOME (SQLite) set before Airflow is imported.

Integration tests use the ``airflow_db`` fixture: a migrated metadata DB with the
example DAGs serialized, which Airflow 3 needs before ``dag.test()``. The few
differences between supported Airflow versions that tests must absorb live here too.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DAGS = REPO / "example_dags"

os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="apifansly-airflow-home-")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(EXAMPLE_DAGS)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.pop("AIRFLOW_CONN_FANSLY_DEFAULT", None)

# Read from the distribution's metadata: importing Airflow here would freeze its config too early.
AIRFLOW_VERSION = Version(version("apache-airflow"))

if AIRFLOW_VERSION.release[:2] == (3, 0):
    import structlog

    # Airflow 3.0's dag.test() prints task exceptions as rich tracebacks wrapped at the
    # terminal width (80 columns under capture), splitting the messages tests look for.
    os.environ["COLUMNS"] = "250"
    # Airflow 3.0's in-process dag.test() supervisor logs every message at DEBUG through an
    # unconfigured structlog, including MaskSecret(value=<connection password>) sent by
    # Airflow's own connection masking; 3.1+ does not. Keep DAG-test output at INFO here.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests on Airflow versions their harness cannot drive, saying why."""
    if AIRFLOW_VERSION.major < 3:
        reason = "Airflow 2 has no `airflow api-server` (its Flask UI form is covered by test_connection)"
    elif AIRFLOW_VERSION.release[:2] == (3, 0):
        reason = "on Airflow 3.0 the harness's sign-in does not hold: / redirects back to /auth/login"
    else:
        return
    for item in items:
        if item.get_closest_marker("ui"):
            item.add_marker(pytest.mark.skip(reason=reason))


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
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag
