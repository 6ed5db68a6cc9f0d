"""FanslyEventTrigger and its acknowledge-mode producer against a real redis-server.

No triggerer here (the end-to-end tests run one). Entries are acknowledged only once Airflow reports
their events stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from airflow_provider_apifansly.webhooks.local_stack import Receiver, RedisServer
from tests.conftest import AIRFLOW_VERSION
from tests.events.bodies import message_received, ppv_purchased
from tests.events.conftest import ACCOUNT, OTHER_ACCOUNT

pytestmark = pytest.mark.skipif(AIRFLOW_VERSION.major < 3, reason="event triggers need Airflow 3")

STREAM = "apifansly:events:ppv.purchased"


@pytest.fixture
def redis_connection(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AIRFLOW_CONN_REDIS_DEFAULT", redis_server.url)
    return "redis_default"


def trigger(**kwargs: Any) -> Any:
    from airflow_provider_apifansly.triggers.events import FanslyEventTrigger

    return FanslyEventTrigger(["ppv.purchased"], **kwargs)


def test_a_trigger_rebuilt_from_its_serialized_kwargs_is_the_same_trigger_whatever_the_order() -> None:
    from airflow_provider_apifansly.triggers.events import FanslyEventTrigger

    first = FanslyEventTrigger(["tips.received", "ppv.purchased"], account_ids=["fansly_b", "fansly_a"])
    second = FanslyEventTrigger(["ppv.purchased", "tips.received"], account_ids=["fansly_a", "fansly_b"])
    classpath, kwargs = first.serialize()

    assert second.serialize() == (classpath, kwargs)
    assert FanslyEventTrigger(**kwargs).serialize() == (classpath, kwargs)
    assert first.consumer_group == "airflow:ppv.purchased,tips.received:fansly_a,fansly_b"
    with pytest.raises(ValueError, match=r"posts\.liked"):
        FanslyEventTrigger(["posts.liked"])


@pytest.mark.skipif(AIRFLOW_VERSION.release[:2] < (3, 3), reason="acknowledge mode is Airflow 3.3's")
def test_only_entries_airflow_stored_are_acknowledged_and_the_rest_are_delivered_again(
    receiver: Receiver, redis_server: RedisServer, redis_connection: str
) -> None:
    from airflow.triggers.shared_stream import AdvanceItem, AdvanceOutcome

    for order in ("o-1", "o-2", "o-3"):
        assert receiver.post(ppv_purchased(order, ACCOUNT)).status_code == 200
    kwargs = trigger(redis_conn_id=redis_connection).serialize()[1]
    cls = type(trigger())
    client = redis_server.client()

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        producer = cls.create_shared_stream_producer(kwargs)
        stream = producer.open_stream()
        first = [await anext(stream) for _ in range(3)]
        stored, timed_out, _ = (position for _, position in first)
        await producer.advance(
            [
                AdvanceItem(stored, AdvanceOutcome(acked=1, failed=0)),
                AdvanceItem(timed_out, AdvanceOutcome(acked=0, failed=1)),
            ]
        )
        again = [await anext(stream)]  # the timed-out one, read again; the third is still in flight
        await stream.aclose()
        await producer.aclose()
        # A new producer (a restarted triggerer) gets every entry not acknowledged.
        restarted = cls.create_shared_stream_producer(kwargs)
        restarted_stream = restarted.open_stream()
        after_restart = [await anext(restarted_stream) for _ in range(2)]
        await restarted_stream.aclose()
        await restarted.aclose()
        order = [entry[2][b"key"].decode() for entry, _ in first]
        return (
            order,
            [entry[2][b"key"].decode() for entry, _ in again],
            [entry[2][b"key"].decode() for entry, _ in after_restart],
        )

    order, again, after_restart = asyncio.run(scenario())

    assert again == [order[1]]
    assert after_restart == order[1:]
    assert client.xpending(STREAM, "airflow:ppv.purchased:*")["pending"] == 2


def test_the_filter_keeps_its_accounts_and_leaves_message_text_out_unless_asked() -> None:
    from airflow_provider_apifansly.triggers.events import FanslyEventTrigger

    def entry(envelope: dict[str, Any]) -> tuple[str, str, dict[bytes, bytes]]:
        import json

        return ("s", "1-0", {b"body": json.dumps(envelope).encode()})

    entries = [
        entry(message_received("m-1", ACCOUNT)),
        entry(message_received("m-2", OTHER_ACCOUNT)),
        ("s", "2-0", {b"key": b"no body"}),
    ]

    async def fired(instance: FanslyEventTrigger) -> list[dict[str, Any]]:
        async def stream() -> AsyncIterator[Any]:
            for each in entries:
                yield each

        return [event.payload async for event in instance.filter_shared_stream(stream())]

    plain = asyncio.run(fired(FanslyEventTrigger(["messages.received"], account_ids=[ACCOUNT])))
    with_text = asyncio.run(fired(FanslyEventTrigger(["messages.received"], include_content=True)))

    assert [payload["subject_id"] for payload in plain] == ["m-1"]
    assert "content" not in plain[0]
    assert [payload["content"] for payload in with_text] == ["hi! private words"] * 2


def test_without_acknowledge_mode_entries_are_acknowledged_only_after_the_delay_and_redelivered_before(
    receiver: Receiver, redis_server: RedisServer, redis_connection: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``run()`` path Airflow 3.0-3.2 take (no acknowledge mode): at least once, never silently lost."""
    import airflow_provider_apifansly.triggers.events as module

    for order in ("o-1", "o-2"):
        assert receiver.post(ppv_purchased(order, ACCOUNT)).status_code == 200
    group = "airflow:ppv.purchased:*"
    client = redis_server.client()

    async def fire(count: int) -> list[str]:
        run = trigger(redis_conn_id=redis_connection).run()
        fired = [(await anext(run)).payload["subject_id"] for _ in range(count)]
        await run.aclose()
        return fired

    # A triggerer that stops before the delay: nothing acknowledged, both delivered again.
    assert asyncio.run(fire(2)) == ["o-1", "o-2"]
    assert client.xpending(STREAM, group)["pending"] == 2
    assert asyncio.run(fire(2)) == ["o-1", "o-2"]

    # Past the delay, entries are acknowledged once the trigger comes back for more: o-1 and o-2 before
    # o-3 is read; o-3, the last one yielded before the stop, stays pending and will come again.
    monkeypatch.setattr(module, "UNCONFIRMED_ACK_DELAY", 0.0)
    assert receiver.post(ppv_purchased("o-3", ACCOUNT)).status_code == 200
    assert asyncio.run(fire(3)) == ["o-1", "o-2", "o-3"]
    pending = client.xpending_range(STREAM, group, min="-", max="+", count=10)
    assert len(pending) == 1
    assert asyncio.run(fire(1)) == ["o-3"]
