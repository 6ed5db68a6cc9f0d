"""Automated messages as code: every connected account gets the same welcome, renewal and tip thanks.

The rules live here, reviewed in git. Each day ``SyncAutomatedMessagesOperator`` makes each account
match them, one mapped task per account: rules that match are kept, missing ones created, and with
``prune=True`` any other rule is deleted, so an edit here replaces the old version. A run that finds
everything in place only lists the rules (one credit per account). Set ``dry_run=True`` to see the
plan (XCom ``plan``) without changing anything.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_apifansly.models.automated_message import parse_rules
from airflow_provider_apifansly.operators.accounts import ListAccountsOperator
from airflow_provider_apifansly.operators.automated_messages import SyncAutomatedMessagesOperator

# [START howto_automated_messages_rules]
RULES = [
    {
        "trigger_type": "new_subscriber",
        "content": "Welcome in! Check your DMs for a little gift.",
        "delay": 60,
    },
    {
        "trigger_type": "subscriber_renew",
        "content": "Thank you for staying another month!",
        "subscription_streak": 1,
        "cooldown": 86_400,
    },
    {"trigger_type": "new_tip", "content": "Thank you so much for the tip!"},
]
# A mapped operator checks its rules only when it runs; checking here fails this file's parse instead.
parse_rules(RULES)
# [END howto_automated_messages_rules]

with DAG(
    dag_id="example_fansly_automations",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["fansly", "example"],
) as dag:
    # [START howto_sync_automated_messages]
    accounts = ListAccountsOperator(task_id="connected_accounts")
    SyncAutomatedMessagesOperator.partial(task_id="sync_automated_messages", rules=RULES, prune=True).expand(
        account_id=accounts.output
    )
    # [END howto_sync_automated_messages]
