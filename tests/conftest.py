"""Test-wide set-up: a throwaway AIRFLOW_HOME (SQLite) set before Airflow is imported.

Its DAGs folder links the example DAGs and the test-only DAGs of ``tests/dags``, each file
in a subfolder that Airflow 3 reads as a DAG bundle of its own.
Integration tests use the ``airflow_db`` fixture: a migrated metadata DB with those
DAGs serialized, which Airflow 3 needs before ``dag.test()``. The few differences
between supported Airflow versions that tests must absorb live here too; helpers
that tests import are in ``tests/helpers.py``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from importlib.metadata import version

import pytest
from packaging.version import Version

from tests.helpers import DAGS_FOLDER, airflow_cli, dag_bundles, link_dags_folder

os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="apifansly-airflow-home-")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(link_dags_folder(DAGS_FOLDER))
os.environ["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"] = dag_bundles(DAGS_FOLDER)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
# Every deployment has a Fernet key (`airflow db migrate` writes one): connections are stored encrypted.
os.environ.setdefault("AIRFLOW__CORE__FERNET_KEY", "wOJdT6mSAnd8KpQ0sZ4Ff1V3iKyhCnBBrPz8sPvmG0Q=")
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


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[None]:
    """A migrated SQLite metadata DB with the example and test DAGs serialized.

    On Airflow 3.0-3.2, also one execution API for all the session's tasks.
    """
    for command in (("db", "migrate"), ("dags", "reserialize")):
        result = airflow_cli(*command)
        assert result.returncode == 0, result.stderr[-3000:]
    with pytest.MonkeyPatch.context() as monkeypatch:
        if (3, 0) <= AIRFLOW_VERSION.release[:2] < (3, 3):
            _share_one_execution_api(monkeypatch)
        yield


@pytest.fixture(autouse=True)
def no_records_of_earlier_tests(request: pytest.FixtureRequest) -> None:
    """Each real-Airflow test starts with no task-instance records or claims.

    Every test's sandbox numbers its resources from the same start, so an earlier test's claim would name
    this one's ids.
    """
    if "airflow_db" in request.fixturenames:
        from datetime import timedelta

        request.getfixturevalue("airflow_db")  # autouse fixtures come first: migrate before pruning
        from airflow_provider_apifansly.operators.try_record import prune

        prune(timedelta(0))


def _share_one_execution_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve every task of the session from one in-process execution API, as one api-server serves every worker.

    ``dag.test()`` on Airflow 3.0-3.2 builds Airflow's execution API app anew for each task, and
    cadwyn's versioned routes make that cost about 3 s a task (3.3 builds it in a fraction of that).
    Each task still gets its own DAG bag: ``_api_client`` sets it on the app, as Airflow does.
    """
    from airflow.api_fastapi.common.dagbag import dag_bag_from_app
    from airflow.api_fastapi.execution_api.app import InProcessExecutionAPI
    from airflow.sdk.execution_time import supervisor

    api = InProcessExecutionAPI()

    def shared_api() -> InProcessExecutionAPI:
        api.app.dependency_overrides.pop(dag_bag_from_app, None)  # no task sees the previous task's DAG bag
        return api

    monkeypatch.setattr(supervisor, "in_process_api_server", shared_api)
