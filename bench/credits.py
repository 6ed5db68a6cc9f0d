"""Scenario 6: credit-smart bulk creation, List Chats first (``skip_existing``) against creating every chat.

A re-run over fans who mostly have their chat already should cost the list's
pages plus the new fans, not one create per fan; on an account with no chats
yet, ``skip_existing`` should cost exactly one request more (one empty page).
Run it alone with ``python bench/credits.py [--quick]``.
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

from airflow_provider_apifansly.sandbox import SandboxConfig

QUIET = logging.getLogger("bench.quiet")  # the bulk engine's progress lines would drown the tables
SKIP_GOAL = 1.05
PAGE_SIZE = SandboxConfig().chats_page_size  # the sandbox's default; the API does not document its own


@dataclass(frozen=True)
class BulkRun:
    """One ``create_group_chats`` run against its own sandbox, measured."""

    label: str
    fans: int
    existing: int  # fans with a listed chat before the run
    skip_existing: bool
    concurrency: int
    wall: float
    server_requests: int
    hook_requests: int
    rate_limited: int
    server_credits: int  # as the server billed them (sandbox/billing.py, apart from the hook's credits.py)
    groups_created: int  # by the server, during the run
    listed: int  # fans the run took from List Chats
    posted: int  # fans the run POSTed a create for
    with_chat: int  # fans the result maps to a chat
    failed: int
    wrong: int  # seeded fans mapped to another chat than their own

    @property
    def new_fans(self) -> int:
        return self.fans - self.existing

    @property
    def pages(self) -> int:
        """List Chats pages: the chats that exist when it runs, at least one (empty) page."""
        return max(1, math.ceil(self.existing / PAGE_SIZE))

    @property
    def expected(self) -> int:
        """Requests a run needs: one GET /me, then the pages and the new fans, or every fan."""
        return 1 + (self.pages + self.new_fans if self.skip_existing else self.fans)

    @property
    def floor(self) -> float:
        """Rounds of latency no client avoids: /me, the pages one after another, then the creates."""
        creates = self.new_fans if self.skip_existing else self.fans
        return 1 + (self.pages if self.skip_existing else 0) + math.ceil(creates / self.concurrency)

    @property
    def correct(self) -> bool:
        """Every fan has their chat, none created twice, nothing failed."""
        return (
            self.with_chat == self.fans
            and self.failed == self.wrong == 0
            and self.groups_created == self.new_fans
        )

    def credits(self) -> Credits:
        allowance, note = 1, "one /me per run"
        if self.skip_existing:
            allowance += self.pages
            note = f"one /me + {self.pages} list page{'s' if self.pages > 1 else ''}"
        return Credits(
            self.label,
            self.with_chat,
            self.server_requests,
            self.rate_limited,
            self.server_credits,
            allowance=allowance,
            allowance_note=note,
        )


def bulk_run(
    label: str, conn_id: str, fans: list[str], existing: list[str], *, skip_existing: bool, latency: float
) -> BulkRun:
    """Seed ``existing`` (listed) chats in a fresh sandbox, then time one bulk run over ``fans``."""
    from airflow_provider_apifansly.bulk import create_group_chats

    concurrency = inspect.signature(create_group_chats).parameters["max_concurrency"].default
    with RemoteSandbox(SandboxConfig(rpm=None, latency=latency)) as sandbox:
        connect(sandbox, conn_id, rate_limit_rpm=0)
        seeded = sandbox.seed_chats(existing, listed=True) if existing else {}
        hook, _ = counted_hook(conn_id, pool_size=concurrency)
        before = sandbox.counters()
        started = time.perf_counter()
        result = create_group_chats(hook, fans, skip_existing=skip_existing, log=QUIET)
        wall = time.perf_counter() - started
        after = sandbox.counters()
        hook.close()
    groups = result.groups
    return BulkRun(
        label,
        len(fans),
        len(existing),
        skip_existing,
        concurrency,
        wall,
        after.requests - before.requests,
        hook.requests_sent,
        after.rate_limited - before.rate_limited,
        after.credits - before.credits,
        after.groups_created - before.groups_created,
        len(result.listed),
        len(result.done) + len(result.failed),
        len(groups),
        len(result.failed),
        sum(groups.get(fan) != group for fan, group in seeded.items()),
    )


def credit_smart_bulk(sizes: Sizes, latency: float = LATENCY) -> Section:
    """Scenario 6: a re-run and a first run, each with and without ``skip_existing``."""
    fans = fan_ids(0, sizes.rerun_fans)
    new_count = sizes.rerun_fans - sizes.rerun_existing
    step = max(1, sizes.rerun_fans // max(1, new_count))
    new = set(fans[step - 1 :: step][:new_count])  # spread through the list, not bunched at its end
    existing = [fan for fan in fans if fan not in new]
    first_fans = fan_ids(sizes.rerun_fans, sizes.first_run_fans)
    runs = [
        bulk_run(
            "re-run, create every chat",
            "bench_rerun_all",
            fans,
            existing,
            skip_existing=False,
            latency=latency,
        ),
        bulk_run(
            "re-run, skip_existing", "bench_rerun_skip", fans, existing, skip_existing=True, latency=latency
        ),
        bulk_run(
            "first run, create every chat",
            "bench_first_all",
            first_fans,
            [],
            skip_existing=False,
            latency=latency,
        ),
        bulk_run(
            "first run, skip_existing",
            "bench_first_skip",
            first_fans,
            [],
            skip_existing=True,
            latency=latency,
        ),
    ]
    rows = [
        [
            "Run",
            "Fans",
            "Listed",
            "POSTed",
            "Requests (server)",
            "Requests (hook)",
            "Expected",
            "Vs expected",
            "Wall",
            "Wall/floor",
            "Failed",
        ]
    ]
    for run in runs:
        rows.append(
            [
                run.label,
                f"{run.fans:,}",
                f"{run.listed:,}",
                f"{run.posted:,}",
                f"{run.server_requests:,}",
                f"{run.hook_requests:,}",
                f"{run.expected:,}",
                ratio(run.server_requests / run.expected),
                seconds(run.wall),
                ratio(run.wall / (run.floor * latency)),
                str(run.failed),
            ]
        )
    recreate, skip, first_all, first_skip = runs
    saving = recreate.server_credits / skip.server_credits
    speedup = skip.wall / recreate.wall
    difference = first_skip.server_credits - first_all.server_credits
    agreeing = sum(run.server_requests == run.hook_requests for run in runs)
    correct = sum(run.correct for run in runs)
    goals = [
        Goal(
            "Re-run, skip_existing: credits / (pages + new fans + /me)",
            f"<= {SKIP_GOAL}x",
            f"{skip.server_credits} / {skip.expected} = {ratio(skip.server_credits / skip.expected)}",
            skip.server_credits <= SKIP_GOAL * skip.expected,
        ),
        Goal(
            "Re-run: wall with skip_existing / without",
            "<= 1.00x (not slower)",
            ratio(speedup),
            speedup <= 1.0,
        ),
        Goal(
            "First run: credits with skip_existing - without",
            "= 1 (one empty page)",
            str(difference),
            difference == 1,
        ),
        Goal(
            "Hook's request count = server's count",
            f"all {len(runs)} runs",
            f"{agreeing} of {len(runs)}",
            agreeing == len(runs),
        ),
        Goal(
            "Every fan has their chat, none created twice, none failed",
            f"all {len(runs)} runs",
            f"{correct} of {len(runs)}",
            correct == len(runs),
        ),
    ]
    notes = [
        f"Re-run arithmetic: {skip.existing:,} of the {skip.fans:,} fans have a listed chat before the "
        f"run; List Chats runs before any create, so the {skip.new_fans} new fans have no chat yet "
        f"and are on no page. Pages = ceil({skip.existing:,} / {PAGE_SIZE}) = {skip.pages}. "
        f"With skip_existing: 1 GET /me + {skip.pages} pages + {skip.new_fans} creates = "
        f"{skip.expected:,} requests; without: 1 GET /me + {recreate.fans:,} creates = "
        f"{recreate.expected:,}. Measured: {skip.server_credits:,} credits against "
        f"{recreate.server_credits:,}, {saving:.1f}x fewer (a page of 20 chats is about 7,500 bytes: "
        "1 credit).",
        f"Wall: the list pages are sequential (each cursor comes from the page before), so "
        f"skip_existing's floor is {skip.floor} rounds of latency ({skip.floor * latency:.2f} s) against "
        f"{recreate.floor} ({recreate.floor * latency:.2f} s) for {recreate.concurrency} threads "
        f"creating every chat: measured {seconds(skip.wall)} against {seconds(recreate.wall)} "
        f"({ratio(speedup)}).",
        f"First run: the account has no chats, so List Chats answers one empty page (nextCursor "
        f"null) and every fan is created: {first_skip.server_requests:,} requests with skip_existing, "
        f"{first_all.server_requests:,} without.",
    ]
    return Section(
        "6. Credit-smart bulk: skip_existing",
        f"create_group_chats with its default {recreate.concurrency} threads, {latency * 1000:.0f} ms "
        f"latency, no rate limit, each run on a fresh sandbox. Re-run: {recreate.fans:,} fans, "
        f"{recreate.existing:,} of them with a listed chat seeded before the run (List Chats pages of "
        f"{PAGE_SIZE}, the sandbox's default). First run: {first_all.fans:,} fans, no chats. Requests "
        "as the server counted them and as the hook did (`hook.requests_sent`); Expected = 1 GET /me "
        "+ pages + new fans with skip_existing, 1 GET /me + every fan without. Floor = rounds of "
        "latency: /me, then each page one after another, then ceil(creates / threads).",
        rows,
        goals,
        notes,
        credits=[run.credits() for run in runs],
    )


if __name__ == "__main__":
    standalone(credit_smart_bulk)
