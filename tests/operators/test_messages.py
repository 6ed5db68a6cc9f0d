"""Skipping existing chats and sending messages, in real Airflow (``dag.test()`` on SQLite) against the sandbox."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox, Fault
from tests.helpers import printed_xcoms, run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

EXISTING = [f"7235163152470{n:05d}" for n in range(30)]
NEW = [f"7235163152471{n:05d}" for n in range(5)]


def welcome_given_fans(conf: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """Run the test DAG that creates chats for the given fans (``skip_existing``) and welcomes the new ones."""
    return run_dag("fansly_test_dags", conf, dag_id="test_fansly_welcome_given_fans")


def posts(sandbox: FanslySandbox, route: str) -> int:
    return sum(entry.method == "POST" and entry.path.endswith(route) for entry in sandbox.journal)


def creator_messages_per_chat(sandbox: FanslySandbox) -> Counter[str]:
    return Counter(r.group_id for r in sandbox.messages if r.message["senderId"] == DEFAULT_CREATOR_ID)


# -- skip_existing, through a welcome DAG given its fans ------------------------------------------------


def test_fans_with_a_listed_chat_cost_no_post_and_only_new_fans_are_welcomed(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    fansly_sandbox.config.chats_page_size = 20
    existing = fansly_sandbox.seed_chats(EXISTING)

    state, tasks = welcome_given_fans({"fans": EXISTING + NEW})

    assert state == "success", tasks
    assert posts(fansly_sandbox, "/group") == len(NEW)
    assert sum(entry.path.endswith("/chats") for entry in fansly_sandbox.journal) == 2  # 30 chats, 20 a page
    new_chats = {g.group_id for g in fansly_sandbox.groups if not g.seeded}
    assert creator_messages_per_chat(fansly_sandbox) == Counter(dict.fromkeys(new_chats, 1))
    assert not set(existing.values()) & set(creator_messages_per_chat(fansly_sandbox))


def test_when_every_fan_has_a_chat_nothing_is_posted(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    fansly_sandbox.seed_chats(EXISTING)

    state, _ = welcome_given_fans({"fans": EXISTING})

    assert state == "success"
    assert posts(fansly_sandbox, "/group") == posts(fansly_sandbox, "/messages") == 0
    # Two pages of 20 and nothing else: no creator lookup when no chat needs creating.
    assert [entry.path.rsplit("/", 1)[-1] for entry in fansly_sandbox.journal] == ["chats", "chats"]


def test_when_no_fan_has_a_chat_every_fan_is_created_and_welcomed_once(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    state, _ = welcome_given_fans({"fans": NEW})

    assert state == "success"
    assert fansly_sandbox.counters.groups_created == len(NEW)
    assert sorted(creator_messages_per_chat(fansly_sandbox).values()) == [1] * len(NEW)


def test_running_the_welcome_dag_twice_welcomes_each_new_fan_once(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    fansly_sandbox.seed_chats(EXISTING[:3])
    fans = EXISTING[:3] + NEW

    welcome_given_fans({"fans": fans})
    posts_after_first_run = posts(fansly_sandbox, "")
    state, _ = welcome_given_fans({"fans": fans})

    assert state == "success"
    assert posts(fansly_sandbox, "") == posts_after_first_run  # the second run sends no POST
    assert sorted(creator_messages_per_chat(fansly_sandbox).values()) == [1] * len(NEW)


def test_a_list_page_5xx_is_retried_but_a_401_fails_the_task_with_nothing_created(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.chats_page_size = 10
    fansly_sandbox.seed_chats(EXISTING)
    fansly_sandbox.set_faults(
        Fault(kind="status", status=503, first_n=1, path_contains="/chats"),
        Fault(kind="status", status=401, path_contains="/chats"),
    )

    state, tasks = welcome_given_fans({"fans": EXISTING + NEW})

    assert state == "failed"
    assert tasks["create_chats"] == "failed"
    assert [e.status for e in fansly_sandbox.journal if e.path.endswith("/chats")] == [503, 401]
    assert posts(fansly_sandbox, "") == 0
    assert "API key rejected (401)" in capfd.readouterr().out


# -- SendMessageOperator -----------------------------------------------------------------------------


@pytest.mark.matrix
def test_send_message_returns_the_message_id_and_the_chat_for_the_link(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    chat = fansly_sandbox.seed_chats(NEW[:1])[NEW[0]]
    conf = {"chat_id": chat, "content": "unlock", "media_ids": ["900000000000000001"], "access_type": ["ppv"]}

    _, tasks = run_dag("fansly_test_dags", {**conf, "price": 12.5}, dag_id="test_fansly_send_message")

    assert tasks["message"] == "success"
    (record,) = fansly_sandbox.messages
    media = ["900000000000000001"]
    assert record.body == {"content": "unlock", "mediaIds": media, "access_type": ["ppv"], "price": 12.5}
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert xcoms == {"return_value": record.message["id"], "chat_id": chat, "credits": 1}


@pytest.mark.parametrize(
    ("conf", "error"),
    [
        ({"price": 12}, "price is only allowed on a pay-per-view message with media"),
        ({"price": 600, "media_ids": ["1"], "access_type": ["ppv"]}, "price must be from 1 to 500"),
        ({"content": " "}, "content must be a non-empty string"),
        ({"chat_id": "chat-1"}, "chat_id must be a native Fansly id"),
        ({"access_type": ["vip"]}, "access_type\\[0\\] must be one of"),
    ],
)
def test_send_message_refuses_bad_input_without_a_request(
    conf: dict[str, object],
    error: str,
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    chat = fansly_sandbox.seed_chats(NEW[:1])[NEW[0]]

    _, tasks = run_dag("fansly_test_dags", {"chat_id": chat, **conf}, dag_id="test_fansly_send_message")

    assert tasks["message"] == "failed"
    assert fansly_sandbox.journal == []
    assert re.search(error, capfd.readouterr().out)


# -- SendMessagesOperator ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        None,
        Fault(kind="drop", processed=True, probability=0.3, method="POST"),
        Fault(kind="status", status=503, processed=True, probability=0.3, method="POST"),
        Fault(kind="status", status=503, probability=0.3, method="POST"),
    ],
    ids=["no-fault", "stored-then-dropped", "5xx-after-storing", "5xx-before-storing"],
)
@pytest.mark.matrix
def test_send_messages_delivers_exactly_one_message_per_chat(
    fault: Fault | None,
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    chats = fansly_sandbox.seed_chats(EXISTING)
    if fault is not None:
        fansly_sandbox.set_faults(fault)

    _, tasks = run_dag(
        "fansly_test_dags",
        {"messages": {chat: f"hi {fan}" for fan, chat in chats.items()}},
        dag_id="test_fansly_send_messages",
    )

    assert tasks["messages"] == "success"
    assert creator_messages_per_chat(fansly_sandbox) == Counter(dict.fromkeys(chats.values(), 1))
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert xcoms["return_value"] == {r.group_id: r.message["id"] for r in fansly_sandbox.messages}
    assert xcoms["failed"] == {}
    assert xcoms["credits"] == len(fansly_sandbox.journal)


@pytest.mark.parametrize("messages", [42, "just text", [["800000000000000001", "hi"]]])
def test_send_messages_refuses_a_batch_that_is_neither_a_dict_nor_a_list_of_dicts(
    messages: object, fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    _, tasks = run_dag("fansly_test_dags", {"messages": messages}, dag_id="test_fansly_send_messages")

    assert tasks["messages"] == "failed"
    assert fansly_sandbox.journal == []


def test_running_out_of_credits_stops_send_messages(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    chats = fansly_sandbox.seed_chats(EXISTING)
    fansly_sandbox.config.credits = 10

    _, tasks = run_dag(
        "fansly_test_dags",
        {"messages": dict.fromkeys(chats.values(), "hi")},
        dag_id="test_fansly_send_messages",
    )

    assert tasks["messages"] == "failed"
    statuses = [entry.status for entry in fansly_sandbox.journal]
    assert len(statuses) - statuses.index(402) - 1 <= 2 * 4  # max_concurrency=4
    out = capfd.readouterr().out
    assert "Out of credits (402)" in out
    assert "20 messages not done" in out
