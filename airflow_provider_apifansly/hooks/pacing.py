"""Client-side pacing under the API key's per-minute sliding-window rate limit, on a key others share.

Hand-written rather than ``limits``/``pyrate-limiter``: besides counting our own
requests it must learn from the server's headers what other hooks and other
workers spend on the same key, which neither library models.

Sharing without talking to the others rests on three rules.

- **A slot belongs to whoever used it.** When one of our requests leaves the window, that
  slot is ours to use again at once; the others' slots stay theirs for a short grace after
  an answer shows they left. So at a window's turn every worker reuses its own slots and
  none races another for them.
- **Only the server says the others' requests left.** We never see when the others started
  theirs, so we hold them until an answer counts fewer, not until our clock guesses they
  left; a count older than the window says nothing of now, so we then forget them and
  probe again.
- **The others are as busy as we are.** Slots nobody holds (``X-RateLimit-Remaining`` says
  how many) are claimed by each worker in proportion to the slots it holds, less what the
  others may have in flight: as many per slot of theirs as we can have per slot of ours.
  So the last free ones are not all taken at once by every worker.

A 429's ``X-RateLimit-Retry-After`` (or ``Retry-After``) holds the whole pacer, every thread,
until the window frees.

Our own threads race to the server too: a request we started later may arrive first and be in
the count of an earlier one's answer. What such a count does not explain is held as the others'
until our requests in flight then are answered: each answer with a lower count than the earlier
one's arrived first, so one of those requests was ours; the rest (also if no answer came) were
the others'.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_apifansly.hooks.errors import retry_after_seconds

# How long a slot of the others' that an answer shows left stays theirs: the owner reuses it as it
# leaves, and the grace covers the moment its waiting thread takes to wake and be counted.
SLOT_GRACE_SECONDS = 0.5
# The longest a waiting thread sleeps before looking again: an answer may free a claim meanwhile.
POLL_SECONDS = 0.1


@dataclass
class _Unexplained:
    """Requests an answer counted that ours do not explain, unless some of ours then in flight arrived first."""

    key_spent: int  # the key's count in that answer
    count: int  # how many of its requests may yet prove ours
    pending: list[float] = field(default_factory=list)  # the starts of ours that were in flight


class SlidingWindowPacer:
    """Let at most ``limit`` requests start in any ``window`` seconds on a key others may share; thread-safe.

    Call ``acquire`` before each request and ``observe`` with its answer's headers after it, from
    the same thread (each thread has one request in flight at a time).

    :param limit: requests allowed per window (the plan's RPM); a lower ``X-RateLimit-Limit`` wins.
    :param window: the window's length in seconds (60 for apifansly, plus a safety margin).
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        # Our requests' starts, kept for the grace after they leave the window: the slots we hold.
        self._own: deque[float] = deque()
        self._others = 0  # the others' requests in the server's window, as its last count showed them
        # When each of the others' requests that an answer showed leaving the window left: theirs for the grace.
        self._others_left: deque[float] = deque()
        self._counted_at = float("-inf")  # when the last answer with a count came
        # Others' requests an answer showed that may be our own later ones, which arrived first.
        self._maybe_ours: list[_Unexplained] = []
        self._counts: dict[float, int] = {}  # the key's count in the answer to each of our requests
        self._in_flight: list[float] = []  # the starts of our requests not answered yet
        self._concurrency = 1  # the most requests we have had in flight at once
        self._mine = threading.local()  # the start of the request this thread has in flight
        self._server_limit: int | None = None
        # Until an answer tells what the key has left (at first, after a 429, after a window with no count),
        # one request at a time.
        self._probing = True
        self._held_until = float("-inf")

    def acquire(self) -> float:
        """Block until a request may start, record it, and return the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._expire()
                wait = self._wait(now)
                if wait <= 0:
                    self._start(now)
                    return waited
            self._sleep(wait)
            waited += wait

    def observe(self, headers: Mapping[str, str] | None, *, rate_limited: bool = False) -> None:
        """Close this thread's request with its answer's headers (None: it got no answer).

        ``X-RateLimit-Limit`` minus ``X-RateLimit-Remaining`` is what the key spent in the server's
        window; what our own requests that reached the server first do not explain, the others
        spent (``_learn_others``). A 429's retry header holds every thread until then; its
        ``Remaining: 0`` says nothing of when the window frees, so it is not adopted.
        """
        with self._lock:
            now = self._expire()
            started = getattr(self._mine, "started", None)
            self._mine.started = None
            if started is not None and started in self._in_flight:
                self._in_flight.remove(started)
            key_spent = self._key_spent(headers, rate_limited)
            if started is not None:
                self._settle_maybe_ours(now, started, key_spent)
            if headers is None:
                return
            self._probing = rate_limited  # an answer, unless a 429, ends probing
            if rate_limited:
                if started is not None and started in self._own:
                    self._own.remove(started)  # refused, so not in the server's window
                wait = retry_after_seconds(headers)
                if wait is not None:
                    self._held_until = max(self._held_until, now + wait)
                return
            if key_spent is not None:
                if started is not None:
                    self._counts[started] = key_spent
                self._counted_at = now
                self._learn_others(now, key_spent, started)

    def _key_spent(self, headers: Mapping[str, str] | None, rate_limited: bool) -> int | None:
        """The requests in the key's window when the server counted ours (None: the answer does not say).

        A lower ``X-RateLimit-Limit`` than ours is adopted on the way.
        """
        if headers is None or rate_limited:
            return None
        server_limit = _int_header(headers, "X-RateLimit-Limit")
        if server_limit is not None and server_limit > 0:
            self._server_limit = server_limit
        remaining = _int_header(headers, "X-RateLimit-Remaining")
        return None if remaining is None else (server_limit or self.limit) - max(0, remaining)

    def _settle_maybe_ours(self, now: float, started: float, key_spent: int | None) -> None:
        """Settle what earlier answers could not tell with this request's answer (None: no count)."""
        for held in [held for held in self._maybe_ours if started in held.pending]:
            held.pending.remove(started)
            if key_spent is not None and key_spent < held.key_spent and held.count > 0:
                held.count -= 1  # it arrived before that answer's request: it was ours
            if not held.pending or not held.count:
                self._maybe_ours.remove(held)
                self._others += held.count

    @property
    def remaining(self) -> int:
        """Requests that may start now without waiting."""
        with self._lock:
            now = self._expire()
            if now < self._held_until:
                return 0
            in_window = self._own_in_window(now)
            reusable = len(self._own) - in_window  # our slots that left the window
            room = self._limit - in_window
            return max(0, min(room, reusable + int(self._claimable())))

    @property
    def _limit(self) -> int:
        return self.limit if self._server_limit is None else min(self.limit, self._server_limit)

    def _wait(self, now: float) -> float:
        """Seconds until a request may start (0: now), or until it is worth looking again."""
        if now < self._held_until:
            return self._held_until - now
        in_window = self._own_in_window(now)
        if in_window >= self._limit:
            return self._own[len(self._own) - in_window] + self.window - now
        if self._probing and self._in_flight:
            return POLL_SECONDS
        if len(self._own) > in_window or self._claimable() >= 1:
            return 0.0
        return POLL_SECONDS

    def _start(self, now: float) -> None:
        """Record a request: in a slot of ours that left the window if there is one, else in a claimed one."""
        if self._own and self._own[0] <= now - self.window:
            self._counts.pop(self._own.popleft(), None)
        self._own.append(now)
        self._in_flight.append(now)
        self._concurrency = max(self._concurrency, len(self._in_flight))
        self._mine.started = now

    def _claimable(self) -> float:
        """Our share of the slots nobody holds, as our share of the slots held (counting the next one).

        The others' requests in flight are in no answer yet; they are reckoned to be as many
        per slot of theirs as we can have in flight per slot of ours (busy, even when our own
        threads wait). Whether the others are idle or waiting for a slot, no answer says: so
        a worker takes only its share, even alone.
        """
        own = len(self._own)
        others = self._others + len(self._others_left) + self._maybe_ours_count
        others_in_flight = self._concurrency * others / max(1, own)
        free = self._limit - own - others - others_in_flight
        return free * (own + 1) / (own + 1 + others)

    def _learn_others(self, now: float, key_spent: int, started: float | None) -> None:
        """Hold as the others' the requests in the server's count that ours do not explain.

        Ours started before this one were counted; of those started after it, the ones whose
        answer counted less arrived first; the ones in flight may have, until they are answered.
        If the count explains fewer of the others' than we hold, the oldest left its window.
        """
        horizon = now - self.window
        ours = sum(
            1
            for start in self._own
            if start > horizon
            and (started is None or start <= started or self._counts.get(start, key_spent) < key_spent)
        )
        later = [start for start in self._in_flight if started is not None and start > started]
        unseen = key_spent - ours - self._others - self._maybe_ours_count
        left = min(-unseen, self._others)
        if left > 0:
            self._others -= left
            self._others_left.extend([now] * left)
        if unseen > 0:
            maybe_ours = min(unseen, len(later))
            if maybe_ours:
                self._maybe_ours.append(_Unexplained(key_spent, maybe_ours, later))
            self._others += unseen - maybe_ours

    @property
    def _maybe_ours_count(self) -> int:
        return sum(held.count for held in self._maybe_ours)

    def _own_in_window(self, now: float) -> int:
        return sum(1 for start in self._own if start > now - self.window)

    def _expire(self) -> float:
        now = self._clock()
        horizon = now - self.window - SLOT_GRACE_SECONDS
        while self._own and self._own[0] <= horizon:
            self._counts.pop(self._own.popleft(), None)
        while self._others_left and self._others_left[0] <= now - SLOT_GRACE_SECONDS:
            self._others_left.popleft()
        if now - self._counted_at > self.window and (self._others or self._maybe_ours):
            self._forget_others()
        return now

    def _forget_others(self) -> None:
        """No count within the window: what we held of the others says nothing of now, so probe again."""
        self._others = 0
        self._maybe_ours.clear()
        self._probing = True


def _int_header(headers: Mapping[str, Any], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
