"""``make events-demo``: fans' webhooks becoming DAG runs, on this machine, in about a minute.

Starts a redis-server (append-only), the webhook receiver, the apifansly sandbox and Airflow 3 (api-server,
scheduler, dag-processor, triggerer) on a throwaway SQLite home, with ``example_fansly_on_ppv_purchase`` as
the only DAG. Posts three PPV purchases (and one of them again, as a retrying sender would), shows the
receiver's answers, the DAG runs they start and the thank-you messages the sandbox received, then stops
everything. Logs stay in the printed folder.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from airflow_provider_apifansly.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_CREATOR_ID, FanslySandbox
from airflow_provider_apifansly.webhooks.local_stack import (
    AirflowStack,
    Receiver,
    RedisServer,
    ppv_purchase,
    wait_for,
)

REPO = Path(__file__).resolve().parent.parent
DAG_ID = "example_fansly_on_ppv_purchase"
# Three purchases by two fans: the first fan bought twice.
PURCHASES = [
    ("order-1001", "723516315247000101"),
    ("order-1002", "723516315247000102"),
    ("order-1003", "723516315247000101"),
]


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="apifansly-events-demo-"))
    print(f"Logs and data: {root}")
    dags = root / "dags"
    dags.mkdir()
    (dags / f"{DAG_ID}.py").symlink_to(REPO / "example_dags" / f"{DAG_ID}.py")
    redis_server = RedisServer(root / "redis")
    sandbox = FanslySandbox().start()
    receiver: Receiver | None = None
    airflow: AirflowStack | None = None
    try:
        redis_server.start()
        receiver = Receiver(root / "receiver", redis_server.url, DEFAULT_ACCOUNT_ID)
        print(f"redis-server on {redis_server.url}; receiver on {receiver.url}; sandbox on {sandbox.url}")
        connections = {
            "AIRFLOW_CONN_REDIS_DEFAULT": redis_server.url,
            "AIRFLOW_CONN_FANSLY_DEFAULT": sandbox.connection_json(),
        }
        airflow = stack = AirflowStack(root / "airflow", dags, connections)
        print("Starting Airflow (db migrate, api-server, scheduler, dag-processor, triggerer)...")
        began = time.monotonic()
        airflow.start()
        client = redis_server.client()
        wait_for(
            "the DAG's event trigger",
            lambda: (
                bool(client.exists("apifansly:events:ppv.purchased"))
                and bool(client.xinfo_groups("apifansly:events:ppv.purchased"))
            ),
        )
        print(f"Airflow is watching ppv.purchased ({time.monotonic() - began:.0f} s)\n")
        for order_id, fan in [*PURCHASES, PURCHASES[0]]:
            answer = receiver.post(ppv_purchase(order_id, DEFAULT_ACCOUNT_ID, fan))
            print(
                f"POST ppv.purchased {order_id} (fan {fan}): {answer.status_code} {answer.json()['status']}"
            )
        posted = time.monotonic()
        wait_for("the thanks", lambda: len(thanks(sandbox)) >= 2, timeout=120, poll=0.5)
        wait_for(
            "the runs to finish",
            lambda: all(state in ("success", "failed") for _, state, _ in stack.dag_runs(DAG_ID)),
            timeout=120,
            poll=0.5,
        )
        print(f"\nDAG runs of {DAG_ID} ({time.monotonic() - posted:.0f} s after the posts):")
        for run_id, state, _ in airflow.dag_runs(DAG_ID):
            print(f"  {run_id}: {state}")
        print("\nMessages the sandbox received (one per buyer and run, each purchase thanked once):")
        for fan, content in thanks(sandbox):
            print(f"  to fan {fan}: {content}")
        return 0
    finally:
        print("\nStopping everything...")
        if airflow is not None:
            airflow.stop()
        if receiver is not None:
            receiver.stop()
        redis_server.stop()
        sandbox.stop()


def thanks(sandbox: FanslySandbox) -> list[tuple[str, str]]:
    fan_of = {group.group_id: group.partner_id for group in sandbox.groups}
    return [
        (fan_of[record.group_id], record.message["content"])
        for record in sandbox.messages
        if record.message["senderId"] == DEFAULT_CREATOR_ID
    ]


if __name__ == "__main__":
    sys.exit(main())
