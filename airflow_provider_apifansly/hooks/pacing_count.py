"""What the server's counts teach a pacer about the others' requests on a shared key.

``X-RateLimit-Limit`` minus ``X-RateLimit-Remaining`` is what the key spent in the server's window
when it counted one of our requests; what our own requests do not explain, the others spent.
Our own threads race to the server: a request we started later may arrive first and be in the
count of an earlier one's answer. What such a count does not explain is held as the others'
until our requests in flight then are answered: each answer with a lower count than the earlier
one's arrived first, so one of those requests was ours; the rest (also if no answer came) were
the others'.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# How far back the others' count is compared to tell how fast it grows (seconds).
GROWTH_SPAN_SECONDS = 2.0


@dataclass
class _Unexplained:
    """Requests an answer counted that ours do not explain, unless some of ours then in flight arrived first."""

    key_spent: int  # the key's count in that answer
    count: int  # how many of its requests may yet prove ours
    pending: list[float] = field(default_factory=list)  # the starts of ours that were in flight


class OthersCount:
    """The others' requests in the key's window, as our answers show them; the pacer's lock guards it."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._others = 0  # the others' requests in the server's window, as its last count showed them
        # When each of the others' requests that an answer showed leaving the window left: theirs for the grace.
        self._left: deque[float] = deque()
        self._counted_at = float("-inf")  # when the last answer with a count came
        self._maybe_ours: list[_Unexplained] = []
        self._counts: dict[float, int] = {}  # the key's count in the answer to each of our requests
        self.in_flight: list[float] = []  # the starts of our requests not answered yet
        self._samples: deque[tuple[float, int]] = deque()  # (when, the others' count) of recent answers

    @property
    def held(self) -> int:
        """The others' requests we hold in the window: counted, just left (grace), or maybe ours."""
        return self._others + len(self._left) + sum(held.count for held in self._maybe_ours)

    def unseen(self, now: float, latency: float) -> float:
        """The others' requests no count of ours shows yet: their count's growth since our last count.

        It grew at the rate our recent answers show; it keeps growing for as long as our last count
        is old (up to the span the rate is read over), plus the time our next answer takes.
        """
        if len(self._samples) < 2:
            return 0.0
        (first, before), (last, after) = self._samples[0], self._samples[-1]
        if after <= before or last <= first:
            return 0.0
        age = min(
            GROWTH_SPAN_SECONDS, max(0.0, now - self._counted_at)
        )  # no guess of a count's growth beyond that
        return (after - before) / (last - first) * (age + latency)

    def started(self, start: float) -> None:
        """One of our requests started: in flight until answered."""
        self.in_flight.append(start)

    def forget_own(self, start: float) -> None:
        """One of our requests left the window for good."""
        self._counts.pop(start, None)

    def answered(self, started: float | None, key_spent: int | None) -> None:
        """Our request is answered (``key_spent`` None: no count): settle what earlier answers could not tell."""
        if started is None:
            return
        if started in self.in_flight:
            self.in_flight.remove(started)
        for held in [held for held in self._maybe_ours if started in held.pending]:
            held.pending.remove(started)
            if key_spent is not None and key_spent < held.key_spent and held.count > 0:
                held.count -= 1  # it arrived before that answer's request: it was ours
            if not held.pending or not held.count:
                self._maybe_ours.remove(held)
                self._others += held.count

    def learn(self, now: float, key_spent: int, started: float | None, own: Iterable[float]) -> None:
        """Hold as the others' the requests in the server's count that ours do not explain.

        Ours started before this one were counted; of those started after it, the ones whose
        answer counted less arrived first; the ones in flight may have, until they are answered.
        If the count explains fewer of the others' than we hold, the oldest left its window.
        """
        if started is not None:
            self._counts[started] = key_spent
        self._counted_at = now
        horizon = now - self.window
        ours = sum(
            1
            for start in own
            if start > horizon
            and (started is None or start <= started or self._counts.get(start, key_spent) < key_spent)
        )
        later = [start for start in self.in_flight if started is not None and start > started]
        maybe_ours_count = sum(held.count for held in self._maybe_ours)
        unseen = key_spent - ours - self._others - maybe_ours_count
        left = min(-unseen, self._others)
        if left > 0:
            self._others -= left
            self._left.extend([now] * left)
        if unseen > 0:
            maybe_ours = min(unseen, len(later))
            if maybe_ours:
                self._maybe_ours.append(_Unexplained(key_spent, maybe_ours, later))
            self._others += unseen - maybe_ours
        self._samples.append((now, self._others + sum(held.count for held in self._maybe_ours)))
        while len(self._samples) > 2 and self._samples[1][0] <= now - GROWTH_SPAN_SECONDS:
            self._samples.popleft()

    def expire(self, now: float, grace: float) -> bool:
        """Drop what the grace or the window made stale; True when a count older than the window was forgotten."""
        while self._left and self._left[0] <= now - grace:
            self._left.popleft()
        if now - self._counted_at > self.window and (self._others or self._maybe_ours):
            self._others = 0  # what we held of the others says nothing of now
            self._maybe_ours.clear()
            self._samples.clear()
            return True
        return False


def int_header(headers: Mapping[str, Any], name: str) -> int | None:
    """A header's integer value (None: absent or not an integer)."""
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
