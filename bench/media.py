"""Scenario 10: media uploads: the worker time a deferrable wait saves, polls per job, and a big upload.

The worker-held time is measured on the hook and the trigger themselves: without deferral the
worker runs ``upload_media`` and ``wait_for_media``; with it, only ``upload_media`` and the first
status poll (then ``execute_complete``, which sends nothing), while ``MediaUploadTrigger.run`` waits on an event
loop (the triggerer's). ``dag.test`` would run the trigger in the same process and blur the two.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
import tracemalloc
from pathlib import Path

import requests
from clients import connect
from remote_sandbox import RemoteSandbox
from report import Goal, Section, ratio, seconds
from scenario import Sizes, standalone

from airflow_provider_apifansly.credits import media_credits
from airflow_provider_apifansly.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_API_KEY, SandboxConfig

CONN_ID = "fansly_bench_media"
POLL_INTERVAL = 1.0
MB = 1_000_000


def media_uploads(sizes: Sizes) -> Section:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook
    from airflow_provider_apifansly.triggers.media import MediaUploadTrigger

    processing = sizes.media_processing
    config = SandboxConfig(rpm=None, media_seconds=processing)
    with tempfile.TemporaryDirectory(prefix="apifansly-media-") as scratch, RemoteSandbox(config) as sandbox:
        connect(sandbox, CONN_ID, rate_limit_rpm=0)
        small = Path(scratch) / "clip.mp4"
        small.write_bytes(b"\x00" * MB)

        hook = FanslyHook(CONN_ID)
        started = time.monotonic()
        job_id = hook.upload_media(small)
        hook.wait_for_media(job_id, poll_interval=POLL_INTERVAL, timeout=processing * 3)
        in_worker, worker_polls = time.monotonic() - started, hook.requests_sent - 1

        hook = FanslyHook(CONN_ID)
        started = time.monotonic()
        job_id = hook.upload_media(small)
        polled_at = time.time()
        hook.media_upload_status(job_id)  # the operator's own first poll, before it defers
        deferred_worker = time.monotonic() - started
        trigger = MediaUploadTrigger(
            fansly_conn_id=CONN_ID,
            job_id=job_id,
            poll_interval=POLL_INTERVAL,
            polled_at=polled_at,
            deadline=polled_at + processing * 3,
            credits=hook.credits_spent,
        )
        event = asyncio.run(_first_event(trigger))
        triggerer = time.monotonic() - started - deferred_worker
        trigger_polls = int(event["credits"]) - media_credits(MB)

        big = Path(scratch) / "big.mp4"
        with big.open("wb") as file:
            for _ in range(sizes.media_mb):
                file.write(b"\x5a" * MB)
        streamed_s, streamed_peak = _measure(lambda: FanslyHook(CONN_ID).upload_media(big))
        whole_s, whole_peak = _measure(lambda: _upload_whole(sandbox.url, big))

    ideal = math.ceil(processing / POLL_INTERVAL) + 1
    size = sizes.media_mb * MB
    rows = [
        [
            "Run",
            "Worker held",
            "Triggerer waited",
            "Status polls (ideal)",
            "Throughput",
            "Peak Python memory",
        ],
        ["1 MB, polling in the worker", seconds(in_worker), "-", f"{worker_polls} ({ideal})", "-", "-"],
        [
            "1 MB, deferrable",
            seconds(deferred_worker),
            seconds(triggerer),
            f"{trigger_polls} ({ideal})",
            "-",
            "-",
        ],
        [
            f"{sizes.media_mb} MB, streamed (upload_media)",
            seconds(streamed_s),
            "-",
            "-",
            _rate(size, streamed_s),
            _mb(streamed_peak),
        ],
        [
            f"{sizes.media_mb} MB, read whole (requests files=)",
            seconds(whole_s),
            "-",
            "-",
            _rate(size, whole_s),
            _mb(whole_peak),
        ],
    ]
    goals = [
        Goal(
            "A deferrable upload holds the worker only for the upload",
            f"worker time << {processing:g} s of processing",
            f"{seconds(deferred_worker)} against {seconds(in_worker)} ({ratio(in_worker / deferred_worker)})",
            deferred_worker < processing / 10,
        ),
        Goal(
            "Polls per job at the ideal for the interval",
            f"<= {ideal} (ceil({processing:g} s / {POLL_INTERVAL:g} s) + 1)",
            f"{worker_polls} in the worker, {trigger_polls} deferred",
            max(worker_polls, trigger_polls) <= ideal,
        ),
        Goal(
            "Memory stays flat while a big file uploads",
            f"peak < 4 MB whatever the size ({sizes.media_mb} MB here)",
            f"{_mb(streamed_peak)}, against {_mb(whole_peak)} read whole",
            streamed_peak < 4 * MB,
        ),
    ]
    notes = [
        f"Processing is scaled down from the issue's 60 s to {processing:g} s; the worker time of the "
        "deferrable run does not depend on it (it is the upload's), the other run's grows with it.",
        f"The ideal counts one poll per {POLL_INTERVAL:g} s interval until the job is done, plus the one "
        "that sees it done; each poll costs a credit, so a longer poll_interval trades latency for credits.",
        "Peak memory is tracemalloc's peak of Python allocations in the client while uploading; the "
        "sandbox runs in another process. The read-whole baseline is requests' own multipart encoding.",
    ]
    return Section(
        "10. Media: deferrable waits, polls per job, big uploads",
        f"A 1 MB upload that the sandbox processes in {processing:g} s, polled every {POLL_INTERVAL:g} s, "
        f"in the worker and deferred; then a {sizes.media_mb} MB upload, streamed and read whole, to a "
        "sandbox in a child process on 127.0.0.1 with no latency.",
        rows,
        goals,
        notes,
    )


async def _first_event(trigger: object) -> dict[str, object]:
    async for event in trigger.run():  # type: ignore[attr-defined]
        return dict(event.payload)
    raise RuntimeError("the trigger yielded nothing")


def _measure(upload: object) -> tuple[float, int]:
    tracemalloc.start()
    started = time.monotonic()
    upload()  # type: ignore[operator]
    wall = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return wall, peak


def _upload_whole(url: str, path: Path) -> None:
    response = requests.post(
        f"{url}/api/fansly/{DEFAULT_ACCOUNT_ID}/media/upload",
        files={"file": (path.name, path.read_bytes())},
        headers={"x-api-key": DEFAULT_API_KEY},
        timeout=300,
    )
    response.raise_for_status()


def _rate(size: int, wall: float) -> str:
    return f"{size / MB / wall:,.0f} MB/s"


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB"


if __name__ == "__main__":
    standalone(media_uploads)
