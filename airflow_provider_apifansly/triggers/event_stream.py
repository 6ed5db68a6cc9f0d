"""The Redis side of ``FanslyEventTrigger``'s acknowledge mode (Airflow 3.3+, ``triggers/shared_stream.py``).

Airflow pulls entries without waiting for acknowledgements and later calls ``advance`` with those whose
events it stored: only those are acknowledged. The rest (an ack timeout, no subscriber) stay pending and
are read again from the consumer's pending list. What was yielded and not yet resolved is tracked, so a
re-read of the pending list does not yield an entry twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import structlog
from airflow.triggers.shared_stream import AdvanceItem, SharedStreamProducer

from airflow_provider_apifansly.triggers.events import Entry, StreamReader, connect, consumer_group

log = structlog.get_logger(__name__)


class FanslyStreamProducer(SharedStreamProducer):
    """Yields ``(entry, (stream, entry id))``; ``advance`` acknowledges the entries Airflow stored."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.kwargs = kwargs
        self.reader: StreamReader | None = None
        self.in_flight: set[tuple[str, str]] = set()
        self.reread_pending = True  # the first read takes what an earlier run left pending

    async def open_stream(self) -> AsyncIterator[tuple[Entry, tuple[str, str]]]:
        """Yield the stream entries, each with its entry id, as the consumer group reads them."""
        self.reader = StreamReader(
            await connect(self.kwargs["redis_conn_id"]), self.kwargs["events"], consumer_group(self.kwargs)
        )
        await self.reader.create_groups()
        while True:
            entries: list[Entry] = []
            if self.reread_pending:
                self.reread_pending = False
                entries = await self.reader.read_pending()
                if entries:
                    log.info("Delivering stream entries again", count=len(entries), group=self.reader.group)
            for entry in entries or await self.reader.read_new():
                position = (entry[0], entry[1])
                if position in self.in_flight:
                    continue
                self.in_flight.add(position)
                yield entry, position

    async def advance(self, batch: Sequence[AdvanceItem]) -> None:
        """Acknowledge the entries whose events Airflow stored."""
        if self.reader is None:
            raise RuntimeError("advance() before open_stream(): only entries read can be acknowledged")
        stored = [item.broker_payload for item in batch if item.outcome.is_clean]
        again = [item.broker_payload for item in batch if not item.outcome.is_clean]
        await self.reader.ack(stored)
        self.in_flight.difference_update(stored)
        if again:
            # Not stored (an ack timeout), or broadcast while no trigger listened: left pending, read again.
            log.warning("Stream entries not confirmed stored; delivering them again", count=len(again))
            self.in_flight.difference_update(again)
            self.reread_pending = True

    async def aclose(self) -> None:
        """Close the Redis client."""
        if self.reader is not None:
            await self.reader.close()
