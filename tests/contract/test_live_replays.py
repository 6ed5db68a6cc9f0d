"""The contract suite: every request body and answer the contract marks [live], replayed.

The recorded [seen] answers beside them too.

The samples are in ``tests/fixtures/live`` (each citing its contract section) and
``tests/fixtures/apifansly_recent_chats.json`` (a sanitised recording of List Chats).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import FanslyOutOfCreditsError
from airflow_provider_apifansly.hooks.fansly import FanslyHook
from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox
from tests.contract.conftest import ACCOUNT_ID, RECENT_CHATS, Replay, sample
from tests.sandbox.client import Api, envelope

Replayed = tuple[Replay, FanslyHook]


def structure(value: Any) -> Any:
    """The keys of an answer, nested (a list by its first item), without the values."""
    if isinstance(value, dict):
        return {key: structure(item) for key, item in value.items()}
    if isinstance(value, list):
        return [structure(value[0])] if value else []
    return None


# -- request bodies the live API takes: the sandbox takes them too ---------------------------------------


@pytest.mark.parametrize("walls", ["required", "optional"])
def test_the_live_clients_post_body_is_published(walls: str, fansly_sandbox: FanslySandbox, api: Api) -> None:
    fansly_sandbox.config.post_walls = walls  # type: ignore[assignment]
    wall = fansly_sandbox.walls()[1]["id"]
    body = json.loads(json.dumps(sample("create_post")["request"]).replace("{wall}", wall))

    answer = envelope(api.request("POST", "posts", body), 201)

    assert structure(answer) == structure(sample("create_post_answer")["answer"])
    assert [(record.body, record.state) for record in fansly_sandbox.posts] == [(body, "published")]


def test_the_documented_create_group_body_makes_the_chat(fansly_sandbox: FanslySandbox, api: Api) -> None:
    body = sample("create_group")["request"]
    assert body["users"][0]["userId"] == DEFAULT_CREATOR_ID

    group = envelope(api.request("POST", "group", body), 200)["data"]["data"]["response"]

    assert {user["userId"] for user in group["users"]} == {u["userId"] for u in body["users"]}
    assert [record.group_id for record in fansly_sandbox.groups] == [group["id"]]


def test_a_message_with_the_uploads_media_id_is_sent(
    fansly_sandbox: FanslySandbox, api: Api, chat_id: str
) -> None:
    body = sample("send_message")["request"]

    message = envelope(api.send(chat_id, body), 201)["data"]["data"]["response"]

    assert (message["content"], len(message["attachments"])) == (body["content"], 1)


# -- answers the live API gave: the hook reads them --------------------------------------------------------


def test_the_recorded_chats_are_read_fan_by_fan(replay: Replayed) -> None:
    server, hook = replay
    recorded = json.loads(RECENT_CHATS.read_text())
    last_page = json.loads(RECENT_CHATS.read_text())
    last_page["data"]["data"]["response"]["data"] = []
    last_page["data"]["nextCursor"] = None
    server.answer("GET", f"/{ACCOUNT_ID}/chats", 200, recorded)
    server.answer("GET", f"/{ACCOUNT_ID}/chats?cursor={recorded['data']['nextCursor']}", 200, last_page)

    chats = list(hook.list_chats())

    assert [chat["groupId"] for chat in chats] == ["800000000000000101", "800000000000000102"]
    assert hook.existing_chats() == {
        "723516315247063042": "800000000000000101",
        "723516315247063043": "800000000000000102",
    }


def test_recorded_messages_are_read_with_their_seconds(replay: Replayed) -> None:
    server, hook = replay
    recorded = sample("chat_messages")
    server.answer(
        "GET", f"/{ACCOUNT_ID}/chats/800000000000000101/messages", recorded["status"], recorded["answer"]
    )

    [message] = hook.list_messages("800000000000000101")

    assert (message["content"], message["createdAt"]) == ("hey, thanks for the sub!", 1783533902.804)


def test_a_recorded_upload_and_its_status_give_the_media_ids(replay: Replayed, tmp_path: Path) -> None:
    server, hook = replay
    upload, status = sample("media_upload"), sample("media_upload_status")
    server.answer("POST", f"/{ACCOUNT_ID}/media/upload", upload["status"], upload["answer"])
    server.answer("GET", "/media/upload/job-7f3c2a/status", status["status"], status["answer"])
    (tmp_path / "set.jpg").write_bytes(b"\x89PNG" * 10)

    job_id = hook.upload_media(tmp_path / "set.jpg")
    job = hook.media_upload_status(job_id)

    assert job_id == "job-7f3c2a"
    assert (job.state, job.media_id, job.account_media_id) == (
        "completed",
        "810000000000000301",
        "810000000000000302",
    )


def test_a_recorded_post_answer_and_walls_are_read(replay: Replayed) -> None:
    server, hook = replay
    walls, created = sample("post_walls"), sample("create_post_answer")
    server.answer("GET", f"/{ACCOUNT_ID}/posts/walls", walls["status"], walls["answer"])
    server.answer("POST", f"/{ACCOUNT_ID}/posts", created["status"], created["answer"])

    post = hook.create_post(media_ids=["810000000000000301"])

    assert (post["id"], post["wallIds"]) == ("820000000000000001", ["830000000000000001"])
    assert server.asked == [
        ("GET", f"/api/fansly/{ACCOUNT_ID}/posts/walls"),
        ("POST", f"/api/fansly/{ACCOUNT_ID}/posts"),
    ]


def test_recorded_accounts_and_profile_are_read(replay: Replayed) -> None:
    server, hook = replay
    accounts, me = sample("accounts"), sample("me")
    server.answer("GET", "/accounts", accounts["status"], accounts["answer"])
    server.answer("GET", f"/{ACCOUNT_ID}/me", me["status"], me["answer"])

    listed = hook.list_accounts()

    assert [row["accountId"] for row in listed] == ["fansly-provider-one", "fansly-provider-two"]
    assert hook.get_creator_id() == DEFAULT_CREATOR_ID


def test_credits_run_out_as_recorded_stops_the_run(replay: Replayed) -> None:
    server, hook = replay
    recorded = sample("credits_exhausted")
    server.answer("GET", "/accounts", recorded["status"], recorded["answer"])

    with pytest.raises(FanslyOutOfCreditsError):
        hook.list_accounts()
    assert len(server.asked) == 1


# -- the sandbox answers in the recorded shapes ------------------------------------------------------------


def test_the_sandbox_lists_chats_in_the_recorded_shape(fansly_sandbox: FanslySandbox, api: Api) -> None:
    fansly_sandbox.seed_chats(["723516315247063042"])

    answer = envelope(api.chats(), 200)

    assert structure(answer) == structure(json.loads(RECENT_CHATS.read_text()))


@pytest.mark.parametrize(
    ("name", "request_of"),
    [
        ("media_upload", lambda api, sandbox: api.upload()),
        ("post_walls", lambda api, sandbox: api.request("GET", "posts/walls")),
        ("me", lambda api, sandbox: api.request("GET", "me")),
    ],
)
def test_the_sandbox_answers_in_the_recorded_shape(
    name: str, request_of: Any, fansly_sandbox: FanslySandbox, api: Api
) -> None:
    recorded = sample(name)

    answer = envelope(request_of(api, fansly_sandbox), recorded["status"])

    assert structure(answer) == structure(recorded["answer"])
