"""The sandbox's posts over real sockets: the recorded answers; 200/201 and mediaIds/attachments as switches."""

from __future__ import annotations

import time
from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.sandbox.client import Api, envelope, error_message, response_of

MEDIA = "810000000000000001"
LATER = int(time.time() * 1000) + 86_400_000


@pytest.mark.parametrize("status", [201, 200])
def test_a_post_is_answered_as_recorded_and_read_until_deleted(
    status: int, fansly_sandbox: FanslySandbox, api: Api
) -> None:
    fansly_sandbox.config.post_create_status = status
    walls = envelope(api.request("GET", "posts/walls"), 200)["data"]
    wall = walls["data"]["walls"][1]["id"]

    post = response_of(
        api.request("POST", "posts", {"content": "Hi", "mediaIds": [MEDIA], "wallIds": [wall]}), status
    )

    assert walls == {
        "status_code": 200,
        "data": {"walls": fansly_sandbox.walls()},
    }  # no success/response layer
    assert post == {
        "id": post["id"],
        "accountId": "700000000000000001",
        "content": "Hi",
        "attachments": [{"contentType": 1, "contentId": MEDIA, "pos": 0, "postId": post["id"]}],
        "wallIds": [wall],
    }
    assert response_of(api.request("GET", f"posts/{post['id']}")) == post
    assert error_message(api.request("POST", f"posts/scheduled/{post['id']}/cancel"), 404)  # published
    assert response_of(api.request("DELETE", f"posts/{post['id']}")) == {"id": post["id"]}
    assert error_message(api.request("GET", f"posts/{post['id']}"), 404)


def test_a_scheduled_post_is_cancelled_once(fansly_sandbox: FanslySandbox, api: Api) -> None:
    wall = fansly_sandbox.walls()[0]["id"]
    post = response_of(
        api.request("POST", "posts", {"content": "Soon", "scheduledFor": LATER, "wallIds": [wall]}), 201
    )

    assert response_of(api.request("POST", f"posts/scheduled/{post['id']}/cancel")) == {"id": post["id"]}
    assert error_message(api.request("POST", f"posts/scheduled/{post['id']}/cancel"), 404)
    assert [record.state for record in fansly_sandbox.posts] == ["cancelled"]


def test_media_is_taken_as_attachments_when_so_switched(fansly_sandbox: FanslySandbox, api: Api) -> None:
    fansly_sandbox.config.post_media_field = "attachments"
    fansly_sandbox.config.post_walls = "optional"
    attachments = [{"contentType": 1, "contentId": MEDIA, "pos": 0}]

    refused = error_message(api.request("POST", "posts", {"mediaIds": [MEDIA]}), 400)
    post = response_of(api.request("POST", "posts", {"attachments": attachments}), 201)

    assert "unknown field 'mediaIds'" in refused
    assert post["attachments"] == [{**attachments[0], "postId": post["id"]}]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "a post needs content or mediaIds"),
        ({"content": "x", "scheduledFor": 1_700_000_000}, "scheduledFor must be epoch milliseconds"),
        ({"content": "x", "scheduledFor": 1_700_000_000_000}, "scheduledFor must be in the future"),
        ({"content": "x", "scheduledFor": LATER, "expiresAt": LATER}, "expiresAt must be after"),
        ({"content": "x", "wallIds": ["810000000000000099"]}, "unknown wall"),
        ({"content": "x", "postToFYP": True}, "true only with media"),
    ],
)
def test_a_bad_post_is_a_400_naming_the_field(body: dict[str, Any], reason: str, api: Api) -> None:
    assert reason in error_message(api.request("POST", "posts", body), 400)


def test_the_live_clients_media_only_post_for_now_and_never_is_published(
    fansly_sandbox: FanslySandbox, api: Api
) -> None:
    wall = fansly_sandbox.walls()[1]["id"]
    body = {"content": "", "mediaIds": [MEDIA], "wallIds": [wall], "scheduledFor": 0, "expiresAt": 0}

    post = response_of(api.request("POST", "posts", body), 201)

    assert (post["content"], post["wallIds"]) == ("", [wall])
    assert [(record.body, record.state) for record in fansly_sandbox.posts] == [(body, "published")]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"content": "", "scheduledFor": 0, "expiresAt": 0}, "a post needs content or mediaIds"),
        ({"content": "  ", "mediaIds": []}, "a post needs content or mediaIds"),
        (
            {"content": "x", "scheduledFor": int(time.time() * 1000) - 60_000},
            "scheduledFor must be in the future",
        ),
        ({"content": "x", "expiresAt": 1}, "expiresAt must be epoch milliseconds (0: none)"),
    ],
    ids=["empty-caption-without-media", "blank-caption-without-media", "past-schedule", "expiry-in-seconds"],
)
def test_what_no_live_client_sends_is_still_a_400(
    body: dict[str, Any], reason: str, fansly_sandbox: FanslySandbox, api: Api
) -> None:
    wall = fansly_sandbox.walls()[0]["id"]
    assert reason in error_message(api.request("POST", "posts", {**body, "wallIds": [wall]}), 400)


def test_walls_are_required_unless_switched_to_optional_where_the_first_wall_takes_the_post(
    fansly_sandbox: FanslySandbox, api: Api
) -> None:
    refused = error_message(api.request("POST", "posts", {"content": "x"}), 400)
    fansly_sandbox.config.post_walls = "optional"
    post = response_of(api.request("POST", "posts", {"content": "x"}), 201)

    assert "wallIds is required" in refused
    assert post["wallIds"] == [fansly_sandbox.walls()[0]["id"]]
