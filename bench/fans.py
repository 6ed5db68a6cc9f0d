"""Scenario 8: the hourly "new subscribers" read, on an account with thousands of subscribers.

``list_subscribers(since, until)`` stops between pages once the rows prove the list
newest-first and reach past ``since``. On a newest-first list an hourly run should
cost a page or two; on an oldest-first list nothing proves it may stop, so it reads
every page, the same as a full read (the baseline, measured in the same run).
Run it alone with ``python bench/fans.py [--quick]``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from clients import connect, counted_hook, fan_ids
from remote_sandbox import RemoteSandbox
from report import Goal, Section, ratio, seconds
from scenario import LATENCY, Sizes, standalone

from airflow_provider_apifansly.hooks.endpoints.fans import FANS_PAGE_LIMIT
from airflow_provider_apifansly.sandbox import SandboxConfig

HOUR_MS = 3_600_000
INTERVAL_END = 1_795_000_000_000  # an hour boundary (epoch ms), in 2026
HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class HourlyRead:
    """One read of an hour's new subscribers against its own sandbox, measured."""

    label: str
    order: str
    windowed: bool  # False: the baseline, every subscriber read and filtered here
    subscribers: int
    new: int
    found: int
    requests: int
    wall: float

    @property
    def correct(self) -> bool:
        return self.found == self.new


def hourly_read(label: str, order: str, subscribers: int, new: int, *, windowed: bool) -> HourlyRead:
    """Seed ``subscribers`` (``new`` of them in the hour) in ``order``, then read the hour's new ones."""
    since = INTERVAL_END - HOUR_MS
    old = subscribers - new
    config = SandboxConfig(rpm=None, latency=LATENCY, subscribers_order=order)  # type: ignore[arg-type]
    with RemoteSandbox(config) as sandbox:
        # The older subscribers every 10 minutes before the hour; the new ones spread over it.
        sandbox.seed_subscribers(fan_ids(0, old), created_at=[since - (n + 1) * 600_000 for n in range(old)])
        spacing = HOUR_MS // max(new, 1)
        sandbox.seed_subscribers(fan_ids(old, new), created_at=[since + n * spacing for n in range(new)])
        conn_id = f"bench_fans_{order}_{windowed}"
        connect(sandbox, conn_id, rate_limit_rpm=0)
        hook, _ = counted_hook(conn_id, pool_size=1)
        began = time.perf_counter()
        if windowed:
            rows = list(hook.list_subscribers(since=since, until=INTERVAL_END))
        else:
            rows = [row for row in hook.list_subscribers() if since <= row["createdAt"] < INTERVAL_END]
        wall = time.perf_counter() - began
        requests = sandbox.counters().requests
    return HourlyRead(label, order, windowed, subscribers, new, len(rows), requests, wall)


def fans_paging(sizes: Sizes) -> Section:
    total, new = sizes.subscribers, sizes.new_subscribers
    runs = [
        hourly_read("full read (baseline)", "newest", total, new, windowed=False),
        hourly_read("since/until, newest first", "newest", total, new, windowed=True),
        hourly_read("since/until, oldest first", "oldest", total, new, windowed=True),
    ]
    baseline, newest, oldest = runs
    full_pages = math.ceil(total / FANS_PAGE_LIMIT)
    rows = [["run", "order", "new found", "requests", "vs full read", "credits a month (hourly)", "wall"]]
    rows += [
        [
            run.label,
            run.order,
            f"{run.found} of {run.new}",
            str(run.requests),
            ratio(run.requests / baseline.requests),
            f"{run.requests * HOURS_PER_MONTH:,}",
            seconds(run.wall),
        ]
        for run in runs
    ]
    goals = [
        Goal(
            "every run finds exactly the hour's new subscribers",
            "all",
            str(all(r.correct for r in runs)),
            all(r.correct for r in runs),
        ),
        Goal(
            "newest first: subscriber pages per hourly run",
            "<= 2",
            str(newest.requests),
            newest.requests <= 2,
        ),
        Goal(
            "oldest first: a full read, never a lost subscriber",
            f"{full_pages} pages",
            str(oldest.requests),
            oldest.requests == full_pages and oldest.correct,
        ),
    ]
    return Section(
        title="8. New subscribers of the hour: pages read (`ListFansOperator` / `list_subscribers`)",
        setup=(
            f"{total:,} subscribers, {new} of them in the hour; pages of {FANS_PAGE_LIMIT}; "
            f"{LATENCY * 1000:.0f} ms latency; the sandbox serves newest or oldest first"
        ),
        rows=rows,
        goals=goals,
        notes=[
            "Requests are the server's count; each costs a credit. A month is 730 hourly runs.",
            "Oldest first, the rows never prove the read may stop early, so every page is read: the safe cost.",
        ],
    )


if __name__ == "__main__":
    standalone(fans_paging)
