"""``Post``: a post to create, checked against the documented Create Post body.

Every field is validated before any request. Instants must carry a time zone (a naive one would
publish hours off) and become epoch milliseconds. Imports no hook and no HTTP client (Airflow
only for the typed errors of ``exceptions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.models.message import as_list, parse_content
from airflow_provider_apifansly.timestamps import future_epoch_ms, iso, optional_epoch_ms


@dataclass(frozen=True)
class Post:
    """A validated post.

    :param content: the caption; optional when media is attached.
    :param media_ids: processed media ids (``UploadMediaOperator``'s output), sent as ``mediaIds``.
    :param wall_ids: the walls to post on (``list_post_walls``); none: the hook names the account's first.
    :param scheduled_for: epoch ms to publish at, or None to publish now.
    :param expires_at: epoch ms to take the post down at, or None.
    :param post_to_fyp: also offer it to the For You page (a public video of 3 s or more).
    """

    content: str | None = None
    media_ids: tuple[str, ...] = ()
    wall_ids: tuple[str, ...] = ()
    scheduled_for: int | None = None
    expires_at: int | None = None
    post_to_fyp: bool = False

    @classmethod
    def parse(
        cls,
        content: object = None,
        media_ids: object = None,
        wall_ids: object = None,
        scheduled_for: object = None,
        expires_at: object = None,
        post_to_fyp: object = False,
        *,
        check_future: bool = True,
    ) -> Post:
        """Check every field; raise ``FanslyValidationError`` naming the field.

        :param check_future: also require the instants to be in the future: False when a DAG file is
            parsed (a fixed date must not break the file once it passes), True before sending.
        """
        text = None if content is None or content == "" else parse_content(content)
        media = _ids(media_ids, "media_ids")
        if text is None and not media:
            raise FanslyValidationError("a post needs content, media_ids or both; got neither")
        if not isinstance(post_to_fyp, bool):
            raise FanslyValidationError(f"post_to_fyp must be True or False, got {post_to_fyp!r:.40}")
        if post_to_fyp and not media:
            raise FanslyValidationError("post_to_fyp needs media: the For You page shows public videos")
        read = future_epoch_ms if check_future else optional_epoch_ms
        scheduled = read(scheduled_for, field="scheduled_for", aware=True)
        expires = read(expires_at, field="expires_at", aware=True)
        if scheduled is not None and expires is not None and expires <= scheduled:
            raise FanslyValidationError(
                f"expires_at ({iso(expires)}) must be after scheduled_for ({iso(scheduled)})"
            )
        return cls(text, media, _ids(wall_ids, "wall_ids"), scheduled, expires, post_to_fyp)

    def body(self) -> dict[str, Any]:
        """The Create Post body as the live client sends it (contract section 7).

        ``content`` always (empty for a media-only post, as a docs revision requires it),
        ``scheduledFor``/``expiresAt`` always (0: now, never), ``mediaIds``, ``wallIds`` and
        ``postToFYP`` when given.
        """
        body: dict[str, Any] = {"content": self.content or ""}
        if self.media_ids:
            body["mediaIds"] = list(self.media_ids)
        if self.wall_ids:
            body["wallIds"] = list(self.wall_ids)
        body["scheduledFor"] = self.scheduled_for or 0
        body["expiresAt"] = self.expires_at or 0
        if self.post_to_fyp:
            body["postToFYP"] = True
        return body

    def describe(self) -> str:
        """The post in a line, for logs and errors."""
        when = f"scheduled for {iso(self.scheduled_for)}" if self.scheduled_for else "published now"
        caption = f"{self.content[:40]!r}" if self.content else "no caption"
        return f"post ({caption}, {len(self.media_ids)} media, {when})"


def _ids(value: object, field: str) -> tuple[str, ...]:
    return tuple(
        validate_native_id(item, field=f"{field}[{i}]") for i, item in enumerate(as_list(value, field))
    )
