"""An offline, faithful apifansly API server for demos, tests, benchmarks and DAG tests.

The standard library plus h11 (which parses its HTTP), so it imports fast and never needs
Airflow or requests::

    with FanslySandbox(SandboxConfig(rpm=600, latency=0.05)) as sandbox:
        requests.get(f"{sandbox.url}/api/fansly/accounts", headers={"x-api-key": DEFAULT_API_KEY})

Run it from a shell with ``python -m airflow_provider_apifansly.sandbox``; pytest
gets the ``fansly_sandbox`` and ``fansly_connection`` fixtures from its plugin.
"""

from airflow_provider_apifansly.sandbox.config import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    Account,
    Fault,
    SandboxConfig,
    connected_accounts,
    single_key,
)
from airflow_provider_apifansly.sandbox.resources.automated_messages import AutomatedMessageRecord
from airflow_provider_apifansly.sandbox.resources.chat_messages import MessageRecord
from airflow_provider_apifansly.sandbox.resources.chats import GroupRecord
from airflow_provider_apifansly.sandbox.resources.fans import FollowerRecord, SubscriptionRecord
from airflow_provider_apifansly.sandbox.resources.posts import PostRecord
from airflow_provider_apifansly.sandbox.server import FanslySandbox, fingerprint
from airflow_provider_apifansly.sandbox.world import Counters, JournalEntry

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_API_KEY",
    "DEFAULT_CREATOR_ID",
    "Account",
    "AutomatedMessageRecord",
    "Counters",
    "FanslySandbox",
    "Fault",
    "FollowerRecord",
    "GroupRecord",
    "JournalEntry",
    "MessageRecord",
    "PostRecord",
    "SandboxConfig",
    "SubscriptionRecord",
    "connected_accounts",
    "fingerprint",
    "single_key",
]
