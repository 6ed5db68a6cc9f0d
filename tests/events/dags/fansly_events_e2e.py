"""The end-to-end tests' DAG: runs on each ``ppv.purchased`` event and records what it claimed in Redis.

``e2e:claims`` gets one ``<key> <run_id>`` per claimed event (a side effect that must happen once per
event); ``e2e:runs`` one JSON line per run: how many events triggered it and how many it claimed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from airflow.providers.redis.hooks.redis import RedisHook
from airflow.sdk import DAG, task

from airflow_provider_apifansly.events import claim_events, fansly_event_asset

PURCHASES = fansly_event_asset("ppv.purchased")

with DAG(
    dag_id="fansly_events_e2e",
    schedule=[PURCHASES],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=4,
):

    @task
    def record(**context: Any) -> int:
        claimed = claim_events(context)
        redis = RedisHook().get_conn()
        run_id = context["run_id"]
        for payload in claimed:
            redis.rpush("e2e:claims", f"{payload['key']} {run_id}")
        triggering = len(context["triggering_asset_events"].get(PURCHASES, ()))
        redis.rpush(
            "e2e:runs", json.dumps({"run_id": run_id, "triggering": triggering, "claimed": len(claimed)})
        )
        return len(claimed)

    record()
