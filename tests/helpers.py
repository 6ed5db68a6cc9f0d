"""What tests share beyond fixtures: the Airflow CLI, the DAGs folder, and running a DAG once."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DAGS = REPO / "example_dags"
TEST_DAGS = REPO / "tests" / "dags"
# A hook factory, as the hook tests' ``make_hook`` fixture gives it.
MakeHook = Callable[..., "FanslyHook"]
AIRFLOW_3 = int(version("apache-airflow").split(".")[0]) >= 3
DAGS_FOLDER = Path(tempfile.mkdtemp(prefix="apifansly-dags-"))


def link_dags_folder(folder: Path) -> Path:
    """Fill ``folder`` with links to the example DAGs and the test-only DAGs (one folder is all Airflow reads).

    Each file gets a subfolder of its own, so that on Airflow 3 it can be a DAG bundle of its own
    (see ``dag_bundles``); Airflow 2 walks the subfolders of its DAGs folder.
    """
    for source in (*EXAMPLE_DAGS.glob("*.py"), *TEST_DAGS.glob("*.py")):
        link = folder / source.stem / source.name
        if not link.exists():
            link.parent.mkdir(exist_ok=True)
            link.symlink_to(source)
    return folder


def dag_bundles(folder: Path) -> str:
    """Airflow 3's ``dag_bundle_config_list``: one local bundle for each DAG file's subfolder of ``folder``.

    Airflow 3.3's ``dag.test()`` parses and serializes the whole bundle of the DAG it runs before
    each run (about 1 s for all our DAGs in one bundle); a bundle of one file costs a fraction of that.
    """
    local = "airflow.dag_processing.bundles.local.LocalDagBundle"
    return json.dumps(
        [
            {"name": sub.name, "classpath": local, "kwargs": {"path": str(sub)}}
            for sub in sorted(folder.iterdir())
            if sub.is_dir()
        ]
    )


def airflow_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``airflow`` CLI of this interpreter's environment with the test AIRFLOW_HOME."""
    airflow = Path(sys.executable).with_name("airflow")
    return subprocess.run([str(airflow), *args], capture_output=True, text=True, timeout=300, check=False)


def load_dag(name: str, dag_id: str | None = None) -> Any:
    """Import a DAG file of the DAGs folder and return its DAG (``dag``, or the one called ``dag_id``)."""
    spec = importlib.util.spec_from_file_location(f"dags.{name}", DAGS_FOLDER / name / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if dag_id is None:
        return module.dag
    dags = (
        value for value in vars(module).values() if hasattr(value, "test") and hasattr(value, "task_dict")
    )
    return next(dag for dag in dags if dag.dag_id == dag_id)


def run_dag(
    name: str,
    conf: dict[str, Any] | None = None,
    *,
    dag_id: str | None = None,
    logical_date: datetime | None = None,
) -> tuple[str, dict[str, str]]:
    """Run a DAG once with ``dag.test()``; return the run's state and each task's final state.

    :param logical_date: the run's logical date; a data-interval timetable infers the interval
        that ends at it (Airflow 2.11 names the argument ``execution_date``).
    """
    dag = load_dag(name, dag_id)
    when: dict[str, Any] = {}
    if logical_date is not None:
        when = {"logical_date" if AIRFLOW_3 else "execution_date": logical_date}
    run = dag.test(run_conf=conf, **when)
    tasks = {
        ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]": str(ti.state)
        for ti in run.get_task_instances()
    }
    return str(run.state), tasks


def paths(sandbox: Any) -> list[str]:
    """The requests a sandbox answered, as ``"METHOD /path status"`` lines."""
    return [f"{entry.method} {entry.path} {entry.status}" for entry in sandbox.journal]


def creator_messages(sandbox: Any) -> Counter[str]:
    """Fan id -> messages the creator sent into the fan's chat (a sandbox's store)."""
    from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID

    fan_of = {group.group_id: group.partner_id for group in sandbox.groups}
    return Counter(
        fan_of[record.group_id]
        for record in sandbox.messages
        if record.message["senderId"] == DEFAULT_CREATOR_ID
    )


def printed_xcoms(output: str) -> dict[str, Any]:
    """The XComs a test DAG's ``report`` task printed as ``XCOM <key> <json>`` (the last of each key)."""
    found: dict[str, Any] = {}
    for line in output.splitlines():
        _, marker, rest = line.partition("XCOM ")
        if marker:
            key, _, value = rest.partition(" ")
            found[key] = json.loads(value)
    return found


def clear_and_rerun(dag: Any, run_id: str, task_ids: list[str]) -> dict[str, str]:
    """Clear finished tasks of a DAG run as the UI's Clear does, then run them again in that run, in order.

    The clearing is Airflow's own (``clear_task_instances``: the run goes back to queued, its
    ``start_date`` and ``queued_at`` reset). Running them again does what the scheduler and
    ``dag.test()`` do: the run starts again, each task's try number goes up, and it runs.
    Returns each task's final state.
    """
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import clear_task_instances

    _load_task_note_user_table()
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalar(select(DagRun).where(DagRun.dag_id == dag.dag_id, DagRun.run_id == run_id))
        tis = sorted(
            (ti for ti in run.get_task_instances(session=session) if ti.task_id in task_ids),
            key=lambda ti: task_ids.index(ti.task_id),
        )
        clear_task_instances(tis, session)
        session.flush()
        run.state = DagRunState.RUNNING
        run.start_date = _utcnow()
        session.commit()
        return _run_in_order(dag, tis, session)


def run_through_timeouts(dag: Any, conf: dict[str, Any], logical_date: datetime | None = None) -> Any:
    """``dag.test()``, carried on where Airflow 2.11's lets ``AirflowTaskTimeout`` escape.

    A ``BaseException`` there, which it does not catch; the task is already up for retry: the run's
    unfinished tasks then run in order, each try as ``dag.test()`` runs it. Returns the DAG run.

    :param logical_date: the run's logical date (a backfill's), default now.
    """
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    when: dict[str, Any] = {}
    if logical_date is not None:
        when = {"logical_date" if AIRFLOW_3 else "execution_date": logical_date}
    try:
        return dag.test(run_conf=conf, **when)
    except BaseException as exc:
        if AIRFLOW_3 or type(exc).__name__ != "AirflowTaskTimeout":
            raise
    _load_task_note_user_table()
    with create_session() as session:
        run = session.scalar(
            select(DagRun).where(DagRun.dag_id == dag.dag_id).order_by(DagRun.id.desc()).limit(1)
        )
        order = [task.task_id for task in dag.topological_sort()]
        tis = sorted(  # the timed-out task if up for retry, and those that did not run yet
            (ti for ti in run.get_task_instances(session=session) if ti.state not in ("success", "failed")),
            key=lambda ti: order.index(ti.task_id),
        )
        run_id = run.run_id
        _run_in_order(dag, tis, session)
    return DagRun.find(dag_id=dag.dag_id, run_id=run_id)[0]


def _load_task_note_user_table() -> None:
    with contextlib.suppress(
        ImportError
    ):  # 2.11: flushing a task instance flushes its notes, whose user table FAB defines
        import airflow.providers.fab.auth_manager.models  # noqa: F401


def _run_in_order(dag: Any, tis: list[Any], session: Any) -> dict[str, str]:
    """Run task instances again (their try number up by one), in order; return each one's final state."""
    from airflow.utils.state import TaskInstanceState

    states: dict[str, str] = {}
    for ti in tis:
        ti.try_number += 1
        ti.state = TaskInstanceState.SCHEDULED
        session.merge(ti)
        session.commit()
        _run_task(ti, dag.task_dict[ti.task_id], session)
        session.expire_all()
        state = session.merge(ti).state
        states[ti.task_id] = str(getattr(state, "value", state))
    return states


def end_deferral_as_airflow_does(dag: Any, task_id: str, error: str) -> str:
    """End a task's wait on the triggerer the way Airflow does; return the task's final state.

    As at its defer timeout or a trigger failure (next method ``__fail__``; the same try resumes), in the
    DAG's latest run.
    """
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance

    with contextlib.suppress(ImportError):  # 2.11: flushing a task instance needs FAB's user table
        import airflow.providers.fab.auth_manager.models  # noqa: F401
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(
            select(DagRun).where(DagRun.dag_id == dag.dag_id).order_by(DagRun.id.desc())
        ).first()
        ti = session.scalar(
            select(TaskInstance).where(
                TaskInstance.dag_id == dag.dag_id,
                TaskInstance.run_id == run.run_id,
                TaskInstance.task_id == task_id,
            )
        )
        ti.state = TaskInstanceState.SCHEDULED
        ti.next_method = "__fail__"
        ti.next_kwargs = {"error": error}
        session.commit()
        _run_task(ti, dag.task_dict[task_id], session)
        session.expire_all()
        state = session.merge(ti).state
    return str(getattr(state, "value", state))


def _utcnow() -> Any:
    from datetime import datetime

    return datetime.now(UTC)


def _run_task(ti: Any, task: Any, session: Any) -> None:
    """Run one scheduled task instance the way this Airflow's ``dag.test()`` does; a failure shows in its state.

    Its helper lives in ``airflow.sdk`` on 3.x (taking ``task`` from 3.1) and in ``airflow.models.dag``
    on 2.11 (taking ``session``).
    """
    try:
        from airflow.sdk.definitions.dag import _run_task as run_task
    except ImportError:
        from airflow.models.dag import _run_task as run_task  # type: ignore[no-redef]
    ti.task = task
    accepted = inspect.signature(run_task).parameters
    extra = {name: value for name, value in (("task", task), ("session", session)) if name in accepted}
    with contextlib.suppress(Exception):  # dag.test() logs a failed task and goes on
        run_task(ti=ti, **extra)
