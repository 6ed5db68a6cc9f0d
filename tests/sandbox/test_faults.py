"""Each way the sandbox misbehaves on purpose, and when it does."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    FanslySandbox,
    Fault,
)
from tests.sandbox.client import Api, response_of

HEADERS = {"x-api-key": DEFAULT_API_KEY}
FAN_ID = "723516315247063042"
GROUP_BODY = {
    "users": [{"userId": DEFAULT_CREATOR_ID, "permissionFlags": 0}, {"userId": FAN_ID, "permissionFlags": 0}],
    "type": 1,
}


def create(sandbox: FanslySandbox, timeout: float = 5) -> requests.Response:
    url = f"{sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/group"
    return requests.post(url, json=GROUP_BODY, headers=HEADERS, timeout=timeout)


def accounts(sandbox: FanslySandbox) -> requests.Response:
    return requests.get(f"{sandbox.url}/api/fansly/accounts", headers=HEADERS, timeout=5)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "Internal server error"),
        (502, "Bad gateway: the upstream Fansly API failed"),
        (503, "Service unavailable"),
        (504, "Gateway timeout: the upstream Fansly API did not answer"),
        (402, "Insufficient credits"),
        (418, "I'm a Teapot"),
    ],
)
def test_status_fault_answers_an_error_envelope_without_processing(
    fansly_sandbox: FanslySandbox, status: int, message: str
) -> None:
    fansly_sandbox.set_faults(Fault("status", status=status))

    response = create(fansly_sandbox)

    assert response.status_code == status
    assert response.json()["statusCode"] == status
    assert response.json()["message"] == message
    assert response.json()["data"] is None
    assert fansly_sandbox.groups == []
    assert fansly_sandbox.journal[-1].fault == "status"


def test_processed_status_fault_creates_then_fails(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("status", status=504, processed=True, first_n=1))

    failed = create(fansly_sandbox)
    retried = create(fansly_sandbox)

    assert failed.status_code == 504
    assert retried.status_code == 200
    assert [record.group_id for record in fansly_sandbox.groups] == [
        retried.json()["data"]["data"]["response"]["id"]
    ]


def test_429_fault_sends_retry_after_and_does_not_count(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.rpm = 2
    fansly_sandbox.config.send_retry_after = True
    fansly_sandbox.set_faults(Fault("status", status=429, retry_after=7, first_n=3))

    refused = [accounts(fansly_sandbox) for _ in range(3)]
    passed = accounts(fansly_sandbox)

    assert [response.status_code for response in refused] == [429, 429, 429]
    assert refused[0].headers["X-RateLimit-Retry-After"] == "7"
    assert refused[0].headers["Retry-After"] == "7"
    assert refused[0].json()["message"].startswith("Rate limit exceeded.")
    assert passed.status_code == 200
    assert passed.headers["X-RateLimit-Remaining"] == "1"
    assert fansly_sandbox.counters.rate_limited == 3


def test_drop_closes_the_connection_without_an_answer(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("drop", first_n=1))
    url = f"{fansly_sandbox.url}/api/fansly"

    with requests.Session() as session:
        with pytest.raises(requests.exceptions.ConnectionError):
            session.post(f"{url}/{DEFAULT_ACCOUNT_ID}/group", json=GROUP_BODY, headers=HEADERS, timeout=5)
        assert session.get(f"{url}/accounts", headers=HEADERS, timeout=5).ok

    assert fansly_sandbox.groups == []
    assert fansly_sandbox.journal[0].status is None
    assert fansly_sandbox.journal[0].fault == "drop"


def test_processed_drop_is_a_timeout_after_send(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("drop", processed=True, first_n=1))

    with pytest.raises(requests.exceptions.ConnectionError):
        create(fansly_sandbox)

    assert len(fansly_sandbox.groups) == 1
    assert (
        create(fansly_sandbox).json()["data"]["data"]["response"]["id"] == fansly_sandbox.groups[0].group_id
    )


def test_slow_create_times_out_the_client_but_creates_the_group_once(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("slow", delay=0.5, first_n=1))

    with pytest.raises(requests.exceptions.ReadTimeout):
        create(fansly_sandbox, timeout=0.1)
    retried = create(fansly_sandbox)

    assert retried.status_code == 200
    assert len(fansly_sandbox.groups) == 1
    assert fansly_sandbox.counters.groups_created == 1
    assert retried.json()["data"]["data"]["response"]["id"] == fansly_sandbox.groups[0].group_id


def test_malformed_answers_200_with_a_body_that_is_not_json(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("malformed"))

    response = accounts(fansly_sandbox)

    assert response.status_code == 200
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        response.json()


def test_inner_failure_is_an_outer_200_with_a_failed_inner_status(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("inner_failure"))

    response = create(fansly_sandbox)

    assert response.status_code == 200
    body = response.json()
    assert body["statusCode"] == 200
    assert body["data"] == {
        "status_code": 502,
        "data": {"success": False, "error": "Upstream Fansly request failed"},
    }
    assert fansly_sandbox.groups == []


def test_missing_id_answers_success_without_the_group_id(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("missing_id", path_contains="/group"))

    group = create(fansly_sandbox).json()["data"]["data"]["response"]
    me = requests.get(f"{fansly_sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/me", headers=HEADERS, timeout=5)

    assert "id" not in group
    assert group["createdBy"] == DEFAULT_CREATOR_ID
    assert me.json()["data"]["data"]["response"]["account"]["id"] == DEFAULT_CREATOR_ID
    assert len(fansly_sandbox.groups) == 1


def test_missing_id_also_strips_the_account_id_of_me(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("missing_id"))

    me = requests.get(f"{fansly_sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/me", headers=HEADERS, timeout=5)

    assert me.json()["data"]["data"]["response"] == {
        "account": {
            "username": "sandbox_creator",
            "displayName": "Sandbox Creator",
            "avatar": {"locations": []},
        }
    }


def test_first_n_acts_on_the_first_matching_requests_only(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("status", status=503, first_n=2, path_contains="/group", method="POST"))

    other = accounts(fansly_sandbox)
    statuses = [create(fansly_sandbox).status_code for _ in range(3)]

    assert other.status_code == 200
    assert statuses == [503, 503, 200]
    fansly_sandbox.set_faults(*fansly_sandbox.config.faults)
    assert create(fansly_sandbox).status_code == 503


def test_faults_apply_in_order_each_counting_what_reaches_it(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.set_faults(Fault("status", status=502, first_n=1), Fault("inner_failure", first_n=1))

    responses = [accounts(fansly_sandbox) for _ in range(3)]

    assert [response.status_code for response in responses] == [502, 200, 200]
    assert responses[1].json()["data"]["status_code"] == 502
    assert responses[2].json()["data"]["success"] is True
    assert [entry.fault for entry in fansly_sandbox.journal] == ["status", "inner_failure", None]
    assert fansly_sandbox.counters.faults_injected == 2


def outcome_pattern(sandbox: FanslySandbox, probability: float) -> list[int]:
    sandbox.set_faults(Fault("status", status=500, probability=probability))
    return [accounts(sandbox).status_code for _ in range(40)]


def test_probability_is_seeded_and_repeatable(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.rpm = None

    first = outcome_pattern(fansly_sandbox, 0.5)
    second = outcome_pattern(fansly_sandbox, 0.5)
    fansly_sandbox.config.seed = 7
    reseeded = outcome_pattern(fansly_sandbox, 0.5)

    assert first == second
    assert 5 < first.count(500) < 35
    assert reseeded != first
    assert set(outcome_pattern(fansly_sandbox, 0.0)) == {200}


def test_fault_kind_is_checked() -> None:
    with pytest.raises(ValueError, match="Fault kind must be one of"):
        Fault("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="probability"):
        Fault("drop", probability=2)


@pytest.mark.parametrize(("latency", "jitter"), [(0.2, 0.0), (0.1, 0.1)])
def test_latency_and_jitter_delay_every_answer(
    fansly_sandbox: FanslySandbox, latency: float, jitter: float
) -> None:
    fansly_sandbox.config.latency = latency
    fansly_sandbox.config.latency_jitter = jitter

    started = time.monotonic()
    response = requests.get(f"{fansly_sandbox.url}/api/fansly/accounts", timeout=5)
    elapsed = time.monotonic() - started

    assert response.status_code == 401  # even refusals wait
    assert latency <= elapsed < latency + jitter + 0.5
    entry = fansly_sandbox.journal[-1]
    assert latency <= entry.duration_s <= latency + jitter + 0.01


# -- faults on List Chats, Chat Messages and Send Message -----------------------------------------


def test_drop_after_storing_a_sent_message_leaves_it_readable(
    fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    fansly_sandbox.set_faults(Fault("drop", processed=True, path_contains="/messages", method="POST"))
    api = Api(fansly_sandbox)

    with pytest.raises(requests.exceptions.ConnectionError):
        api.send(chat_id, {"content": "did it arrive?"})
    read = api.messages(chat_id)

    assert [message["content"] for message in response_of(read)["messages"]] == ["did it arrive?"]
    assert fansly_sandbox.counters.messages_sent == 1
    assert [(entry.method, entry.status, entry.fault) for entry in fansly_sandbox.journal] == [
        ("POST", None, "drop"),
        ("GET", 200, None),
    ]


def test_5xx_after_storing_a_sent_message(fansly_sandbox: FanslySandbox, chat_id: str) -> None:
    fansly_sandbox.set_faults(
        Fault("status", status=504, processed=True, first_n=1, path_contains="/messages", method="POST")
    )
    api = Api(fansly_sandbox)

    failed = api.send(chat_id, {"content": "once"})
    stored = response_of(api.messages(chat_id))["messages"]

    assert failed.status_code == 504
    assert [message["content"] for message in stored] == ["once"]
    assert len(fansly_sandbox.messages) == 1


def test_a_send_fault_that_does_not_process_stores_nothing(
    fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    fansly_sandbox.set_faults(Fault("status", status=503, path_contains="/messages", method="POST"))
    api = Api(fansly_sandbox)

    assert api.send(chat_id, {"content": "lost"}).status_code == 503
    assert response_of(api.messages(chat_id))["messages"] == []
    assert fansly_sandbox.messages == []


def test_a_messages_fault_without_a_method_also_hits_reads(
    fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    fansly_sandbox.set_faults(Fault("status", status=502, path_contains="/messages"))
    api = Api(fansly_sandbox)

    assert api.messages(chat_id).status_code == 502
    assert api.send(chat_id, {"content": "hi"}).status_code == 502
    assert api.chats().status_code == 200


def test_first_n_fails_the_first_list_chats_pages_only(fansly_sandbox: FanslySandbox, chat_id: str) -> None:
    fansly_sandbox.set_faults(Fault("status", status=503, first_n=2, path_contains="/chats", method="GET"))
    api = Api(fansly_sandbox)

    assert [api.chats().status_code for _ in range(3)] == [503, 503, 200]


def test_drop_on_list_chats_closes_the_connection(fansly_sandbox: FanslySandbox, chat_id: str) -> None:
    fansly_sandbox.set_faults(Fault("drop", first_n=1, path_contains="/chats"))

    with pytest.raises(requests.exceptions.ConnectionError):
        Api(fansly_sandbox).chats()

    assert response_of(Api(fansly_sandbox).chats())["data"][0]["groupId"] == chat_id


def test_missing_id_on_send_answers_201_without_the_message_id(
    fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    fansly_sandbox.set_faults(Fault("missing_id", path_contains="/messages", method="POST"))

    message = response_of(Api(fansly_sandbox).send(chat_id, {"content": "hi"}), 201)

    assert "id" not in message
    assert message["content"] == "hi"
    assert len(fansly_sandbox.messages) == 1


def test_missing_id_keeps_list_chats_next_cursor_beside_the_inner_data(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.chats_page_size = 1
    fansly_sandbox.seed_chats(["723516315247060001", "723516315247060002"])
    fansly_sandbox.set_faults(Fault("missing_id", path_contains="/chats"))

    data = Api(fansly_sandbox).chats().json()["data"]

    assert data["nextCursor"]
    assert len(data["data"]["response"]["data"]) == 1


def test_slow_send_times_out_the_client_but_stores_the_message_once(
    fansly_sandbox: FanslySandbox, chat_id: str
) -> None:
    fansly_sandbox.set_faults(Fault("slow", delay=0.5, first_n=1, path_contains="/messages", method="POST"))
    url = f"{Api(fansly_sandbox).base}/chats/{chat_id}/messages"

    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(url, json={"content": "slow"}, headers=HEADERS, timeout=0.1)

    assert [record.message["content"] for record in fansly_sandbox.messages] == ["slow"]


def test_inner_failure_on_chat_messages(fansly_sandbox: FanslySandbox, chat_id: str) -> None:
    fansly_sandbox.set_faults(Fault("inner_failure", path_contains="/messages", method="GET"))

    response = Api(fansly_sandbox).messages(chat_id)

    assert response.status_code == 200
    assert response.json()["data"]["data"]["success"] is False


@pytest.mark.parametrize("route", ["chats", "messages", "send"])
def test_probability_applies_to_the_chat_routes(
    fansly_sandbox: FanslySandbox, chat_id: str, route: str
) -> None:
    fansly_sandbox.set_faults(Fault("status", status=500, probability=0.5))
    api = Api(fansly_sandbox)
    calls: dict[str, Callable[[], requests.Response]] = {
        "chats": api.chats,
        "messages": lambda: api.messages(chat_id),
        "send": lambda: api.send(chat_id, {"content": "hi"}),
    }
    call = calls[route]

    statuses = {call().status_code for _ in range(30)}

    assert statuses == {500, 201 if route == "send" else 200}


def test_skip_first_lets_the_first_matching_requests_through_then_acts_on_first_n(
    fansly_sandbox: FanslySandbox,
) -> None:
    fansly_sandbox.set_faults(Fault("status", status=503, skip_first=2, first_n=1))

    statuses = [accounts(fansly_sandbox).status_code for _ in range(4)]

    assert statuses == [200, 200, 503, 200]
