"""``MassMessage``: a broadcast to a whole audience, checked against the documented Send Mass Message body.

Every field is validated before any request, so a broadcast with no audience, a bad
price or a past schedule never costs a credit. Imports no hook and no HTTP client (Airflow
only for the typed errors of ``exceptions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.models.message import (
    MediaId,
    as_list,
    media_fields,
    parse_content,
    parse_media,
)
from airflow_provider_apifansly.timestamps import future_epoch_ms

# Parameter -> body field of the audience booleans, all false unless set.
AUDIENCE_FLAGS = {
    "include_followers": "includeFollowers",
    "include_subscribers_auto_renew_on": "includeSubscribersAutoRenewOn",
    "include_subscribers_auto_renew_off": "includeSubscribersAutoRenewOff",
    "include_expired_subscribers": "includeExpiredSubscribers",
    "exclude_creators": "excludeCreators",
    "exclude_offline_users": "excludeOfflineUsers",
}
_INCLUDING_FLAGS = tuple(name for name in AUDIENCE_FLAGS.values() if name.startswith("include"))
ID_LISTS = {
    "include_list_ids": "includeListIds",
    "exclude_list_ids": "excludeListIds",
    "exclude_user_ids": "excludeUserIds",
}


@dataclass(frozen=True)
class MassMessage:
    """A validated broadcast.

    :param content: the text; required and non-empty.
    :param flags: the audience booleans by body field (``includeFollowers``, ...).
    :param tier_id: a subscription tier whose subscribers are included.
    :param id_lists: ``includeListIds``, ``excludeListIds`` and ``excludeUserIds``, each native ids.
    :param scheduled_for: epoch ms in the future, or None to send now.
    """

    content: str
    flags: dict[str, bool]
    tier_id: str | None = None
    id_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    media_ids: tuple[MediaId, ...] = ()
    access_type: tuple[str, ...] = ()
    price: int | float | None = None
    scheduled_for: int | None = None

    @classmethod
    def parse(
        cls,
        content: object,
        *,
        include_subscribers: object = False,
        tier_id: object = None,
        media_ids: object = None,
        access_type: object = None,
        price: object = None,
        scheduled_for: object = None,
        **audience: object,
    ) -> MassMessage:
        """Check every field; ``audience`` holds the ``AUDIENCE_FLAGS`` and ``ID_LISTS`` parameters."""
        text = parse_content(content)
        unknown = sorted(set(audience) - set(AUDIENCE_FLAGS) - set(ID_LISTS))
        if unknown:
            raise TypeError(f"unknown mass message parameters {unknown}")
        flags = {body: _flag(audience.get(name, False), name) for name, body in AUDIENCE_FLAGS.items()}
        if _flag(include_subscribers, "include_subscribers"):
            flags["includeSubscribersAutoRenewOn"] = flags["includeSubscribersAutoRenewOff"] = True
        tier = None if tier_id is None or tier_id == "" else validate_native_id(tier_id, field="tier_id")
        id_lists = {
            body: tuple(
                validate_native_id(value, field=f"{name}[{index}]")
                for index, value in enumerate(as_list(audience.get(name), name))
            )
            for name, body in ID_LISTS.items()
        }
        if (
            not any(flags[name] for name in _INCLUDING_FLAGS)
            and tier is None
            and not id_lists["includeListIds"]
        ):
            raise FanslyValidationError(
                "the broadcast has no audience: set include_followers, include_subscribers (or one of its "
                "auto-renew halves), include_expired_subscribers, tier_id or include_list_ids"
            )
        media, access, checked_price = parse_media(media_ids, access_type, price)
        return cls(
            text,
            flags,
            tier,
            id_lists,
            media,
            access,
            checked_price,
            future_epoch_ms(scheduled_for, field="scheduled_for"),
        )

    def body(self) -> dict[str, Any]:
        """The Send Mass Message body: every audience boolean, and the optional fields that were given."""
        body: dict[str, Any] = {"content": self.content, **self.flags}
        if self.tier_id is not None:
            body["includeSubscriptionTierId"] = self.tier_id
        body.update({name: list(ids) for name, ids in self.id_lists.items() if ids})
        body.update(media_fields(self.media_ids, self.access_type, self.price))
        if self.scheduled_for is not None:
            body["scheduledFor"] = self.scheduled_for
        return body


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise FanslyValidationError(f"{name} must be True or False, got {value!r:.40}")
    return value
