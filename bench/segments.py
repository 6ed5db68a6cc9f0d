"""Scenario 13: segments. The expiring segment reads every active page; top supporters split a cut window.

The API's order says nothing about ``endsAt``, so "expiring within 3 days, auto-renew off"
costs ceil(active / 50) pages, the floor for any correct read (the baseline). Top supporters
answer at most 100 rows and no paging: a cut window is halved until no part is, so requests
are the uncut parts plus the halved windows; measured against the parts the window needs
and against ceil(supporters / 100), the least any split could cost.
Run it alone with ``python bench/segments.py [--quick]``.
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
from airflow_provider_apifansly.hooks.endpoints.top_supporters import TOP_SUPPORTERS_CAP
from airflow_provider_apifansly.sandbox import SandboxConfig

DAY_MS = 86_400_000
LAPSING_EVERY = 20  # one active subscription in 20 has auto-renew off and ends within 3 days


@dataclass(frozen=True)
class Measured:
    """One read against its own sandbox."""

    label: str
    size: int
    requests: int
    parts: int  # pages the read needs (expiring) or uncut windows (top supporters)
    correct: bool
    wall: float


def expiring(active: int) -> Measured:
    """``active`` subscriptions (and as many expired, never read), 1 in 20 lapsing; read the segment."""
    now = int(time.time() * 1000)
    with RemoteSandbox(SandboxConfig(rpm=None, latency=LATENCY)) as sandbox:
        fans = fan_ids(0, active)
        lapsing = set(fans[::LAPSING_EVERY])
        sandbox.seed_subscribers(
            fans,
            created_at=[now - 20 * DAY_MS] * active,
            ends_at=[now + (n % 9 + 1) * DAY_MS // 3 for n in range(active)],
        )  # ends over the coming 3 days, auto-renewing...
        sandbox.seed_subscribers(
            sorted(lapsing),
            created_at=[now - 25 * DAY_MS] * len(lapsing),
            auto_renew=False,
            ends_at=[now + DAY_MS] * len(lapsing),
        )  # ...but these fans hold a second subscription, lapsing
        sandbox.seed_subscribers(
            fan_ids(active, active), created_at=[now - 90 * DAY_MS] * active, status="expired"
        )
        connect(sandbox, "bench_expiring", rate_limit_rpm=0)
        hook, _ = counted_hook("bench_expiring", pool_size=1)
        began = time.perf_counter()
        found = {row["subscriberId"] for row in hook.list_subscription_segment(expiring_within=3)}
        wall = time.perf_counter() - began
        total = active + len(lapsing)
        return Measured(
            "expiring within 3 days",
            total,
            sandbox.counters().requests,
            math.ceil(total / FANS_PAGE_LIMIT),
            found == lapsing,
            wall,
        )


def seed_spenders(sandbox: RemoteSandbox, supporters: int, since: int) -> dict[str, int]:
    """``supporters`` fans each spending on two days of the 30 days from ``since``; each fan's gross."""
    fans = fan_ids(0, supporters)
    spent_at = [since + (n * 7_919_993) % (30 * DAY_MS) for n in range(2 * supporters)]
    gross = [1000 + n % 500 for n in range(2 * supporters)]
    sandbox.seed_supporters(fans + fans, spent_at=spent_at, gross=gross)
    totals: dict[str, int] = {}
    for fan_id, amount in zip(fans + fans, gross, strict=True):
        totals[fan_id] = totals.get(fan_id, 0) + amount
    return totals


def top_supporters(supporters: int) -> Measured:
    """``supporters`` fans each spending on two days of a 30-day window; rank them."""
    now = int(time.time() * 1000)
    since, until = now - 31 * DAY_MS, now - DAY_MS
    with RemoteSandbox(SandboxConfig(rpm=None, latency=LATENCY)) as sandbox:
        expected = seed_spenders(sandbox, supporters, since)
        connect(sandbox, f"bench_top_{supporters}", rate_limit_rpm=0)
        hook, _ = counted_hook(f"bench_top_{supporters}", pool_size=1)
        began = time.perf_counter()
        ranking = hook.top_supporters(since=since, until=until)
        wall = time.perf_counter() - began
        requests = sandbox.counters().requests - 1  # less the one GET /me
        correct = {s.fan_id: s.gross for s in ranking.supporters} == expected
        return Measured(
            f"top supporters, {supporters:,} fans", supporters, requests, ranking.parts, correct, wall
        )


def segments(sizes: Sizes) -> Section:
    lapse = expiring(sizes.segment_subscribers)
    tops = [top_supporters(count) for count in sizes.supporters]
    rows = [["read", "rows", "requests", "needed", "vs needed", "least possible", "correct", "wall"]]
    rows.append(
        [
            lapse.label,
            f"{lapse.size:,} active",
            str(lapse.requests),
            f"{lapse.parts} pages",
            ratio(lapse.requests / lapse.parts),
            str(lapse.parts),
            str(lapse.correct),
            seconds(lapse.wall),
        ]
    )
    for top in tops:
        least = math.ceil(top.size / TOP_SUPPORTERS_CAP)
        rows.append(
            [
                top.label,
                f"{top.size:,} fans",
                str(top.requests),
                f"{top.parts} parts",
                ratio(top.requests / top.parts),
                str(least),
                str(top.correct),
                seconds(top.wall),
            ]
        )
    goals = [
        Goal(
            "expiring: pages read",
            f"= ceil(active / {FANS_PAGE_LIMIT}) = {lapse.parts}",
            str(lapse.requests),
            lapse.requests == lapse.parts,
        ),
        Goal(
            "every read finds exactly its segment and sums",
            "all",
            str(lapse.correct and all(t.correct for t in tops)),
            lapse.correct and all(t.correct for t in tops),
        ),
        Goal(
            "top supporters: requests per uncut part",
            "< 2 (each cut window halved once)",
            ", ".join(ratio(t.requests / t.parts) for t in tops),
            all(t.requests == 2 * t.parts - 1 for t in tops),
        ),
        Goal(
            f"top supporters under {TOP_SUPPORTERS_CAP} fans: one request",
            "1",
            str(tops[0].requests),
            tops[0].requests == 1,
        ),
    ]
    return Section(
        title="13. Segments: the expiring read and the top supporters' split (`ListFansOperator`)",
        setup=(
            f"{lapse.size:,} active subscriptions (1 in {LAPSING_EVERY} lapsing) and as many expired; "
            f"supporters spending twice each over 30 days; {LATENCY * 1000:.0f} ms latency"
        ),
        rows=rows,
        goals=goals,
        notes=[
            "Requests are the server's count; each costs a credit. Top supporters also cost one GET /me (not counted).",
            "Halving cannot know how spend is spread: requests are 2 x parts - 1, and the parts, halves of halves,",
            "outnumber ceil(fans / 100) when spend is spread evenly (a part holds 50 to 100 fans).",
        ],
    )


if __name__ == "__main__":
    standalone(segments)
