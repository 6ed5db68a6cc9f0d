"""The circuit breaker under real Airflow (``dag.test()`` on SQLite) against the sandbox.

An outage fails a bulk task at once, names the failing API, and leaves an exactly-once record that says which
chats may have been sent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_apifansly.connection import DEFAULT_CONN_ID
from airflow_provider_apifansly.hooks.breaker import BREAKER_THRESHOLD
from airflow_provider_apifansly.operators.try_record import NOT_SENT, RECORD_PREFIX, UNKNOWN
from airflow_provider_apifansly.sandbox import FanslySandbox, Fault
from tests.helpers import printed_xcoms, run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

FANS = [f"7235163152470{n:05d}" for n in range(40)]
CONCURRENCY = 4  # the DAG's max_concurrency


def outcomes() -> dict[str, str]:
    """Chat id -> outcome in the (only) exactly-once record in the metadata database."""
    from airflow.models.variable import Variable
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        (row,) = session.scalars(select(Variable).where(Variable.key.startswith(RECORD_PREFIX)))
        items = json.loads(row.val)["items"]
    return {chat: attempt["outcome"] for chat, attempt in items.items()}


def test_an_outage_fails_send_messages_naming_the_failing_api_and_records_what_may_have_been_sent(
    fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    chats = list(fansly_sandbox.seed_chats(FANS).values())
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{DEFAULT_CONN_ID.upper()}", fansly_sandbox.connection_json(max_retry_wait=0)
    )
    fansly_sandbox.set_faults(Fault(kind="status", status=503))

    _, tasks = run_dag(
        "fansly_test_dags", {"messages": dict.fromkeys(chats, "hi")}, dag_id="test_fansly_send_messages"
    )

    assert tasks["messages"] == "failed"
    out = capfd.readouterr().out
    assert "The API is failing: 10 requests of this hook failed in a row" in out
    assert f"{len(chats)} messages not done" in out
    failed: dict[str, Any] = printed_xcoms(out)["failed"]
    assert sorted(failed) == sorted(chats)
    assert sum("The API is failing" in reason for reason in failed.values()) >= len(chats) - CONCURRENCY
    assert len(fansly_sandbox.journal) <= BREAKER_THRESHOLD + CONCURRENCY
    posted = {
        entry.path.split("/chats/")[1].split("/")[0]
        for entry in fansly_sandbox.journal
        if entry.method == "POST"
    }
    record = outcomes()
    assert posted  # the outage met sends, not only the creator lookup
    assert {chat for chat, outcome in record.items() if outcome == UNKNOWN} == posted
    assert {chat for chat, outcome in record.items() if outcome == NOT_SENT} == set(chats) - posted
