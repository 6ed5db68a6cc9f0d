"""Land fans' messages in object storage as they arrive: one JSON-lines file per run and hour of the events.

Scheduled on ``messages.received`` with ``include_content=True``: only then does the event carry the text
(asset-event extras are stored in the metadata DB and shown in the UI, so text stays out by default).
Each message is claimed once by this DAG, so it lands in exactly one file:
``<base>/<YYYY-MM-DD>/<HH>/<first key of the file>.jsonl``, where the hour is the message's own (UTC).

Needs Airflow 3 (asset watchers); on Airflow 2 this file defines no DAG.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly._compat import ObjectStoragePath
from airflow_provider_apifansly.events import EVENT_TRIGGERS_AVAILABLE, claim_events, fansly_event_asset

# Where the files go unless a run's params say otherwise (any ObjectStoragePath URL, e.g. s3://bucket/messages).
BASE = os.environ.get("FANSLY_MESSAGES_BASE") or "file:///tmp/apifansly-messages"

if EVENT_TRIGGERS_AVAILABLE:
    # [START howto_event_messages_to_storage]
    with DAG(
        dag_id="example_fansly_messages_to_storage",
        schedule=[fansly_event_asset("messages.received", include_content=True)],
        start_date=datetime(2026, 1, 1),
        catchup=False,
        params={"base": Param(BASE, type="string")},
        tags=["fansly", "example", "events"],
    ) as dag:

        @task
        def store_messages(base: str, **context: Any) -> list[str]:
            """Write this run's claimed messages, grouped by the UTC hour they were sent in; returns the files."""
            by_hour: dict[str, list[dict[str, Any]]] = {}
            for event in claim_events(context):
                sent = datetime.fromtimestamp((event["occurred_at_ms"] or 0) / 1000, tz=UTC)
                by_hour.setdefault(sent.strftime("%Y-%m-%d/%H"), []).append(event)
            written = []
            for hour, events in sorted(by_hour.items()):
                path = ObjectStoragePath(f"{base}/{hour}/{events[0]['key']}.jsonl")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("".join(json.dumps(event) + "\n" for event in events))
                written.append(str(path))
            return written

        store_messages("{{ params.base }}")
    # [END howto_event_messages_to_storage]
