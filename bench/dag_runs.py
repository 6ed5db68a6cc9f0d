"""Run the example DAGs through ``dag.test()``; the benchmark starts this in a subprocess.

Its own process, so Airflow's configuration and logging set-up never touch the
other scenarios. The caller sets ``AIRFLOW_HOME`` (a throwaway SQLite home) and
the DAGs folder; this script migrates the DB, serializes the DAGs (Airflow 3
needs both before ``dag.test()``), then times each run named on the command line
against its own sandbox connection, and writes the timings as JSON.

Usage: ``dag_runs.py RESULT.json DAG_ID CONF_JSON CONNECTION_JSON [DAG_ID CONF_JSON CONNECTION_JSON ...]``
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

EXAMPLE_DAGS = Path(__file__).resolve().parent.parent / "example_dags"


def prepare_metadata_db() -> None:
    """Migrate the SQLite metadata DB and serialize the example DAGs, through the CLI."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    for command in (("db", "migrate"), ("dags", "reserialize")):
        subprocess.run([airflow, *command], check=True, capture_output=True, timeout=300)


def load_dag(dag_id: str) -> Any:
    """The ``dag`` object of ``example_dags/<dag_id>.py``."""
    spec = importlib.util.spec_from_file_location(f"example_dags.{dag_id}", EXAMPLE_DAGS / f"{dag_id}.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(EXAMPLE_DAGS / f"{dag_id}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag


def timed_run(dag_id: str, conf: dict[str, Any], connection_json: str) -> dict[str, Any]:
    """Run one DAG to completion against the given connection; return its wall time and state."""
    os.environ["AIRFLOW_CONN_FANSLY_DEFAULT"] = connection_json
    dag = load_dag(dag_id)
    started = time.perf_counter()
    run = dag.test(run_conf=conf)
    seconds = time.perf_counter() - started
    return {"dag_id": dag_id, "seconds": seconds, "state": str(run.state)}


def main(argv: list[str]) -> None:
    result_path, *runs = argv
    prepare_metadata_db()
    results = [
        timed_run(dag_id, json.loads(conf), connection_json)
        for dag_id, conf, connection_json in zip(runs[0::3], runs[1::3], runs[2::3], strict=True)
    ]
    Path(result_path).write_text(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
