"""Scenario 7: sending messages with ``send_messages``: credits, concurrency, pacing and dropped sends.

Every message costs one request when nothing fails. When a send is stored and
then its connection dropped, the hook must look before sending again: every
chat ends with exactly one message, and a drop costs one ``GET`` more.
Run it alone with ``python bench/sending.py [--quick]``.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from clients import connect, counted_hook, fan_ids, scale_pacer_window
from remote_sandbox import RemoteSandbox
from report import Credits, Goal, Section, ratio, seconds
from scenario import LATENCY, Sizes, standalone
from throughput import BULK_GOAL, PACED_GOAL, WindowUse, window_use

from airflow_provider_apifansly.sandbox import Fault, SandboxConfig

QUIET = logging.getLogger("bench.quiet")  # the bulk engine's progress lines would drown the tables
DROP_RATE = 0.10
DROP_GOAL = 1.25  # requests per message with 10% of sends dropped after they were stored
CONTENT = "Thanks for subscribing! Your welcome pack is on its way."


@dataclass(frozen=True)
class SendRun:
    """One ``send_messages`` run, measured, and what the sandbox holds in its chats afterwards."""

    label: str
    messages: int
    concurrency: int
    wall: float
    server_requests: int
    hook_requests: int
    rate_limited: int
    server_credits: int  # as the server billed them (sandbox/billing.py, apart from the hook's credits.py)
    drops: int  # faults the sandbox injected during the run
    retries: int
    retry_wait: float
    failed: int
    duplicated: int  # chats holding more than one message
    lost: int  # chats with no message, missing from the result, or mapped to another message id
    routes: Counter[str] = field(default_factory=Counter)  # requests per route, from the journal
    window: WindowUse | None = None  # paced runs: how the run used the server's window

    @property
    def per_message(self) -> float:
        return self.server_requests / self.messages

    def ideal(self, latency: float) -> float:
        return self.messages * latency / self.concurrency

    def credits(self) -> Credits:
        allowance, note = 0, ""
        if self.drops:
            # The first look needs the creator's id, to recognise our message: one GET /me per hook.
            allowance, note = self.drops + 1, f"one GET check per dropped send ({self.drops}) + one /me"
        delivered = self.messages - self.lost
        return Credits(
            self.label,
            delivered,
            self.server_requests,
            self.rate_limited,
            self.server_credits,
            unit="message",
            allowance=allowance,
            allowance_note=note,
        )


def send_run(sandbox: RemoteSandbox, label: str, conn_id: str, chats: list[str], concurrency: int) -> SendRun:
    """Send one message to each chat through a fresh hook, then count each chat's messages in the sandbox."""
    from airflow_provider_apifansly.bulk import send_messages

    hook, sleep = counted_hook(conn_id, pool_size=concurrency)
    scale_pacer_window(hook, sandbox.config.window_seconds)  # --quick shortens the API's window
    batch = {chat: CONTENT for chat in chats}
    before, since = sandbox.counters(), time.monotonic()
    started = time.perf_counter()
    result = send_messages(hook, batch, max_concurrency=concurrency, log=QUIET)
    wall = time.perf_counter() - started
    after = sandbox.counters()
    hook.close()
    hits = [hit for hit in sandbox.hits() if hit.started >= since]
    stored: dict[str, list[str]] = {}
    for record in sandbox.messages():
        stored.setdefault(record.group_id, []).append(record.message["id"])
    counts = Counter({chat: len(stored.get(chat, [])) for chat in chats})
    lost = sum(counts[chat] == 0 or result.done.get(chat) not in stored.get(chat, []) for chat in chats)
    window = None
    if sandbox.config.rpm is not None:
        window = window_use(hits, sandbox.config.rpm, sandbox.config.window_seconds)
    return SendRun(
        label,
        len(chats),
        concurrency,
        wall,
        after.requests - before.requests,
        hook.requests_sent,
        after.rate_limited - before.rate_limited,
        after.credits - before.credits,
        after.faults_injected - before.faults_injected,
        sleep.retries,
        sleep.waited,
        len(result.failed),
        sum(count > 1 for count in counts.values()),
        lost,
        Counter(_route(hit.method, hit.path) for hit in hits),
        window,
    )


def _route(method: str, path: str) -> str:
    """A request's route without its ids, e.g. ``POST messages``."""
    if path.endswith("/me"):
        return f"{method} /me"
    return f"{method} messages" if path.endswith("/messages") else f"{method} {path}"


def seeded_chats(sandbox: RemoteSandbox, first_fan: int, count: int) -> list[str]:
    """``count`` chats that exist before the run (seeding sends no request): their group ids."""
    return list(sandbox.seed_chats(fan_ids(first_fan, count)).values())


def sending_messages(sizes: Sizes, latency: float = LATENCY) -> Section:
    """Scenario 7: the happy path at each concurrency, a paced plan, and 10% of sends dropped after storing."""
    count, concurrencies = sizes.messages, sizes.send_concurrencies
    limit, window = sizes.limit, sizes.window
    runs = []
    with RemoteSandbox(SandboxConfig(rpm=None, latency=latency)) as sandbox:
        connect(sandbox, "bench_send", rate_limit_rpm=0)
        for index, concurrency in enumerate(concurrencies):
            chats = seeded_chats(sandbox, index * count, count)
            runs.append(send_run(sandbox, f"{concurrency} threads", "bench_send", chats, concurrency))
    paced_config = SandboxConfig(rpm=limit, window_seconds=window, latency=latency)
    with RemoteSandbox(paced_config) as sandbox:
        connect(sandbox, "bench_send_paced", rate_limit_rpm=limit)
        chats = seeded_chats(sandbox, 0, sizes.limited_messages)
        paced = send_run(sandbox, f"paced, {limit:,} per window, 8 threads", "bench_send_paced", chats, 8)
    drop = Fault(kind="drop", processed=True, probability=DROP_RATE, method="POST", path_contains="/messages")
    with RemoteSandbox(SandboxConfig(rpm=None, latency=latency, faults=[drop])) as sandbox:
        connect(sandbox, "bench_send_drops", rate_limit_rpm=0)
        chats = seeded_chats(sandbox, 0, count)
        dropped = send_run(
            sandbox, f"{DROP_RATE:.0%} stored, then dropped, 8 threads", "bench_send_drops", chats, 8
        )
    runs += [paced, dropped]
    return _section(runs, paced, dropped, latency, limit, window)


def _section(
    runs: list[SendRun], paced: SendRun, dropped: SendRun, latency: float, limit: int, window: float
) -> Section:
    rows = [
        [
            "Run",
            "Messages",
            "Wall",
            "Wall/ideal",
            "Requests",
            "Requests/message",
            "1st window",
            "429s",
            "Drops",
            "Retries",
            "Duplicated",
            "Lost",
        ]
    ]
    for run in runs:
        first_window = "-"
        if run.window is not None:
            first_window = f"{run.window.first_window} ({run.window.first_window / limit:.0%})"
        rows.append(
            [
                run.label,
                f"{run.messages:,}",
                seconds(run.wall),
                "-" if run.window is not None else ratio(run.wall / run.ideal(latency)),
                f"{run.server_requests:,}",
                f"{run.per_message:.3f}",
                first_window,
                str(run.rate_limited),
                str(run.drops),
                f"{run.retries} ({run.retry_wait:.1f} s)",
                str(run.duplicated),
                str(run.lost),
            ]
        )
    happy = [run for run in runs if run.window is None and not run.drops]
    goals = [
        Goal(
            f"Happy path, {run.label}: requests/message",
            "= 1.00",
            f"{run.server_requests:,} / {run.messages:,} = {run.per_message:.3f}",
            run.server_requests == run.messages,
        )
        for run in happy
    ]
    goals += [
        Goal(
            f"Happy path, {run.label} vs ideal",
            f"<= {BULK_GOAL}x",
            ratio(run.wall / run.ideal(latency)),
            run.wall / run.ideal(latency) <= BULK_GOAL,
        )
        for run in happy
    ]
    assert paced.window is not None
    achieved = paced.window.first_window / limit
    goals += [
        Goal("Paced: achieved rate / limit", f">= {PACED_GOAL}", f"{achieved:.2f}", achieved >= PACED_GOAL),
        Goal("Paced: 429s", "0", str(paced.rate_limited), paced.rate_limited == 0),
        Goal("Drops: chats with a duplicated message", "0", str(dropped.duplicated), dropped.duplicated == 0),
        Goal("Drops: messages lost", "0", str(dropped.lost), dropped.lost == 0),
        Goal(
            "Drops: requests/message (GET checks included)",
            f"<= {DROP_GOAL}",
            f"{dropped.per_message:.3f}",
            dropped.per_message <= DROP_GOAL,
        ),
    ]
    agreeing = sum(run.server_requests == run.hook_requests for run in runs)
    clean = sum(run.duplicated == run.lost == run.failed == 0 for run in runs)
    goals += [
        Goal(
            "Hook's request count = server's count",
            f"all {len(runs)} runs",
            f"{agreeing} of {len(runs)}",
            agreeing == len(runs),
        ),
        Goal(
            "One message in every chat, none failed",
            f"all {len(runs)} runs",
            f"{clean} of {len(runs)}",
            clean == len(runs),
        ),
    ]
    per = "minute" if window == 60 else f"{window:g} s window (--quick scales the minute down, pacer alike)"
    routes = dropped.routes
    others = sum(routes.values()) - routes["POST messages"] - routes["GET messages"] - routes["GET /me"]
    notes = [
        f"Dropped sends: {dropped.drops} of {dropped.messages:,} POSTs were stored, then their connection "
        f"closed without an answer. The server's journal: {routes['POST messages']:,} POSTs, "
        f"{routes['GET messages']} GET checks of a chat's latest messages (each found the stored "
        f"message, so none was sent again) and {routes['GET /me']} GET /me (the creator's id, which the "
        "first check needs to recognise our message)"
        + (f", and {others} other requests" if others else "")
        + f": {dropped.server_requests:,} in all. The {dropped.retries} retry waits took "
        f"{dropped.retry_wait:.1f} s in all (the retry policy's backoff before looking), which is "
        "what the wall time pays beyond the ideal.",
    ]
    if paced.window is not None and paced.window.resume_lag is not None:
        notes.append(
            f"Paced: request {limit + 1:,} was sent {paced.window.resume_lag:.2f} s after request 1 left "
            "the window (the hook's pacing margin)."
        )
    return Section(
        "7. Sending messages: send_messages",
        f"One message ({len(CONTENT)} characters) to each of N chats seeded before the run, "
        f"{latency * 1000:.0f} ms latency; send_messages needs no GET /me. Happy path: "
        f"{runs[0].messages:,} messages per run, no rate limit; ideal = N x latency / threads. Paced: "
        f"{paced.messages:,} messages, limit {limit:,} requests per {per}, connection rate_limit_rpm="
        f"{limit}; 1st window = requests the server admitted in the window opened by the first "
        f"(the achieved rate). Drops: a fault stores {DROP_RATE:.0%} of the POSTs, then closes the "
        "connection unanswered. Requests as the server counted them; Duplicated = chats holding two "
        "messages or more; Lost = chats with none, or whose message the result misses or misnames.",
        rows,
        goals,
        notes,
        credits=[run.credits() for run in runs],
    )


if __name__ == "__main__":
    standalone(sending_messages)
