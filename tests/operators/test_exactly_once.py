"""Exactly once by evidence: a later try acts on what its own task instance did, never on a look-alike.

Each test provokes one fault of issue 29 in real Airflow against the sandbox: a 429 the hook does not
wait for (``max_retries=0``), Airflow's ``execution_timeout`` firing while the sandbox holds a request
it has stored, a SIGKILL between two ``airflow tasks test`` runs, mapped siblings, a backfill after a
later run, two drops with one caption.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox, Fault
from tests.helpers import clear_and_rerun, load_dag, printed_xcoms, run_through_timeouts

pytestmark = [pytest.mark.integration, pytest.mark.matrix, pytest.mark.usefixtures("airflow_db")]

DAGS = "fansly_test_dags"
TIERS = ["800000000000000101", "800000000000000102"]
FAN = "723516315247063042"
HELD = 3.0  # a held answer: well past the 1 s execution_timeout, well within the hook's read timeout


def run(dag_id: str, logical_date: datetime | None = None, **conf: Any) -> Any:
    return run_through_timeouts(load_dag(DAGS, dag_id), conf, logical_date)


def task_instances(dag_run: Any, task_id: str) -> list[Any]:
    return sorted(
        (ti for ti in dag_run.get_task_instances() if ti.task_id == task_id), key=lambda ti: ti.map_index
    )


def states(dag_run: Any, task_id: str) -> list[tuple[str, int]]:
    return [(str(ti.state), ti.try_number) for ti in task_instances(dag_run, task_id)]


def count(sandbox: FanslySandbox, method: str, suffix: str) -> int:
    return sum(entry.method == method and entry.path.endswith(suffix) for entry in sandbox.journal)


class TestBroadcasts:
    def test_a_mapped_broadcast_whose_post_got_a_429_sends_its_own_audience_not_its_siblings(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str
    ) -> None:
        # The first POST is refused (429, not waited for): nothing was sent for that tier.
        fansly_sandbox.set_faults(Fault(kind="status", status=429, first_n=1, method="POST"))

        dag_run = run("test_fansly_mass_message_mapped")

        assert sorted(states(dag_run, "broadcast")) == [("success", 1), ("success", 2)]
        tiers = Counter(record.body["includeSubscriptionTierId"] for record in fansly_sandbox.mass_messages)
        assert tiers == Counter(TIERS)  # each audience got its broadcast, once
        assert count(fansly_sandbox, "GET", "/stats/sent") == 0  # "never sent" needs no read-back

    def test_a_backfilled_runs_retry_never_adopts_a_later_runs_broadcast(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        today = datetime.now(UTC).replace(microsecond=0)
        later = run("test_fansly_mass_message_timed_out", today)
        assert states(later, "broadcast") == [("success", 1)]
        (later_broadcast,) = fansly_sandbox.mass_messages
        # The earlier run's broadcast (the same text) is stored, then its answer held past the timeout.
        fansly_sandbox.set_faults(Fault(kind="slow", delay=HELD, first_n=1, method="POST"))
        capfd.readouterr()

        earlier = run("test_fansly_mass_message_timed_out", today - timedelta(days=1))

        assert states(earlier, "broadcast") == [("success", 2)]
        assert len(fansly_sandbox.mass_messages) == 2
        ours = fansly_sandbox.mass_messages[1].mass_message["id"]
        assert ours != later_broadcast.mass_message["id"]
        # Both rows lie in the retry's window (120 s of skew): the later run's claim rules it out.
        assert printed_xcoms(capfd.readouterr().out)["return_value"] == ours

    def test_a_backfilled_runs_retry_after_a_429_sends_its_broadcast(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str
    ) -> None:
        today = datetime.now(UTC).replace(microsecond=0)
        run("test_fansly_mass_message_retried", today)
        fansly_sandbox.set_faults(Fault(kind="status", status=429, first_n=1, method="POST"))

        earlier = run("test_fansly_mass_message_retried", today - timedelta(days=1))

        assert states(earlier, "broadcast") == [("success", 2)]
        assert len(fansly_sandbox.mass_messages) == 2  # one per run: neither adopted the other's


class TestMessages:
    @pytest.mark.parametrize(
        "fault",
        [
            Fault(kind="status", status=429, skip_first=1, first_n=1, method="POST"),
            # Dropped before the server stored it: the hook's own look finds only the other drop (claimed).
            Fault(kind="drop", skip_first=1, first_n=1, method="POST"),
        ],
        ids=["429-not-waited-for", "dropped-unstored"],
    )
    def test_two_drops_with_one_caption_each_send_their_own_media_and_price(
        self,
        fault: Fault,
        fansly_sandbox: FanslySandbox,
        fansly_connection: str,
        capfd: pytest.CaptureFixture[str],
    ) -> None:
        chat = fansly_sandbox.seed_chats([FAN])[FAN]
        fansly_sandbox.set_faults(fault)  # the second task's first send

        dag_run = run(
            "test_fansly_two_drops_one_caption",
            chat_id=chat,
            media_a="900000000000000001",
            media_b="900000000000000002",
        )

        assert states(dag_run, "cheap") == [("success", 1)]
        assert states(dag_run, "dear") == [("success", 2)]
        sent = [(r.body["mediaIds"], r.body["price"]) for r in fansly_sandbox.messages if r.body is not None]
        assert sent == [(["900000000000000001"], 10), (["900000000000000002"], 30)]
        dear = fansly_sandbox.messages[-1].message["id"]
        assert printed_xcoms(capfd.readouterr().out)["return_value"] == dear

    def test_a_batch_airflow_timed_out_starts_no_send_after_it_and_a_later_try_sends_each_chat_once(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        fans = [f"7235163152472{n:05d}" for n in range(40)]
        chats = fansly_sandbox.seed_chats(fans)
        # Every send is stored at once and answered half a second later; Airflow stops the try after 2 s.
        fansly_sandbox.set_faults(Fault(kind="slow", delay=0.5, method="POST"))
        messages = {chat: "hi" for chat in chats.values()}

        dag = load_dag(DAGS, "test_fansly_send_messages_timed_out")
        dag_run = run_through_timeouts(dag, {"messages": messages})
        time.sleep(0.6)  # the sends in flight when Airflow stopped the try get their answers

        assert states(dag_run, "messages") == [("failed", 1)]
        first_try = len(fansly_sandbox.messages)
        # 2 workers, 0.5 s a send, stopped at 2 s: about 8 sent; none started after the stop.
        assert 0 < first_try <= 10
        assert count(fansly_sandbox, "POST", "/messages") == first_try
        fansly_sandbox.set_faults()
        before = len(fansly_sandbox.journal)

        rerun = clear_and_rerun(dag, dag_run.run_id, ["messages", "report"])

        assert rerun["messages"] == "success"
        per_chat = Counter(
            r.group_id for r in fansly_sandbox.messages if r.message["senderId"] == DEFAULT_CREATOR_ID
        )
        assert per_chat == Counter(dict.fromkeys(chats.values(), 1))
        later = fansly_sandbox.journal[before:]
        # Only the chats in flight at the stop (at most 2) are read back; the sent ones are adopted.
        reads = sum(e.method == "GET" and e.path.endswith("/messages") for e in later)
        assert reads <= 2
        assert sum(e.method == "POST" for e in later) == len(fans) - first_try
        xcoms = printed_xcoms(capfd.readouterr().out)
        assert xcoms["return_value"] == {r.group_id: r.message["id"] for r in fansly_sandbox.messages}

    def test_a_read_back_after_an_unknown_outcome_reads_only_the_pages_of_its_own_attempt(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        chat = fansly_sandbox.seed_chats([FAN])[FAN]
        now = int(time.time())
        for number in range(40):  # four pages of the chat's history, all before the attempt's window
            fansly_sandbox.seed_message(chat, f"old {number}", created_at=now - 3600 + number)
        # Stored, then dropped; the try's own look fails too: its outcome is unknown.
        fansly_sandbox.set_faults(
            Fault(kind="drop", processed=True, first_n=1, method="POST"),
            Fault(kind="status", status=503, first_n=1, method="GET", path_contains="/messages"),
        )

        dag_run = run(
            "test_fansly_send_message_retried",
            today_minus_days(30),  # a run due long ago: its window must not reach back to it
            chat_id=chat,
            content="unlock",
        )

        assert states(dag_run, "message") == [("success", 2)]
        assert count(fansly_sandbox, "POST", "/messages") == 1
        # The first try's failed look, then one page: the newest page already reaches past the attempt.
        assert count(fansly_sandbox, "GET", "/messages") == 2
        (ours,) = [r for r in fansly_sandbox.messages if r.body is not None]
        assert printed_xcoms(capfd.readouterr().out)["return_value"] == ours.message["id"]


def today_minus_days(days: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)


class TestNoDeadEnds:
    @pytest.mark.parametrize("status", [429, 401])
    def test_a_post_whose_first_try_provably_sent_nothing_is_posted_by_a_later_try(
        self, status: int, fansly_sandbox: FanslySandbox, fansly_connection: str
    ) -> None:
        fansly_sandbox.set_faults(Fault(kind="status", status=status, first_n=1, method="POST"))
        dag = load_dag(DAGS, "test_fansly_create_post")

        dag_run = run_through_timeouts(dag, {})
        if status == 401:  # not retried by Airflow: the user fixes the key and clears the task
            assert states(dag_run, "post") == [("failed", 1)]
            assert clear_and_rerun(dag, dag_run.run_id, ["post"]) == {"post": "success"}
        else:
            assert states(dag_run, "post") == [("success", 2)]

        assert len(fansly_sandbox.posts) == 1

    def test_an_upload_whose_first_try_got_a_429_is_uploaded_by_the_retry(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path
    ) -> None:
        fansly_sandbox.config.media_polls = 0
        media = tmp_path / "drop.mp4"
        media.write_bytes(b"\x00" * 1000)
        fansly_sandbox.set_faults(Fault(kind="status", status=429, first_n=1, path_contains="/media/upload"))

        dag_run = run("test_fansly_upload_media_retried", path=str(media))

        assert states(dag_run, "upload") == [("success", 2)]
        assert len(fansly_sandbox.media_jobs) == 1


class TestCancel:
    def test_a_404_on_a_later_try_fails_when_no_earlier_try_may_have_cancelled_it(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        from airflow_provider_apifansly.hooks.fansly import FanslyHook

        post_id = FanslyHook().create_post("Live now")["id"]  # published, so not scheduled
        fansly_sandbox.set_faults(Fault(kind="status", status=429, first_n=1, path_contains="/cancel"))

        dag_run = run("test_fansly_cancel_post", post_id=post_id)

        assert states(dag_run, "cancel") == [("failed", 2)]
        out = capfd.readouterr().out
        assert f"Post {post_id} is not scheduled (published, deleted or never there)" in out


def airflow_tasks_test(dag_id: str, task_id: str, logical_date: str, *options: str) -> subprocess.Popen[str]:
    """``airflow tasks test`` in a process group of its own, so that it can be SIGKILLed whole."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    return subprocess.Popen(
        [airflow, "tasks", "test", dag_id, task_id, logical_date, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
        env={**os.environ, "COLUMNS": "250"},
    )


def wait_for(condition: Any, process: subprocess.Popen[str], timeout: float = 120.0) -> None:
    """Wait until ``condition()`` holds while ``process`` runs; fail with its output if it ends first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out, _ = process.communicate()
            errors = [line for line in out.splitlines() if "Error" in line or "Exception" in line]
            pytest.fail(f"airflow tasks test ended (or hung) first: {errors[-20:]} {out[-2000:]}")
        time.sleep(0.05)


def test_a_broadcast_sigkilled_mid_send_is_adopted_by_the_next_run_of_the_task_not_sent_again(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    # Stored at once, its answer held: the worker is SIGKILLed meanwhile, its record left "pending".
    fansly_sandbox.set_faults(Fault(kind="slow", delay=60, first_n=1, method="POST"))
    logical_date = today_minus_days(2).isoformat()
    killed = airflow_tasks_test("test_fansly_mass_message_retried", "broadcast", logical_date)
    wait_for(lambda: len(fansly_sandbox.mass_messages) == 1, killed)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()

    again = airflow_tasks_test("test_fansly_mass_message_retried", "broadcast", logical_date)
    out, _ = again.communicate(timeout=300)

    assert again.returncode == 0, out[-3000:]
    assert len(fansly_sandbox.mass_messages) == 1
    assert f"Adopted {fansly_sandbox.mass_messages[0].mass_message['id']}" in out


def test_a_rule_whose_create_may_have_stored_it_is_not_created_again_while_the_list_lags(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.automated_messages_listed_after = 600  # created rules show up late
    # The create is stored, then its answer held past the 2 s execution_timeout: Airflow stops the try.
    fansly_sandbox.set_faults(Fault(kind="slow", delay=5.0, first_n=1, method="POST"))

    dag_run = run(
        "test_fansly_sync_rules_stopped", rules=[{"trigger_type": "new_follower", "content": "Hi!"}]
    )

    assert states(dag_run, "sync") == [("failed", 2)]
    assert len(fansly_sandbox.automated_messages) == 1  # the retry, not seeing it listed, did not create it
    out = capfd.readouterr().out
    assert "FanslyAmbiguousSendError" in out
    assert "may have created the rule" in out


def test_an_export_sigkilled_mid_run_leaves_its_staging_object_to_the_next_try_which_removes_it(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path
) -> None:
    fansly_sandbox.seed_chats([f"7235163152472{n:05d}" for n in range(5)])
    fansly_sandbox.set_faults(Fault(kind="slow", delay=60, first_n=1, method="GET"))  # the first page, held
    logical_date = today_minus_days(3).isoformat()
    params = f'{{"folder": "file://{tmp_path}"}}'
    killed = airflow_tasks_test("test_fansly_export_chats", "export", logical_date, "-t", params)
    wait_for(lambda: any(tmp_path.glob(".*.partial")), killed)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    (left,) = tmp_path.glob(".*.partial")
    fansly_sandbox.set_faults()

    again = airflow_tasks_test("test_fansly_export_chats", "export", logical_date, "-t", params)
    out, _ = again.communicate(timeout=300)

    assert again.returncode == 0, out[-3000:]
    assert [path.name for path in tmp_path.iterdir()] == ["chats.jsonl"]  # the leftover went with the try
    assert left.name in out
    assert "left by an earlier try" in out


def test_a_batch_sent_sigterm_starts_no_send_after_it(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    chats = fansly_sandbox.seed_chats([f"7235163152472{n:05d}" for n in range(40)])
    fansly_sandbox.set_faults(
        Fault(kind="slow", delay=0.5, method="POST")
    )  # each send stored, answered later
    params = json.dumps({"messages": dict.fromkeys(chats.values(), "hi")})
    worker = airflow_tasks_test(
        "test_fansly_send_messages", "messages", today_minus_days(4).isoformat(), "-t", params
    )
    wait_for(lambda: len(fansly_sandbox.messages) >= 4, worker)

    worker.send_signal(signal.SIGTERM)  # a deploy or an eviction: Airflow calls on_kill, then stops the task
    sent_then = len(fansly_sandbox.messages)
    worker.communicate(timeout=120)
    time.sleep(1.0)  # the sends in flight get their answers

    # 4 workers: at most the 4 in flight when the signal came are stored after it, never the other 30-odd.
    assert len(fansly_sandbox.messages) <= sent_then + 4
    assert len(fansly_sandbox.messages) < len(chats)
