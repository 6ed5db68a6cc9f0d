"""Welcome each new subscriber seconds after apifansly's ``subscriptions.new`` webhook, once per subscription.

The event-driven twin of ``example_fansly_welcome_pipeline`` (hourly polling, a credit an hour whether or
not anyone subscribed). ``subscriptions.new``'s payload is still "coming soon" in apifansly's docs
(contract §10): the fan id is read defensively, and an event without one is logged, not guessed; keep the
hourly pipeline until the payload is confirmed. The ``fansly_default`` connection must be the account the
events belong to.

Needs Airflow 3 (asset watchers); on Airflow 2 this file defines no DAG.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly.events import EVENT_TRIGGERS_AVAILABLE, claim_events, fansly_event_asset
from airflow_provider_apifansly.operators.group_chat import CreateGroupChatsOperator
from airflow_provider_apifansly.operators.messages import SendMessagesOperator

log = logging.getLogger(__name__)

if EVENT_TRIGGERS_AVAILABLE:
    # [START howto_event_new_subscriber]
    with DAG(
        dag_id="example_fansly_on_new_subscriber",
        schedule=[fansly_event_asset("subscriptions.new")],
        start_date=datetime(2026, 1, 1),
        catchup=False,
        params={"welcome": Param("Welcome! Thanks for subscribing.", type="string")},
        tags=["fansly", "example", "events"],
    ) as dag:

        @task
        def new_subscribers(**context: Any) -> list[str]:
            """The fan of each subscription this run claimed."""
            fans = []
            for event in claim_events(context):
                if event["fan_id"]:
                    fans.append(event["fan_id"])
                else:
                    log.warning("subscriptions.new event %s names no fan; not welcomed", event["key"])
            return fans

        chats = CreateGroupChatsOperator(
            task_id="open_chats", user_ids=new_subscribers(), fail_policy="continue"
        )

        @task
        def welcomes(chats: dict[str, str], text: str) -> dict[str, str]:
            """One welcome per new subscriber's chat: ``{chat: text}``."""
            return dict.fromkeys(chats.values(), text)

        SendMessagesOperator(task_id="send_welcomes", messages=welcomes(chats.output, "{{ params.welcome }}"))
    # [END howto_event_new_subscriber]
