"""Scenario 12: eight worker processes on one API key, each a hook with a few threads, under the key's limit.

As on Celery or Kubernetes executors: every worker paces itself and none owns the
key, so each learns what the others spend only from the rate-limit headers. The
workers are released together, or started one after another, 1 s or 7 s apart; a
late joiner makes sequential calls on a key others keep busy. The baseline,
measured in the same run, is the pacer before issue 23 with the workers released
together. Every run goes side by side against a sandbox of its own, since each
spends most of its time waiting for the window; the figures come from the
servers' journals.
Run it alone with ``python bench/shared_key.py [--quick]``.
"""

from __future__ import annotations

import multiprocessing
import time
from contextlib import ExitStack
from dataclasses import dataclass

from clients import API_WINDOW, connect
from remote_sandbox import Hit, RemoteSandbox
from report import Goal, Section, ratio, seconds
from scenario import LATENCY, Sizes, standalone
from shared_key_workers import THREADS, JoinerResult, WorkerResult, busy_worker, joiner, worker

from airflow_provider_apifansly.sandbox import SandboxConfig

WORKERS = 8
STAGGERS = (1.0, 7.0)  # seconds between two workers' starts, on the API's minute
BUSY_WORKERS = 3  # keep the joiner's key busy
BUSY_SLOTS = 109  # of the limit per window, together: busy, not full (as issue 33 measured)
JOINER_CALLS = 10
REFUSED_GOAL = 0.005
FINISH_GOAL = 1.05
JOINER_GOAL = 2.0
JOINER_ROUTE = "/automated-messages"


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
    def first(self) -> float:
        return min(hit.started for hit in self.hits)

    @property
    def span(self) -> float:
        """From the first request to the last one the server admitted."""
        return max(self.admitted) - self.first

    def slots_per_window(self, window: float) -> list[int]:
        """Requests admitted in each window of the run, counted from its first request."""
        slots = [0] * (int(self.span // window) + 1)
        for started in self.admitted:
            slots[int((started - self.first) // window)] += 1
        return slots


@dataclass(frozen=True)
class JoinRun:
    """The late joiner: its calls on the busy key, the same calls on an idle one, and the busy key's journal."""

    busy: JoinerResult
    idle: JoinerResult
    hits: list[Hit]
    workers: list[WorkerResult]

    @property
    def ratio(self) -> float:
        return sum(self.busy.latencies) / sum(self.idle.latencies)

    def key_busy(self, window: float) -> int:
        """Requests the key admitted in the window before the joiner's first call."""
        joined = self.busy.joined
        return sum(hit.status == 200 and joined - window <= hit.started < joined for hit in self.hits)

    @property
    def refused(self) -> int:
        return sum(hit.status == 429 for hit in self.hits)


def earliest_finish(requests: int, limit: int, window: float) -> float:
    """When the last of ``requests`` can start at the soonest: ``limit`` per window, the first ``limit`` at once."""
    return (requests - 1) // limit * window


def shared_key(sizes: Sizes) -> Section:
    """The runs side by side, each against its own sandbox: released together, staggered, the joiner, the baseline."""
    import airflow_provider_apifansly.hooks.fansly  # noqa: F401  (imported once, before the workers fork)

    count, limit, window = sizes.shared_key_requests, sizes.shared_key_limit, sizes.shared_key_window
    scale = window / API_WINDOW  # --quick shortens the minute, and the staggers with it
    runs = {
        "released together": (0.0, False),
        **{f"started {stagger * scale:g} s apart": (stagger * scale, False) for stagger in STAGGERS},
        "pacer before issue 23, released together": (0.0, True),
    }
    config = SandboxConfig(rpm=limit, window_seconds=window, latency=LATENCY)
    context = multiprocessing.get_context("fork")  # the workers start with the hook imported
    go, stop = context.Event(), context.Event()
    with ExitStack() as stack:
        sandboxes = {label: stack.enter_context(RemoteSandbox(config)) for label in [*runs, "busy", "idle"]}
        queues = {label: context.Queue() for label in [*sandboxes, "busy workers"]}
        processes = []
        for n, (label, (stagger, before)) in enumerate(runs.items()):
            conn_id = f"bench_shared_{n}"
            connect(sandboxes[label], conn_id, rate_limit_rpm=limit)
            for index in range(WORKERS):
                calls = count // WORKERS + (index < count % WORKERS)
                args = (conn_id, calls, window, index * stagger, before, go, queues[label])
                processes.append(context.Process(target=worker, args=args, daemon=True))
        for label in ("busy", "idle"):
            connect(sandboxes[label], f"bench_shared_{label}", rate_limit_rpm=limit)
            # The joiner comes once the busy workers have filled a window; on the idle key, at the same moment.
            args = (f"bench_shared_{label}", JOINER_CALLS, window, window, go, queues[label])
            processes.append(context.Process(target=joiner, args=args, daemon=True))
        period = BUSY_WORKERS * window / BUSY_SLOTS
        for _ in range(BUSY_WORKERS):
            args = ("bench_shared_busy", period, window, go, stop, queues["busy workers"])
            processes.append(context.Process(target=busy_worker, args=args, daemon=True))
        for process in processes:
            process.start()
        time.sleep(1.0)  # the workers build their hooks before the start
        go.set()
        results = {label: [queues[label].get() for _ in range(WORKERS)] for label in runs}
        joined = {label: queues[label].get() for label in ("busy", "idle")}
        stop.set()
        busy_results = [queues["busy workers"].get() for _ in range(BUSY_WORKERS)]
        for process in processes:
            process.join()
        measured = [SharedRun(label, sandboxes[label].hits(), results[label]) for label in runs]
        join = JoinRun(joined["busy"], joined["idle"], sandboxes["busy"].hits(), busy_results)
    return _section(measured, join, count, limit, window)


def _section(runs: list[SharedRun], join: JoinRun, count: int, limit: int, window: float) -> Section:
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
    slots = {run.label: run.slots_per_window(window) for run in runs}
    windows = max(map(len, slots.values()))
    rows += [
        [""],
        [
            f"Admitted per window (of {limit})",
            *(f"{n * window:g}-{(n + 1) * window:g} s" for n in range(windows)),
        ],
    ]
    rows += [[label, *map(str, used)] for label, used in slots.items()]
    joiner_head = [f"Late joiner, {JOINER_CALLS} sequential calls", "Key busy", "Unloaded", "On the busy key"]
    rows += [[""], [*joiner_head, "Vs unloaded", "Slowest call", "429s on the key", "Failed"]]
    rows.append(
        [
            f"{BUSY_WORKERS} busy workers, then the joiner",
            f"{join.key_busy(window)} of {limit}",
            seconds(sum(join.idle.latencies)),
            seconds(sum(join.busy.latencies)),
            ratio(join.ratio),
            seconds(max(join.busy.latencies)),
            str(join.refused),
            str(join.busy.failed + sum(w.failed for w in join.workers)),
        ]
    )
    width = max(map(len, rows))
    rows = [row + [""] * (width - len(row)) for row in rows]
    return Section(
        "12. One key, eight workers: pacing across processes",
        _setup(count, limit, window, earliest),
        rows,
        _goals(runs, join, earliest),
    )


def _goals(runs: list[SharedRun], join: JoinRun, earliest: float) -> list[Goal]:
    goals = []
    *paced, base = runs
    for run in paced:
        share = run.refused / len(run.hits)
        goals += [
            Goal(
                f"8 workers {run.label}: 429s / requests",
                f"<= {REFUSED_GOAL:.1%}",
                f"{share:.1%}",
                share <= REFUSED_GOAL,
            ),
            Goal(
                f"8 workers {run.label}: last admitted / earliest possible",
                f"<= {FINISH_GOAL:.2f}x",
                f"{run.span:.1f} s / {earliest:g} s = {ratio(run.span / earliest)}",
                run.span <= FINISH_GOAL * earliest,
            ),
        ]
    together = paced[0]
    goals.append(
        Goal(
            "8 workers released together: 429s vs the pacer before",
            "fewer",
            f"{together.refused} vs {base.refused}",
            together.refused < base.refused or base.refused == 0,
        )
    )
    goals.append(
        Goal(
            f"late joiner on a busy key: {JOINER_CALLS} sequential calls / unloaded",
            f"<= {JOINER_GOAL:g}x",
            ratio(join.ratio),
            join.ratio <= JOINER_GOAL,
        )
    )
    return goals


def _setup(count: int, limit: int, window: float, earliest: float) -> str:
    """What was measured, and how."""
    scale = window / API_WINDOW
    if window == API_WINDOW:
        per = "minute"
    else:
        per = (
            f"{window:g} s (--quick scales the minute down, in the sandbox and the pacers alike, "
            "and the staggers with it)"
        )
    staggers = " and ".join(f"{stagger * scale:g} s" for stagger in STAGGERS)
    return (
        f"{count:,} GET /accounts, limit {limit} requests per {per}, {LATENCY * 1000:.0f} ms latency; "
        f"{WORKERS} worker processes on one key, each a hook with {THREADS} threads and "
        f"rate_limit_rpm={limit}. The workers are released together, or started one after another, "
        f"{staggers} apart (the last starts {(WORKERS - 1) * STAGGERS[-1] * scale:g} s after the first, "
        "before the earliest finish); the baseline is the pacer before issue 23, released together. "
        "Each run has a sandbox of its own, and all run side by side. Earliest possible finish: the first "
        f"{limit} requests at once, then {limit} per window, so the last of {count:,} starts at the soonest "
        f"floor(({count:,} - 1) / {limit}) x {window:g} s = {earliest:g} s after the first. {count:,} is "
        f"{-count % limit} short of filling {-(-count // limit)} windows, so a run that leaves more slots "
        "than that unused pushes its last request into another window: lost slots show, rather than "
        "hiding in a part-used last window. Last admitted: from the server's journal, the run's first "
        "request to the last one admitted (200). Admitted per window: from the journal, requests admitted "
        "(200) in each window of the run, counted from its first request. Late joiner, against a sandbox "
        f"of its own with the same limit: {BUSY_WORKERS} busy workers call on a fixed schedule, "
        f"{BUSY_SLOTS} requests a window together; a window after they start, one more worker (a hook "
        f"like the others) makes {JOINER_CALLS} sequential GET /{{account_id}}/automated-messages. "
        "Key busy: requests the key admitted in the window before its first call. Unloaded: the same "
        f"{JOINER_CALLS} calls at the same moment by a joiner on an idle key of its own; both times are "
        "the sum of the calls' wall times as the joiner measured them."
    )


if __name__ == "__main__":
    standalone(shared_key)
