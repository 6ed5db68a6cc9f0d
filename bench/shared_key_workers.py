"""The worker processes of scenario 12 (``bench/shared_key.py``), each a hook of its own on the shared key.

Three kinds, all forked with the hook imported and started by one ``go`` event:
a worker with ``THREADS`` threads sharing its calls (released at ``go`` plus its
stagger), a busy worker calling on a fixed schedule to keep the key part-used, and a
joiner making sequential calls, timed one by one. The baseline pacer, from before
issue 23, is kept here too.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from typing import TYPE_CHECKING

from clients import RetrySleep, counted_hook, scale_pacer_window

from airflow_provider_apifansly.hooks.pacing import SlidingWindowPacer

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

THREADS = 3  # per worker: its hook's pool


class PacerBefore(SlidingWindowPacer):
    """The baseline: the pacer as it was before issue 23, reduced to what it did on a shared key.

    It counted its own requests, adopted ``X-RateLimit-Remaining`` as unseen requests made
    "now", ignored ``X-RateLimit-Limit``, and left a 429 to the retry of the thread that got it.
    """

    def __init__(self, limit: int, window: float) -> None:
        super().__init__(limit, window)
        self._starts: deque[float] = deque()
        self._before_lock = threading.Lock()

    def acquire(self) -> float:
        waited = 0.0
        while True:
            with self._before_lock:
                now = self._expire_before()
                if len(self._starts) < self.limit:
                    self._starts.append(now)
                    return waited
                wait = self._starts[0] + self.window - now
            time.sleep(wait)
            waited += wait

    def observe(self, headers: Mapping[str, str] | None, *, rate_limited: bool = False) -> None:
        value = None if headers is None or rate_limited else headers.get("X-RateLimit-Remaining")
        if value is None:
            return
        with self._before_lock:
            now = self._expire_before()
            unseen = (self.limit - len(self._starts)) - max(0, int(value))
            self._starts.extend([now] * max(0, unseen))

    def _expire_before(self) -> float:
        now = time.monotonic()
        while self._starts and self._starts[0] <= now - self.window:
            self._starts.popleft()
        return now


@dataclass(frozen=True)
class WorkerResult:
    """What one worker process counted."""

    retries: int
    retry_wait: float
    failed: int


@dataclass(frozen=True)
class JoinerResult:
    """A joiner's sequential calls: when the first began (``time.monotonic()``) and each one's seconds."""

    joined: float
    latencies: list[float]
    retries: int
    failed: int


def _hook(conn_id: str, window: float, *, before: bool = False) -> tuple[FanslyHook, RetrySleep]:
    """A built hook on the key with ``THREADS`` threads, pacing on ``window`` (--quick shortens the minute)."""
    hook, sleep = counted_hook(conn_id, pool_size=THREADS)
    scale_pacer_window(hook, window)
    transport = hook.transport
    if before and transport.pacer is not None:
        transport.pacer = PacerBefore(transport.pacer.limit, transport.pacer.window)
    transport.build()
    return hook, sleep


def worker(
    conn_id: str,
    calls: int,
    window: float,
    delay: float,
    before: bool,
    go: Event,
    results: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    """A worker: ``THREADS`` threads sharing ``calls`` GET /accounts, started ``delay`` seconds after ``go``."""
    hook, sleep = _hook(conn_id, window, before=before)
    failed = 0
    lock = threading.Lock()

    def run(share: int) -> None:
        nonlocal failed
        for _ in range(share):
            try:
                hook.list_accounts()
            except Exception:  # counted: a request that failed after its retries
                with lock:
                    failed += 1

    go.wait()
    time.sleep(delay)
    threads = [
        threading.Thread(target=run, args=(calls // THREADS + (n < calls % THREADS),)) for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hook.close()
    results.put(WorkerResult(sleep.retries, sleep.waited, failed))


def busy_worker(
    conn_id: str,
    period: float,
    window: float,
    go: Event,
    stop: Event,
    results: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    """Keep the key part-used: one GET /accounts every ``period`` seconds from ``go`` until ``stop``.

    A call the pacer holds past its turn is not made up for later, so the load never bursts.
    """
    hook, sleep = _hook(conn_id, window)
    failed = 0
    go.wait()
    next_call = time.monotonic()
    while not stop.is_set():
        try:
            hook.list_accounts()
        except Exception:  # counted: a request that failed after its retries
            failed += 1
        next_call = max(next_call + period, time.monotonic())
        stop.wait(next_call - time.monotonic())
    hook.close()
    results.put(WorkerResult(sleep.retries, sleep.waited, failed))


def joiner(
    conn_id: str,
    calls: int,
    window: float,
    delay: float,
    go: Event,
    results: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    """A worker that joins ``delay`` seconds after ``go`` and makes ``calls`` sequential calls, each timed.

    It reads the automated messages (``GET /{account_id}/automated-messages``), so its requests
    stand apart from the busy workers' in the server's journal.
    """
    hook, sleep = _hook(conn_id, window)
    latencies: list[float] = []
    failed = 0
    go.wait()
    time.sleep(delay)
    joined = time.monotonic()
    for _ in range(calls):
        started = time.monotonic()
        try:
            hook.list_automated_messages()
        except Exception:  # counted: a request that failed after its retries
            failed += 1
        latencies.append(time.monotonic() - started)
    hook.close()
    results.put(JoinerResult(joined, latencies, sleep.retries, failed))
