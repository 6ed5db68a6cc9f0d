"""Operators that publish posts and cancel scheduled ones; a post is never created twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.exceptions import FanslyError, FanslyNotFoundError, FanslyPostUncertainError
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.models.batch_input import parse_rendered, pending_template
from airflow_provider_apifansly.models.post import Post
from airflow_provider_apifansly.operators.once import FanslySideEffectOperator
from airflow_provider_apifansly.operators.try_record import DONE, MAY_HAVE_ACTED, Attempt, TryRecord


def _given(value: Any) -> Any:
    """A templated optional value: a template renders None (or a missing param) as "None" or ""."""
    return None if value in ("None", "") else value


class CreatePostOperator(FanslySideEffectOperator):
    """Create (or schedule) one post; returns its id (XCom ``return_value``).

    One request, or two without ``wall_ids``: a post always names a wall (one docs revision requires
    it, and the live client always sends one), so the walls are read and the first, the main wall,
    is used. The body is the one the live client sends (an empty caption beside media,
    ``scheduledFor``/``expiresAt`` 0 for now and never). Every field is checked when the DAG is
    parsed (before any request when it comes from a template; whether an instant is still in the
    future, when the task runs). Posts cannot
    be listed, so the post is never created again after a failure that may have created it (a
    timeout or drop after sending, a 5xx): the task fails with ``FanslyPostUncertainError``, which Airflow does
    not retry, saying where to look. Only a 429 or a refused connection is retried. A later try goes by
    the task instance's record (``operators/once.py``): it adopts the post an earlier try created, posts
    when the earlier try provably sent nothing (a 429, a 401, a refused connection), and fails with
    ``FanslyPostUncertainError`` only after one that may have created it.

    :param content: the caption; optional with media. Templated.
    :param media_ids: processed media ids, e.g. ``UploadMediaOperator``'s output. Templated.
    :param wall_ids: the walls to post on (``FanslyHook.list_post_walls``); default the account's first
        (main) wall, read with one more request. Templated.
    :param scheduled_for: when to publish: a datetime with a time zone, ISO text with an offset, or
        epoch ms, in the future; None publishes now. Templated.
    :param expires_at: when the post comes down, in the same forms; after ``scheduled_for``. Templated.
    :param post_to_fyp: also offer it to the For You page (a public video of 3 s or more).
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    """

    template_fields: Sequence[str] = (
        "content",
        "media_ids",
        "wall_ids",
        "scheduled_for",
        "expires_at",
        "account_id",
        "fansly_conn_id",
    )

    def __init__(
        self,
        *,
        content: str | None = None,
        media_ids: list[str] | str | None = None,
        wall_ids: list[str] | str | None = None,
        scheduled_for: datetime | str | int | None = None,
        expires_at: datetime | str | int | None = None,
        post_to_fyp: bool = False,
        account_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        fields = (content, media_ids, wall_ids, scheduled_for, expires_at, post_to_fyp)
        if not any(pending_template(value) for value in fields):
            Post.parse(*fields, check_future=False)  # a bad post fails the DAG file's parse
        self.content = content
        self.media_ids = media_ids
        self.wall_ids = wall_ids
        self.scheduled_for = scheduled_for
        self.expires_at = expires_at
        self.post_to_fyp = post_to_fyp
        self.account_id = account_id

    def act(self, context: Context, record: TryRecord) -> str | None:
        """Create the post at most once, by this try's record; return its id."""
        post = Post.parse(
            _given(self.content),
            parse_rendered(_given(self.media_ids), "media_ids"),
            parse_rendered(_given(self.wall_ids), "wall_ids"),
            _given(self.scheduled_for),
            _given(self.expires_at),
            self.post_to_fyp,
        )
        account_id = self.hook.resolve_account_id(self.account_id)
        post_id, _ = self.once(
            context,
            record,
            request={"operator": "create_post", "account_id": account_id, **post.body()},
            account_id=account_id,
            do=lambda claims: str(self.hook.publish(post, account_id)["id"]),
        )
        return post_id

    def uncertain(self, context: Context, earlier: Attempt, why: str) -> FanslyError:
        """``FanslyPostUncertainError``: the post may exist; where to look."""
        from airflow_provider_apifansly.hooks.endpoints.posts import where_to_look

        account_id = self.hook.resolve_account_id(self.account_id)
        return FanslyPostUncertainError(
            f"The post may have been created, so it is not created again (it could be published twice): "
            f"{why}. {where_to_look(account_id)}"
        )


class CancelScheduledPostOperator(FanslySideEffectOperator):
    """Cancel a scheduled post before it is published; returns its id.

    One request. Cancelling is harmless to repeat, so transient failures are retried. A 404 counts
    as done only when an earlier attempt of this task instance may have cancelled it (a failure after
    sending within the try, or an earlier try whose record says so); otherwise the task fails with
    ``FanslyNotFoundError``: the post is not scheduled (published, deleted or never there).

    :param post_id: the scheduled post's id, e.g. ``CreatePostOperator``'s output. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    """

    template_fields: Sequence[str] = ("post_id", "account_id", "fansly_conn_id")

    def __init__(self, *, post_id: str | int, account_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not pending_template(post_id):
            validate_native_id(post_id, field="post_id")
        self.post_id = post_id
        self.account_id = account_id

    def act(self, context: Context, record: TryRecord) -> str:
        """Cancel the scheduled post (again after a try that may have: "not found" then means done)."""
        post_id = validate_native_id(self.post_id, field="post_id")
        account_id = self.hook.resolve_account_id(self.account_id)
        request = {"operator": "cancel_scheduled_post", "account_id": account_id, "post_id": post_id}
        earlier = record.earlier("", request)
        if earlier is not None and earlier.outcome == DONE:
            self.log.info(
                "Try %d of this task instance cancelled post %s already", earlier.try_number, post_id
            )
            return post_id
        # A 404 means "cancelled" only when an earlier cancel of this task instance may have reached the API.
        maybe_gone = earlier is not None and earlier.outcome in MAY_HAVE_ACTED

        def cancel() -> str:
            try:
                self.hook.cancel_scheduled_post(post_id, account_id, maybe_gone=maybe_gone)
            except FanslyNotFoundError as exc:
                raise FanslyNotFoundError(
                    f"Post {post_id} is not scheduled (published, deleted or never there), and no earlier "
                    f"try of this task cancelled it: nothing was cancelled. ({exc})",
                    http_status=exc.http_status,
                    api_message=exc.api_message,
                    request=exc.request,
                ) from exc
            self.log.info("Scheduled post %s cancelled", post_id)
            return post_id

        self.attempt(record, "", request, cancel, None)
        return post_id
