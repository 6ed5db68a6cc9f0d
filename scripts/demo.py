"""The main job, offline: run the welcome pipeline twice with ``airflow dags test`` against the bundled sandbox.

Uses a throwaway AIRFLOW_HOME (``.airflow-home``, SQLite) so it never touches your
own Airflow. One fan already has a chat (seeded in the sandbox); the first run
creates the other fans' chats and welcomes each of them once, the second run finds
every chat in List Chats and sends nothing. The full Airflow output goes to
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
DAG_ID = "example_fansly_welcome_pipeline"
EXISTING_FAN = "723516315247063041"
NEW_FANS = ["723516315247063042", "723516315247063043", "723516315247063044"]


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
    conf = json.dumps({"fans": [EXISTING_FAN, *NEW_FANS]})
    with FanslySandbox(SandboxConfig()) as sandbox, log_path.open("w") as log:
        sandbox.seed_chats([EXISTING_FAN])
        env["AIRFLOW_CONN_FANSLY_DEFAULT"] = sandbox.connection_json()
        print(f"Sandbox serving the apifansly API at {sandbox.url}; fan {EXISTING_FAN} already has a chat")
        subprocess.run([airflow, "db", "migrate"], env=env, stdout=log, stderr=log, check=True)
        exits = []
        for attempt in ("first", "second"):
            before = len(sandbox.journal)
            print(f"Running `airflow dags test {DAG_ID}` ({attempt} run, output: {log_path})")
            run = subprocess.run(
                [airflow, "dags", "test", DAG_ID, "-c", conf],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
            )
            log.write(run.stdout)
            exits.append(run.returncode)
            journal = sandbox.journal[before:]
            posts = [
                f"{entry.method} {entry.path.rsplit('/', 1)[-1]}"
                for entry in journal
                if entry.method == "POST"
            ]
            print(f"  {len(journal)} API requests, POSTs: {', '.join(posts) or 'none'}")
        chats = [group for group in sandbox.groups if not group.seeded]
        welcomes = sandbox.messages
    if any(exits) or len(chats) != len(NEW_FANS) or len(welcomes) != len(NEW_FANS):
        print(f"Demo FAILED (exits {exits}); see {log_path}", file=sys.stderr)
        return 1
    for chat in chats:
        print(f"Created group chat {chat.group_id} with fan {chat.partner_id} and welcomed the fan once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
