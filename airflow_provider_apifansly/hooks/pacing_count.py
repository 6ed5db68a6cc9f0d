"""What the server's counts teach a pacer about the others' requests on a shared key.

``X-RateLimit-Limit`` minus ``X-RateLimit-Remaining`` is what the key spent in the server's window
when it counted one of our requests; what our own requests do not explain, the others spent.
Each of the others' requests is held by our clock from the answer that first showed it, for a
window and a grace: it started no later than that, so its owner reuses its slot before then.
Our own threads race to the server: a request we started later may arrive first and be in
the count of an earlier one's answer. What such a count does not explain is held as the others'
until our requests in flight then are answered: each answer with a lower count than the earlier
one's arrived first, so one of those requests was ours; the rest (also if no answer came) were
the others'.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# How far back the others' new requests are counted to tell how fast they start them (seconds).
RATE_SPAN_SECONDS = 2.0
# The shortest span a rate is read over: a burst seen in one answer is not read as a rate without bound.
MIN_RATE_SPAN_SECONDS = 0.25


@dataclass
class _Unexplained:
    """Requests an answer counted that ours do not explain, unless some of ours then in flight arrived first."""

    since: float  # the count before that answer (-inf: none)
    seen: float  # when that answer came
    key_spent: int  # the key's count in that answer
    count: int  # how many of its requests may yet prove ours
    pending: list[float] = field(default_factory=list)  # the starts of ours that were in flight


class OthersCount:
    """The others' requests in the key's window, as our answers show them; the pacer's lock guards it.

    :param window: how long a slot stays its owner's (the pacer's window, a little over the server's).
    :param grace: how long past that a slot of the others' stays theirs: their thread's time to wake.
    """

    def __init__(self, window: float, grace: float) -> None:
        self.window = window
        self.grace = grace
        self._slots: deque[float] = deque()  # when an answer first showed each of the others' requests
        self._counted_at = float("-inf")  # when the last answer with a count came
        self._maybe_ours: list[_Unexplained] = []
        self._counts: dict[float, int] = {}  # the key's count in the answer to each of our requests
        self.in_flight: list[float] = []  # the starts of our requests not answered yet
        # (since, when, how many): the others' new requests that an answer showed, and the last count before it.
        self._arrivals: deque[tuple[float, float, int]] = deque()

    @property
    def held(self) -> int:
        """The others' slots: shown by a count within the window and grace, or maybe ours."""
        return len(self._slots) + sum(held.count for held in self._maybe_ours)

    def recent(self) -> int:
        """The others' requests our answers showed new within the rate span before our last count."""
        return sum(count for _, _, count in self._arrivals)

    def unseen(self, now: float, latency: float) -> float:
        """The others' requests no count of ours shows yet: started since our last count.

        They start new ones at the rate our recent answers show; they keep starting them for as long as
        our last count is old (up to the span the rate is read over), plus the time our next answer takes.
        """
        recent = self.recent()
        if not recent:
            return 0.0
        rate = recent / max(self._counted_at - self._arrivals[0][0], MIN_RATE_SPAN_SECONDS)
        age = min(RATE_SPAN_SECONDS, max(0.0, now - self._counted_at))
        return rate * (age + latency)

    def count_age(self, now: float) -> float:
        """Seconds since the last answer with a count."""
        return now - self._counted_at

    def started(self, start: float) -> None:
        """One of our requests started: in flight until answered."""
        self.in_flight.append(start)

    def forget_own(self, start: float) -> None:
        """One of our requests left the window for good."""
        self._counts.pop(start, None)

    def answered(self, now: float, started: float | None, key_spent: int | None) -> None:
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
                self._add(held.since, held.seen, held.count)

    def learn(self, now: float, key_spent: int, started: float | None, own: Iterable[float]) -> None:
        """Hold as the others' the requests in the server's count that ours and those we hold do not explain.

        Ours started before this one were counted; of those started after it, the ones whose
        answer counted less arrived first; the ones in flight may have, until they are answered.
        A count below what we hold changes nothing: a slot of theirs stays theirs until our clock
        says its owner had the time to reuse it.
        """
        if started is not None:
            self._counts[started] = key_spent
        since, self._counted_at = self._counted_at, now
        self._drop_arrivals(now)
        horizon = now - self.window
        ours = sum(
            1
            for start in own
            if start > horizon
            and (started is None or start <= started or self._counts.get(start, key_spent) < key_spent)
        )
        in_window = sum(1 for seen in self._slots if seen > horizon)
        unseen = key_spent - ours - in_window - sum(held.count for held in self._maybe_ours)
        if unseen <= 0:
            return
        later = [start for start in self.in_flight if started is not None and start > started]
        maybe_ours = min(unseen, len(later))
        if maybe_ours:
            self._maybe_ours.append(_Unexplained(since, now, key_spent, maybe_ours, later))
        self._add(since, now, unseen - maybe_ours)

    def _add(self, since: float, seen: float, count: int) -> None:
        """Hold ``count`` of the others' requests first seen at ``seen``, new since ``since`` (not on a first count)."""
        if count <= 0:
            return
        self._slots.extend([seen] * count)
        if since > float("-inf"):  # a first count shows what the others had, not how fast they start more
            self._arrivals.append((since, seen, count))

    def _drop_arrivals(self, now: float) -> None:
        while self._arrivals and self._arrivals[0][1] <= now - RATE_SPAN_SECONDS:
            self._arrivals.popleft()

    def expire(self, now: float) -> bool:
        """Drop the slots our clock gave back; True when no count came within a window (probe again)."""
        while self._slots and self._slots[0] <= now - self.window - self.grace:
            self._slots.popleft()
        if now - self._counted_at <= self.window:
            return False
        self._maybe_ours.clear()  # no count within a window: what we guessed of the others says nothing of now
        self._arrivals.clear()
        forgot, self._counted_at = self._counted_at > float("-inf"), float("-inf")
        return forgot


def int_header(headers: Mapping[str, Any], name: str) -> int | None:
    """A header's integer value (None: absent or not an integer)."""
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
