"""Scenario 11: broadcasts and retries: what re-engaging expired subscribers costs, and what a task's retry reads.

Re-engaging N expired subscribers by one broadcast is one request; by one message per
fan it is N. And a batch whose first try fails part-way: the retry reads each chat once
(one credit each) and sends only what the first try did not deliver.
Run it alone with ``python bench/broadcasts.py [--quick]``.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from typing import TYPE_CHECKING

from clients import connect, counted_hook, fan_ids
from remote_sandbox import Hit, RemoteSandbox
from report import Goal, Section, ratio, seconds
from scenario import LATENCY, Sizes, standalone

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, Fault, SandboxConfig

if TYPE_CHECKING:
    from airflow_provider_apifansly.bulk import BulkResult

QUIET = logging.getLogger("bench.quiet")
FAILED_SENDS = 0.05  # of the first try's sends answered 503 before anything is stored
CONCURRENCY = 8


def _count(hits: list[Hit], method: str, suffix: str) -> int:
    return sum(hit.method == method and hit.path.endswith(suffix) for hit in hits)


def broadcasts(sizes: Sizes, latency: float = LATENCY) -> Section:
    """Re-engaging ``broadcast_fans`` fans both ways, then a part-way failed batch of ``retry_chats`` and its retry."""
    from airflow_provider_apifansly.bulk import send_messages

    fans = sizes.broadcast_fans
    with RemoteSandbox(SandboxConfig(rpm=None, latency=latency)) as sandbox:
        connect(sandbox, "bench_broadcast", rate_limit_rpm=0)
        hook, _ = counted_hook("bench_broadcast", pool_size=CONCURRENCY)
        started = time.perf_counter()
        sent = hook.send_mass_message("We miss you!", include_expired_subscribers=True)
        broadcast_wall = time.perf_counter() - started
        broadcast_requests = len(sandbox.hits())
        chats = sandbox.seed_chats(fan_ids(0, fans))
        hook, _ = counted_hook("bench_broadcast", pool_size=CONCURRENCY)
        started = time.perf_counter()
        per_fan = send_messages(hook, dict.fromkeys(chats.values(), "We miss you!"), log=QUIET)
        per_fan_wall = time.perf_counter() - started
        per_fan_requests = len(sandbox.hits()) - broadcast_requests
        hook.close()

    count = sizes.retry_chats
    fault = Fault(kind="status", status=503, first_n=round(count * FAILED_SENDS), method="POST")
    with RemoteSandbox(SandboxConfig(rpm=None, latency=latency, faults=[fault])) as sandbox:
        connect(sandbox, "bench_retry", rate_limit_rpm=0)
        batch = dict.fromkeys(sandbox.seed_chats(fan_ids(fans, count)).values(), "Your weekly update")
        tries = []
        for sent_since in (
            None,
            int(time.time() * 1000),
        ):  # the retry's bound (epoch ms): when the first try began
            hook, _ = counted_hook("bench_retry", pool_size=CONCURRENCY)
            transport = hook.transport  # the hook's own retries off: a 503 fails the send, and so the try
            transport.retry_policy = dataclasses.replace(transport.retry_policy, max_retries=0)
            before = len(sandbox.hits())
            started = time.perf_counter()
            result = send_messages(hook, batch, sent_since=sent_since, log=QUIET)
            hits = sandbox.hits()[before:]
            tries.append((result, hits, time.perf_counter() - started))
            hook.close()
        per_chat = Counter(
            r.group_id for r in sandbox.messages() if r.message["senderId"] == DEFAULT_CREATOR_ID
        )
    broadcast = (fans, sent.get("id"), broadcast_requests, broadcast_wall)
    return _section(
        broadcast, (per_fan.done, per_fan_requests, per_fan_wall), tries, per_chat, batch, latency
    )


def _section(
    broadcast: tuple[int, object, int, float],
    per_fan: tuple[dict[str, str], int, float],
    tries: list[tuple[BulkResult, list[Hit], float]],
    per_chat: Counter[str],
    batch: dict[str, str],
    latency: float,
) -> Section:
    fans, broadcast_id, broadcast_requests, broadcast_wall = broadcast
    per_fan_done, per_fan_requests, per_fan_wall = per_fan
    count = len(batch)
    saving = per_fan_requests / broadcast_requests
    rows = [
        ["Run", "Fans / chats", "POST", "GET chat", "GET /me", "Credits", "Extra reads / chat", "Wall"],
        [
            "one broadcast to expired subscribers",
            f"{fans:,}",
            str(broadcast_requests),
            "0",
            "0",
            str(broadcast_requests),
            "-",
            seconds(broadcast_wall),
        ],
        [
            "one message per fan",
            f"{fans:,}",
            f"{per_fan_requests:,}",
            "0",
            "0",
            f"{per_fan_requests:,}",
            "-",
            seconds(per_fan_wall),
        ],
    ]
    reads = []
    for label, (_, hits, wall) in zip(("first try", "retry"), tries, strict=True):
        posts, gets, me = (
            _count(hits, "POST", "/messages"),
            _count(hits, "GET", "/messages"),
            _count(hits, "GET", "/me"),
        )
        reads.append(gets)
        row = [f"{posts:,}", f"{gets:,}", str(me), f"{len(hits):,}", ratio(gets / count), seconds(wall)]
        rows.append([f"batch, {label}", f"{count:,}", *row])
    failed_first = len(tries[0][0].failed)
    exactly_once = per_chat == Counter(dict.fromkeys(batch, 1))
    reached = len(per_fan_done)
    once = "exactly 1" if exactly_once else "not 1"
    goals = [
        Goal(
            "Broadcast: credits for all expired subscribers",
            "1",
            str(broadcast_requests),
            broadcast_requests == 1,
        ),
        Goal("Broadcast returned its id", "an id", str(broadcast_id), broadcast_id is not None),
        Goal("One message per fan: every fan reached", f"{fans:,}", f"{reached:,}", reached == fans),
        Goal("Retry: reads per chat", "<= 1.00", ratio(reads[1] / count), reads[1] <= count),
        Goal("After the retry: messages per chat", "exactly 1", once, exactly_once),
    ]
    notes = [
        f"Re-engaging {fans:,} expired subscribers: one broadcast is {broadcast_requests} credit; one "
        f"message per fan is {per_fan_requests:,} credits, {saving:,.0f}x more (the chats were seeded, so "
        "opening them, another credit per fan without skip_existing, is not counted).",
        f"Batch: the first {failed_first} of {count:,} sends ({FAILED_SENDS:.0%}) answered 503 before storing and "
        "the hook's own retries were off, so the try failed part-way. A 503 may have stored, so the first try "
        "reads each such chat once (its in-try protection); a first try without failures reads nothing. The "
        "retry (sent_since = when the first try began) reads every chat once plus one GET /me, and sends "
        "only the messages the first try did not deliver.",
    ]
    return Section(
        "11. Broadcasts and retries: one request for an audience; what a task retry reads",
        f"{latency * 1000:.0f} ms latency, no rate limit, {CONCURRENCY} threads, a fresh sandbox per part.",
        rows,
        goals,
        notes,
    )


if __name__ == "__main__":
    standalone(broadcasts)
