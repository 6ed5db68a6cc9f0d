"""Client-side pacing under the API key's per-minute sliding-window rate limit, on a key others share.

Hand-written rather than ``limits``/``pyrate-limiter``: besides counting our own
requests it must learn from the server's answers what other hooks and other
workers spend on the same key, which neither library models.

The rules, as each worker applies them without talking to the others:

- **A slot belongs to whoever used it.** When one of our requests leaves the window, that slot
  is ours to use again at once. Each of the others' requests is theirs by our clock, for a window
  and a grace from the answer that first showed it (it started no later, so its owner reuses its
  slot before then); when no count came within a window, we probe again (``pacing_count.py``).
- **The others' requests in flight are read from the answers**: how many new ones our answers
  showed over the last seconds, times the age of our last count plus our latency. Not from our own
  concurrency, so a worker joining a busy key reaches its free slots at once. A count older than a
  second that showed room sends one request, alone, to learn what the others did since.
- **Free slots are claimed equally.** Any worker may take a slot nobody holds, whatever it
  already holds, as long as the others' requests in flight leave it free.
- **Above a fair share, yield.** A worker that sees the key full while others use it lowers its
  ceiling to three quarters of what it holds (at most every eighth of a window), then raises it
  by the limit per window. Below the ceiling it reuses its slots and claims free ones; above it,
  its expiring slots go free for the others (also a joiner whose probe was refused, whom no
  count shows). Equal increases and proportional decreases converge on equal shares (AIMD).
  Alone on a key, it never lowers its ceiling, so it uses the whole window.
- **A 429 holds the whole pacer.** For its ``X-RateLimit-Retry-After`` (or ``Retry-After``);
  without a usable one (none, or 0) for an eighth of the window, doubling on each 429 in a row,
  at most a window. From a server that sends no count, a 429 also teaches the limit: the requests
  we had in the window. That lower limit rises by an eighth after each window without a 429. A
  server that counts says with its wait when the key frees, and a 429 against a count that left
  room (a passing fault, a ``Remaining`` that misses the others) teaches no lower limit.
- **A hold longer than the task accepts stops the hook.** While the server's wait is longer than
  ``max_hold`` (the retry policy's ``max_retry_wait``), ``acquire`` raises
  ``FanslyRateLimitWaitError`` at once instead of sleeping; a hold the pacer guessed is cut to ``max_hold``.

Our own threads race to the server too: a request we started later may arrive first and be in
the count of an earlier one's answer. What such a count does not explain is held as the others'
until our requests in flight then are answered (``pacing_count.py``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from airflow_provider_apifansly.exceptions import FanslyRateLimitWaitError
from airflow_provider_apifansly.hooks.errors import retry_after_seconds
from airflow_provider_apifansly.hooks.pacing_count import OthersCount, int_header

# How long a slot of the others' that an answer shows left stays theirs: the owner reuses it as it
# leaves, and the grace covers the moment its waiting thread takes to wake and be counted.
SLOT_GRACE_SECONDS = 0.5
# The longest a waiting thread sleeps before looking again: an answer may free a claim meanwhile.
POLL_SECONDS = 0.1
# What a worker above its share keeps of what it holds when it sees the key full while others use it.
YIELD_KEEP = 0.75
# A hold for a 429 without a usable wait, and the spacing of yields, as a fraction of the window.
WINDOW_FRACTION = 1 / 8
# How old our last count may be before one request (none of ours in flight) goes to refresh it, when the
# others' requests since then, as their rate guesses them, leave no room in it.
STALE_COUNT_SECONDS = 1.0
# When an answer leaves this share of the limit or less, the key is full (and one slot at least).
FULL_SHARE = 0.02


class SlidingWindowPacer:
    """Let at most ``limit`` requests start in any ``window`` seconds on a key others may share; thread-safe.

    Call ``acquire`` before each request and ``observe`` with its answer's headers after it, from
    the same thread (each thread has one request in flight at a time).

    :param limit: requests allowed per window (the plan's RPM); a lower ``X-RateLimit-Limit`` wins.
    :param window: the window's length in seconds (60 for apifansly, plus a safety margin).
    :param max_hold: the longest wait the caller accepts (seconds; None: any): a 429 asking for
        longer makes ``acquire`` raise ``FanslyRateLimitWaitError`` until it has passed.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_hold: float | None = None,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self.max_hold = max_hold
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._own: deque[float] = (
            deque()
        )  # our requests' starts, kept for the grace after they leave the window
        self._others = OthersCount(window, SLOT_GRACE_SECONDS)
        self._mine = threading.local()  # the start of the request this thread has in flight
        self._server_limit: int | None = None
        self._counted = False  # whether any answer carried a count (else the server is silent)
        self._learned_limit: float | None = None  # taught by a 429 (None: none yet, or forgotten)
        self._learned_at = float("-inf")
        self._ceiling = float(limit)  # what we may hold: lowered when above our share, raised steadily
        self._ceiling_at = float("-inf")
        self._yielded_at = float("-inf")
        self._latency = 0.0  # our requests' time to answer, smoothed
        self._held_until = float("-inf")
        self._hold_asked = False  # whether the server asked for the hold in force (else we guessed it)
        self._refusals = 0  # 429s without a usable wait in a row
        # Until an answer tells what the key has left (at first, after a 429, after a window with no count),
        # one request at a time.
        self._probing = True

    def acquire(self) -> float:
        """Block until a request may start, record it, and return the seconds spent waiting.

        :raises FanslyRateLimitWaitError: the server asked for a wait longer than ``max_hold``.
        """
        waited = 0.0
        while (wait := self.try_acquire()) > 0:
            self._sleep(wait)
            waited += wait
        return waited

    def try_acquire(self) -> float:
        """Start a request now if one may (record it for this thread, return 0), else the seconds to wait."""
        with self._lock:
            now = self._expire()
            wait = self._wait(now)
            if wait <= 0:
                self._start(now)
            return wait

    def observe(
        self, headers: Mapping[str, str] | None, *, rate_limited: bool = False, started: float | None = None
    ) -> None:
        """Close this thread's request with its answer's headers (None: it got no answer).

        :param started: the request's start, for a caller stepping requests on one thread (a simulator);
            by default the one this thread started.
        """
        with self._lock:
            now = self._expire()
            if started is None:
                started = getattr(self._mine, "started", None)
            self._mine.started = None
            if started is not None:
                self._latency += (now - started - self._latency) / 4
            key_spent = self._key_spent(headers, rate_limited)
            self._others.answered(now, started, key_spent)
            if headers is None:
                return
            if rate_limited:
                self._refused(now, started, headers)
                self._probing = True  # one request at a time until an answer counts again
                return
            self._probing = False
            self._refusals = 0
            if key_spent is not None:
                self._others.learn(now, key_spent, started, self._own)
                self._maybe_yield(now, key_spent)

    def _refused(self, now: float, started: float | None, headers: Mapping[str, str]) -> None:
        """A 429: not in the server's window; hold the pacer, learn the limit, and yield if others are here."""
        if started is not None and started in self._own:
            self._own.remove(started)
        # A 429 teaches the limit only when the server sends no count: with one, the 429's wait says
        # when the key frees, and a 429 against a count that left room may be a passing fault.
        if not self._counted:
            self._learned_limit = max(1.0, self._own_in_window(now) + self._others.held)
            self._learned_at = now
        self._maybe_yield(now, None)
        wait = retry_after_seconds(headers)
        if wait is not None and wait > 0:
            self._hold(now + wait, asked=True)
            return
        self._refusals += 1
        guess = min(self.window, self.window * WINDOW_FRACTION * 2 ** (self._refusals - 1))
        if self.max_hold is not None and self.max_hold > 0:
            guess = min(guess, self.max_hold)
        self._hold(now + guess, asked=False)

    def _hold(self, until: float, *, asked: bool) -> None:
        if until > self._held_until:
            self._held_until, self._hold_asked = until, asked

    def _maybe_yield(self, now: float, key_spent: int | None) -> None:
        """Lower the ceiling when the key is full (or refused us) and others hold part of it."""
        limit = self._limit
        full = key_spent is None or key_spent >= limit - max(1, int(limit * FULL_SHARE))
        spacing = self.window * WINDOW_FRACTION
        if full and self._others.held >= 1 and now - self._yielded_at >= spacing:
            self._ceiling = min(self._ceiling_now(now), self._own_in_window(now) * YIELD_KEEP)
            self._ceiling_at = self._yielded_at = now

    def _key_spent(self, headers: Mapping[str, str] | None, rate_limited: bool) -> int | None:
        """The requests in the key's window when the server counted ours (None: the answer does not say).

        A lower ``X-RateLimit-Limit`` than ours is adopted on the way.
        """
        if headers is None:
            return None
        server_limit = int_header(headers, "X-RateLimit-Limit")
        if server_limit is not None and server_limit > 0:
            self._server_limit = server_limit
        remaining = None if rate_limited else int_header(headers, "X-RateLimit-Remaining")
        self._counted = self._counted or int_header(headers, "X-RateLimit-Remaining") is not None
        return None if remaining is None else (server_limit or self.limit) - max(0, remaining)

    @property
    def remaining(self) -> int:
        """Requests that may start now without waiting."""
        with self._lock:
            now = self._expire()
            if now < self._held_until:
                return 0
            in_window = self._own_in_window(now)
            reusable = len(self._own) - in_window  # our slots that left the window
            room = min(self._limit, int(self._ceiling_now(now))) - in_window
            return max(0, min(room, reusable + max(0, int(self._free(now)))))

    @property
    def _limit(self) -> int:
        limit = self.limit if self._server_limit is None else min(self.limit, self._server_limit)
        return limit if self._learned_limit is None else max(1, min(limit, int(self._learned_limit)))

    def _wait(self, now: float) -> float:
        """Seconds until a request may start (0: now), or until it is worth looking again."""
        if now < self._held_until:
            hold = self._held_until - now
            if self._hold_asked and self.max_hold is not None and hold > self.max_hold:
                raise _wait_error(hold, self.max_hold)
            return hold
        in_window = self._own_in_window(now)
        if in_window >= self._limit:
            return self._own[len(self._own) - in_window] + self.window - now
        if self._probing and self._others.in_flight:
            return POLL_SECONDS
        if in_window >= self._ceiling_now(now):
            return POLL_SECONDS
        if len(self._own) > in_window or self._free(now) >= 1:
            return 0.0
        counted = self._limit - len(self._own) - self._others.held
        if counted >= 1 and not self._others.in_flight and self._others.count_age(now) > STALE_COUNT_SECONDS:
            return 0.0  # our last count is old and showed room: one request learns what the others did since
        return POLL_SECONDS

    def _start(self, now: float) -> None:
        """Record a request: in a slot of ours that left the window if there is one, else in a claimed one."""
        if self._own and self._own[0] <= now - self.window:
            self._others.forget_own(self._own.popleft())
        self._own.append(now)
        self._others.started(now)
        self._mine.started = now

    def _free(self, now: float) -> float:
        """Slots nobody holds, less the others' requests that no answer of ours counts yet."""
        return self._limit - len(self._own) - self._others.held - int(self._others.unseen(now, self._latency))

    def _ceiling_now(self, now: float) -> float:
        """The ceiling, raised by the limit per window since it was last lowered."""
        elapsed = max(0.0, now - self._ceiling_at)
        return min(float(self.limit), self._ceiling + elapsed * self.limit / self.window)

    def _own_in_window(self, now: float) -> int:
        return sum(1 for start in self._own if start > now - self.window)

    def _expire(self) -> float:
        now = self._clock()
        horizon = now - self.window - SLOT_GRACE_SECONDS
        while self._own and self._own[0] <= horizon:
            self._others.forget_own(self._own.popleft())
        if self._others.expire(now):
            self._probing = True
        if self._learned_limit is not None and now - self._learned_at > self.window:
            self._learned_limit += self.limit * WINDOW_FRACTION  # a window without a 429: probe up
            self._learned_at = now
            if self._learned_limit >= self.limit:
                self._learned_limit = None
        return now


def until_utc(seconds: float) -> str:
    """When a wait of ``seconds`` from now ends, for messages: ``2026-12-05 23:59:01 UTC``."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S UTC")


def _wait_error(hold: float, max_hold: float) -> FanslyRateLimitWaitError:
    """The refusal to wait: how long, until when (UTC), and what to change."""
    return FanslyRateLimitWaitError(
        f"Not sent: the API's rate limit asked this hook to wait {hold:.0f} s more (until {until_utc(hold)}), "
        f"longer than max_retry_wait={max_hold:g} s; wait for the rate-limit window to pass or raise "
        "max_retry_wait.",
        http_status=429,
        retry_after=hold,
    )
