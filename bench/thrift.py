"""Scenario 15: thrift. Credits of the reads and creates that issue 30 made cheaper, each against the old way.

- The expiring segment reads every active page: pages of 100 (what the hook asks, and what the
  sandbox serves by default) against pages of 50 (the server capped at 50, the old page size).
- Top 20 of 2,000 spenders: one ranked answer of 100 rows holds the top 20, against splitting the
  window until no part is cut (what a ranking without ``top`` still does, and the old cost).
- Opening chats for the examples' ~20 fans on an account with many chats: one create each (a
  create finds an existing chat) against ``skip_existing``, which first reads every List Chats page.
Run it alone with ``python bench/thrift.py [--quick]``.
"""

from __future__ import annotations

import inspect
import logging
import math
import time
from dataclasses import dataclass

from clients import connect, counted_hook, fan_ids
from remote_sandbox import RemoteSandbox
from report import Credits, Goal, Section, ratio, seconds
from scenario import LATENCY, Sizes, standalone
from segments import seed_spenders

from airflow_provider_apifansly.hooks.endpoints.fans import FANS_PAGE_LIMIT
from airflow_provider_apifansly.sandbox import SandboxConfig

DAY_MS = 86_400_000
LAPSING_EVERY = 20  # one active subscription in 20 has auto-renew off and ends within 3 days
CREATORS, DAYS = 5, 30  # "five creators on a daily expiring segment", for a month
PRO_PLAN = 60_000  # credits a month (contract part 2, section 1)
TOP = 20
CHAT_FANS = 20  # the examples' fans a run opens chats for
QUIET = logging.getLogger("bench.quiet")
CHATS_PAGE = (
    SandboxConfig().chats_page_size
)  # the sandbox's List Chats page; the API does not document its own


@dataclass(frozen=True)
class Read:
    """One measured run against its own sandbox."""

    label: str
    requests: int
    credits: int
    correct: bool
    wall: float


def expiring(active: int, cap: int) -> Read:
    """``active`` subscriptions, 1 in 20 lapsing, served at most ``cap`` a page; read the segment."""
    now = int(time.time() * 1000)
    config = SandboxConfig(rpm=None, latency=LATENCY, subscribers_page_cap=cap)  # type: ignore[arg-type]
    with RemoteSandbox(config) as sandbox:
        fans = fan_ids(0, active)
        lapsing = set(fans[::LAPSING_EVERY])
        renewing = [fan_id for fan_id in fans if fan_id not in lapsing]
        sandbox.seed_subscribers(renewing, created_at=[now - 20 * DAY_MS] * len(renewing))
        sandbox.seed_subscribers(
            sorted(lapsing),
            created_at=[now - 25 * DAY_MS] * len(lapsing),
            auto_renew=False,
            ends_at=[now + DAY_MS] * len(lapsing),
        )
        connect(sandbox, f"bench_thrift_expiring_{cap}", rate_limit_rpm=0)
        hook, _ = counted_hook(f"bench_thrift_expiring_{cap}", pool_size=1)
        began = time.perf_counter()
        found = {row["subscriberId"] for row in hook.list_subscription_segment(expiring_within=3)}
        wall = time.perf_counter() - began
        counters = sandbox.counters()
    return Read(
        f"expiring segment, pages of {cap}", counters.requests, counters.credits, found == lapsing, wall
    )


def top_twenty(spenders: int, *, top: int | None) -> Read:
    """``spenders`` fans each spending twice over 30 days; rank them, for the top 20 or every fan."""
    now = int(time.time() * 1000)
    since, until = now - 31 * DAY_MS, now - DAY_MS
    with RemoteSandbox(SandboxConfig(rpm=None, latency=LATENCY)) as sandbox:
        totals = seed_spenders(sandbox, spenders, since)
        expected = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        conn_id = f"bench_thrift_top_{top}"
        connect(sandbox, conn_id, rate_limit_rpm=0)
        hook, _ = counted_hook(conn_id, pool_size=1)
        began = time.perf_counter()
        ranking = hook.top_supporters(since=since, until=until, top=top)
        wall = time.perf_counter() - began
        counters = sandbox.counters()
    # Ties at the 20th place are every one a top-20 fan: compare the spends, which are the ranking.
    kept = [supporter.gross for supporter in ranking.supporters][:TOP]
    correct = kept == [gross for _, gross in expected[:TOP]]
    label = "top 20, from the first answer" if top else "every fan ranked (split until uncut; the old top 20)"
    return Read(label, counters.requests - 1, counters.credits - 1, correct, wall)  # less the one GET /me


def opening_chats(chats: int, *, skip_existing: bool) -> Read:
    """An account with ``chats`` listed chats; open chats for 20 fans, half of whom already have one."""
    from airflow_provider_apifansly.bulk import create_group_chats

    concurrency = inspect.signature(create_group_chats).parameters["max_concurrency"].default
    with RemoteSandbox(SandboxConfig(rpm=None)) as sandbox:  # no latency: credits do not depend on it
        existing = fan_ids(0, chats)
        sandbox.seed_chats(existing, listed=True)
        fans = existing[: CHAT_FANS // 2] + fan_ids(chats, CHAT_FANS - CHAT_FANS // 2)
        conn_id = f"bench_thrift_chats_{skip_existing}"
        connect(sandbox, conn_id, rate_limit_rpm=0)
        hook, _ = counted_hook(conn_id, pool_size=concurrency)
        began = time.perf_counter()
        result = create_group_chats(hook, fans, skip_existing=skip_existing, log=QUIET)
        wall = time.perf_counter() - began
        counters = sandbox.counters()
    opened = {**result.listed, **result.done}
    correct = sorted(opened) == sorted(fans) and counters.groups_created == CHAT_FANS - CHAT_FANS // 2
    label = (
        "skip_existing=True (every List Chats page)" if skip_existing else "no skip_existing (a create each)"
    )
    return Read(label, counters.requests, counters.credits, correct, wall)


def thrift(sizes: Sizes) -> Section:
    active, spenders, chats = sizes.thrift_subscribers, sizes.thrift_spenders, sizes.thrift_chats
    total = active  # the lapsing fans are part of the active subscriptions
    pages_100, pages_50 = expiring(active, 100), expiring(active, 50)
    top, split = top_twenty(spenders, top=TOP), top_twenty(spenders, top=None)
    plain, skipping = opening_chats(chats, skip_existing=False), opening_chats(chats, skip_existing=True)
    header = ["run", "scale", "requests", "credits", "vs baseline", "credits a month", "correct", "wall"]
    rows = [header]
    for run, base, scale, monthly in (
        (pages_50, pages_50, f"{total:,} active", CREATORS * DAYS),
        (pages_100, pages_50, f"{total:,} active", CREATORS * DAYS),
        (split, split, f"{spenders:,} spenders", 1),
        (top, split, f"{spenders:,} spenders", 1),
        (skipping, skipping, f"{CHAT_FANS} fans, {chats:,} chats", DAYS),
        (plain, skipping, f"{CHAT_FANS} fans, {chats:,} chats", DAYS),
    ):
        rows.append(
            [
                run.label,
                scale,
                str(run.requests),
                str(run.credits),
                ratio(run.credits / base.credits),
                f"{run.credits * monthly:,}",
                str(run.correct),
                seconds(run.wall),
            ]
        )
    list_pages = math.ceil(chats / CHATS_PAGE)
    extrapolated = math.ceil(30_000 / CHATS_PAGE)
    goals = [
        Goal(
            "expiring segment: credits with pages of 100",
            f"= ceil(active / {FANS_PAGE_LIMIT}) = {math.ceil(total / FANS_PAGE_LIMIT)}",
            str(pages_100.credits),
            pages_100.credits == math.ceil(total / FANS_PAGE_LIMIT),
        ),
        Goal(
            "expiring segment: pages of 100 against pages of 50 (same run)",
            "<= 0.51x",
            ratio(pages_100.credits / pages_50.credits),
            pages_100.credits <= 0.51 * pages_50.credits,
        ),
        Goal(
            f"top {TOP} of {spenders:,} spenders: requests",
            "1",
            f"{top.requests} (splitting: {split.requests})",
            top.requests == 1,
        ),
        Goal(
            f"opening chats for {CHAT_FANS} fans: credits without skip_existing",
            f"<= {CHAT_FANS} + one /me",
            str(plain.credits),
            plain.credits <= CHAT_FANS + 1,
        ),
        Goal(
            f"skip_existing over {chats:,} chats: List Chats pages read",
            f"= ceil(chats / {CHATS_PAGE}) = {list_pages}",
            str(skipping.requests - 1 - CHAT_FANS // 2),
            skipping.requests - 1 - CHAT_FANS // 2 == list_pages,
        ),
        Goal(
            "every run finds exactly its segment, top spenders or chats",
            "all",
            str(all(run.correct for run in (pages_100, pages_50, top, split, plain, skipping))),
            all(run.correct for run in (pages_100, pages_50, top, split, plain, skipping)),
        ),
    ]
    return Section(
        title="15. Thrift: the expiring segment's pages, top 20 from one answer, opening chats (issue 30)",
        setup=(
            f"{total:,} active subscriptions (1 in {LAPSING_EVERY} lapsing); {spenders:,} spenders, twice each "
            f"over 30 days; {CHAT_FANS} fans (half with a chat) on an account of {chats:,} listed chats, "
            f"{CHATS_PAGE} a List Chats page; {LATENCY * 1000:.0f} ms latency (none for the chats runs)"
        ),
        rows=rows,
        goals=goals,
        notes=[
            "Requests and credits are the server's count (sandbox/billing.py; every answer here is under 80 KB).",
            f"Credits a month: the expiring segment for {CREATORS} creators daily ({CREATORS * DAYS} reads; a Pro "
            f"plan holds {PRO_PLAN:,}); the top 20 once a month; opening chats daily.",
            "Top supporters' requests leave out the one GET /me both runs send.",
            f"skip_existing costs ceil(chats / {CHATS_PAGE}) pages plus a create per fan not listed: at 30,000 "
            f"chats, {extrapolated:,} pages a run, against {CHAT_FANS} creates without it. It saves credits only "
            "when more fans already have a listed chat than the list has pages (docs/credits.md).",
        ],
        credits=[Credits(plain.label, CHAT_FANS, plain.requests, 0, plain.credits)],
    )


if __name__ == "__main__":
    standalone(thrift)
