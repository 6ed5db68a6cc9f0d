"""MediaUploadTrigger: serializes ids and counts only, and polls without blocking the triggerer's loop."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_API_KEY, FanslySandbox
from airflow_provider_apifansly.triggers.media import MediaUploadTrigger


@pytest.fixture
def job_id(fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Any) -> str:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

    (tmp_path / "a.jpg").write_bytes(b"jpeg" * 1000)
    return FanslyHook().upload_media(tmp_path / "a.jpg")


def trigger(job_id: str, **overrides: Any) -> MediaUploadTrigger:
    fields: dict[str, Any] = {
        "fansly_conn_id": "fansly_default",
        "job_id": job_id,
        "poll_interval": 0.05,
        "deadline": time.time() + 30,
        "credits": 2,
    }
    return MediaUploadTrigger(**{**fields, **overrides})


async def first_event(media_trigger: MediaUploadTrigger) -> dict[str, Any]:
    async for event in media_trigger.run():
        return dict(event.payload)
    raise AssertionError("the trigger yielded nothing")


def test_the_serialized_trigger_holds_ids_and_counts_never_the_key(job_id: str) -> None:
    classpath, kwargs = trigger(job_id, max_credits=40).serialize()

    assert classpath == "airflow_provider_apifansly.triggers.media.MediaUploadTrigger"
    assert set(kwargs) == {"fansly_conn_id", "job_id", "poll_interval", "deadline", "credits", "max_credits"}
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


def test_failed_and_timed_out_jobs_and_errors_fire_as_such(
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
