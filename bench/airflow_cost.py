"""Scenarios 4 and 5, each in subprocesses: mapped vs bulk DAG runs, and the operator module's import cost."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remote_sandbox import RemoteSandbox
from report import Credits, Goal, Section, ratio, seconds

from airflow_provider_apifansly.sandbox import Counters, SandboxConfig

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
IMPORT_GOAL_MS = 15.0
OPERATOR_MODULE = "airflow_provider_apifansly.operators.group_chat"
MAPPED_DAG = "example_fansly_mapped_group_chats"
BULK_DAG = "example_fansly_bulk_group_chats"
WARMUP_DAG = "example_fansly_create_group_chat"
BULK_DAG_FIRST_FAN = 800_000_000_000_000_000  # the bulk DAG makes fans FIRST_FAN_ID + 0, 1, ...


def airflow_env(scratch: Path) -> dict[str, str]:
    """A throwaway Airflow home; bytecode cached under ``scratch`` (as in any deployment), not in the repo."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(scratch / "subprocess-airflow-home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "example_dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PYTHONPYCACHEPREFIX": str(scratch / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def dag_runs(scratch: Path, fans: int, latency: float) -> Section:
    """Scenario 4: the same fans through one mapped task per fan, and through one bulk task."""
    config = SandboxConfig(rpm=None, latency=latency)
    user_ids = [str(BULK_DAG_FIRST_FAN + offset) for offset in range(fans)]
    with RemoteSandbox(config) as warmup, RemoteSandbox(config) as mapped, RemoteSandbox(config) as bulk:
        runs = [
            (WARMUP_DAG, {"user_id": user_ids[0]}, warmup),
            (MAPPED_DAG, {"user_ids": user_ids}, mapped),
            (BULK_DAG, {"fan_count": fans}, bulk),
        ]
        result_path, log_path = scratch / "dag-runs.json", scratch / "dag-runs.log"
        args = [str(result_path)]
        for dag_id, conf, sandbox in runs:
            args += [dag_id, json.dumps(conf), sandbox.connection_json("fansly_default", rate_limit_rpm=0)]
        with log_path.open("w") as log:
            process = subprocess.run(
                [sys.executable, str(BENCH / "dag_runs.py"), *args],
                env=airflow_env(scratch),
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=600,
                check=False,
            )
        if process.returncode != 0:
            raise RuntimeError(f"dag_runs.py failed (exit {process.returncode}); see {log_path}")
        timings = {run["dag_id"]: run for run in json.loads(result_path.read_text())}
        counted = {dag_id: sandbox.counters() for dag_id, _, sandbox in runs}
    return _dag_section(timings, counted, fans, latency)


def _dag_section(
    timings: dict[str, dict[str, Any]], counted: dict[str, Counters], fans: int, latency: float
) -> Section:
    rows = [["DAG run", "Wall", "Per chat", "State", "Requests/chat"]]
    credits = []
    for label, dag_id in (("mapped: 1 task per fan", MAPPED_DAG), ("bulk: 1 task", BULK_DAG)):
        counters = counted[dag_id]
        credits.append(
            Credits(f"Airflow, {label}", fans, counters.requests, counters.rate_limited, counters.credits)
        )
        run = timings[dag_id]
        rows.append(
            [
                label,
                seconds(run["seconds"]),
                f"{run['seconds'] / fans * 1000:.0f} ms",
                run["state"],
                f"{counters.requests / fans:.3f}",
            ]
        )
    mapped, bulk = timings[MAPPED_DAG]["seconds"], timings[BULK_DAG]["seconds"]
    mapped_requests = counted[MAPPED_DAG].requests / fans
    airflow_share = mapped / fans - mapped_requests * latency
    rows.append(["mapped / bulk", ratio(mapped / bulk), "", "", ""])
    succeeded = all(timings[dag_id]["state"] == "success" for dag_id in (MAPPED_DAG, BULK_DAG))
    return Section(
        "4. Airflow: mapped tasks vs one bulk task",
        f"The same {fans} fans, {latency * 1000:.0f} ms latency, unlimited plan, through `dag.test()` on "
        f"SQLite in a subprocess with a throwaway AIRFLOW_HOME: `{MAPPED_DAG}` (one "
        f"CreateGroupChatOperator task instance per fan, conf user_ids) and `{BULK_DAG}` (one "
        "CreateGroupChatsOperator, 8 threads, conf fan_count). The subprocess first runs another "
        "DAG once, so neither measured run pays Airflow's first-run start-up.",
        rows,
        [Goal("Both DAG runs succeed", "success", "success" if succeeded else "failed", succeeded)],
        _mapped_notes(mapped_requests, airflow_share, latency),
        credits=credits,
    )


def _mapped_notes(requests_per_chat: float, airflow_share: float, latency: float) -> list[str]:
    """Where a mapped task instance's time goes, and why it costs two requests when it does."""
    notes = [
        f"Each mapped task instance waits for {requests_per_chat:.2f} sequential requests "
        f"({requests_per_chat * latency * 1000:.0f} ms); the other {airflow_share * 1000:.0f} ms per chat "
        "are Airflow's cost of a task instance."
    ]
    if requests_per_chat >= 1.5:
        notes.append(
            "Each instance builds its own hook, so each resolves the creator with its own GET /me "
            "unless the task is given creator_id."
        )
    return notes


@dataclass(frozen=True)
class ImportTimes:
    """One ``-X importtime`` run, read."""

    sdk_ms: float  # import airflow.sdk
    provider_ms: float  # the provider's top-level imports after it
    pulls_requests: bool  # whether ``requests`` was imported after airflow.sdk


def import_cost(scratch: Path, runs: int) -> Section:
    """Scenario 5: ``-X importtime`` of the operator module after ``airflow.sdk``; median of ``runs``."""
    env = airflow_env(scratch)
    command = [sys.executable, "-X", "importtime", "-c", f"import airflow.sdk; import {OPERATOR_MODULE}"]
    subprocess.run(command, env=env, capture_output=True, check=True)  # writes the bytecode cache
    samples = [
        read_importtime(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stderr)
        for _ in range(runs)
    ]
    operator_ms = statistics.median(sample.provider_ms for sample in samples)
    rows = [
        ["Import", "Cumulative (median)"],
        ["import airflow.sdk", f"{statistics.median(sample.sdk_ms for sample in samples):.0f} ms"],
        [f"then import {OPERATOR_MODULE}", f"{operator_ms:.1f} ms"],
        ["... of which requests", "imported" if any(s.pulls_requests for s in samples) else "not imported"],
    ]
    return Section(
        "5. Import cost of the operator module",
        f'`python -X importtime -c "import airflow.sdk; import {OPERATOR_MODULE}"`, {runs} runs with '
        "bytecode cached (as in a deployment); the operator's cost is the cumulative time of every "
        "top-level import after `airflow.sdk` (the provider's package, its `operators` package and "
        "the module, with all they pull in).",
        rows,
        [
            Goal(
                "Operator module import",
                f"<= {IMPORT_GOAL_MS:g} ms",
                f"{operator_ms:.1f} ms",
                operator_ms <= IMPORT_GOAL_MS,
            )
        ],
    )


def read_importtime(stderr: str) -> ImportTimes:
    """Read the lines of ``-X importtime``: ``import time: self | cumulative | <indent>module``."""
    sdk_us, provider_us, pulls_requests = None, 0, False
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        module, top_level = name.strip(), not name[1:].startswith(" ")
        if top_level and module == "airflow.sdk":
            sdk_us = int(cumulative)
        elif sdk_us is not None and top_level and module.startswith("airflow_provider_apifansly"):
            provider_us += int(cumulative)
        pulls_requests = pulls_requests or (sdk_us is not None and module == "requests")
    if sdk_us is None:
        raise RuntimeError("python -X importtime printed no line for airflow.sdk")
    return ImportTimes(sdk_us / 1000, provider_us / 1000, pulls_requests)
