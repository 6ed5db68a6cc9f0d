"""``FanslyEventTrigger``: webhook events from the receiver's Redis streams, as asset events (Airflow 3).

It reads ``apifansly:events:<event>`` with a consumer group. On Airflow 3.3 it runs in acknowledge mode
(a shared stream with a producer, ``triggers/shared_stream.py``): an entry is acknowledged (``XACK``) only
after Airflow stored the asset event made from it, so an entry yielded but not stored (a triggerer killed in
between) stays pending and is delivered again when the trigger starts anew. Airflow 3.0-3.2 cannot tell a
trigger that its event was stored: there entries are acknowledged ``UNCONFIRMED_ACK_DELAY`` seconds after
they were yielded, so a triggerer that dies within that time delivers them again (at least once; a stored
event can repeat, never vanish unless storing takes longer than that). ``claim_events`` dedupes repeats.

The triggerer rebuilds a trigger from ``serialize()`` and names it by a hash of its kwargs, and the
consumer name is fixed: a restarted (or another) triggerer reads the same pending entries.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Hashable, Sequence
from typing import TYPE_CHECKING, Any

# Airflow 3.0+: the base of triggers that asset watchers run (the path is the same on every 3.x).
from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from airflow_provider_apifansly.webhooks.parser import EVENTS, FanslyEvent, FanslyEventError, parse_event
from airflow_provider_apifansly.webhooks.streams import as_text, stream_key

if TYPE_CHECKING:
    from airflow.triggers.shared_stream import SharedStreamProducer
    from redis.asyncio import Redis

# One name for every triggerer: a SIGKILLed triggerer's pending entries are read by whichever runs it next.
CONSUMER = "airflow-triggerer"
READ_COUNT = 100
BLOCK_MS = 1000
# Airflow < 3.3 only: how long after yielding an entry it is acknowledged (see the module docstring).
UNCONFIRMED_ACK_DELAY = 60.0
# A stream entry: (stream, entry id, fields).
Entry = tuple[str, str, dict[bytes, bytes]]


class FanslyEventTrigger(BaseEventTrigger):
    """Fire once for each webhook event of ``events`` (optionally of some accounts only) in the Redis streams.

    The event's payload is ``FanslyEvent.payload()``: ids (``key``, ``subject_id``, ``fan_id``, ``chat_id``),
    ``occurred_at_ms`` and a raw amount with its unverified scale; message text only with
    ``include_content=True``, since payloads are stored in the metadata DB, shown in the UI and logged.

    :param events: event names, e.g. ``["ppv.purchased"]``.
    :param redis_conn_id: the Redis connection (``apache-airflow-providers-redis``) the receiver writes to.
    :param account_ids: only these connected accounts' events (None: every account's).
    :param group: the consumer group's prefix; two Airflow deployments on one Redis each need their own.
    :param include_content: put message text (``content``) into the payload, and so into the metadata DB,
        the UI and the triggerer's log line for each event.
    """

    def __init__(
        self,
        events: Sequence[str],
        redis_conn_id: str = "redis_default",
        account_ids: Sequence[str] | None = None,
        group: str = "airflow",
        *,
        include_content: bool = False,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # untyped on Airflow 3.x
        names = [events] if isinstance(events, str) else list(events)
        unknown = sorted(set(names) - EVENTS)
        if not names or unknown:
            raise ValueError(f"events must be some of {sorted(EVENTS)}; got {names!r}")
        # Sorted lists: the triggerer identifies a trigger by its kwargs, so they must not depend on order.
        self.events = sorted(set(names))
        self.redis_conn_id = redis_conn_id
        self.account_ids = sorted(set(account_ids)) if account_ids else None
        self.group = group
        self.include_content = include_content

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The classpath and the kwargs the triggerer rebuilds this trigger from."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "events": self.events,
                "redis_conn_id": self.redis_conn_id,
                "account_ids": self.account_ids,
                "group": self.group,
                "include_content": self.include_content,
            },
        )

    @property
    def consumer_group(self) -> str:
        """The Redis consumer group: one per distinct trigger, so that each sees every entry of its streams."""
        return consumer_group(self.serialize()[1])

    # Airflow 3.3: acknowledge mode.
    def shared_stream_key(self) -> Hashable | None:
        """The key under which triggers share one stream (acknowledge mode)."""
        return ("apifansly-events", self.redis_conn_id, self.consumer_group)

    @classmethod
    def create_shared_stream_producer(cls, kwargs: dict[str, Any]) -> SharedStreamProducer:
        """The producer of the shared stream, for Airflow's acknowledge mode."""
        from airflow_provider_apifansly.triggers.event_stream import FanslyStreamProducer

        return FanslyStreamProducer(kwargs)

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        """This trigger's events among the shared stream's entries."""
        async for entry in shared_stream:
            event = self.event_of(entry)
            if event is not None:
                yield TriggerEvent(event.payload(include_content=self.include_content))  # type: ignore[no-untyped-call]

    # Airflow 3.0-3.2: no acknowledge mode.
    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Read the streams and yield one event per entry."""
        self.log.warning(
            "This Airflow has no acknowledge mode for event triggers (3.3+): stream entries are acknowledged "
            "%.0f s after they are yielded, so a triggerer that stops within that time delivers them again "
            "(claim_events dedupes); an event is lost only if Airflow takes longer than that to store it",
            UNCONFIRMED_ACK_DELAY,
        )
        reader = StreamReader(await connect(self.redis_conn_id), self.events, self.consumer_group)
        unacknowledged: deque[tuple[float, str, str]] = deque()
        try:
            await reader.create_groups()
            pending = await reader.read_pending()
            while True:
                entries = pending or await reader.read_new()
                pending = []
                for entry in entries:
                    event = self.event_of(entry)
                    if event is not None:
                        yield TriggerEvent(event.payload(include_content=self.include_content))  # type: ignore[no-untyped-call]
                    unacknowledged.append((time.monotonic() + UNCONFIRMED_ACK_DELAY, entry[0], entry[1]))
                due = []
                while unacknowledged and unacknowledged[0][0] <= time.monotonic():
                    _, stream, entry_id = unacknowledged.popleft()
                    due.append((stream, entry_id))
                await reader.ack(due)
        finally:
            await reader.close()

    def event_of(self, entry: Entry) -> FanslyEvent | None:
        """The entry's event when this trigger wants it; None for another account's (or a damaged entry)."""
        stream, entry_id, fields = entry
        try:
            event = parse_event(fields[b"body"])
        except (KeyError, FanslyEventError) as exc:
            # The receiver stored only events it parsed: say which entry, and skip it rather than stall.
            reason = exc.reason if isinstance(exc, FanslyEventError) else "no body field"
            self.log.error("Skipping stream entry %s of %s: %s", entry_id, stream, reason)
            return None
        if self.account_ids is not None and event.account_id not in self.account_ids:
            return None
        return event


def consumer_group(kwargs: dict[str, Any]) -> str:
    """``<group>:<events>:<accounts or *>[:content]``, from a trigger's serialized kwargs."""
    accounts = ",".join(kwargs["account_ids"] or ["*"])
    content = ":content" if kwargs["include_content"] else ""
    return f"{kwargs['group']}:{','.join(kwargs['events'])}:{accounts}{content}"


async def connect(redis_conn_id: str) -> Redis:
    """An asyncio Redis client built from an Airflow connection, read without blocking the loop.

    Host, port, login, password, extra ``db`` and ``ssl`` come from the connection; the triggerer's loop
    is not blocked.
    """
    from redis.asyncio import Redis

    from airflow_provider_apifansly._compat import aget_connection

    connection, extra = await aget_connection(redis_conn_id)
    password = connection.password if str(connection.password).lower() not in ("none", "false", "") else None
    client: Redis = Redis(
        host=connection.host or "localhost",
        port=int(connection.port or 6379),
        username=connection.login or None,
        password=password,
        db=int(extra.get("db") or 0),
        ssl=bool(extra.get("ssl", False)),
    )
    return client


class StreamReader:
    """Reads a trigger's streams through its consumer group: first its own pending entries, then new ones."""

    def __init__(self, redis: Redis, events: Sequence[str], group: str) -> None:
        self.redis = redis
        self.streams = [stream_key(event) for event in events]
        self.group = group

    async def create_groups(self) -> None:
        """Create the consumer group on each stream (and the stream) if missing, from the stream's start.

        A new group replays what the streams hold (bounded by their trim, see ``webhooks.streams``).
        """
        from redis.exceptions import ResponseError

        for stream in self.streams:
            try:
                await self.redis.xgroup_create(stream, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def read_pending(self) -> list[Entry]:
        """Every entry delivered to this consumer and not acknowledged (what an earlier run left in flight).

        Entries trimmed away meanwhile come back without fields: they are acknowledged here, since no
        body is left to deliver (the trim keeps the seen keys' window, so they were older than 7 days).
        """
        found: list[Entry] = []
        for stream in self.streams:
            after = "0"
            while True:
                answer: Any = await self.redis.xreadgroup(
                    self.group, CONSUMER, {stream: after}, count=READ_COUNT
                )
                rows = answer[0][1] if answer else []
                if not rows:
                    break
                gone = [entry_id for entry_id, fields in rows if not fields]
                found += [(stream, as_text(entry_id), fields) for entry_id, fields in rows if fields]
                if gone:
                    await self.redis.xack(stream, self.group, *gone)
                after = as_text(rows[-1][0])
        return found

    async def read_new(self, block_ms: int = BLOCK_MS) -> list[Entry]:
        """Entries never delivered to the group, waiting up to ``block_ms`` for some."""
        answer: Any = await self.redis.xreadgroup(
            self.group, CONSUMER, dict.fromkeys(self.streams, ">"), count=READ_COUNT, block=block_ms
        )
        return [
            (as_text(stream), as_text(entry_id), fields)
            for stream, rows in answer or []
            for entry_id, fields in rows
        ]

    async def ack(self, entries: Sequence[tuple[str, str]]) -> None:
        """Acknowledge entries in the consumer group."""
        by_stream: dict[str, list[str]] = {}
        for stream, entry_id in entries:
            by_stream.setdefault(stream, []).append(entry_id)
        for stream, ids in by_stream.items():
            await self.redis.xack(stream, self.group, *ids)

    async def close(self) -> None:
        """Close the Redis client."""
        await asyncio.shield(self.redis.aclose())
