"""Scenario 12: eight worker processes on one API key, each a hook with a few threads, under the key's limit.

As on Celery or Kubernetes executors: every worker paces itself and none owns the
key, so each learns what the others spend only from the rate-limit headers. The
baseline, measured in the same run, is the pacer before issue 23 (kept below); both
runs go side by side against two sandboxes, since each spends most of its time
waiting for the window.
Run it alone with ``python bench/shared_key.py [--quick]``.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.synchronize import Event

from clients import connect, counted_hook, scale_pacer_window
from remote_sandbox import Hit, RemoteSandbox
from report import Goal, Section, ratio, seconds
from scenario import LATENCY, Sizes, standalone

from airflow_provider_apifansly.hooks.pacing import SlidingWindowPacer
from airflow_provider_apifansly.sandbox import SandboxConfig

WORKERS = 8
THREADS = 3  # per worker: its hook's pool
REFUSED_GOAL = 0.01
FINISH_GOAL = 1.10


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


def _worker(
    conn_id: str, calls: int, window: float, before: bool, go: Event, results: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    """One worker process: a hook with ``THREADS`` threads sharing ``calls`` requests, started on ``go``."""
    hook, sleep = counted_hook(conn_id, pool_size=THREADS)
    scale_pacer_window(hook, window)  # --quick shortens the API's window
    transport = hook.transport
    if before and transport.pacer is not None:
        transport.pacer = PacerBefore(transport.pacer.limit, transport.pacer.window)
    transport.build()
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
    threads = [
        threading.Thread(target=run, args=(calls // THREADS + (n < calls % THREADS),)) for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hook.close()
    results.put(WorkerResult(sleep.retries, sleep.waited, failed))


@dataclass(frozen=True)
class SharedRun:
    """One run of the workers, from the server's journal and the workers' counts."""

    label: str
    hits: list[Hit]
    workers: list[WorkerResult]

    @property
    def admitted(self) -> list[float]:
        return sorted(hit.started for hit in self.hits if hit.status == 200)

    @property
    def refused(self) -> int:
        return sum(hit.status == 429 for hit in self.hits)

    @property
    def span(self) -> float:
        """From the first request to the last one the server admitted."""
        return max(self.admitted) - min(hit.started for hit in self.hits)


def earliest_finish(requests: int, limit: int, window: float) -> float:
    """When the last of ``requests`` can start at the soonest: ``limit`` per window, the first ``limit`` at once."""
    return (requests - 1) // limit * window


def shared_key(sizes: Sizes) -> Section:
    """The workers with the pacer before issue 23 and with today's, side by side against two sandboxes."""
    import airflow_provider_apifansly.hooks.fansly  # noqa: F401  (imported once, before the workers fork)

    count, limit, window = sizes.shared_key_requests, sizes.shared_key_limit, sizes.shared_key_window
    config = SandboxConfig(rpm=limit, window_seconds=window, latency=LATENCY)
    context = multiprocessing.get_context("fork")  # the workers start with the hook imported
    go = context.Event()
    runs = {"pacer before issue 23": True, "shared-key pacer": False}
    with RemoteSandbox(config) as before, RemoteSandbox(config) as after:
        sandboxes = dict(zip(runs, (before, after), strict=True))
        queues, processes = {}, []
        for label, is_before in runs.items():
            conn_id = "bench_shared_before" if is_before else "bench_shared"
            connect(sandboxes[label], conn_id, rate_limit_rpm=limit)
            queues[label] = context.Queue()
            for n in range(WORKERS):
                calls = count // WORKERS + (n < count % WORKERS)
                args = (conn_id, calls, window, is_before, go, queues[label])
                processes.append(context.Process(target=_worker, args=args, daemon=True))
        for process in processes:
            process.start()
        time.sleep(1.0)  # the workers build their hooks before the start
        go.set()
        results = {label: [queues[label].get() for _ in range(WORKERS)] for label in runs}
        for process in processes:
            process.join()
        measured = [SharedRun(label, sandboxes[label].hits(), results[label]) for label in runs]
    return _section(measured, count, limit, window)


def _section(runs: list[SharedRun], count: int, limit: int, window: float) -> Section:
    earliest = earliest_finish(count, limit, window)
    rows = [["Run", "Requests", "429s", "429 share", "Last admitted", "Vs earliest", "Retries", "Failed"]]
    for run in runs:
        rows.append(
            [
                run.label,
                str(len(run.hits)),
                str(run.refused),
                f"{run.refused / len(run.hits):.1%}",
                seconds(run.span),
                ratio(run.span / earliest),
                f"{sum(w.retries for w in run.workers)} ({sum(w.retry_wait for w in run.workers):.0f} s)",
                str(sum(w.failed for w in run.workers)),
            ]
        )
    base, new = runs
    share = new.refused / len(new.hits)
    goals = [
        Goal(
            "8 workers, one key: 429s / requests",
            f"<= {REFUSED_GOAL:.0%}",
            f"{share:.1%}",
            share <= REFUSED_GOAL,
        ),
        Goal(
            "8 workers, one key: last request / earliest possible",
            f"<= {FINISH_GOAL:.2f}x",
            f"{new.span:.1f} s / {earliest:g} s = {ratio(new.span / earliest)}",
            new.span <= FINISH_GOAL * earliest,
        ),
        Goal(
            "8 workers, one key: 429s vs the pacer before",
            "fewer",
            f"{new.refused} vs {base.refused}",
            new.refused < base.refused or base.refused == 0,
        ),
    ]
    per = (
        "minute"
        if window == 60
        else f"{window:g} s (--quick scales the minute down, in the sandbox and the pacers alike)"
    )
    setup = (
        f"{count:,} GET /accounts, limit {limit} requests per {per}, {LATENCY * 1000:.0f} ms latency; "
        f"{WORKERS} worker processes on one key, each a hook with {THREADS} threads and "
        f"rate_limit_rpm={limit}, all started at once. Earliest possible finish: the first {limit} "
        f"requests at once, then {limit} per window, so the last of {count:,} starts at the soonest "
        f"floor(({count:,} - 1) / {limit}) x {window:g} s = {earliest:g} s after the first. Last admitted: "
        "from the server's journal, the first request to the last one admitted (200). N is not a "
        "multiple of the limit, so a window's last few unused slots do not cost a whole window."
    )
    return Section("12. One key, eight workers: pacing across processes", setup, rows, goals)


if __name__ == "__main__":
    standalone(shared_key)
