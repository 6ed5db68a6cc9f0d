"""FanslyHook's posts against the sandbox: a body in epoch ms, a create never repeated, removals that bear repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airflow_provider_apifansly.exceptions import (
    FanslyNotFoundError,
    FanslyPostUncertainError,
    FanslyValidationError,
)
from airflow_provider_apifansly.sandbox import FanslySandbox, Fault
from tests.helpers import MakeHook

MEDIA = "810000000000000001"
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


@pytest.mark.parametrize("status", [200, 201])
def test_a_scheduled_post_is_sent_in_epoch_ms_and_its_id_returned(
    status: int, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.post_create_status = status
    hook = make_hook()
    walls = hook.list_post_walls()

    post = hook.create_post(
        "New set",
        [MEDIA],
        [walls[1]["id"]],
        scheduled_for=SOON,
        expires_at=(SOON + timedelta(days=7)).isoformat(),
    )

    (record,) = fansly_sandbox.posts
    assert post["id"] == record.post["id"]
    assert record.body == {
        "content": "New set",
        "mediaIds": [MEDIA],
        "wallIds": [walls[1]["id"]],
        "scheduledFor": int(SOON.timestamp() * 1000),
        "expiresAt": int((SOON + timedelta(days=7)).timestamp() * 1000),
    }
    assert [w["name"] for w in walls] == ["Posts", "Subscribers"]
    assert [e.status for e in fansly_sandbox.journal] == [200, status]


def test_post_ids_are_read_from_post_id_too(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    from airflow_provider_apifansly.hooks.endpoints.posts import created_post

    data = {"status_code": 200, "data": {"success": True, "response": {"postId": "123", "content": "x"}}}

    assert created_post(data, "POST x", "c")["id"] == "123"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, "needs content, media_ids or both"),
        ({"content": "x", "scheduled_for": datetime(2030, 1, 1)}, "has no time zone"),
        ({"content": "x", "scheduled_for": "2030-01-01T10:00:00"}, "has no time zone"),
        ({"content": "x", "scheduled_for": "2020-01-01T10:00:00+00:00"}, "must be in the future"),
        ({"content": "x", "scheduled_for": SOON, "expires_at": SOON}, "must be after scheduled_for"),
        ({"content": "x", "post_to_fyp": True}, "post_to_fyp needs media"),
        ({"media_ids": ["m-1"]}, r"media_ids\[0\] must be a native"),
    ],
    ids=["empty", "naive-datetime", "naive-text", "past", "expires-first", "fyp-without-media", "media-id"],
)
def test_bad_posts_are_refused_before_any_request(
    kwargs: dict[str, object], error: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    with pytest.raises(FanslyValidationError, match=error):
        make_hook().create_post(**kwargs)  # type: ignore[arg-type]
    assert fansly_sandbox.journal == []


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="drop", processed=True),
        Fault(kind="status", status=502, processed=True),
        Fault(kind="inner_failure", processed=True),
        Fault(kind="missing_id"),
    ],
    ids=["stored-then-dropped", "5xx-after-storing", "inner-failure", "answer-without-id"],
)
def test_a_create_that_may_have_posted_is_never_repeated(
    fault: Fault, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.set_faults(fault)
    wall = fansly_sandbox.walls()[0]["id"]

    with pytest.raises(FanslyPostUncertainError, match="MAY HAVE BEEN CREATED") as raised:
        make_hook().create_post("Live now", wall_ids=[wall], scheduled_for=SOON)

    assert len(fansly_sandbox.posts) == 1
    assert len(fansly_sandbox.journal) == 1
    assert "scheduled posts queue" in str(raised.value)


def test_a_429_before_storing_is_retried_and_posts_once(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=429, retry_after=0, first_n=1, method="POST"))

    make_hook().create_post("Live now")

    assert len(fansly_sandbox.posts) == 1
    assert [(e.method, e.status) for e in fansly_sandbox.journal] == [
        ("GET", 200),
        ("POST", 429),
        ("POST", 201),
    ]


def test_media_sent_as_media_ids_is_refused_where_the_api_takes_attachments(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.post_media_field = "attachments"

    with pytest.raises(FanslyValidationError, match="unknown field 'mediaIds'"):
        make_hook().create_post(media_ids=[MEDIA])
    assert fansly_sandbox.posts == []


def test_a_scheduled_post_is_read_cancelled_and_then_gone(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    hook = make_hook()
    post_id = hook.create_post("Soon", scheduled_for=SOON)["id"]

    assert hook.get_post(post_id)["content"] == "Soon"
    hook.cancel_scheduled_post(post_id)

    with pytest.raises(FanslyNotFoundError):
        hook.cancel_scheduled_post(post_id)
    hook.cancel_scheduled_post(post_id, maybe_gone=True)  # an earlier try cancelled it: done
    with pytest.raises(FanslyNotFoundError):
        hook.get_post(post_id)
    assert fansly_sandbox.posts[0].state == "cancelled"


def test_a_published_post_is_deleted_and_a_lost_answer_is_not_an_error(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    hook = make_hook(max_retry_wait=1)
    post_id = hook.create_post("Now")["id"]
    with pytest.raises(FanslyNotFoundError):
        hook.cancel_scheduled_post(post_id)  # published, so not scheduled
    fansly_sandbox.set_faults(Fault(kind="drop", processed=True, first_n=1, method="DELETE"))

    hook.delete_post(post_id)

    assert fansly_sandbox.posts[0].state == "deleted"
    assert [e.status for e in fansly_sandbox.journal][-2:] == [None, 404]  # the repeat's 404: already deleted


@pytest.mark.parametrize("walls", ["required", "optional"])
def test_a_post_without_walls_goes_to_the_first_wall_as_the_live_client_sends_it(
    walls: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.post_walls = walls  # type: ignore[assignment]

    post = make_hook().create_post(media_ids=[MEDIA])

    main = fansly_sandbox.walls()[0]["id"]
    (record,) = fansly_sandbox.posts
    assert record.body == {
        "content": "",
        "mediaIds": [MEDIA],
        "wallIds": [main],
        "scheduledFor": 0,
        "expiresAt": 0,
    }
    assert (post["wallIds"], record.state) == ([main], "published")
    assert [(e.method, e.path.rsplit("/", 1)[-1]) for e in fansly_sandbox.journal] == [
        ("GET", "walls"),
        ("POST", "posts"),
    ]
