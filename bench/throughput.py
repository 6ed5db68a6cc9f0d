"""Scenarios 1 and 2: creating many chats on an unlimited plan, and under a plan's rate limit."""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import requests
from clients import RetrySleep, connect, counted_hook, fan_ids, scale_pacer_window
from remote_sandbox import Hit, RemoteSandbox
from report import Credits, Goal, Section, ratio, seconds

from airflow_provider_apifansly.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_API_KEY, SandboxConfig

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

QUIET = logging.getLogger("bench.quiet")  # the bulk engine's progress lines would drown the tables
BULK_GOAL = 1.2
PACED_GOAL = 0.95


@dataclass(frozen=True)
class Made:
    """What one way of creating the chats produced."""

    chats: int
    failed: int = 0
    retries: int = 0
    retry_wait: float = 0.0


@dataclass(frozen=True)
class Timed:
    """One way of creating the chats, measured: wall and CPU time, and what the server counted."""

    label: str
    concurrency: int
    wall: float
    cpu: float
    made: Made
    credits: Credits


def measure(sandbox: RemoteSandbox, label: str, concurrency: int, create: Callable[[], Made]) -> Timed:
    """Time ``create`` and read the server's counters around it."""
    before = sandbox.counters()
    wall, cpu = time.perf_counter(), time.process_time()
    made = create()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = sandbox.counters()
    requests_sent = after.requests - before.requests
    rate_limited, charged = after.rate_limited - before.rate_limited, after.credits - before.credits
    credits = Credits(label, made.chats, requests_sent, rate_limited, charged)
    return Timed(label, concurrency, wall, cpu, made, credits)


def naive(url: str, fans: list[str]) -> Made:
    """The seed script: a new connection per call (``requests.post``), the documented body by hand."""
    headers = {"x-api-key": DEFAULT_API_KEY}
    api = f"{url}/api/fansly/{DEFAULT_ACCOUNT_ID}"
    me = requests.get(f"{api}/me", headers=headers, timeout=30)
    me.raise_for_status()
    creator_id = me.json()["data"]["data"]["response"]["account"]["id"]
    for fan in fans:
        body = {
            "users": [{"userId": creator_id, "permissionFlags": 0}, {"userId": fan, "permissionFlags": 0}],
            "type": 1,
        }
        response = requests.post(f"{api}/group", json=body, headers=headers, timeout=30)
        response.raise_for_status()
        response.json()["data"]["data"]["response"]["id"]
    return Made(len(fans))


def hook_loop(conn_id: str, fans: list[str]) -> Made:
    """One hook, one chat after another."""
    hook, sleep = counted_hook(conn_id, pool_size=1)
    for fan in fans:
        hook.create_group_chat(fan)
    hook.close()
    return Made(len(fans), retries=sleep.retries, retry_wait=sleep.waited)


def bulk(hook: FanslyHook, sleep: RetrySleep, fans: list[str], concurrency: int) -> Made:
    """``create_group_chats``, the engine of ``CreateGroupChatsOperator``."""
    from airflow_provider_apifansly.bulk import create_group_chats

    result = create_group_chats(hook, fans, max_concurrency=concurrency, log=QUIET)
    hook.close()
    return Made(len(result.groups), len(result.failed), sleep.retries, sleep.waited)


def bulk_on_new_hook(conn_id: str, fans: list[str], concurrency: int) -> Made:
    """The bulk engine on a fresh hook whose pool is as wide as its threads, as the operator builds it."""
    hook, sleep = counted_hook(conn_id, pool_size=concurrency)
    return bulk(hook, sleep, fans, concurrency)


def unlimited_plan(count: int, scaled: int, latency: float, concurrencies: tuple[int, ...]) -> Section:
    """Scenario 1: naive script, hook loop and bulk engine against an unlimited plan with latency.

    The widest pool runs once more with ``scaled`` chats, to show whether the cost per chat holds as N grows.
    """
    conn_id, widest = "bench_unlimited", max(concurrencies)
    with RemoteSandbox(SandboxConfig(rpm=None, latency=latency)) as sandbox:
        connect(sandbox, conn_id, rate_limit_rpm=0)
        runs = [
            measure(sandbox, "naive requests.post", 1, partial(naive, sandbox.url, fan_ids(0, count))),
            measure(sandbox, "hook, sequential", 1, partial(hook_loop, conn_id, fan_ids(count, count))),
        ]
        for index, concurrency in enumerate(concurrencies, start=2):
            create = partial(bulk_on_new_hook, conn_id, fan_ids(index * count, count), concurrency)
            runs.append(measure(sandbox, f"bulk, {concurrency} threads", concurrency, create))
        create = partial(bulk_on_new_hook, conn_id, fan_ids((len(concurrencies) + 2) * count, scaled), widest)
        runs.append(measure(sandbox, f"bulk, {widest} threads, {scaled:,} chats", widest, create))
    header = ["Run", "Wall", "Wall/ideal", "Wall/floor", "Vs naive", "Client CPU/chat", "CPU/wall", "Retries"]
    rows = [[*header, "Failed"]]
    goals = []
    for run in runs:
        rows.append(
            [
                run.label,
                seconds(run.wall),
                ratio(run.wall / _ideal(run, latency)),
                ratio(run.wall / _floor(run, latency)),
                f"{(runs[0].wall / runs[0].made.chats) / (run.wall / run.made.chats):.1f}x faster",
                f"{_cpu_per_chat(run) * 1000:.2f} ms",
                f"{run.cpu / run.wall:.0%}",
                str(run.made.retries),
                str(run.made.failed),
            ]
        )
        if run.label.startswith("bulk") and run.made.chats == count:
            measured = run.wall / _ideal(run, latency)
            goals.append(
                Goal(f"{run.label} vs ideal", f"<= {BULK_GOAL}x", ratio(measured), measured <= BULK_GOAL)
            )
    return Section(
        "1. Unlimited plan: creating chats",
        f"{count:,} creations per run (and {scaled:,} once more at {widest} threads), {latency * 1000:.0f} "
        "ms server latency, no rate limit. Ideal = N x latency / concurrency. Floor = what a client with "
        "no overhead at all needs: ceil(N / concurrency) rounds of latency plus the hook's one /me "
        "request first. The sandbox serves from its own process, as a real API would, so its threads "
        "do not compete with the client for this process's GIL. Client CPU is this process's CPU time "
        "(all threads) per chat; CPU/wall near 100% means one core, all the GIL gives Python code.",
        rows,
        goals,
        _widest_notes(runs[-2], runs[-1], latency),
        credits=[run.credits for run in runs],
    )


def _ideal(run: Timed, latency: float) -> float:
    return run.made.chats * latency / run.concurrency


def _floor(run: Timed, latency: float) -> float:
    return (math.ceil(run.made.chats / run.concurrency) + 1) * latency


def _cpu_per_chat(run: Timed) -> float:
    return run.cpu / run.made.chats


def _widest_notes(widest: Timed, scaled: Timed, latency: float) -> list[str]:
    """Where the widest pool's time goes: the floor, one core's worth of client CPU, and growth with N."""
    needed = widest.concurrency / latency
    sustained = 1 / _cpu_per_chat(widest)
    notes = [
        f"At {widest.concurrency} threads the floor alone is "
        f"{_floor(widest, latency) / _ideal(widest, latency):.2f}x the ideal. The client spent "
        f"{_cpu_per_chat(widest) * 1000:.2f} ms of CPU per chat, so one core sustains about "
        f"{sustained:,.0f} chats/s, against the {needed:,.0f}/s that {widest.concurrency} threads at "
        f"{latency * 1000:.0f} ms call for ({needed / sustained:.0%} of a core; "
        f"{os.cpu_count()} cores here, but the GIL runs Python code on one)."
    ]
    growth = _cpu_per_chat(scaled) / _cpu_per_chat(widest)
    if growth > 1.5:
        notes.append(
            f"With {scaled.made.chats:,} chats instead of {widest.made.chats:,}, the client's CPU per "
            f"chat is {growth:.1f}x higher ({_cpu_per_chat(widest) * 1000:.2f} -> "
            f"{_cpu_per_chat(scaled) * 1000:.2f} ms): some per-chat work of the bulk engine grows "
            "with the number of fans."
        )
    return notes


@dataclass(frozen=True)
class WindowUse:
    """How one rate-limited run used the server's sliding window, from the server's journal."""

    first_window: int
    resume_lag: float | None
    refused_at: list[float]  # each 429, in seconds after request 1 left the window


def window_use(hits: list[Hit], limit: int, window: float) -> WindowUse:
    """Requests admitted in the first window, how late the second began, and when the 429s came."""
    starts = sorted(hit.started for hit in hits if hit.status != 429)
    first_window = sum(1 for start in starts if start < starts[0] + window)
    # A perfect client sends request limit+1 the moment request 1 leaves the window.
    resume_lag = starts[limit] - (starts[0] + window) if len(starts) > limit else None
    refused_at = [hit.started - (starts[0] + window) for hit in hits if hit.status == 429]
    return WindowUse(first_window, resume_lag, refused_at)


@dataclass(frozen=True)
class LimitedRun:
    """A rate-limited run, measured."""

    timed: Timed
    window: WindowUse


def limited_run(
    sandbox: RemoteSandbox, label: str, conn_id: str, fans: list[str], concurrency: int
) -> LimitedRun:
    """The bulk engine against a rate-limited sandbox; the connection's rate_limit_rpm turns pacing on."""
    limit, window = sandbox.config.rpm, sandbox.config.window_seconds
    assert limit is not None
    hook, sleep = counted_hook(conn_id, pool_size=concurrency)
    scale_pacer_window(hook, window)  # --quick shortens the API's window
    timed = measure(sandbox, label, concurrency, partial(bulk, hook, sleep, fans, concurrency))
    return LimitedRun(timed, window_use(sandbox.hits(), limit, window))


def rate_limited_plan(count: int, limit: int, window: float, latency: float, concurrency: int) -> Section:
    """Scenario 2: the bulk engine at a plan's limit, pacing on and off, side by side."""
    config = SandboxConfig(rpm=limit, window_seconds=window, latency=latency)
    fans = fan_ids(0, count)
    with RemoteSandbox(config) as paced, RemoteSandbox(config) as unpaced, ThreadPoolExecutor(2) as pool:
        connect(paced, "bench_paced", rate_limit_rpm=limit)
        connect(unpaced, "bench_unpaced", rate_limit_rpm=0)
        runs = {
            "pacing on": pool.submit(limited_run, paced, "pacing on", "bench_paced", fans, concurrency),
            "pacing off": pool.submit(limited_run, unpaced, "pacing off", "bench_unpaced", fans, concurrency),
        }
        results = {label: future.result() for label, future in runs.items()}
    per = (
        "minute"
        if window == 60
        else f"{window:g} s window (--quick scales the 60 s window down, in the sandbox and the pacer alike)"
    )
    setup = (
        f"{count:,} creations, limit {limit:,} requests per {per}, {latency * 1000:.0f} ms latency, "
        f"bulk engine with {concurrency} threads. Pacing on: connection rate_limit_rpm={limit}; off: "
        "rate_limit_rpm=0. The two runs go side by side against two sandboxes, since each spends most "
        "of its time waiting for the window. From the server's journal: requests admitted in the "
        "window that opens with the first request (the achieved rate), and how long after request 1 "
        "left the window request limit+1 was sent (a pacer's safety margin shows here)."
    )
    return _limited_section(results, limit, setup)


def _limited_section(results: dict[str, LimitedRun], limit: int, setup: str) -> Section:
    rows = [
        [
            "Run",
            "Wall",
            "1st window",
            "Late by",
            "429s",
            "Retries",
            "Failed",
            "Requests/chat",
        ]
    ]
    for label, run in results.items():
        made, lag = run.timed.made, run.window.resume_lag
        rows.append(
            [
                label,
                seconds(run.timed.wall),
                f"{run.window.first_window} ({run.window.first_window / limit:.0%})",
                "-" if lag is None else seconds(lag),
                str(run.timed.credits.rate_limited),
                f"{made.retries} ({made.retry_wait:.0f} s)",
                str(made.failed),
                f"{run.timed.credits.per_chat:.3f}",
            ]
        )
    paced = results["pacing on"]
    achieved, refused = paced.window.first_window / limit, paced.timed.credits.rate_limited
    goals = [
        Goal("Paced: achieved rate / limit", f">= {PACED_GOAL}", f"{achieved:.2f}", achieved >= PACED_GOAL),
        Goal("Paced: failed chats", "0", str(paced.timed.made.failed), paced.timed.made.failed == 0),
        Goal("Paced: 429s", "0", str(refused), refused == 0),
    ]
    notes = [
        "The limit is a sliding window: the first `limit` requests may all go at once, so a run of "
        "fewer creations than the limit is never paced. That is why N exceeds the limit here.",
    ]
    refused_at = paced.window.refused_at
    if refused_at:
        offsets = ", ".join(f"{offset * 1000:+.0f} ms" for offset in sorted(refused_at))
        notes.append(
            f"Pacing on: the 429s came at {offsets} from the moment request 1 left the window. The "
            "pacer counts a request from when it lets it start, the server from when it arrives, "
            "a little later and by a varying amount (a new connection's handshake, thread "
            "scheduling); when a request reaches the server sooner after its pacer stamp than the "
            "request it replaces did, the server still holds that one."
        )
    return Section(
        "2. Rate-limited plan: pacing",
        setup,
        rows,
        goals,
        notes,
        credits=[run.timed.credits for run in results.values()],
    )
