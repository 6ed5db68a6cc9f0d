"""The webhook receiver, served by uvicorn as its own process (the CLI), against a real redis-server."""

from __future__ import annotations

import json
import time

import pytest
import requests

from airflow_provider_apifansly.webhooks.local_stack import Receiver, RedisServer
from tests.events.bodies import message_received, ppv_purchased
from tests.events.conftest import ACCOUNT, TOKEN

STREAM = "apifansly:events:ppv.purchased"


def keys(redis_server: RedisServer) -> list[bytes]:
    return sorted(redis_server.client().keys("*"))


def test_a_valid_event_is_stored_once_and_its_repeats_answer_200_with_nothing_new(
    receiver: Receiver, redis_server: RedisServer
) -> None:
    answers = [receiver.post(ppv_purchased("order-1", ACCOUNT)) for _ in range(5)]

    assert [answer.status_code for answer in answers] == [200] * 5
    assert [answer.json()["status"] for answer in answers] == ["stored"] + ["duplicate"] * 4
    entries = redis_server.client().xrange(STREAM)
    assert len(entries) == 1
    fields = entries[0][1]
    assert fields[b"event"] == b"ppv.purchased"
    assert fields[b"account_id"] == ACCOUNT.encode()
    assert fields[b"key"].decode() == answers[0].json()["key"]
    assert json.loads(fields[b"body"])["data"]["orderId"] == "order-1"
    seen = redis_server.client().ttl(f"apifansly:seen:{answers[0].json()['key']}")
    assert 7 * 24 * 3600 - 60 < seen <= 7 * 24 * 3600


def test_each_event_name_has_its_own_stream(receiver: Receiver, redis_server: RedisServer) -> None:
    assert receiver.post(message_received("m-1", ACCOUNT)).status_code == 200
    assert receiver.post(ppv_purchased("o-1", ACCOUNT)).status_code == 200

    client = redis_server.client()
    assert client.xlen("apifansly:events:messages.received") == 1
    assert client.xlen(STREAM) == 1


def test_a_wrong_token_is_404_and_writes_nothing(receiver: Receiver, redis_server: RedisServer) -> None:
    for token in ("x" * 46, TOKEN[:-1], TOKEN + "x", "short"):
        assert receiver.post(ppv_purchased("order-1", ACCOUNT), token=token).status_code == 404
    assert receiver.post("not json", token="y" * 40).status_code == 404

    assert keys(redis_server) == []


def test_unusable_bodies_are_quarantined_with_their_reason_and_answer_202(
    receiver: Receiver, redis_server: RedisServer
) -> None:
    unknown = {**ppv_purchased("o-1", ACCOUNT), "event": "posts.liked"}
    stranger = ppv_purchased("o-2", "fansly_someone_else")
    no_order = ppv_purchased("o-3", ACCOUNT)
    del no_order["data"]["orderId"]
    bodies = [json.dumps(unknown), json.dumps(stranger), json.dumps(no_order), "{not json", "[1, 2]"]

    answers = [receiver.post(body) for body in bodies]

    assert [answer.status_code for answer in answers] == [202] * 5
    quarantined = redis_server.client().xrange("apifansly:quarantine")
    assert [fields[b"body"].decode() for _, fields in quarantined] == bodies
    reasons = [fields[b"reason"].decode() for _, fields in quarantined]
    assert "unknown event 'posts.liked'" in reasons[0]
    assert "fansly_someone_else" in reasons[1]
    assert "without 'data.orderId'" in reasons[2]
    assert "not JSON" in reasons[3]
    assert "not an object" in reasons[4]
    assert not redis_server.client().keys("apifansly:events:*")


def test_a_body_over_1_mib_is_413_and_writes_nothing(receiver: Receiver, redis_server: RedisServer) -> None:
    body = ppv_purchased("o-1", ACCOUNT)
    body["data"]["padding"] = "x" * (1024 * 1024)

    assert receiver.post(body).status_code == 413
    # Without a Content-Length (chunked), the limit holds too.
    chunks = (b"x" * 65536 for _ in range(20))
    answer = requests.post(receiver.webhook_url, data=chunks, timeout=10)
    assert answer.status_code == 413
    assert keys(redis_server) == []
    # The connection was not reset: the receiver still answers.
    assert receiver.post(ppv_purchased("o-2", ACCOUNT)).status_code == 200


def test_redis_down_answers_503_quickly_and_the_receiver_recovers_when_redis_is_back(
    receiver: Receiver, redis_server: RedisServer
) -> None:
    assert receiver.post(ppv_purchased("o-1", ACCOUNT)).status_code == 200
    redis_server.stop()

    began = time.monotonic()
    down = receiver.post(ppv_purchased("o-2", ACCOUNT))
    waited = time.monotonic() - began
    assert down.status_code == 503
    assert waited < 5, f"a 503 took {waited:.1f} s"
    assert receiver.post("{not json").status_code == 503  # the quarantine needs Redis too
    assert requests.get(f"{receiver.url}/healthz", timeout=5).status_code == 503

    redis_server.start()  # the same directory: the append-only file brings o-1 back
    assert requests.get(f"{receiver.url}/healthz", timeout=5).status_code == 200
    assert receiver.post(ppv_purchased("o-2", ACCOUNT)).json()["status"] == "stored"
    assert receiver.post(ppv_purchased("o-1", ACCOUNT)).json()["status"] == "duplicate"
    assert redis_server.client().xlen(STREAM) == 2


def test_the_token_appears_in_no_log_line(receiver: Receiver, redis_server: RedisServer) -> None:
    receiver.post(ppv_purchased("o-1", ACCOUNT))
    receiver.post(ppv_purchased("o-1", ACCOUNT))
    receiver.post("{not json")
    receiver.post(ppv_purchased("o-1", ACCOUNT), token=TOKEN[:-1] + "Z")
    redis_server.stop()
    receiver.post(ppv_purchased("o-2", ACCOUNT))
    receiver.stop()

    log = receiver.log.read_text()
    assert "Stored ppv.purchased" in log
    assert "Quarantined" in log
    assert "503" in log
    assert TOKEN not in log
    assert TOKEN[:-1] not in log
    assert "/apifansly/webhooks/" not in log


def test_the_receiver_refuses_a_short_token_without_echoing_it() -> None:
    from airflow_provider_apifansly.webhooks.receiver import create_app

    with pytest.raises(ValueError, match="at least 32 characters") as raised:
        create_app("redis://127.0.0.1:1/0", "too-short", [ACCOUNT])
    assert "too-short" not in str(raised.value)


def test_healthz_answers_while_redis_is_up(receiver: Receiver) -> None:
    assert requests.get(f"{receiver.url}/healthz", timeout=5).json() == {"status": "ok"}
