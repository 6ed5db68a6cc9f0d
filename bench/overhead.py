"""Scenario 3: what the hook adds to one call, against a bare keep-alive ``requests.Session``."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import requests
from clients import connect, counted_hook
from remote_sandbox import RemoteSandbox
from report import Goal, Section, ratio

from airflow_provider_apifansly.sandbox import DEFAULT_API_KEY, SandboxConfig

OVERHEAD_GOAL = 1.10
BLOCK = 100  # calls per block; blocks of both clients alternate, so a burst of load hits both alike
WARMUP = 200


def bare_client(url: str) -> Callable[[], Any]:
    """The floor: one reused session, the same GET, status check and JSON parse, nothing else."""
    session = requests.Session()
    session.headers["x-api-key"] = DEFAULT_API_KEY
    accounts_url = f"{url}/api/fansly/accounts"

    def list_accounts() -> Any:
        response = session.get(accounts_url, timeout=30)
        response.raise_for_status()
        return response.json()["data"]["accounts"]

    return list_accounts


def per_call(call: Callable[[], Any]) -> float:
    """Microseconds per call over one block."""
    started = time.perf_counter()
    for _ in range(BLOCK):
        call()
    return (time.perf_counter() - started) / BLOCK * 1e6


def one_round(
    hook_call: Callable[[], Any], bare_call: Callable[[], Any], iterations: int
) -> tuple[float, float]:
    """Median microseconds per call of each client over ``iterations`` calls each, in alternating blocks."""
    hook_blocks, bare_blocks = [], []
    for block in range(iterations // BLOCK):
        first, second = (hook_call, bare_call) if block % 2 else (bare_call, hook_call)
        timings = {first: per_call(first), second: per_call(second)}
        hook_blocks.append(timings[hook_call])
        bare_blocks.append(timings[bare_call])
    return statistics.median(hook_blocks), statistics.median(bare_blocks)


def per_call_overhead(iterations: int, rounds: int) -> Section:
    """Scenario 3: ``hook.list_accounts()`` vs the bare session on loopback, no latency, unlimited plan."""
    conn_id = "bench_overhead"
    with RemoteSandbox(SandboxConfig(rpm=None, latency=0.0)) as sandbox:
        connect(sandbox, conn_id, rate_limit_rpm=0)
        hook, _ = counted_hook(conn_id, pool_size=1)
        bare = bare_client(sandbox.url)
        for _ in range(WARMUP):
            hook.list_accounts()
            bare()
        results = [one_round(hook.list_accounts, bare, iterations) for _ in range(rounds)]
        hook.close()
    rows = [["Round", "Hook per call", "Bare session per call", "Hook/bare"]]
    for number, (hook_us, bare_us) in enumerate(results, start=1):
        rows.append([str(number), f"{hook_us:.0f} us", f"{bare_us:.0f} us", ratio(hook_us / bare_us)])
    median = statistics.median(hook_us / bare_us for hook_us, bare_us in results)
    rows.append(["median", "", "", ratio(median)])
    return Section(
        "3. Per-call overhead of the hook",
        f"GET /accounts on loopback, no latency, unlimited plan: `hook.list_accounts()` against a bare "
        f"reused `requests.Session` doing the same GET, status check and JSON parse. {rounds} rounds of "
        f"{iterations:,} calls per client, in alternating blocks of {BLOCK}; each round's figure is the "
        "median block, and the ratio is the median of the rounds' ratios.",
        rows,
        [
            Goal(
                "Hook vs bare session per call",
                f"<= {OVERHEAD_GOAL}x",
                ratio(median),
                median <= OVERHEAD_GOAL,
            )
        ],
    )
