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
    post = response_of(api.request("POST", "posts", {"content": "Soon", "scheduledFor": LATER}), 201)

    assert response_of(api.request("POST", f"posts/scheduled/{post['id']}/cancel")) == {"id": post["id"]}
    assert error_message(api.request("POST", f"posts/scheduled/{post['id']}/cancel"), 404)
    assert [record.state for record in fansly_sandbox.posts] == ["cancelled"]


def test_media_is_taken_as_attachments_when_so_switched(fansly_sandbox: FanslySandbox, api: Api) -> None:
    fansly_sandbox.config.post_media_field = "attachments"
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
