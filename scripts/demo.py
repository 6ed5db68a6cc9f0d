"""The main job, offline: the hourly welcome pipeline over two consecutive hours against the bundled sandbox.

Uses a throwaway AIRFLOW_HOME (``.airflow-home``, SQLite) so it never touches your
own Airflow. The sandbox holds 500 older subscribers, 3 who subscribed in the first
hour, 2 in the second (one of them exactly on the hour, which belongs to the second)
and an expired one. Each run of ``airflow dags test`` lists its interval's new
subscribers, opens their chats and welcomes each once; the cost of each run is
printed. The full Airflow output goes to ``.airflow-home/demo.log``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox, SandboxConfig

REPO = Path(__file__).resolve().parent.parent
DAG_ID = "example_fansly_welcome_pipeline"
MINUTE_MS = 60_000


def fans(count: int, start: int) -> list[str]:
    return [str(723516315247000000 + start + offset) for offset in range(count)]


def main() -> int:
    home = REPO / ".airflow-home"
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "example_dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    airflow = str(Path(sys.executable).with_name("airflow"))
    log_path = home / "demo.log"
    # Two finished hours: [now-2h, now-1h) and [now-1h, now), on the hour.
    second_end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    first_end = second_end - timedelta(hours=1)
    boundary = int(first_end.timestamp() * 1000)
    start = boundary - 60 * MINUTE_MS
    new_by_run = {"first": fans(3, 1000), "second": fans(2, 2000)}
    with FanslySandbox(SandboxConfig()) as sandbox, log_path.open("w") as log:
        sandbox.seed_subscribers(
            fans(500, 0), created_at=[start - (n + 1) * 5 * MINUTE_MS for n in range(500)]
        )
        sandbox.seed_subscribers(
            new_by_run["first"], created_at=[start, start + 20 * MINUTE_MS, boundary - 1]
        )
        sandbox.seed_subscribers(new_by_run["second"], created_at=[boundary, boundary + 30 * MINUTE_MS])
        sandbox.seed_subscribers(fans(1, 3000), created_at=start + MINUTE_MS, status="expired")
        env["AIRFLOW_CONN_FANSLY_DEFAULT"] = sandbox.connection_json()
        print(f"Sandbox serving the apifansly API at {sandbox.url}: 506 subscriptions, 5 of them new")
        subprocess.run([airflow, "db", "migrate"], env=env, stdout=log, stderr=log, check=True)
        exits = []
        for run_end in (first_end, second_end):
            before, credits_before = len(sandbox.journal), sandbox.credits_spent()
            interval = f"[{run_end - timedelta(hours=1):%H:%M}, {run_end:%H:%M}) UTC"
            print(f"Running `airflow dags test {DAG_ID}` for {interval} (output: {log_path})")
            run = subprocess.run(
                [airflow, "dags", "test", DAG_ID, run_end.isoformat()],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
            )
            log.write(run.stdout)
            exits.append(run.returncode)
            calls = Counter(_route(entry.method, entry.path) for entry in sandbox.journal[before:])
            cost = ", ".join(f"{count} {route}" for route, count in calls.items())
            credits = sandbox.credits_spent() - credits_before
            print(f"  {sum(calls.values())} requests ({credits} credits): {cost}")
        fan_of = {group.group_id: group.partner_id for group in sandbox.groups}
        welcomes = Counter(
            fan_of[record.group_id]
            for record in sandbox.messages
            if record.message["senderId"] == DEFAULT_CREATOR_ID
        )
    expected = Counter(dict.fromkeys(new_by_run["first"] + new_by_run["second"], 1))
    if any(exits) or welcomes != expected:
        print(f"Demo FAILED (exits {exits}, welcomes {dict(welcomes)}); see {log_path}", file=sys.stderr)
        return 1
    for fan in sorted(welcomes):
        print(f"Fan {fan} subscribed in one of the two hours and was welcomed exactly once")
    return 0


def _route(method: str, path: str) -> str:
    """A request as a reader names it: ``GET subscribers``, ``POST group``, ``POST messages``."""
    return f"{method} {path.rstrip('/').rsplit('/', 1)[-1]}"


if __name__ == "__main__":
    sys.exit(main())
