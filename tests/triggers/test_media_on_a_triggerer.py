"""MediaUploadTrigger on a real ``airflow triggerer`` process, with the connection in the metadata DB.

``dag.test()`` runs the task (upload, first poll, defer, then ``execute_complete``) but would run the
trigger inline; here its inline run is replaced by storing the trigger as a deferral does and waiting
for the triggerer process to fire it. So the trigger is rebuilt from its serialized kwargs in another
process, whose environment holds no connection, and reads the connection from the metadata DB
through the triggerer's supervisor, as in production.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_API_KEY, FanslySandbox
from tests.conftest import AIRFLOW_VERSION
from tests.helpers import airflow_cli, printed_xcoms, run_dag

pytestmark = [
    # Not `matrix`: it reaches into dag.test()'s trigger step, whose signature 3.0 does not share; 3.3 runs it.
    pytest.mark.integration,
    pytest.mark.usefixtures("airflow_db"),
    pytest.mark.skipif(AIRFLOW_VERSION.major < 3, reason="Airflow 2.11's triggerer has no comms channel"),
]

WAIT_SECONDS = 90


@pytest.fixture
def connection_in_db(fansly_sandbox: FanslySandbox) -> Iterator[str]:
    """``fansly_default`` stored in the metadata DB by the CLI, for the triggerer.

    The triggerer's environment has no AIRFLOW_CONN_ variable; this process keeps ``fansly_connection``'s,
    as a lookup done here outside a task can hide DB connections from a later in-process ``dag.test()`` on
    Airflow 3.3.
    """
    added = airflow_cli(
        "connections", "add", "fansly_default", "--conn-json", fansly_sandbox.connection_json()
    )
    assert added.returncode == 0, added.stderr[-2000:]
    yield "fansly_default"
    airflow_cli("connections", "delete", "fansly_default")


@pytest.fixture
def triggerer(tmp_path: Path) -> Iterator[Path]:
    """A running ``airflow triggerer`` (its log file), stopped after the test."""
    log = tmp_path / "triggerer.log"
    airflow = Path(sys.executable).with_name("airflow")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AIRFLOW_CONN_")}
    process = subprocess.Popen(
        [str(airflow), "triggerer", "--skip-serve-logs"],
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while "Starting the triggerer" not in log.read_text():
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group of the triggerer this test started
            process.wait()


def stored_kwargs(next_kwargs: Any) -> Any:
    """A task instance's ``next_kwargs``: serde-encoded from Airflow 3.2, plain before."""
    try:
        from airflow.sdk.serde import deserialize
    except ImportError:
        return next_kwargs
    return deserialize(next_kwargs)


def fire_on_the_triggerer(trigger: Any, task_sdk_ti: Any) -> Any:
    """Stands in for dag.test()'s inline trigger run.

    Store the trigger as a deferral does, for the triggerer process to run, and return the event it gives
    the task instance.
    """
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import Trigger
    from airflow.triggers.base import TriggerEvent
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select

    this_ti = select(TaskInstance).where(  # by its key: the id column's type differs across 3.x
        TaskInstance.dag_id == task_sdk_ti.dag_id,
        TaskInstance.run_id == task_sdk_ti.run_id,
        TaskInstance.task_id == task_sdk_ti.task_id,
        TaskInstance.map_index == task_sdk_ti.map_index,
    )
    with create_session() as session:  # dag.test() marked it queued before running the trigger
        row = Trigger.from_object(trigger)
        session.add(row)
        session.flush()
        ti = session.scalar(this_ti)
        ti.state, ti.trigger_id = TaskInstanceState.DEFERRED, row.id
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with create_session() as session:
            ti = session.scalar(this_ti)
            if ti.state != TaskInstanceState.DEFERRED:
                return TriggerEvent(stored_kwargs(ti.next_kwargs)["event"])  # type: ignore[no-untyped-call]
        time.sleep(0.2)
    raise AssertionError(f"the triggerer fired nothing in {WAIT_SECONDS} s")


def test_a_deferred_upload_completes_through_a_real_triggerer_reading_the_connection_from_the_db(
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    connection_in_db: str,
    triggerer: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    fansly_sandbox.config.media_polls = 1  # the worker's poll sees it waiting: the task defers
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"\x00" * 1000)
    monkeypatch.setattr("airflow.sdk.definitions.dag._run_inline_trigger", fire_on_the_triggerer)

    _, tasks = run_dag("fansly_test_dags", {"path": str(media)}, dag_id="test_fansly_upload_media_deferred")

    out = capfd.readouterr().out
    log = triggerer.read_text()
    assert tasks["upload"] == "success", (tasks, out[-3000:], log[-3000:])
    [job] = fansly_sandbox.media_jobs
    xcoms = printed_xcoms(out)
    assert xcoms["return_value"] == job.media_id
    # An upper estimate: intervals that began before the triggerer started the trigger count as polls.
    assert xcoms["credits"] >= fansly_sandbox.credits_spent()
    assert [entry.path.rsplit("/", 1)[-1] for entry in fansly_sandbox.journal] == [
        "upload",
        "status",
        "status",
    ]
    assert DEFAULT_API_KEY not in out + log
