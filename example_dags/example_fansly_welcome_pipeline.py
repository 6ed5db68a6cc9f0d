"""Welcome each new subscriber, every hour: the fans come from the API, each welcomed once.

``ListFansOperator`` returns the active subscribers whose subscription began in the
run's data interval ``[start, end)``. Each subscription falls in exactly one interval,
so each new subscriber is welcomed once. On a newest-first list that costs a page or
two an hour, not a read of every subscriber. ``CreateGroupChatsOperator`` opens (or
finds) each fan's chat, and ``SendMessagesOperator`` sends one welcome per chat.

The schedule is an explicit data-interval timetable: Airflow 3's plain ``"@hourly"``
makes runs of a single instant, whose empty interval would list nobody.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param, task
from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_apifansly.operators.fans import ListFansOperator
from airflow_provider_apifansly.operators.group_chat import CreateGroupChatsOperator
from airflow_provider_apifansly.operators.messages import SendMessagesOperator

with DAG(
    dag_id="example_fansly_welcome_pipeline",
    schedule=CronDataIntervalTimetable("@hourly", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"welcome": Param("Welcome! Thanks for subscribing.", type="string")},
    tags=["fansly", "example"],
) as dag:
    # [START howto_list_fans_new_subscribers]
    new_subscribers = ListFansOperator(
        task_id="new_subscribers",
        source="subscribers",
        status="active",
        since="{{ data_interval_start }}",
        until="{{ data_interval_end }}",
    )
    # [END howto_list_fans_new_subscribers]

    create_chats = CreateGroupChatsOperator(
        task_id="create_chats",
        user_ids=new_subscribers.output,
        fail_policy="continue",  # welcome the fans that did get a chat; XCom 'failed' names the rest
    )

    # [START howto_send_messages]
    @task
    def welcome_messages(chats: dict[str, str], welcome: str) -> dict[str, str]:
        """One welcome per chat opened for this interval's new subscribers: ``{group: text}``."""
        print(f"{len(chats)} new subscribers to welcome")
        return {group_id: welcome for group_id in chats.values()}

    SendMessagesOperator(
        task_id="send_welcomes",
        messages=welcome_messages(create_chats.output, "{{ params.welcome }}"),
    )
    # [END howto_send_messages]
