"""What the sandbox remembers across resources, behind one lock shared by every handler thread.

It holds the id sequence, the per-key sliding rate windows and credit use,
fault counters, the journal and counters, and one store per resource group
(created on first use, forgotten on reset). Snapshots handed to tests are
copies, so they never change under a reader.
"""

from __future__ import annotations

import itertools
import math
import random
import threading
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from airflow_provider_apifansly.sandbox.billing import ADMISSION_CREDITS

if TYPE_CHECKING:  # config is built from the resources, which import this module
    from airflow_provider_apifansly.sandbox.config import Fault

# Resource ids: 18-digit snowflake-like strings, increasing and unique per sandbox.
_FIRST_ID = 800_000_000_000_000_001


@dataclass(frozen=True)
class JournalEntry:
    """One request as the sandbox saw it; the API key appears only as a fingerprint.

    :param status: the HTTP status sent, or None when the connection was dropped.
    :param started: ``time.monotonic()`` when the request was read.
    :param body: the request body: parsed JSON, else the raw text, else None.
    :param key: ``key:<8 hex digits of its SHA-256>``, or None when no key was sent.
    :param fault: the kind of fault injected into this request, if any.
    """

    method: str
    path: str
    status: int | None
    started: float
    duration_s: float
    body: Any
    key: str | None
    fault: str | None


@dataclass
class Counters:
    """Running totals since start or the last reset."""

    requests: int = 0
    rate_limited: int = 0
    credits: int = 0  # billed to any key, by ``billing.py`` (the sandbox's own reading of the contract)
    groups_created: int = 0
    messages_sent: int = 0
    faults_injected: int = 0


# The counters a resource store adds to; the others count requests, which the world sees itself.
ResourceCounter = Literal["groups_created", "messages_sent"]


@dataclass(frozen=True)
class Admission:
    """The rate-limit and credit verdict on one request of a known key.

    :param remaining: requests left in the window after this one, as ``X-RateLimit-Remaining`` says it: of the
        key, or of the request's account when admitted with one (None: unlimited plan).
    :param retry_after: whole seconds until the oldest request leaves the window (429 only).
    """

    verdict: Literal["accepted", "rate_limited", "no_credits"]
    remaining: int | None
    retry_after: int | None = None


@dataclass
class _Window:
    """One key's accepted requests (monotonic times, each with its account) within the window, and its credits spent.

    :param per_account: how many of ``stamps`` went to each account (a route without one: None).
    """

    stamps: deque[tuple[float, str | None]] = field(default_factory=deque)
    per_account: Counter[str | None] = field(default_factory=Counter)
    credits_spent: int = 0

    def remaining(self, rpm: int, account: str | None) -> int:
        """Requests left: the key's, or, given an account, the limit less that account's requests only."""
        used = len(self.stamps) if account is None else self.per_account[account]
        return max(0, rpm - used)

    def drop_oldest(self) -> None:
        self._forget(self.stamps.popleft())

    def drop_newest(self) -> None:
        self._forget(self.stamps.pop())

    def _forget(self, stamp: tuple[float, str | None]) -> None:
        self.per_account[stamp[1]] -= 1


class Store:
    """The state of one resource group; its methods hold ``world.lock``, so each is atomic."""

    def __init__(self, world: World) -> None:
        self.world = world


StoreT = TypeVar("StoreT", bound=Store)


class World:
    """Everything the sandbox remembers; every method is atomic under one (re-entrant) lock.

    The lock is re-entrant so that a store may call another store (a sent message
    updates its chat) and stay atomic as a whole.
    """

    def __init__(self, *, seed: int, journal_size: int) -> None:
        self.lock = threading.RLock()
        self._ids = itertools.count(_FIRST_ID)
        self._clear(seed=seed, journal_size=journal_size)

    def _clear(self, *, seed: int, journal_size: int) -> None:
        self._stores: dict[type[Store], Store] = {}
        self._windows: dict[str, _Window] = {}
        self._journal: deque[JournalEntry] = deque(maxlen=journal_size)
        self._counters = Counters()
        self._jitter_rng = random.Random(seed)
        self._fault_counts: dict[Fault, int] = {}
        self._fault_rng = random.Random(seed)

    def reset(self, *, seed: int, journal_size: int) -> None:
        """Forget everything, every store included, but the id sequence, so ids stay unique."""
        with self.lock:
            self._clear(seed=seed, journal_size=journal_size)

    def restart_faults(self, seed: int) -> None:
        """Restart every fault's ``first_n`` count and re-seed the RNG behind probabilities."""
        with self.lock:
            self._fault_counts = {}
            self._fault_rng = random.Random(seed)

    def store(self, kind: type[StoreT]) -> StoreT:
        """The world's store of that class, made empty on first use after start or reset."""
        with self.lock:
            found = self._stores.get(kind)
            if found is None:
                found = self._stores[kind] = kind(self)
            return cast(StoreT, found)

    def next_id(self) -> str:
        """A fresh resource id, unique for the sandbox's life."""
        with self.lock:
            return str(next(self._ids))

    def count(self, counter: ResourceCounter) -> None:
        """Add one to a resource counter (a group created, a message sent)."""
        with self.lock:
            setattr(self._counters, counter, getattr(self._counters, counter) + 1)

    # -- rate limits, credits, faults, latency ---------------------------------------------------

    def admit(
        self,
        key: str,
        now: float,
        *,
        rpm: int | None,
        window_seconds: float,
        credits: int | None,
        account: str | None = None,
        remaining_per_account: bool = False,
    ) -> Admission:
        """Count a request in the key's sliding window and credits, unless it must be refused.

        The limit is the key's whatever the account.

        :param account: the account the request goes to (None: a route without one).
        :param remaining_per_account: ``remaining`` counts only the requests to ``account`` (a request
            without one: the key's); else the key's, as documented, and a 429 has none left.
        """
        remaining_of = account if remaining_per_account else None
        with self.lock:
            window = self._windows.setdefault(key, _Window())
            stamps = window.stamps
            if rpm is not None:
                while stamps and stamps[0][0] <= now - window_seconds:
                    window.drop_oldest()
                if len(stamps) >= rpm:
                    wait = stamps[0][0] + window_seconds - now if stamps else window_seconds
                    return Admission(
                        "rate_limited", window.remaining(rpm, remaining_of), max(1, math.ceil(wait))
                    )
            if credits is not None and window.credits_spent >= credits:
                return Admission("no_credits", None if rpm is None else window.remaining(rpm, remaining_of))
            if rpm is not None:
                stamps.append((now, account))
                window.per_account[account] += 1
            window.credits_spent += ADMISSION_CREDITS
            self._counters.credits += ADMISSION_CREDITS
            return Admission("accepted", None if rpm is None else window.remaining(rpm, remaining_of))

    def charge(self, key: str, credits: int) -> None:
        """Charge an admitted request of a key more than the credit admission took (its bill by size)."""
        with self.lock:
            self._windows.setdefault(key, _Window()).credits_spent += credits
            self._counters.credits += credits

    def credits_spent(self, key: str) -> int:
        """The credits a key has spent since start or the last reset."""
        with self.lock:
            window = self._windows.get(key)
            return window.credits_spent if window is not None else 0

    def refund(self, key: str) -> None:
        """Take back the last admitted request of a key (a 429 fault must not count)."""
        with self.lock:
            window = self._windows[key]
            if window.stamps:
                window.drop_newest()
            window.credits_spent -= ADMISSION_CREDITS
            self._counters.credits -= ADMISSION_CREDITS

    def pick_fault(self, faults: list[Fault], method: str, path: str) -> Fault | None:
        """The first fault that acts on this request; each fault counts only the requests it sees."""
        with self.lock:
            for fault in faults:
                if fault.method is not None and fault.method.upper() != method:
                    continue
                if fault.path_contains is not None and fault.path_contains not in path:
                    continue
                seen = self._fault_counts.get(fault, 0) + 1
                self._fault_counts[fault] = seen
                if seen <= fault.skip_first:
                    continue
                if fault.first_n is not None and seen - fault.skip_first > fault.first_n:
                    continue
                if fault.probability < 1.0 and self._fault_rng.random() >= fault.probability:
                    continue
                return fault
            return None

    def jitter(self, upper: float) -> float:
        """A uniform draw in [0, upper] from the seeded RNG."""
        if upper <= 0:
            return 0.0
        with self.lock:
            return self._jitter_rng.uniform(0.0, upper)

    # -- journal and counters --------------------------------------------------------------------

    def record(self, entry: JournalEntry) -> None:
        """Journal a request and count it."""
        with self.lock:
            self._journal.append(entry)
            self._counters.requests += 1
            if entry.status == 429:
                self._counters.rate_limited += 1
            if entry.fault is not None:
                self._counters.faults_injected += 1

    def journal(self) -> list[JournalEntry]:
        """A copy of the journal, oldest first."""
        with self.lock:
            return list(self._journal)

    def counters(self) -> Counters:
        """A copy of the counters."""
        with self.lock:
            return replace(self._counters)
