"""Each day, offer a renewal to the fans whose subscription ends within 3 days with auto-renew off.

``ListFansOperator(expiring_within=...)`` reads every active page (ceil(active / 100) credits) and
keeps the subscriptions with ``autoRenew`` 0 whose ``endsAt`` is within 3 days; its XCom ``ends_at``
names each fan's period. A fan stays in that segment for up to 3 daily runs, so an Airflow
Variable remembers which period each fan was offered: each fan gets the offer once per
subscription period, and again only after renewing and lapsing again. The chats are opened
without ``skip_existing``: for a few dozen fans, a create each (which finds an existing chat)
costs less than reading every page of List Chats (see docs/credits.md).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, Variable, task
from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_apifansly.operators.fans import ListFansOperator
from airflow_provider_apifansly.operators.group_chat import CreateGroupChatsOperator
from airflow_provider_apifansly.operators.messages import SendMessagesOperator

OFFERED = "fansly_expiring_offer_sent"  # Variable: {fan id: endsAt of the period offered}


def offered_periods() -> dict[str, int]:
    """The subscription periods (fan -> ``endsAt``) already offered a renewal."""
    # The default is positional: Airflow 3 names it `default`, Airflow 2 `default_var`.
    return dict(json.loads(Variable.get(OFFERED, "{}")))


with DAG(
    dag_id="example_fansly_expiring_offer",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"offer": Param("Your subscription ends soon: renew today and get 20% off!", type="string")},
    tags=["fansly", "example"],
) as dag:
    # [START howto_list_fans_expiring]
    lapsing = ListFansOperator(task_id="lapsing", expiring_within=timedelta(days=3))
    # [END howto_list_fans_expiring]

    @task
    def not_yet_offered(**context: Any) -> list[str]:
        """The lapsing fans not yet offered a renewal for this period."""
        ends_at = context["ti"].xcom_pull(task_ids="lapsing", key="ends_at") or {}
        offered = offered_periods()
        fans = [fan_id for fan_id, ends in ends_at.items() if offered.get(fan_id) != ends]
        print(f"{len(fans)} of {len(ends_at)} lapsing fans to offer a renewal")
        return fans

    to_offer = not_yet_offered()
    lapsing >> to_offer
    # No skip_existing: ~20 creates (each finds an existing chat) cost less than every List Chats page.
    chats = CreateGroupChatsOperator(task_id="open_chats", user_ids=to_offer, fail_policy="continue")

    @task
    def offers(chats: dict[str, str], offer: str) -> dict[str, str]:
        """One offer per chat: ``{group: text}``."""
        return {group_id: offer for group_id in chats.values()}

    send = SendMessagesOperator(
        task_id="send_offers", messages=offers(chats.output, "{{ params.offer }}"), fail_policy="continue"
    )

    @task(trigger_rule="all_done")
    def remember_offers(**context: Any) -> None:
        """Record the period of every fan whose offer was sent (even by a send task that failed part-way)."""
        ti = context["ti"]
        ends_at = ti.xcom_pull(task_ids="lapsing", key="ends_at") or {}
        chat_of = ti.xcom_pull(task_ids="open_chats") or {}
        sent = ti.xcom_pull(task_ids="send_offers") or {}
        offered = offered_periods()
        offered.update({fan_id: ends_at[fan_id] for fan_id, group_id in chat_of.items() if group_id in sent})
        Variable.set(OFFERED, json.dumps(offered))
        print(f"{len(sent)} renewal offers sent")

    send >> remember_offers()
