"""Posts: create (never twice), read, delete, cancel a scheduled one, list the walls (docs: "Posts")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyPostUncertainError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, label
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.models.post import Post
from airflow_provider_apifansly.shapes import shape_of
from airflow_provider_apifansly.timestamps import Instant


class PostEndpoints(EndpointGroup):
    """The Posts endpoints: create, read, delete, cancel a scheduled post, list the walls.

    ``POST /{account_id}/posts``, ``GET``/``DELETE .../posts/{id}``, ``POST
    .../posts/scheduled/{id}/cancel`` and ``GET .../posts/walls``.
    """

    def create_post(
        self,
        content: str | None = None,
        media_ids: list[str] | None = None,
        wall_ids: list[str] | None = None,
        scheduled_for: Instant | None = None,
        expires_at: Instant | None = None,
        post_to_fyp: bool = False,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Create (or schedule) one post and return it, its id under ``id``; every field is checked first.

        ``scheduled_for``/``expires_at`` (a datetime with a time zone, ISO text with an offset, or
        epoch ms) go as epoch ms; ``scheduled_for`` must be in the future, ``expires_at`` after it.
        Created at most once: see ``publish``.
        """
        post = Post.parse(content, media_ids, wall_ids, scheduled_for, expires_at, post_to_fyp)
        return self.publish(post, account_id)

    def publish(self, post: Post, account_id: str | None = None) -> dict[str, Any]:
        """Create a validated post once.

        After a failure that may have created it, raise ``FanslyPostUncertainError`` (which Airflow
        does not retry) rather than risk posting it twice.

        A post names its walls: one docs revision requires ``wallIds`` and the live client always
        sends them, so a post without walls goes to the account's first wall (``main_wall``: 1 more
        request), where the other revision says a post without walls goes.

        There is no documented list of posts to look it up, so only what cannot have reached the
        server (a 429, a refused connection) is retried.
        """
        account_id = self.resolve_account_id(account_id)
        if not post.wall_ids:
            post = replace(post, wall_ids=(self.main_wall(account_id),))
        path = f"/{account_id}/posts"
        created: dict[str, Any] = self._create_once(
            path,
            post.body(),
            FanslyPostUncertainError,
            f"The {post.describe()} MAY HAVE BEEN CREATED, so it is not retried (it could be published "
            f"twice). {where_to_look(account_id)}",
            created_post,
        )
        self.log.info("Created post %s: %s", created["id"], post.describe())
        return created

    def get_post(self, post_id: str | int, account_id: str | None = None) -> dict[str, Any]:
        """One post, as the API sends it (its shape is not documented beyond an object)."""
        account_id = self.resolve_account_id(account_id)
        post_id = validate_native_id(post_id, field="post_id")
        post: dict[str, Any] = self._account_call("GET", f"/{account_id}/posts/{post_id}")
        return post

    def delete_post(
        self, post_id: str | int, account_id: str | None = None, *, maybe_gone: bool = False
    ) -> None:
        """Delete a post; a 404 means there is none.

        Unless an earlier attempt (or try: ``maybe_gone``) may have deleted it: then a 404 means done.
        """
        account_id = self.resolve_account_id(account_id)
        post_id = validate_native_id(post_id, field="post_id")
        self._remove("DELETE", f"/{account_id}/posts/{post_id}", maybe_gone=maybe_gone)

    def cancel_scheduled_post(
        self, post_id: str | int, account_id: str | None = None, *, maybe_gone: bool = False
    ) -> None:
        """Cancel a scheduled post (no body).

        A 404 means no such scheduled post, unless an earlier attempt (or try: ``maybe_gone``) may
        have cancelled it.
        """
        account_id = self.resolve_account_id(account_id)
        post_id = validate_native_id(post_id, field="post_id")
        self._remove("POST", f"/{account_id}/posts/scheduled/{post_id}/cancel", maybe_gone=maybe_gone)

    def main_wall(self, account_id: str | None = None) -> str:
        """The id of the account's first wall, as ``GET .../posts/walls`` lists them (its main one; one request)."""
        account_id = self.resolve_account_id(account_id)
        walls = self.list_post_walls(account_id)
        if not walls:
            request = label("GET", f"/{account_id}/posts/walls")
            raise FanslyApiError(f"{request} listed no walls: give wall_ids", request=request)
        return validate_native_id(walls[0]["id"], field="wall id")

    def list_post_walls(self, account_id: str | None = None) -> list[dict[str, Any]]:
        """The account's walls (``id``, ``name``), which ``wall_ids`` of a post name (one request)."""
        account_id = self.resolve_account_id(account_id)
        rows: list[dict[str, Any]] = self._account_call("GET", f"/{account_id}/posts/walls", walls)
        return rows


def where_to_look(account_id: str) -> str:
    """Where a post that may exist can be found, there being no list of posts in the API."""
    return (
        "The API cannot list posts: look in Fansly for account "
        f"{account_id} (its wall, or its scheduled posts queue for a scheduled post) before creating it "
        "again (an Airflow task's later try names the record to delete to post it then)."
    )


def created_post(data: Any, request: str, connection: str) -> dict[str, Any]:
    """Create Post's ``response`` (the post, HTTP 200 or 201).

    Its id is ``id``, else ``postId``, and a success without one is an error. The id is returned under
    ``id`` either way.
    """
    response = envelope.nested_response(data, request, connection)
    raw = response.get("id") or response.get("postId")
    try:
        post_id = validate_native_id(raw, field="post id")
    except FanslyValidationError:
        raise FanslyApiError(
            f"{request} succeeded without a post id ('id' or 'postId'): got {shape_of(response)}",
            request=request,
        ) from None
    return {**response, "id": post_id}


def walls(data: Any, request: str, connection: str) -> list[dict[str, Any]]:
    """Post walls, each with an ``id``.

    ``data.data.walls`` as a recorded answer has them (no ``success``/``response`` layer), else
    ``data.data.response.walls``.
    """
    envelope.check_inner_status(data, request, connection)
    inner = data.get("data") if isinstance(data, dict) else None
    if isinstance(inner, dict) and "walls" in inner:
        rows = envelope.rows_of(inner, "walls", request)
    else:
        rows = envelope.rows_of(envelope.nested_response(data, request, connection), "walls", request)
    for row in rows:
        if not row.get("id"):
            raise FanslyApiError(
                f"{request} returned a wall without an id: got {shape_of(row)}", request=request
            )
    return rows
