"""MediaUploadTrigger: ids and counts serialized, polls that never block, failures as events.

It serializes ids and counts only, polls on a schedule without blocking the triggerer's loop or its threads,
turns every failure into an event, and counts what a run before a restart may have spent.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_API_KEY, FanslySandbox
from airflow_provider_apifansly.sandbox.config import Fault
from airflow_provider_apifansly.triggers.media import MediaUploadTrigger

INTERVAL = 0.05


@pytest.fixture
def job_id(fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Any) -> str:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

    (tmp_path / "a.jpg").write_bytes(b"jpeg" * 1000)
    return FanslyHook().upload_media(tmp_path / "a.jpg")


def trigger(job_id: str, **overrides: Any) -> MediaUploadTrigger:
    """A trigger as the operator defers one: its own poll just made, 2 credits spent (upload and poll)."""
    fields: dict[str, Any] = {
        "fansly_conn_id": "fansly_default",
        "job_id": job_id,
        "poll_interval": INTERVAL,
        "polled_at": time.time(),
        "deadline": time.time() + 30,
        "credits": 2,
    }
    return MediaUploadTrigger(**{**fields, **overrides})


async def first_event(media_trigger: MediaUploadTrigger) -> dict[str, Any]:
    async for event in media_trigger.run():
        return dict(event.payload)
    raise AssertionError("the trigger yielded nothing")


def polls(sandbox: FanslySandbox) -> int:
    return sum(entry.path.endswith("/status") for entry in sandbox.journal)


def test_the_serialized_trigger_holds_ids_counts_and_options_never_the_key(job_id: str) -> None:
    classpath, kwargs = trigger(job_id, max_credits=40, hook_options={"max_retries": 2}).serialize()

    assert classpath == "airflow_provider_apifansly.triggers.media.MediaUploadTrigger"
    assert set(kwargs) == {
        "fansly_conn_id",
        "job_id",
        "poll_interval",
        "polled_at",
        "deadline",
        "credits",
        "max_credits",
        "hook_options",
    }
    assert DEFAULT_API_KEY not in json.dumps(kwargs)
    assert MediaUploadTrigger(**kwargs).serialize() == (classpath, kwargs)


def test_a_completed_job_fires_with_both_ids_and_the_credits_so_far_plus_each_poll(
    fansly_sandbox: FanslySandbox, job_id: str
) -> None:
    fansly_sandbox.config.media_polls = 2

    event = asyncio.run(first_event(trigger(job_id)))

    [job] = fansly_sandbox.media_jobs
    assert event == {
        "job_id": job_id,
        "status": "completed",
        "media_id": job.media_id,
        "account_media_id": job.account_media_id,
        "credits": 2 + 3,
    }


def test_the_event_loop_stays_free_while_the_job_processes(
    fansly_sandbox: FanslySandbox, job_id: str
) -> None:
    fansly_sandbox.config.media_seconds = 0.5

    async def both() -> tuple[dict[str, Any], int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        event = await first_event(trigger(job_id))
        ticker.cancel()
        return event, ticks

    event, ticks = asyncio.run(both())

    assert event["status"] == "completed"
    assert ticks >= 25  # about 50 in 0.5 s: the waits never block the loop


def test_a_retry_wait_holds_no_thread_of_the_loops_default_pool(
    fansly_sandbox: FanslySandbox, job_id: str
) -> None:
    fansly_sandbox.config.media_polls = 0
    fansly_sandbox.config.faults = [
        Fault(kind="status", status=429, retry_after=1, first_n=1, path_contains="/status")
    ]

    async def both() -> tuple[dict[str, Any], float]:
        # One thread in the default pool: a retry that slept in it would hold it for the whole second.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=1))
        slowest = 0.0

        async def use_the_pool() -> None:
            nonlocal slowest
            while True:
                started = time.monotonic()
                await asyncio.to_thread(time.sleep, 0.01)
                slowest = max(slowest, time.monotonic() - started)

        user = asyncio.create_task(use_the_pool())
        event = await first_event(trigger(job_id))
        user.cancel()
        return event, slowest

    event, slowest = asyncio.run(both())

    assert event["status"] == "completed"
    assert polls(fansly_sandbox) == 2  # the 429, then its retry a second later, on the loop
    assert slowest < 0.5


def test_failed_and_timed_out_jobs_and_api_errors_fire_as_such(
    fansly_sandbox: FanslySandbox, job_id: str
) -> None:
    fansly_sandbox.config.media_polls = 100
    timed_out = asyncio.run(first_event(trigger(job_id, deadline=time.time() + 0.2)))
    over_budget = asyncio.run(first_event(trigger(job_id, max_credits=1, poll_interval=0.01)))
    unknown = asyncio.run(first_event(trigger("404404")))

    assert (timed_out["status"], timed_out["state"]) == ("timeout", "active")
    assert (over_budget["status"], over_budget["error"]) == ("error", "FanslyCreditBudgetError")
    assert over_budget["credits"] == 2 + 1
    assert (unknown["status"], unknown["error"]) == ("error", "FanslyNotFoundError")


def test_a_trigger_started_past_its_deadline_polls_once_and_takes_a_finished_job(
    fansly_sandbox: FanslySandbox, job_id: str
) -> None:
    fansly_sandbox.config.media_polls = 0

    event = asyncio.run(first_event(trigger(job_id, deadline=time.time() - 1)))

    assert event["status"] == "completed"
    assert polls(fansly_sandbox) == 1


def _missing_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_FANSLY_DEFAULT")


def _comms_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(conn_id: str) -> Any:
        raise RuntimeError("Response read out of order! Got frame.id=7, expect_id=8")

    monkeypatch.setattr("airflow_provider_apifansly.hooks.fansly.aget_connection", broken)


def _error_mid_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"unexpected: {DEFAULT_API_KEY}")  # a foreign error that quotes the key

    monkeypatch.setattr("airflow_provider_apifansly.hooks.transport.Transport.send_once", broken)


@pytest.mark.parametrize(
    ("make_it_fail", "error"),
    [
        (_missing_connection, "AirflowNotFoundException"),
        (_comms_error, "RuntimeError"),
        (_error_mid_poll, "ValueError"),
    ],
)
def test_every_exception_becomes_an_error_event_without_the_key(
    fansly_sandbox: FanslySandbox,
    job_id: str,
    monkeypatch: pytest.MonkeyPatch,
    make_it_fail: Callable[[pytest.MonkeyPatch], None],
    error: str,
) -> None:
    make_it_fail(monkeypatch)

    event = asyncio.run(first_event(trigger(job_id)))

    assert (event["status"], event["error"]) == ("error", error)
    assert event["credits"] >= 2
    assert DEFAULT_API_KEY not in json.dumps(event)
    assert polls(fansly_sandbox) == 0


def test_a_trigger_rebuilt_after_a_restart_counts_the_polls_an_earlier_run_may_have_made(
    fansly_sandbox: FanslySandbox, job_id: str
) -> None:
    fansly_sandbox.config.media_polls = 0
    # Rebuilt 3.5 intervals after the task's own poll: an earlier run may have made 3 requests,
    # one per interval begun (retries included), which it will never report.
    restarted = trigger(job_id, polled_at=time.time() - 3.5 * INTERVAL)
    over_budget = trigger(job_id, polled_at=time.time() - 3.5 * INTERVAL, max_credits=3)

    event = asyncio.run(first_event(restarted))
    refused = asyncio.run(first_event(over_budget))

    assert (event["status"], event["credits"]) == ("completed", 2 + 3 + 1)
    assert (refused["status"], refused["error"]) == ("error", "FanslyCreditBudgetError")
    assert polls(fansly_sandbox) == 1


def test_a_failed_poll_is_retried_at_the_next_interval_and_gives_up_after_max_retries(
    fansly_sandbox: FanslySandbox, job_id: str
) -> None:
    fansly_sandbox.config.media_polls = 0
    fansly_sandbox.config.faults = [Fault(kind="status", status=503, path_contains="/status")]

    event = asyncio.run(first_event(trigger(job_id, hook_options={"max_retries": 2})))

    assert (event["status"], event["error"]) == ("error", "FanslyServerError")
    journal = [entry for entry in fansly_sandbox.journal if entry.path.endswith("/status")]
    assert len(journal) == 3  # the poll and its 2 retries
    assert event["credits"] == 2 + 3
