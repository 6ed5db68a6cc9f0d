"""Reading back what an earlier attempt may have sent.

The rows that can be ours, matched on the whole request as far as rows show it, read from the newest page back
to the attempt's own start and no further.

Used by the hook inside one try (a send that failed after it may have arrived) and by the operators
across tries (``operators/once.py``), so both match alike. Bounds are epoch milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly.exceptions import FanslyApiError
from airflow_provider_apifansly.hooks.endpoints.base import label
from airflow_provider_apifansly.hooks.paging import cursor_pages, messages_page
from airflow_provider_apifansly.timestamps import stamp_ms

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.endpoints.mass_messaging import MassMessagingEndpoints
    from airflow_provider_apifansly.hooks.transport import Transport
    from airflow_provider_apifansly.models.mass_message import MassMessage
    from airflow_provider_apifansly.models.message import OutgoingMessage

# How far the server's clock may run behind ours when we look for something we may have sent.
CLOCK_SKEW_MS = 120_000
MAX_MESSAGES_PAGE = 10

# Whether another task instance owns a resource id (its claim), so that it is never taken for ours.
Taken = Callable[[str], bool]


def chat_messages_since(
    transport: Transport, path: str, since_ms: float, *, retry: bool = True
) -> Iterator[dict[str, Any]]:
    """A chat's messages from the newest back to ``since_ms``.

    No page is read after the first that reaches past it (one request when the newest page already does).
    """
    request = label("GET", path)
    pages = cursor_pages(
        transport,
        path,
        "messages",
        {"limit": MAX_MESSAGES_PAGE},
        parse=messages_page,
        retry=retry,
    )
    for page in pages:
        stamps = [chat_stamp_ms(row, request) for row in page.rows]
        yield from (row for row, at in zip(page.rows, stamps, strict=True) if at >= since_ms)
        # The cursor reaches older messages: once a page holds one older than the bound, no later page
        # can hold ours.
        if not stamps or min(stamps) < since_ms:
            return


def same_chat_message(row: dict[str, Any], message: OutgoingMessage, creator_id: str) -> bool:
    """Whether a chat message is ``message``.

    The same text, sent by the creator, the same media and, where the row names a price, the same price.
    The contract shows no price on a message row.
    """
    attachments = row.get("attachments") or []
    attached = sorted(str(a.get("contentId")) for a in attachments if isinstance(a, dict))
    ours = sorted(m if isinstance(m, str) else str(m["mediaId"]) for m in message.media_ids)
    # Attachments carry the accountMedia id (the contract), which the send never learns: when none of
    # them is one of our media ids, the number of attachments is all that can be compared. A sibling's
    # look-alike (same text, other media or price) is told apart by its claim and the attempt's window.
    same_media = attached == ours or (not set(attached) & set(ours) and len(attached) == len(ours))
    price = row.get("price")
    return (
        row.get("content") == message.content
        and str(row.get("senderId")) == creator_id
        and same_media
        and (price is None or price == message.price)
    )


def chat_stamp_ms(row: dict[str, Any], request: str) -> float:
    """A message's ``createdAt`` in epoch ms (Fansly's samples stamp seconds; milliseconds are read too)."""
    value = row.get("createdAt")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FanslyApiError(
            f"{request} returned message {row.get('id')!r} without a numeric createdAt "
            f"(got {value!r:.40}); cannot tell whether an earlier send arrived, so not sending again",
            request=request,
        ) from None
    return stamp_ms(number)


def broadcast_stamp_ms(row: dict[str, Any], request: str) -> float:
    """A broadcast's ``createdAt`` in epoch ms (the contract stamps seconds; read by magnitude)."""
    value = row.get("createdAt")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FanslyApiError(
            f"{request} returned broadcast {row.get('id')!r:.40} without a numeric createdAt "
            f"(got {value!r:.40})",
            request=request,
        )
    return stamp_ms(value)


def same_sent_broadcast(row: dict[str, Any], message: MassMessage) -> bool:
    """Whether a ``/stats/sent`` row is ``message``: the same text and, where the row lists attachments, as many.

    Rows name no audience, price or schedule: a sibling's broadcast to another audience looks the same,
    which the claims and the attempt's window rule out.
    """
    attachments = row.get("attachments")
    same_media = (
        not attachments or not isinstance(attachments, list) or len(attachments) == len(message.media_ids)
    )
    return row.get("content") == message.content and same_media


def same_scheduled_broadcast(
    row: dict[str, Any], message: MassMessage, since_ms: float, request: str
) -> bool:
    """Whether a ``/scheduled`` row is ``message``.

    The same text and ``scheduledFor`` (and, where the row says when it was created, created since
    ``since_ms``). A row whose text cannot be read raises.
    """
    template = row.get("messageTemplate")
    if not isinstance(template, dict) or not isinstance(template.get("content"), str):
        raise FanslyApiError(
            f"{request} returned scheduled broadcast {row.get('id')!r:.40} whose messageTemplate has no "
            f"readable content (got {type(template).__name__})",
            request=request,
        )
    when = row.get("scheduledFor")
    if isinstance(when, int | float) and not isinstance(when, bool):
        when = stamp_ms(when)
    created = row.get("createdAt")
    recent = (
        isinstance(created, bool) or not isinstance(created, int | float) or stamp_ms(created) >= since_ms
    )
    return template["content"] == message.content and when == message.scheduled_for and recent


def broadcasts_like(
    hook: MassMessagingEndpoints, message: MassMessage, account_id: str, since_ms: float
) -> list[dict[str, Any]]:
    """The broadcasts that can be ``message`` since ``since_ms``.

    A scheduled one in ``/scheduled`` (every page: it is ordered by when it goes out, not when it was
    made), else the rows of ``/stats/sent`` created since then (no page read past the bound).
    """
    if message.scheduled_for is not None:
        listed = label("GET", f"/{account_id}/mass-messaging/scheduled")
        return [
            row
            for row in hook.list_scheduled_mass_messages(account_id)
            if same_scheduled_broadcast(row, message, since_ms, listed)
        ]
    rows = hook.list_sent_mass_messages(account_id, since=int(since_ms))
    return [row for row in rows if same_sent_broadcast(row, message)]


def unclaimed_ids(rows: list[dict[str, Any]], taken: Taken | None) -> list[str]:
    """The ids of ``rows`` that no other task instance claims, in the rows' order, each once."""
    ids = list(dict.fromkeys(str(row.get("id")) for row in rows))
    return [row_id for row_id in ids if taken is None or not taken(row_id)]
