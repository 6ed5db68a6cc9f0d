"""A deterministic discrete-event simulator: hooks' pacers on a virtual clock against a reference server.

The server is written from the contract, not from the pacer: one API key, a sliding window of
``window`` seconds holding at most ``limit`` requests, ``X-RateLimit-Limit``/``Remaining`` on every
answer and, on a 429, ``X-RateLimit-Retry-After`` = whole seconds until a slot frees. Each behaviour
the issue names can be switched (no rate headers, no retry header, a Retry-After of 0, a Remaining
counting only the caller's account, a fixed long Retry-After).

A hook is a ``SlidingWindowPacer`` stepped through ``try_acquire`` / ``observe(started=...)`` by
simulated threads, each running its calls one after another with the retry policy's rules
(the server's wait when it gives one, else full-jitter backoff; at most 4 retries; a wait longer
than ``max_retry_wait`` fails the call, and a ``FanslyRateLimitWaitError`` stops the hook's run as
``bulk.run_batch`` does). No real thread and no real sleep: every figure is exact and repeatable.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from airflow_provider_apifansly.exceptions import FanslyRateLimitWaitError
from airflow_provider_apifansly.hooks.pacing import SlidingWindowPacer

MAX_RETRIES = 4
BACKOFF_BASE = 0.5


@dataclass
class Server:
    """The reference server: one key's sliding window and the headers of its answers."""

    limit: int = 240
    window: float = 60.0
    rate_headers: bool = True  # X-RateLimit-Limit/Remaining on every answer
    retry_header: bool = True  # X-RateLimit-Retry-After on a 429
    retry_after: float | None = None  # announce this on every 429 instead of the true wait (e.g. 0, or 600)
    per_account: bool = False  # Remaining counts only the caller's account's requests
    accepted: deque[tuple[float, str]] = field(default_factory=deque)  # (arrival, account)
    refused: int = 0

    def handle(self, now: float, account: str) -> tuple[int, dict[str, str]]:
        """Admit or refuse one request arriving ``now``: its status and headers."""
        while self.accepted and self.accepted[0][0] <= now - self.window:
            self.accepted.popleft()
        if len(self.accepted) >= self.limit:
            self.refused += 1
            headers = self._rate(account, spent=self.limit)
            if self.retry_header:
                wait = self.accepted[0][0] + self.window - now
                announced = self.retry_after if self.retry_after is not None else max(1, math.ceil(wait))
                headers["X-RateLimit-Retry-After"] = f"{announced:g}"
            return 429, headers
        self.accepted.append((now, account))
        spent = len(self.accepted)
        if self.per_account:
            spent = sum(1 for _, whose in self.accepted if whose == account)
        return 200, self._rate(account, spent)

    def _rate(self, account: str, spent: int) -> dict[str, str]:
        if not self.rate_headers:
            return {}
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.limit - spent)}


@dataclass
class Hook:
    """One worker's hook: its pacer, threads, work and what became of it."""

    name: str
    start: float = 0.0
    threads: int = 3
    calls: int | None = None  # None: unending work
    latency: float = 0.05
    account: str = "acct"
    max_retry_wait: float = 60.0
    rpm: int | None = None  # the pacer's configured limit (None: the server's)
    paced: bool = True  # False: a client sending at a fixed rate, ignoring answers (background load)
    interval: float = 0.0  # an unpaced client's time between requests
    pacer: SlidingWindowPacer | None = None
    admitted: list[float] = field(default_factory=list)  # arrival of each accepted request
    calls_done: list[tuple[float, float]] = field(default_factory=list)  # (began, ended) of each call
    refused: int = 0
    failed: list[str] = field(default_factory=list)
    stopped: FanslyRateLimitWaitError | None = None
    sent_during_stop: int = 0
    _next: int = 0

    def take(self) -> bool:
        """Claim the next call of the work (False: none left, or the run stopped)."""
        if self.stopped is not None or (self.calls is not None and self._next >= self.calls):
            return False
        self._next += 1
        return True

    def per_minute(self, begin: float, end: float) -> list[int]:
        """Accepted requests in each whole minute from ``begin`` to ``end``."""
        minutes = int((end - begin) // 60)
        return [
            sum(1 for t in self.admitted if begin + 60 * m <= t < begin + 60 * (m + 1))
            for m in range(minutes)
        ]


class Simulation:
    """Runs hooks against one server on a virtual clock until ``until`` or all work is done."""

    def __init__(
        self, server: Server, hooks: list[Hook], *, seed: int = 33, window_margin: float = 0.5
    ) -> None:
        self.server = server
        self.hooks = hooks
        self.now = 0.0
        self._events: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = 0
        self._random = random.Random(seed)
        for hook in hooks:
            if hook.paced:
                hook.pacer = SlidingWindowPacer(
                    hook.rpm or server.limit,
                    server.window + window_margin,
                    clock=lambda: self.now,
                    max_hold=hook.max_retry_wait,
                )
            for thread in range(hook.threads):
                self._at(hook.start + thread * 1e-4, lambda hook=hook: self._next_call(hook))

    def run(self, until: float) -> Simulation:
        while self._events and self._events[0][0] <= until:
            when, _, action = heapq.heappop(self._events)
            self.now = when
            action()
        self.now = until
        return self

    def _at(self, when: float, action: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self._events, (when, self._seq, action))

    def _next_call(self, hook: Hook) -> None:
        if not hook.take():
            return
        if not hook.paced:
            self._send(hook, self.now, 0, None)
            return
        self._attempt(hook, began=self.now, retries=0)

    def _attempt(self, hook: Hook, began: float, retries: int) -> None:
        assert hook.pacer is not None
        if hook.stopped is not None:
            hook.failed.append(f"not done: {hook.stopped}")
            return self._at(self.now, lambda: self._next_call(hook))
        try:
            wait = hook.pacer.try_acquire()
        except FanslyRateLimitWaitError as exc:
            hook.stopped = hook.stopped or exc
            hook.failed.append(str(exc))
            return self._at(self.now, lambda: self._next_call(hook))
        if wait > 0:
            return self._at(self.now + wait, lambda: self._attempt(hook, began, retries))
        self._send(hook, began, retries, self.now)

    def _send(self, hook: Hook, began: float, retries: int, started: float | None) -> None:
        latency = hook.latency * (0.8 + 0.4 * self._random.random())
        arrival = self.now + latency / 2
        if hook.stopped is not None:
            hook.sent_during_stop += 1

        def arrive() -> None:
            status, headers = self.server.handle(self.now, hook.account)
            if status == 200:
                hook.admitted.append(self.now)
            else:
                hook.refused += 1
            self._at(
                self.now + latency / 2, lambda: self._answer(hook, began, retries, started, status, headers)
            )

        self._at(arrival, arrive)

    def _answer(
        self,
        hook: Hook,
        began: float,
        retries: int,
        started: float | None,
        status: int,
        headers: dict[str, str],
    ) -> None:
        if not hook.paced:
            return self._at(began + hook.interval, lambda: self._next_call(hook))
        assert hook.pacer is not None
        hook.pacer.observe(headers, rate_limited=status == 429, started=started)
        if status == 200:
            hook.calls_done.append((began, self.now))
            return self._at(self.now, lambda: self._next_call(hook))
        retry_after = _seconds(headers)
        if retry_after is not None and retry_after > hook.max_retry_wait:
            error = FanslyRateLimitWaitError(
                f"Rate limit exceeded (429); the server asked to wait {retry_after:g} s"
            )
            hook.stopped = hook.stopped or error
            hook.failed.append(str(error))
            return self._at(self.now, lambda: self._next_call(hook))
        if retries >= MAX_RETRIES:
            hook.failed.append("Rate limit exceeded (429): retries spent")
            return self._at(self.now, lambda: self._next_call(hook))
        if retry_after is None:
            retry_after = self._random.uniform(0, min(hook.max_retry_wait, BACKOFF_BASE * 2 ** (retries + 1)))
        self._at(self.now + retry_after, lambda: self._attempt(hook, began, retries + 1))

    # Figures over every hook.
    @property
    def admitted(self) -> list[float]:
        return sorted(t for hook in self.hooks for t in hook.admitted)

    @property
    def refused(self) -> int:
        return self.server.refused

    def finish_ratio(self, total: int) -> float:
        """When the last of ``total`` requests was admitted, over the earliest any pacing could (from the first start).

        The earliest: full windows one after another, the last one's share sent at one request per slot-time.
        """
        begin = min(hook.start for hook in self.hooks)
        windows = math.ceil(total / self.server.limit) - 1
        earliest = windows * self.server.window + (total - windows * self.server.limit) / self.server.limit
        last = self.admitted[total - 1] - begin
        return last / max(earliest, 1e-9)

    def slots_per_window(self) -> list[int]:
        begin = min(hook.start for hook in self.hooks)
        stamps = self.admitted
        count = math.ceil((stamps[-1] - begin) / self.server.window) if stamps else 0
        window = self.server.window
        return [
            sum(1 for t in stamps if begin + k * window <= t < begin + (k + 1) * window) for k in range(count)
        ]


def _seconds(headers: dict[str, str]) -> float | None:
    value = headers.get("X-RateLimit-Retry-After")
    return None if value is None else float(value)
