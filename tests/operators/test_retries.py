"""Side effects exactly once across Airflow tries: a retry, or a cleared task, in real Airflow against the sandbox.

Airflow's ``dag.test()`` runs a task's retries in line (``retry_delay=0``); a cleared task is
cleared by Airflow's own ``clear_task_instances`` and run again in the same DAG run. A try that
Airflow itself stops mid-request is provoked with ``execution_timeout`` and a sandbox that acts
at once but holds its answer longer (a ``slow`` fault).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_apifansly.hooks import read_back
from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox, Fault
from airflow_provider_apifansly.sandbox.world import JournalEntry
from tests.helpers import clear_and_rerun, load_dag, printed_xcoms, run_through_timeouts

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

FANS = [f"7235163152472{n:05d}" for n in range(20)]
DAGS = "fansly_test_dags"


@pytest.fixture(autouse=True)
def one_second_of_clock_skew(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox stamps whole seconds; beyond that, the attempt's own start alone must find its sends."""
    monkeypatch.setattr(read_back, "CLOCK_SKEW_MS", 1000)


def run(dag_id: str, conf: dict[str, Any]) -> tuple[Any, Any]:
    dag = load_dag(DAGS, dag_id)
    return dag, dag.test(run_conf=conf)


def task_instance(dag_run: Any, task_id: str) -> Any:
    return next(ti for ti in dag_run.get_task_instances() if ti.task_id == task_id)


def per_chat(sandbox: FanslySandbox) -> Counter[str]:
    return Counter(r.group_id for r in sandbox.messages if r.message["senderId"] == DEFAULT_CREATOR_ID)


def count(entries: list[JournalEntry], method: str, suffix: str) -> int:
    return sum(entry.method == method and entry.path.endswith(suffix) for entry in entries)


def outlast_the_skew(sandbox: FanslySandbox) -> None:
    """Let the sandbox's clock pass the last message's second, so a bound set now would miss it."""
    newest = max(record.message["createdAt"] for record in sandbox.messages)
    time.sleep(max(0.0, newest + 2 - time.time()))


@pytest.mark.matrix
def test_a_retry_after_a_part_way_failure_sends_only_what_the_first_try_did_not(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    chats = fansly_sandbox.seed_chats(FANS)
    fansly_sandbox.set_faults(
        Fault(kind="status", status=503, first_n=3, path_contains="/messages", method="POST")
    )

    _, dag_run = run(
        "test_fansly_send_messages_retried", {"messages": {c: f"hi {f}" for f, c in chats.items()}}
    )

    ti = task_instance(dag_run, "messages")
    assert (str(ti.state), ti.try_number) == ("success", 2)
    assert per_chat(fansly_sandbox) == Counter(dict.fromkeys(chats.values(), 1))
    journal = fansly_sandbox.journal
    # First try: 20 sends, and a look at each chat whose send got a 5xx (it may have been stored).
    # The retry: by the record, the 17 sent are adopted unread; the 3 that may have been are read back
    # to the first try's start, then sent.
    assert count(journal, "POST", "/messages") == len(FANS) + 3
    assert count(journal, "GET", "/messages") == 3 + 3
    assert count(journal, "GET", "/me") == 2  # once per try
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert xcoms["return_value"] == {r.group_id: r.message["id"] for r in fansly_sandbox.messages}
    assert (xcoms["failed"], xcoms["credits"]) == ({}, 1 + 3 + 3)


@pytest.mark.matrix
def test_a_send_message_stored_then_dropped_is_found_by_the_retry_and_not_sent_again(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    chat = fansly_sandbox.seed_chats(FANS[:1])[FANS[0]]
    # The first try's send is stored then dropped, and its one look at the chat fails: the try fails.
    fansly_sandbox.set_faults(
        Fault(kind="drop", processed=True, first_n=1, method="POST"),
        Fault(kind="status", status=503, first_n=1, method="GET", path_contains="/messages"),
    )

    _, dag_run = run("test_fansly_send_message_retried", {"chat_id": chat, "content": "unlock"})

    ti = task_instance(dag_run, "message")
    assert (str(ti.state), ti.try_number) == ("success", 2)
    (record,) = fansly_sandbox.messages
    assert count(fansly_sandbox.journal, "POST", "/messages") == 1
    assert printed_xcoms(capfd.readouterr().out)["return_value"] == record.message["id"]


@pytest.mark.matrix
def test_clearing_a_continue_task_sends_only_the_messages_that_failed(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    chats = fansly_sandbox.seed_chats(FANS)
    fansly_sandbox.set_faults(
        Fault(kind="status", status=503, first_n=3, path_contains="/messages", method="POST")
    )
    dag, dag_run = run("test_fansly_send_messages_continue", {"messages": {c: "hi" for c in chats.values()}})
    assert str(task_instance(dag_run, "messages").state) == "success"
    assert len(printed_xcoms(capfd.readouterr().out)["failed"]) == 3
    outlast_the_skew(fansly_sandbox)
    before = len(fansly_sandbox.journal)

    states = clear_and_rerun(dag, dag_run.run_id, ["messages", "report"])

    assert states["messages"] == "success"
    assert per_chat(fansly_sandbox) == Counter(dict.fromkeys(chats.values(), 1))
    rerun = fansly_sandbox.journal[before:]
    # The record: 17 sent (adopted, unread), 3 that got a 5xx (read back, then sent).
    assert (count(rerun, "GET", "/messages"), count(rerun, "POST", "/messages")) == (3, 3)
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert xcoms["return_value"] == {r.group_id: r.message["id"] for r in fansly_sandbox.messages}
    assert xcoms["failed"] == {}


@pytest.mark.matrix
def test_after_a_401_stop_the_cleared_task_sends_each_chat_its_message_once(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    chats = fansly_sandbox.seed_chats(FANS)
    rejected = chats[FANS[10]]
    fansly_sandbox.set_faults(Fault(kind="status", status=401, path_contains=f"/chats/{rejected}/"))
    dag, dag_run = run("test_fansly_send_messages_retried", {"messages": {c: "hi" for c in chats.values()}})
    ti = task_instance(dag_run, "messages")
    assert (str(ti.state), ti.try_number) == ("failed", 1)  # a 401 is not retried by Airflow
    sent_first = len(fansly_sandbox.messages)
    assert 0 < sent_first < len(FANS)
    assert {entry.method for entry in fansly_sandbox.journal} == {"POST"}  # a first try reads nothing
    fansly_sandbox.set_faults()  # the key is fixed
    outlast_the_skew(fansly_sandbox)
    before = len(fansly_sandbox.journal)

    states = clear_and_rerun(dag, dag_run.run_id, ["messages"])

    assert states["messages"] == "success"
    assert per_chat(fansly_sandbox) == Counter(dict.fromkeys(chats.values(), 1))
    assert count(fansly_sandbox.journal[before:], "POST", "/messages") == len(FANS) - sent_first


# Held well past the 1 s execution_timeout, well within the hook's 30 s read timeout.
HELD = 3.0


@pytest.mark.parametrize("scheduled", [False, True], ids=["sent-now", "scheduled"])
def test_a_broadcast_whose_try_airflow_timed_out_mid_send_is_adopted_by_the_retry_not_sent_again(
    scheduled: bool, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.set_faults(Fault(kind="slow", delay=HELD, first_n=1, method="POST"))
    conf: dict[str, Any] = {"content": "we miss you"}
    if scheduled:
        conf["scheduled_for"] = int(time.time() * 1000) + 86_400_000

    dag_run = run_through_timeouts(load_dag(DAGS, "test_fansly_mass_message_timed_out"), conf)

    ti = task_instance(dag_run, "broadcast")
    assert (str(ti.state), ti.try_number) == ("success", 2)
    (record,) = fansly_sandbox.mass_messages
    assert printed_xcoms(capfd.readouterr().out)["return_value"] == record.mass_message["id"]
    listed = "/mass-messaging/scheduled" if scheduled else "/mass-messaging/stats/sent"
    assert [
        (e.method, e.path.split("/mass-messaging")[-1]) for e in fansly_sandbox.journal if e.method == "GET"
    ] == [("GET", listed.removeprefix("/mass-messaging"))]


@pytest.mark.parametrize("reupload", [False, True], ids=["refused", "reupload_on_retry"])
def test_an_upload_whose_try_airflow_timed_out_is_not_uploaded_again_unless_allowed(
    reupload: bool,
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    media = tmp_path / "drop.mp4"
    media.write_bytes(b"\x00" * 1000)
    fansly_sandbox.set_faults(Fault(kind="slow", delay=HELD, first_n=1, path_contains="/media/upload"))
    dag_id = "test_fansly_upload_media_timed_out" + ("_reupload" if reupload else "")

    dag_run = run_through_timeouts(load_dag(DAGS, dag_id), {"path": str(media)})

    ti = task_instance(dag_run, "upload")
    assert (str(ti.state), ti.try_number) == ("success" if reupload else "failed", 2)
    assert len(fansly_sandbox.media_jobs) == (2 if reupload else 1)
    if not reupload:
        out = capfd.readouterr().out
        assert "FanslyUploadUncertainError" in out
        assert "may have uploaded drop.mp4 already and spent 3 credits" in out
