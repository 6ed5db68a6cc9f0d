"""Test-only DAGs: operator settings the example DAGs do not show.

Budgets, fail policy, single sends, fans from a param with ``skip_existing``, fan lists of any window, media.

Each DAG ends with ``report``, which runs whatever happened upstream (so the run itself
succeeds: check the tested task's state) and prints every XCom of the tested task as
``XCOM <key> <json>``, so tests read XComs from the output the same way on every Airflow version.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly.operators.accounts import ListAccountsOperator
from airflow_provider_apifansly.operators.automated_messages import SyncAutomatedMessagesOperator
from airflow_provider_apifansly.operators.fans import ListFansOperator
from airflow_provider_apifansly.operators.group_chat import CreateGroupChatsOperator
from airflow_provider_apifansly.operators.mass_messaging import SendMassMessageOperator
from airflow_provider_apifansly.operators.media import UploadMediaOperator
from airflow_provider_apifansly.operators.messages import SendMessageOperator, SendMessagesOperator
from airflow_provider_apifansly.operators.posts import CancelScheduledPostOperator, CreatePostOperator

BUDGET = 20
FANS = Param(["723516315247063042"], type="array")


def reporting_dag(dag_id: str, **params: Any) -> DAG:
    return DAG(dag_id=dag_id, schedule=None, start_date=datetime(2026, 1, 1), catchup=False, params=params)


@task(trigger_rule="all_done")
def report(task_id: str, keys: list[str], **context: Any) -> None:
    for key in keys:
        print(f"XCOM {key} {json.dumps(context['ti'].xcom_pull(task_ids=task_id, key=key))}")


CHATS_XCOMS = ["return_value", "new", "failed", "credits"]

with reporting_dag("test_fansly_budget_mid_run", fans=FANS) as budget_mid_run:
    chats = CreateGroupChatsOperator(
        task_id="chats",
        user_ids="{{ params.fans }}",
        skip_existing=True,
        max_credits=BUDGET,
        max_concurrency=4,
    )
    chats >> report("chats", CHATS_XCOMS)

with reporting_dag("test_fansly_budget_up_front", fans=FANS) as budget_up_front:
    chats = CreateGroupChatsOperator(task_id="chats", user_ids="{{ params.fans }}", max_credits=BUDGET)
    chats >> report("chats", CHATS_XCOMS)

with reporting_dag("test_fansly_fail_policy", fans=FANS) as fail_policy:
    chats = CreateGroupChatsOperator(task_id="chats", user_ids="{{ params.fans }}", fail_policy="fail")
    chats >> report("chats", CHATS_XCOMS)

with reporting_dag(
    "test_fansly_send_message",
    chat_id=Param("800000000000000001", type="string"),
    content=Param("hello", type="string"),
    media_ids=Param(None, type=["null", "array"]),
    access_type=Param(None, type=["null", "array"]),
    price=Param(None, type=["null", "number"]),
) as send_message:
    message = SendMessageOperator(
        task_id="message",
        chat_id="{{ params.chat_id }}",
        content="{{ params.content }}",
        media_ids="{{ params.media_ids }}",
        access_type="{{ params.access_type }}",
        price="{{ params.price }}",
    )
    message >> report("message", ["return_value", "chat_id", "credits"])

# No type on the param: the operator itself must refuse a batch that is neither a dict nor a list.
with reporting_dag("test_fansly_send_messages", messages=Param({})) as send_messages:
    messages = SendMessagesOperator(task_id="messages", messages="{{ params.messages }}", max_concurrency=4)
    messages >> report("messages", ["return_value", "failed", "credits"])

with reporting_dag("test_fansly_welcome_given_fans", fans=FANS) as welcome_given_fans:
    # Fans handed in by the user, not listed from the API: skip_existing spares a POST per known fan,
    # and only the chats created in this run (XCom ``new``) are greeted.
    chats = CreateGroupChatsOperator(
        task_id="create_chats", user_ids="{{ params.fans }}", skip_existing=True, fail_policy="continue"
    )

    @task
    def welcome_new_chats(**context: Any) -> dict[str, str]:
        new = context["ti"].xcom_pull(task_ids="create_chats", key="new") or {}
        return {group_id: "Welcome!" for group_id in new.values()}

    welcomes = welcome_new_chats()
    chats >> welcomes
    SendMessagesOperator(task_id="send_welcomes", messages=welcomes)

FAN_XCOMS = ["return_value", "credits"]
WINDOW = {"since": Param(None, type=["null", "string"]), "until": Param(None, type=["null", "string"])}

with reporting_dag("test_fansly_list_subscribers", **WINDOW) as subs:
    fans = ListFansOperator(
        task_id="fans",
        source="subscribers",
        since="{{ params.since or '' }}",
        until="{{ params.until or '' }}",
    )
    fans >> report("fans", FAN_XCOMS)

with reporting_dag("test_fansly_list_all_subscribers", **WINDOW) as all_subs:
    fans = ListFansOperator(
        task_id="fans", status="all", since="{{ params.since or '' }}", until="{{ params.until or '' }}"
    )
    fans >> report("fans", FAN_XCOMS)

with reporting_dag("test_fansly_list_followers") as followers:
    fans = ListFansOperator(task_id="fans", source="followers")
    fans >> report("fans", FAN_XCOMS)

with reporting_dag("test_fansly_expiring_fans") as expiring_fans:
    fans = ListFansOperator(task_id="fans", expiring_within=timedelta(days=3))
    fans >> report("fans", [*FAN_XCOMS, "ends_at"])

with reporting_dag("test_fansly_top_supporters", **WINDOW) as top_supporters:
    fans = ListFansOperator(
        task_id="fans",
        source="top_supporters",
        since="{{ params.since }}",
        until="{{ params.until }}",
        min_spend=2.5,
        top=3,
    )
    fans >> report("fans", [*FAN_XCOMS, "spend"])
TEXT_OR_NONE = {"type": ["null", "string"]}

with reporting_dag(
    "test_fansly_templated_segment",
    within=Param(None, **TEXT_OR_NONE),
    auto_renew=Param(None, **TEXT_OR_NONE),
) as templated_segment:
    fans = ListFansOperator(
        task_id="fans", expiring_within="{{ params.within }}", auto_renew="{{ params.auto_renew }}"
    )
    fans >> report("fans", [*FAN_XCOMS, "ends_at"])

with reporting_dag(
    "test_fansly_templated_top_supporters",
    **WINDOW,
    top=Param(None, **TEXT_OR_NONE),
    min_spend=Param(None, **TEXT_OR_NONE),
) as templated_top_supporters:
    fans = ListFansOperator(
        task_id="fans",
        source="top_supporters",
        since="{{ params.since }}",
        until="{{ params.until }}",
        top="{{ params.top }}",
        min_spend="{{ params.min_spend }}",
    )
    fans >> report("fans", [*FAN_XCOMS, "spend"])
# UploadMediaOperator, deferred (the trigger runs inline in dag.test) or polling in the worker, and a
# timeout. The worker polls 0.1 s apart; the trigger 1 s apart, longer than dag.test takes to start it,
# so that its count of polls a run before a restart may have made stays 0 (see MediaUploadTrigger).
MEDIA_XCOMS = ["return_value", "account_media_id", "job_id", "credits"]
MEDIA_PATH = Param("/nonexistent", type="string")


def media_dag(dag_id: str, *, deferrable: bool, timeout: float = 30, **options: Any) -> DAG:
    with reporting_dag(dag_id, path=MEDIA_PATH) as dag:
        upload = UploadMediaOperator(
            task_id="upload",
            path="{{ params.path }}",
            deferrable=deferrable,
            poll_interval=1 if deferrable else 0.1,
            timeout=timeout,
            **options,
        )
        upload >> report("upload", MEDIA_XCOMS)
    return dag


# A retry left: each failure of the wait must still end the task, as a retry would upload again.
upload_deferred = media_dag(
    "test_fansly_upload_media_deferred", deferrable=True, retries=1, retry_delay=timedelta(0)
)
upload_in_worker = media_dag("test_fansly_upload_media_in_worker", deferrable=False)
upload_timeout = media_dag("test_fansly_upload_media_timeout", deferrable=True, timeout=1.5)

# One Airflow retry, at once; the hook's own retries off, so a failed send fails the try.
RETRY_ONCE: dict[str, Any] = {"retries": 1, "retry_delay": timedelta(0), "max_retries": 0}

with reporting_dag("test_fansly_send_messages_retried", messages=Param({})) as send_messages_retried:
    messages = SendMessagesOperator(
        task_id="messages", messages="{{ params.messages }}", max_concurrency=4, **RETRY_ONCE
    )
    messages >> report("messages", ["return_value", "failed", "credits"])

with reporting_dag("test_fansly_send_messages_continue", messages=Param({})) as send_messages_continue:
    messages = SendMessagesOperator(
        task_id="messages",
        messages="{{ params.messages }}",
        max_concurrency=4,
        fail_policy="continue",
        **RETRY_ONCE,
    )
    messages >> report("messages", ["return_value", "failed", "credits"])

with reporting_dag(
    "test_fansly_send_message_retried",
    chat_id=Param("800000000000000001", type="string"),
    content=Param("hello", type="string"),
) as send_message_retried:
    message = SendMessageOperator(
        task_id="message", chat_id="{{ params.chat_id }}", content="{{ params.content }}", **RETRY_ONCE
    )
    message >> report("message", ["return_value", "credits"])

MASS_PARAMS: dict[str, Any] = {
    "content": Param("we miss you", type="string"),
    "tier_id": Param(None, type=["null", "string"]),
    "include_list_ids": Param(None, type=["null", "array"]),
    "exclude_list_ids": Param(None, type=["null", "array"]),
    "exclude_user_ids": Param(None, type=["null", "array"]),
    "media_ids": Param(None, type=["null", "array"]),
    "access_type": Param(None, type=["null", "array"]),
    "price": Param(None, type=["null", "number"]),
    "scheduled_for": Param(None, type=["null", "string", "integer"]),
}
MASS_TEMPLATES = {name: f"{{{{ params.{name} }}}}" for name in MASS_PARAMS}

# Airflow would retry twice; the hook retries a 429 up to twice.
with reporting_dag("test_fansly_mass_message", **MASS_PARAMS) as mass_message:
    broadcast = SendMassMessageOperator(
        task_id="broadcast",
        include_subscribers=True,
        include_expired_subscribers=True,
        exclude_creators=True,
        exclude_offline_users=True,
        retries=2,
        retry_delay=timedelta(0),
        max_retries=2,
        **MASS_TEMPLATES,
    )
    broadcast >> report("broadcast", ["return_value", "credits"])

# No audience flag: the audience is only what the params name.
with reporting_dag("test_fansly_mass_message_by_ids", **MASS_PARAMS) as mass_message_by_ids:
    broadcast = SendMassMessageOperator(task_id="broadcast", **MASS_TEMPLATES)
    broadcast >> report("broadcast", ["return_value", "credits"])

# Airflow stops the first try mid-request (the sandbox holds its answer past execution_timeout, having
# acted), then retries it once.
TIMED_OUT_ONCE: dict[str, Any] = {
    "retries": 1,
    "retry_delay": timedelta(0),
    "execution_timeout": timedelta(seconds=1),
}

with reporting_dag("test_fansly_mass_message_timed_out", **MASS_PARAMS) as mass_message_timed_out:
    broadcast = SendMassMessageOperator(
        task_id="broadcast", include_followers=True, **MASS_TEMPLATES, **TIMED_OUT_ONCE
    )
    broadcast >> report("broadcast", ["return_value", "credits"])

upload_timed_out = media_dag("test_fansly_upload_media_timed_out", deferrable=False, **TIMED_OUT_ONCE)
upload_timed_out_reupload = media_dag(
    "test_fansly_upload_media_timed_out_reupload", deferrable=False, reupload_on_retry=True, **TIMED_OUT_ONCE
)

with reporting_dag("test_fansly_list_accounts") as list_accounts:
    ListAccountsOperator(task_id="accounts") >> report("accounts", ["return_value", "accounts", "credits"])

# Automated messages and posts. The hook's own retries off, so a failure fails the try; Airflow retries
# once, at once. The "_stopped" DAGs also stop a try held by the sandbox (having acted) past
# execution_timeout, mid-request; the others have none, as a loaded machine may take a second to start.
ONE_AIRFLOW_RETRY: dict[str, Any] = {"retries": 1, "retry_delay": timedelta(0), "max_retries": 0}
STOPPED_AFTER = timedelta(seconds=2)
RULES = Param([], type="array")
POST_PARAMS = {
    "content": Param("New set", type=["null", "string"]),
    "media_ids": Param(None, type=["null", "array"]),
    "scheduled_for": Param(None, type=["null", "string", "integer"]),
}


def sync_dag(dag_id: str, *, prune: bool = True, **options: Any) -> DAG:
    with reporting_dag(dag_id, rules=RULES) as dag:
        sync = SyncAutomatedMessagesOperator(
            task_id="sync", rules="{{ params.rules }}", prune=prune, **options
        )
        sync >> report("sync", ["return_value", "plan", "credits"])
    return dag


def post_dag(dag_id: str, **options: Any) -> DAG:
    with reporting_dag(dag_id, **POST_PARAMS) as dag:
        post = CreatePostOperator(
            task_id="post",
            content="{{ params.content }}",
            media_ids="{{ params.media_ids }}",
            scheduled_for="{{ params.scheduled_for }}",
            **options,
        )
        post >> report("post", ["return_value", "credits"])
    return dag


sync_rules = sync_dag("test_fansly_sync_rules", **ONE_AIRFLOW_RETRY)
sync_rules_stopped = sync_dag(
    "test_fansly_sync_rules_stopped", **ONE_AIRFLOW_RETRY, execution_timeout=STOPPED_AFTER
)
sync_rules_dry_run = sync_dag("test_fansly_sync_rules_dry_run", dry_run=True)
sync_rules_without_pruning = sync_dag("test_fansly_sync_rules_without_pruning", prune=False)
create_post = post_dag("test_fansly_create_post", **ONE_AIRFLOW_RETRY)
create_post_stopped = post_dag(
    "test_fansly_create_post_stopped", **ONE_AIRFLOW_RETRY, execution_timeout=STOPPED_AFTER
)

with reporting_dag(
    "test_fansly_cancel_post_stopped", post_id=Param("800000000000000001", type="string")
) as cancel:
    cancel_post = CancelScheduledPostOperator(
        task_id="cancel", post_id="{{ params.post_id }}", **ONE_AIRFLOW_RETRY, execution_timeout=STOPPED_AFTER
    )
    cancel_post >> report("cancel", ["return_value", "credits"])

# Exactly once by evidence: each later try goes by what its own task instance did (operators/once.py).
TIERS = ["800000000000000101", "800000000000000102"]

with reporting_dag(
    "test_fansly_mass_message_mapped", content=Param("we miss you", type="string")
) as mass_message_mapped:
    SendMassMessageOperator.partial(task_id="broadcast", content="{{ params.content }}", **RETRY_ONCE).expand(
        tier_id=TIERS
    )

with reporting_dag("test_fansly_mass_message_retried", **MASS_PARAMS) as mass_message_retried:
    broadcast = SendMassMessageOperator(
        task_id="broadcast", include_followers=True, **MASS_TEMPLATES, **RETRY_ONCE
    )
    broadcast >> report("broadcast", ["return_value", "credits"])

DROP = {"caption": Param("New set, unlock it", type="string"), "chat_id": Param("1", type="string")}

with reporting_dag(
    "test_fansly_two_drops_one_caption", media_a=Param("1"), media_b=Param("1"), **DROP
) as drops:
    cheap, dear = (
        SendMessageOperator(
            task_id=task_id,
            chat_id="{{ params.chat_id }}",
            content="{{ params.caption }}",
            media_ids=[f"{{{{ params.{media} }}}}"],
            access_type=["ppv"],
            price=price,
            **RETRY_ONCE,
        )
        for task_id, media, price in (("cheap", "media_a", 10), ("dear", "media_b", 30))
    )
    cheap >> dear >> report("dear", ["return_value", "credits"])

# Airflow stops the batch after two seconds, mid-run; the test clears it.
with reporting_dag("test_fansly_send_messages_timed_out", messages=Param({})) as send_messages_timed_out:
    messages = SendMessagesOperator(
        task_id="messages",
        messages="{{ params.messages }}",
        max_concurrency=2,
        max_retries=0,
        execution_timeout=timedelta(seconds=2),
    )
    messages >> report("messages", ["return_value", "failed", "credits"])

with reporting_dag(
    "test_fansly_cancel_post", post_id=Param("800000000000000001", type="string")
) as cancel_retried:
    cancel_post = CancelScheduledPostOperator(
        task_id="cancel", post_id="{{ params.post_id }}", **ONE_AIRFLOW_RETRY
    )
    cancel_post >> report("cancel", ["return_value", "credits"])

upload_retried = media_dag("test_fansly_upload_media_retried", deferrable=False, **ONE_AIRFLOW_RETRY)
