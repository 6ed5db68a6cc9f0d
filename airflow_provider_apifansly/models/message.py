"""``OutgoingMessage``: a message to send, checked against the documented Send Message body.

Every field is validated before any request, for one send and for a whole
batch alike, so a bad price or access type never costs a credit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.ids import validate_native_id

ACCESS_TYPES = ("ppv", "subscription", "follow", "list", "limited_time")
MIN_PRICE, MAX_PRICE = 1, 500

MediaId = str | dict[str, str | None]


@dataclass(frozen=True)
class OutgoingMessage:
    """A validated message for one chat.

    :param chat_id: the chat's (group's) native id.
    :param content: the text; required and non-empty.
    :param media_ids: attached media: ids (digits), or ``{"mediaId", "previewId"}`` objects.
    :param access_type: who may open the media: values of ``ACCESS_TYPES``.
    :param price: dollars, 1 to 500; only with ``ppv`` and attached media.
    """

    chat_id: str
    content: str
    media_ids: tuple[MediaId, ...] = ()
    access_type: tuple[str, ...] = ()
    price: int | float | None = None

    @classmethod
    def parse(
        cls,
        chat_id: object,
        content: object,
        media_ids: object = None,
        access_type: object = None,
        price: object = None,
        *,
        where: str = "",
    ) -> OutgoingMessage:
        """Check every field; raise ``FanslyValidationError`` naming the field (prefixed by ``where``)."""
        chat = validate_native_id(chat_id, field=f"{where}chat_id")
        text = parse_content(content, where=where)
        media, access, checked_price = parse_media(media_ids, access_type, price, where=where)
        return cls(chat, text, media, access, checked_price)

    def body(self) -> dict[str, Any]:
        """The Send Message request body, with only the fields that were given."""
        return {"content": self.content, **media_fields(self.media_ids, self.access_type, self.price)}


def parse_content(content: object, *, where: str = "") -> str:
    """A message's text: a non-empty string."""
    if not isinstance(content, str) or not content.strip():
        raise FanslyValidationError(f"{where}content must be a non-empty string, got {content!r:.60}")
    return content


def media_fields(
    media_ids: tuple[MediaId, ...], access_type: tuple[str, ...], price: int | float | None
) -> dict[str, Any]:
    """The body fields of checked media, access types and price, as Send Message and Send Mass Message take them."""
    fields: dict[str, Any] = {}
    if media_ids:
        fields["mediaIds"] = list(media_ids)
    if access_type:
        fields["access_type"] = list(access_type)
    if price is not None:
        fields["price"] = price
    return fields


def parse_media(
    media_ids: object, access_type: object, price: object, *, where: str = ""
) -> tuple[tuple[MediaId, ...], tuple[str, ...], int | float | None]:
    """Check a message's media, access types and price as Send Message and Send Mass Message take them."""
    media = tuple(
        _media_id(item, f"{where}media_ids[{i}]")
        for i, item in enumerate(as_list(media_ids, f"{where}media_ids"))
    )
    access = tuple(
        _access_type(item, f"{where}access_type[{i}]")
        for i, item in enumerate(as_list(access_type, f"{where}access_type"))
    )
    if price is not None:
        if isinstance(price, bool) or not isinstance(price, int | float):
            raise FanslyValidationError(f"{where}price must be a number of dollars, got {price!r}")
        if not MIN_PRICE <= price <= MAX_PRICE:
            raise FanslyValidationError(
                f"{where}price must be from {MIN_PRICE} to {MAX_PRICE} dollars, got {price!r}"
            )
        if "ppv" not in access or not media:
            raise FanslyValidationError(
                f"{where}price is only allowed on a pay-per-view message with media: "
                "set access_type to include 'ppv' and give media_ids"
            )
    return media, access, price


def as_list(value: object, field: str) -> Sequence[object]:
    """A list field as given: None is empty; text, a dict or a scalar is refused."""
    if value is None:
        return ()
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise FanslyValidationError(f"{field} must be a list, got {type(value).__name__} {value!r:.60}")
    return value


def _media_id(value: object, field: str) -> MediaId:
    if isinstance(value, Mapping):
        if set(value) - {"mediaId", "previewId"} or "mediaId" not in value:
            raise FanslyValidationError(
                f"{field} must be a media id or {{'mediaId': ..., 'previewId': ...}}, got keys {sorted(value)}"
            )
        preview = value.get("previewId")
        return {
            "mediaId": validate_native_id(value["mediaId"], field=f"{field}.mediaId"),
            "previewId": None if preview is None else validate_native_id(preview, field=f"{field}.previewId"),
        }
    return validate_native_id(value, field=field)


def _access_type(value: object, field: str) -> str:
    if value not in ACCESS_TYPES:
        raise FanslyValidationError(f"{field} must be one of {', '.join(ACCESS_TYPES)}; got {value!r:.40}")
    return str(value)
