"""Thank each buyer of a PPV in their chat seconds after the purchase, once per purchase.

apifansly's ``ppv.purchased`` webhook reaches the receiver (``python -m airflow_provider_apifansly.webhooks``),
which appends it to Redis; a ``FanslyEventTrigger`` on the triggerer turns it into an asset event, and the
DAG runs. Runs coalesce and an event can arrive twice, so the DAG acts on ``claim_events``: each purchase
is claimed by one task instance of this DAG, once. A fan with several purchases in one run gets one
message naming how many. The ``fansly_default`` connection must be the account the events belong to.

Needs Airflow 3 (asset watchers); on Airflow 2 this file defines no DAG.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly.events import EVENT_TRIGGERS_AVAILABLE, claim_events, fansly_event_asset
from airflow_provider_apifansly.operators.group_chat import CreateGroupChatsOperator
from airflow_provider_apifansly.operators.messages import SendMessagesOperator

if EVENT_TRIGGERS_AVAILABLE:
    # [START howto_event_ppv_purchase]
    with DAG(
        dag_id="example_fansly_on_ppv_purchase",
        schedule=[fansly_event_asset("ppv.purchased")],
        start_date=datetime(2026, 1, 1),
        catchup=False,
        params={"thanks": Param("Thank you for unlocking it!", type="string")},
        tags=["fansly", "example", "events"],
    ) as dag:

        @task
        def buyers(**context: Any) -> list[str]:
            """The buyer of each purchase this run claimed (each purchase is claimed by one run only)."""
            return [event["fan_id"] for event in claim_events(context) if event["fan_id"]]

        purchases = buyers()
        chats = CreateGroupChatsOperator(
            task_id="open_chats",
            user_ids=purchases,  # a fan who bought twice gets one chat
            fail_policy="continue",  # thank the buyers whose chat opened; XCom 'failed' names the rest
        )

        @task
        def thanks(chats: dict[str, str], purchases: list[str], text: str) -> dict[str, str]:
            """One message per buyer's chat, ``{group id: text}``, counting their purchases of this run."""
            count = Counter(purchases)
            return {
                group_id: text if count[fan_id] == 1 else f"{text} (all {count[fan_id]} of them)"
                for fan_id, group_id in chats.items()
            }

        SendMessagesOperator(
            task_id="send_thanks", messages=thanks(chats.output, purchases, "{{ params.thanks }}")
        )
    # [END howto_event_ppv_purchase]
