"""The main job, offline: run the example DAG with ``airflow dags test`` against the bundled sandbox.

Uses a throwaway AIRFLOW_HOME (``.airflow-home``, SQLite) so it never touches
your own Airflow. Prints the created group id; the full Airflow output goes to
``.airflow-home/demo.log``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from airflow_provider_apifansly.sandbox import FanslySandbox, SandboxConfig

REPO = Path(__file__).resolve().parent.parent
DAG_ID = "example_fansly_create_group_chat"
FAN_ID = "723516315247063042"


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
    with FanslySandbox(SandboxConfig()) as sandbox, log_path.open("w") as log:
        env["AIRFLOW_CONN_FANSLY_DEFAULT"] = sandbox.connection_json()
        print(f"Sandbox serving the apifansly API at {sandbox.url}")
        subprocess.run([airflow, "db", "migrate"], env=env, stdout=log, stderr=log, check=True)
        print(f"Running `airflow dags test {DAG_ID}` for fan {FAN_ID} (output: {log_path})")
        run = subprocess.run(
            [airflow, "dags", "test", DAG_ID, "-c", json.dumps({"user_id": FAN_ID})],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        log.write(run.stdout)
        for line in run.stdout.splitlines():
            if "Created group chat" in line or "Fansly chat" in line:
                print("  " + line.strip())
        groups = sandbox.groups
        requests = sandbox.counters.requests
    if run.returncode != 0 or len(groups) != 1:
        print(f"Demo FAILED (exit {run.returncode}); see {log_path}", file=sys.stderr)
        return 1
    print(
        f"Created group chat {groups[0].group_id} between creator and fan {FAN_ID} ({requests} API requests)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
