"""Client-side pacing under the API key's per-minute sliding-window rate limit.

Hand-written rather than ``limits``/``pyrate-limiter``: besides counting our own
requests it must adopt the server's ``X-RateLimit-Remaining`` (other hooks and
other workers share the key), which neither library models.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowPacer:
    """Let at most ``limit`` requests start in any ``window`` seconds; thread-safe.

    :param limit: requests allowed per window (the plan's RPM).
    :param window: the window's length in seconds (60 for apifansly).
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
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until a request may start, record it, and return the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._expire()
                if len(self._starts) < self.limit:
                    self._starts.append(now)
                    return waited
                wait = self._starts[0] + self.window - now
            self._sleep(wait)
            waited += wait

    def observe(self, remaining: int | None) -> None:
        """Adopt the server's count when it knows of more requests than we sent (a shared key).

        The unseen requests are recorded as made now: conservative, since they expire a
        little later than the server's, but it slows us down before a 429 rather than after.
        """
        if remaining is None:
            return
        with self._lock:
            now = self._expire()
            unseen = (self.limit - len(self._starts)) - max(0, remaining)
            self._starts.extend([now] * max(0, unseen))

    @property
    def remaining(self) -> int:
        """Requests that may start now without waiting."""
        with self._lock:
            self._expire()
            return max(0, self.limit - len(self._starts))

    def _expire(self) -> float:
        now = self._clock()
        while self._starts and self._starts[0] <= now - self.window:
            self._starts.popleft()
        return now
