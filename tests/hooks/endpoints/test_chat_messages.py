"""Sending a message: checked before any request, and neither lost nor duplicated when a failure is ambiguous."""

from __future__ import annotations

import time
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import FanslyServerError, FanslyValidationError
from airflow_provider_apifansly.hooks.fansly import FanslyHook
from airflow_provider_apifansly.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_CREATOR_ID, FanslySandbox, Fault
from tests.helpers import MakeHook, paths

FAN = "723516315247063042"
MEDIA = ["900000000000000001"]
ACCOUNT_MEDIA = "910000000000000001"  # what the API's attachments carry as contentId for MEDIA[0]


@pytest.fixture
def chat(fansly_sandbox: FanslySandbox) -> str:
    return fansly_sandbox.seed_chats([FAN])[FAN]


@pytest.fixture
def hook(fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch) -> FanslyHook:
    monkeypatch.setenv(
        "AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(rate_limit_rpm=0, timeout=1)
    )
    return FanslyHook()


def requests_made(sandbox: FanslySandbox) -> list[str]:
    return [f"{entry.method} {entry.path.rsplit('/', 1)[-1]} {entry.status}" for entry in sandbox.journal]


def creator_messages(sandbox: FanslySandbox, chat_id: str, content: str = "hello") -> list[dict[str, Any]]:
    return [
        record.message
        for record in sandbox.messages
        if record.group_id == chat_id
        and record.message["senderId"] == DEFAULT_CREATOR_ID
        and record.message["content"] == content
    ]


def test_a_message_is_sent_with_the_documented_body_and_returned(
    hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    message = hook.send_message(chat, "unlock me", media_ids=MEDIA, access_type=["ppv"], price=12)

    (entry,) = fansly_sandbox.journal
    assert (entry.method, entry.status) == ("POST", 201)
    assert entry.body == {"content": "unlock me", "mediaIds": MEDIA, "access_type": ["ppv"], "price": 12}
    assert message["id"] == fansly_sandbox.messages[0].message["id"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"price": 10}, "price is only allowed on a pay-per-view message with media"),
        ({"price": 501, "media_ids": MEDIA, "access_type": ["ppv"]}, "price must be from 1 to 500"),
        ({"price": 0, "media_ids": MEDIA, "access_type": ["ppv"]}, "price must be from 1 to 500"),
        ({"content": ""}, "content must be a non-empty string"),
        ({"chat_id": "12ab"}, "chat_id must be a native Fansly id"),
        ({"chat_id": ""}, "chat_id is empty"),
        ({"access_type": ["everyone"]}, "access_type\\[0\\] must be one of"),
        ({"media_ids": ["abc"]}, "media_ids\\[0\\] must be a native Fansly id"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    fields: dict[str, Any], error: str, hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    call = {"chat_id": chat, "content": "hello", **fields}
    with pytest.raises(FanslyValidationError, match=error):
        hook.send_message(**call)
    assert fansly_sandbox.journal == []


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="drop", processed=True, first_n=1, method="POST"),
        Fault(kind="status", status=503, processed=True, first_n=1, method="POST"),
        Fault(kind="inner_failure", status=502, processed=True, first_n=1, method="POST"),
        Fault(kind="slow", delay=2.5, first_n=1, method="POST"),
    ],
    ids=["stored-then-dropped", "5xx-after-storing", "inner-failure-after-storing", "timeout-after-storing"],
)
def test_a_message_stored_before_the_failure_is_found_not_sent_again(
    fault: Fault, hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.set_faults(fault)

    message = hook.send_message(chat, "hello")

    (stored,) = creator_messages(fansly_sandbox, chat)
    assert message["id"] == stored["id"]
    deadline = time.monotonic() + 5  # a slow answer enters the journal once it is sent, late
    while not any(e.method == "POST" for e in fansly_sandbox.journal) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sum(entry.method == "POST" for entry in fansly_sandbox.journal) == 1


@pytest.mark.parametrize("attachment_content_id", ["account_media", "media"])
def test_a_message_with_media_stored_before_a_drop_is_found_whatever_id_its_attachments_carry(
    attachment_content_id: Any, hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.attachment_content_id = attachment_content_id
    fansly_sandbox.set_faults(Fault(kind="drop", processed=True, first_n=1, method="POST"))

    message = hook.send_message(chat, "hello", media_ids=MEDIA)

    (stored,) = creator_messages(fansly_sandbox, chat)
    assert message["id"] == stored["id"]
    assert requests_made(fansly_sandbox) == ["POST messages None", "GET me 200", "GET messages 200"]


def test_a_message_lost_to_a_5xx_before_storing_is_sent_again(
    hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=503, first_n=1, method="POST"))

    hook.send_message(chat, "hello")

    assert len(creator_messages(fansly_sandbox, chat)) == 1
    assert requests_made(fansly_sandbox) == [
        "POST messages 503",
        "GET me 200",
        "GET messages 200",
        "POST messages 201",
    ]


def test_a_429_is_retried_without_reading_the_chat(
    hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=429, retry_after=1, first_n=1, method="POST"))

    hook.send_message(chat, "hello")

    assert requests_made(fansly_sandbox) == ["POST messages 429", "POST messages 201"]
    assert len(creator_messages(fansly_sandbox, chat)) == 1


def test_the_same_text_from_the_fan_or_from_long_ago_is_not_taken_for_ours(
    hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.seed_message(chat, "hello", sender_id=FAN)
    fansly_sandbox.seed_message(chat, "hello", created_at=int(time.time()) - 3600)
    fansly_sandbox.set_faults(Fault(kind="status", status=503, first_n=1, method="POST"))

    hook.send_message(chat, "hello")

    assert len(creator_messages(fansly_sandbox, chat)) == 2  # the old one, and the one just sent


def test_ours_is_found_whatever_order_the_api_lists_messages_in(
    hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.messages_order = "oldest"
    for number in range(5):
        fansly_sandbox.seed_message(chat, f"earlier {number}")
    fansly_sandbox.set_faults(Fault(kind="drop", processed=True, first_n=1, method="POST"))

    hook.send_message(chat, "hello")

    assert len(creator_messages(fansly_sandbox, chat)) == 1


def test_with_no_retries_left_a_stored_message_is_still_reported_as_sent(
    fansly_sandbox: FanslySandbox, chat: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(max_retries=0))
    fansly_sandbox.set_faults(Fault(kind="drop", processed=True, first_n=1, method="POST"))

    message = FanslyHook().send_message(chat, "hello")

    assert [message] == creator_messages(fansly_sandbox, chat)


def test_a_send_that_never_arrives_fails_after_the_retries_with_nothing_stored(
    fansly_sandbox: FanslySandbox, chat: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(max_retries=2))
    fansly_sandbox.set_faults(Fault(kind="status", status=503, method="POST"))

    with pytest.raises(FanslyServerError, match="Server error \\(503\\)"):
        FanslyHook().send_message(chat, "hello")

    assert fansly_sandbox.messages == []
    assert sum(entry.method == "POST" for entry in fansly_sandbox.journal) == 3


def test_a_failing_lookup_after_an_ambiguous_failure_does_not_multiply_the_retries(
    fansly_sandbox: FanslySandbox, chat: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(max_retries=2))
    fansly_sandbox.set_faults(
        Fault(kind="drop", processed=True, first_n=1, method="POST"),
        Fault(kind="status", status=503, path_contains="/me"),
    )

    with pytest.raises(FanslyServerError):
        FanslyHook().send_message(chat, "hello")

    # One loop: the dropped POST, a lookup on each of the 2 retries, and the last look; never a resend.
    assert requests_made(fansly_sandbox) == ["POST messages None"] + ["GET me 503"] * 3


# -- Chat Messages: reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("messages_order", ["newest", "oldest"])
def test_list_messages_returns_the_latest_messages_of_the_chat(
    messages_order: Any, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.messages_order = messages_order
    (chat_id,) = fansly_sandbox.seed_chats([FAN]).values()
    for minute in range(5):
        fansly_sandbox.seed_message(chat_id, f"message {minute}", created_at=1_767_000_000 + 60 * minute)

    rows = make_hook().list_messages(chat_id, limit=3)

    assert sorted(row["content"] for row in rows) == ["message 2", "message 3", "message 4"]
    assert {row["groupId"] for row in rows} == {chat_id}
    assert paths(fansly_sandbox) == [f"GET /api/fansly/{DEFAULT_ACCOUNT_ID}/chats/{chat_id}/messages 200"]


@pytest.mark.parametrize("limit", [0, 11, -1, True, "5", 5.0, None], ids=repr)
def test_list_messages_refuses_a_bad_limit_before_any_request(
    limit: Any, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    (chat_id,) = fansly_sandbox.seed_chats([FAN]).values()
    with pytest.raises(FanslyValidationError, match="limit must be a whole number from 1 to 10"):
        make_hook().list_messages(chat_id, limit=limit)
    assert fansly_sandbox.journal == []


def test_a_retry_pages_back_past_newer_messages_to_find_ours_and_sends_nothing(
    hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    now = int(time.time())
    fansly_sandbox.seed_message(chat, "old news", created_at=now - 7200)
    ours = fansly_sandbox.seed_message(chat, "hello", created_at=now - 60)
    for number in range(12):  # more than one page of 10 after ours
        fansly_sandbox.seed_message(chat, f"reply {number}", sender_id=FAN, created_at=now - 50 + number)

    message = hook.send_message(chat, "hello", sent_since=(now - 90) * 1000)  # epoch ms

    assert message["id"] == ours["id"]
    assert requests_made(fansly_sandbox) == ["GET me 200", "GET messages 200", "GET messages 200"]


def test_a_retry_reads_one_page_when_it_already_reaches_past_the_bound(
    hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    for number in range(12):
        fansly_sandbox.seed_message(chat, f"old {number}", created_at=int(time.time()) - 7200 + number)

    hook.send_message(chat, "hello", sent_since=int(time.time() * 1000))

    assert requests_made(fansly_sandbox) == ["GET me 200", "GET messages 200", "POST messages 201"]


def test_the_same_text_without_the_same_media_is_not_taken_for_ours(
    hook: FanslyHook, chat: str, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.seed_message(chat, "unlock", created_at=int(time.time()) - 10)  # no media attached

    hook.send_message(chat, "unlock", media_ids=MEDIA, sent_since=int(time.time() * 1000) - 60_000)

    (sent,) = [record.body for record in fansly_sandbox.messages if record.body is not None]
    assert sent["mediaIds"] == MEDIA


@pytest.mark.parametrize(
    ("row", "ours"),
    [
        ({"attachments": [{"contentId": MEDIA[0]}]}, True),
        ({"attachments": [{"contentId": ACCOUNT_MEDIA}]}, True),
        ({"attachments": [{"contentId": MEDIA[0]}], "price": 9}, True),
        ({"attachments": [{"contentId": MEDIA[0]}], "price": 5}, False),
        ({"attachments": []}, False),
        ({"attachments": [{"contentId": ACCOUNT_MEDIA}, {"contentId": "900000000000000003"}]}, False),
        ({"attachments": [{"contentId": MEDIA[0]}, {"contentId": ACCOUNT_MEDIA}]}, False),
        ({"attachments": [{"contentId": MEDIA[0]}], "senderId": FAN}, False),
    ],
    ids=[
        "same-media",
        "as-many-account-media",
        "same-price",
        "other-price",
        "no-media",
        "more-account-media",
        "ours-and-another",
        "sent-by-the-fan",
    ],
)
def test_a_message_is_ours_only_from_the_creator_with_the_same_media_and_any_price_it_names(
    row: dict[str, Any], ours: bool
) -> None:
    from airflow_provider_apifansly.hooks.read_back import same_chat_message
    from airflow_provider_apifansly.models.message import OutgoingMessage

    message = OutgoingMessage.parse("800000000000000001", "unlock", MEDIA, ["ppv"], 9)

    assert (
        same_chat_message(
            {"content": "unlock", "senderId": DEFAULT_CREATOR_ID, **row}, message, DEFAULT_CREATOR_ID
        )
        is ours
    )
