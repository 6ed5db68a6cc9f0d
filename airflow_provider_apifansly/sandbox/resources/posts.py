"""Posts: create, read, delete, cancel a scheduled one, list the walls.

``POST {account_id}/posts`` (Create Post), ``GET``/``DELETE .../posts/{post_id}``, ``POST
.../posts/scheduled/{post_id}/cancel`` and ``GET .../posts/walls``.

Create Post takes the body the live client sends (``scheduledFor``/``expiresAt`` 0 for now and never,
an empty caption beside media) and, with ``post_walls="required"`` (the default), refuses a post that
names no wall. It answers as a recorded live answer does (HTTP 201, or ``post_create_status``):
``response = {"id", "accountId", "content", "attachments": [{"contentType": 1, "contentId", "pos",
"postId"}], "wallIds"}``. It takes media as ``mediaIds`` or, with ``post_media_field="attachments"``,
as the older ``attachments`` objects; the other is a 400. Walls are answered as recorded, without the
``success``/``response`` layer. There is no list of posts, as in the API. Each account has two walls.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

from airflow_provider_apifansly.sandbox.envelope import ApiError, Reply, invalid, nested, ok
from airflow_provider_apifansly.sandbox.keys import Account
from airflow_provider_apifansly.sandbox.resources import Resource, Sandbox
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import is_digits, is_int, json_object, parameters
from airflow_provider_apifansly.sandbox.world import Store, World

WALL_NAMES = ("Posts", "Subscribers")
# Optional fields the docs list beside the ones checked here; taken as they come.
OTHER_FIELDS = ("fypFlags", "pinWallIds", "inReplyTo", "quotedPostId", "postReplyPermissionFlags")
PostState = Literal["published", "scheduled", "cancelled", "deleted"]


@dataclass
class PostSwitches:
    """How Create Post takes and answers a post where the docs disagree."""

    post_media_field: Literal["mediaIds", "attachments"] = switch(
        "mediaIds",
        "how Create Post takes media: mediaIds (the current docs) or attachments ([{contentType: 1, "
        "contentId, pos}], an older page); the other is a 400",
    )
    post_create_status: Literal[200, 201] = switch(201, "status of a created post (201 as recorded, or 200)")
    post_walls: Literal["optional", "required"] = switch(
        "required",
        "whether Create Post needs wallIds: required (default: the live client sends a wall on every post "
        "and a docs revision requires one; a post without is a 400) or optional (the re-verified docs: "
        "a post without walls goes to the account's first wall)",
    )


@dataclass(frozen=True)
class PostRecord:
    """A post the API accepted.

    :param body: the Create Post body as sent.
    :param post: the post as Create Post answered it.
    :param state: ``scheduled`` until its ``scheduledFor``, else ``published``; or how it was removed.
    """

    account_id: str
    body: dict[str, Any]
    post: dict[str, Any]
    state: PostState


class PostStore(Store):
    """Every post, in the order they came, and each account's walls."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._records: list[PostRecord] = []
        self._walls: dict[str, list[dict[str, str]]] = {}

    def walls(self, account_id: str) -> list[dict[str, str]]:
        """The account's walls, made on first use."""
        with self.world.lock:
            if account_id not in self._walls:
                self._walls[account_id] = [{"id": self.world.next_id(), "name": name} for name in WALL_NAMES]
            return copy.deepcopy(self._walls[account_id])

    def add(self, account: Account, body: dict[str, Any], media_ids: list[str]) -> dict[str, Any]:
        """Store a post and return it as Create Post answers it."""
        with self.world.lock:
            post_id = self.world.next_id()
            walls = body.get("wallIds") or [self.walls(account.account_id)[0]["id"]]
            post = {
                "id": post_id,
                "accountId": account.creator_id,
                "content": body.get("content", ""),
                "attachments": [
                    {"contentType": 1, "contentId": media_id, "pos": pos, "postId": post_id}
                    for pos, media_id in enumerate(media_ids)
                ],
                "wallIds": list(walls),
            }
            scheduled = (body.get("scheduledFor") or 0) > time.time() * 1000  # 0: now
            state: PostState = "scheduled" if scheduled else "published"
            self._records.append(PostRecord(account.account_id, copy.deepcopy(body), post, state))
            return copy.deepcopy(post)

    def find(self, account_id: str, post_id: str) -> PostRecord | None:
        """The account's post of that id, unless it was removed."""
        with self.world.lock:
            for record in self._records:
                if (record.account_id, record.post["id"]) == (account_id, post_id):
                    return None if record.state in ("cancelled", "deleted") else record
            return None

    def remove(self, account_id: str, post_id: str, state: PostState, *, scheduled_only: bool) -> bool:
        """Mark a post cancelled or deleted; False when there is no such post (or it is not scheduled)."""
        with self.world.lock:
            record = self.find(account_id, post_id)
            if record is None or (scheduled_only and not _still_scheduled(record)):
                return False
            self._records[self._records.index(record)] = replace(record, state=state)
            return True

    def records(self) -> list[PostRecord]:
        """A copy of every post record, removed ones included."""
        with self.world.lock:
            return [replace(r, body=copy.deepcopy(r.body), post=copy.deepcopy(r.post)) for r in self._records]


def _still_scheduled(record: PostRecord) -> bool:
    return record.state == "scheduled" and (record.body.get("scheduledFor") or 0) > time.time() * 1000


def create_post(call: Call) -> Reply:
    """Create Post: validate the body as documented, store the post, answer it (201 unless configured)."""
    account = call.account()
    store = call.world.store(PostStore)
    body = json_object(call.request)
    switches = call.switches(PostSwitches)
    walls = {w["id"] for w in store.walls(account.account_id)}
    media_ids = _check_post(body, switches.post_media_field, walls, switches.post_walls == "required")
    post = store.add(account, body, media_ids)
    status = switches.post_create_status
    return Reply(status, "Created" if status == 201 else "Success", nested(post))


def get_post(call: Call) -> Reply:
    """Get Post: the post as it was created; 404 once deleted or cancelled."""
    account = call.account()
    record = call.world.store(PostStore).find(account.account_id, call.path["post_id"])
    if record is None:
        raise ApiError(404, "Post not found")
    return ok(nested(copy.deepcopy(record.post)))


def delete_post(call: Call) -> Reply:
    """Delete Post: 404 when the account has no such post."""
    account = call.account()
    post_id = call.path["post_id"]
    if not call.world.store(PostStore).remove(account.account_id, post_id, "deleted", scheduled_only=False):
        raise ApiError(404, "Post not found")
    return ok(nested({"id": post_id}))


def cancel_scheduled_post(call: Call) -> Reply:
    """Cancel Scheduled Post (no body): 404 when there is no such post still to be published."""
    account = call.account()
    if call.request.body is not None:
        raise invalid("Cancel Scheduled Post takes no body")
    post_id = call.path["post_id"]
    if not call.world.store(PostStore).remove(account.account_id, post_id, "cancelled", scheduled_only=True):
        raise ApiError(404, "Scheduled post not found")
    return ok(nested({"id": post_id}))


def list_walls(call: Call) -> Reply:
    """Post walls, answered without the ``success``/``response`` layer, as recorded."""
    account = call.account()
    parameters(call.request.query, (), "posts/walls")
    walls = call.world.store(PostStore).walls(account.account_id)
    return ok({"status_code": 200, "data": {"walls": walls}})


def posts(sandbox: Sandbox) -> list[PostRecord]:
    """A snapshot of every post the API accepted (with its state), in the order they came."""
    return sandbox.store(PostStore).records()


def walls(sandbox: Sandbox, account_id: str | None = None) -> list[dict[str, str]]:
    """The account's post walls (``id``, ``name``), as ``GET .../posts/walls`` lists them; no request."""
    return sandbox.store(PostStore).walls(sandbox.account(account_id).account_id)


RESOURCE = Resource(
    routes=(
        Route("POST", "{account_id}/posts", create_post),
        Route("GET", "{account_id}/posts/walls", list_walls),
        Route("GET", "{account_id}/posts/{post_id}", get_post),
        Route("DELETE", "{account_id}/posts/{post_id}", delete_post),
        Route("POST", "{account_id}/posts/scheduled/{post_id}/cancel", cancel_scheduled_post),
    ),
    switches=PostSwitches,
    methods=(walls,),
    properties=(posts,),
)


def _check_post(body: dict[str, Any], media_field: str, walls: set[str], walls_required: bool) -> list[str]:
    """Validate a Create Post body; return its media ids.

    ``scheduledFor``/``expiresAt`` 0 mean now and never, and ``content`` may be empty beside media, as the
    live client sends them (contract section 7).
    """
    allowed = ("content", media_field, "wallIds", "scheduledFor", "expiresAt", "postToFYP", *OTHER_FIELDS)
    unknown = [name for name in body if name not in allowed]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise invalid(f"unknown field {names} (Create Post takes {', '.join(allowed)})")
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        raise invalid("content must be a string")
    media_ids = _media(body.get(media_field), media_field)
    if not (content or "").strip() and not media_ids:
        raise invalid(f"a post needs content or {media_field}")
    wall_ids = body.get("wallIds")
    if wall_ids is not None:
        if not isinstance(wall_ids, list) or not all(is_digits(wall) for wall in wall_ids):
            raise invalid("wallIds must be a list of wall ids")
        if set(wall_ids) - walls:
            raise invalid(f"unknown wall {sorted(set(wall_ids) - walls)[0]}")
    now_ms = time.time() * 1000
    scheduled, expires = body.get("scheduledFor") or None, body.get("expiresAt") or None
    for name in ("scheduledFor", "expiresAt"):
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or 0 < value < 10**12
        ):
            raise invalid(f"{name} must be epoch milliseconds (0: none)")
    if scheduled is not None and scheduled <= now_ms:
        raise invalid("scheduledFor must be in the future")
    if expires is not None and expires <= (scheduled or now_ms):
        raise invalid("expiresAt must be after scheduledFor (or now)")
    fyp = body.get("postToFYP")
    if fyp is not None and (not isinstance(fyp, bool) or (fyp and not media_ids)):
        raise invalid("postToFYP must be a boolean, and true only with media")
    if walls_required and not wall_ids:
        raise invalid("wallIds is required: name at least one wall")
    return media_ids


def _media(value: Any, field: str) -> list[str]:
    """The media ids of ``mediaIds`` (ids of digits) or ``attachments`` (``{contentType: 1, contentId, pos}``)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(f"{field} must be a list")
    if field == "mediaIds":
        if not all(is_digits(item) for item in value):
            raise invalid("mediaIds must be a list of media ids of digits")
        return list(value)
    for pos, item in enumerate(value):
        shaped = isinstance(item, dict) and set(item) == {"contentType", "contentId", "pos"}
        if not shaped or not is_int(item["contentType"], 1) or not is_digits(item["contentId"]):
            raise invalid(f"attachments[{pos}] must be {{contentType: 1, contentId, pos}}")
        if not is_int(item["pos"], pos):
            raise invalid(f"attachments[{pos}].pos must be {pos}")
    return [item["contentId"] for item in value]
