"""An agency's day: each connected account's transactions exported and new subscribers welcomed.

For every Fansly account connected to one API key, each account in its own mapped task.

``ListAccountsOperator`` lists the key's connected accounts (``GET /accounts``, one credit)
and every task after it is mapped over them: each account's transactions go to
``.../account={account_id}/date={ds}/transactions.jsonl``, and its new subscribers get a
chat opened by that account's own creator (each account's ``GET /me`` read once) and one
welcome. All the accounts share the key's rate limit and credits: put every task on the key
into one Airflow pool (``FANSLY_POOL``, named after the connection), so the workers do not
fight over the key's requests per minute.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.providers.common.compat.sdk import DAG
from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_apifansly.operators.accounts import ListAccountsOperator
from airflow_provider_apifansly.operators.export import ExportToStorageOperator
from airflow_provider_apifansly.operators.fans import ListFansOperator
from airflow_provider_apifansly.operators.group_chat import CreateGroupChatsOperator
from airflow_provider_apifansly.operators.messages import SendMessagesOperator

# The demo's folder (make demo's AIRFLOW_HOME) unless EXPORT_FOLDER says otherwise.
FOLDER = os.environ.get("EXPORT_FOLDER") or str(
    Path(__file__).resolve().parent.parent / ".airflow-home" / "exports"
)
# One pool per API key (create it with `airflow pools set fansly_default 4 "apifansly key"`);
# unset, the tasks run in Airflow's default pool.
FANSLY_POOL = os.environ.get("FANSLY_POOL") or None
WELCOME = "Welcome! Thanks for subscribing."


def fans_of_account(pair: tuple[list[str], str]) -> dict[str, Any]:
    """One account's new subscribers (``zip`` lines them up by map index) -> that account's chats."""
    fans, account_id = pair
    return {"user_ids": fans, "account_id": account_id}


def welcomes_of_account(pair: tuple[dict[str, str], str]) -> dict[str, Any]:
    """One account's opened chats ``{fan: group}`` -> one welcome per chat, sent from that account."""
    chats, account_id = pair
    return {"messages": {group_id: WELCOME for group_id in chats.values()}, "account_id": account_id}


with DAG(
    dag_id="example_fansly_agency_daily",
    # A day-long data interval on Airflow 2 and 3 alike (Airflow 3's plain "@daily" gives empty ones).
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"pool": FANSLY_POOL} if FANSLY_POOL else {},
    tags=["fansly", "example"],
) as dag:
    # [START howto_list_accounts]
    accounts = ListAccountsOperator(task_id="accounts")

    ExportToStorageOperator.partial(
        task_id="export_transactions",
        resource="transactions",  # since/until default to the run's data interval
        # `task.account_id` is this mapped task's own account; the day is the interval's start
        # (the run's `ds` on schedule; a manual run's `ds` is the day it was triggered).
        path=f"file://{FOLDER}/agency/account={{{{ task.account_id }}}}"
        "/date={{ data_interval_start | ds }}/transactions.jsonl",
    ).expand(account_id=accounts.output)

    new_subscribers = ListFansOperator.partial(
        task_id="new_subscribers",
        source="subscribers",
        since="{{ data_interval_start }}",
        until="{{ data_interval_end }}",
    ).expand(account_id=accounts.output)

    create_chats = CreateGroupChatsOperator.partial(
        task_id="create_chats",
        fail_policy="continue",  # welcome the fans that did get a chat; XCom 'failed' names the rest
    ).expand_kwargs(new_subscribers.output.zip(accounts.output).map(fans_of_account))

    SendMessagesOperator.partial(task_id="send_welcomes").expand_kwargs(
        create_chats.output.zip(accounts.output).map(welcomes_of_account)
    )
    # [END howto_list_accounts]
