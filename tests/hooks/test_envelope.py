"""Every response is read through the envelope; anything but a usable success is a typed error."""

from __future__ import annotations

import copy
import json
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyAuthError,
    FanslyError,
    FanslyNotFoundError,
    FanslyOutOfCreditsError,
    FanslyRateLimitError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks.endpoints import account
from airflow_provider_apifansly.hooks.envelope import nested_response, unwrap
from airflow_provider_apifansly.hooks.errors import retry_after_seconds
from airflow_provider_apifansly.hooks.paging import chats_page, messages_page

REQUEST = "POST /api/fansly/fansly_a/group"
CHATS = "GET /api/fansly/fansly_a/chats"
MESSAGES = "GET /api/fansly/fansly_a/chats/800000000000000101/messages"
ACCOUNTS = "GET /api/fansly/accounts"
CONNECTION = "connection 'fansly_default'"
# A sanitized recording of a live List Chats answer (ids replaced, shape untouched).
RECENT_CHATS = Path(__file__).resolve().parent.parent / "fixtures" / "apifansly_recent_chats.json"


def body(status: int, data: Any, message: str = "Success") -> bytes:
    return json.dumps(
        {"statusCode": status, "message": message, "data": data, "timestamp": "2026-01-09T21:59:45.908Z"}
    ).encode()


def call_unwrap(status: int, raw: bytes, headers: dict[str, str] | None = None) -> Any:
    return unwrap(status, headers or {}, raw, request=REQUEST, connection=CONNECTION)


def nested(response: Any) -> dict[str, Any]:
    return {"status_code": 200, "data": {"success": True, "response": response}}


def recorded_chats() -> dict[str, Any]:
    """The envelope's ``data`` of the recorded live List Chats answer (a fresh copy)."""
    data: dict[str, Any] = unwrap(200, {}, RECENT_CHATS.read_bytes(), request=CHATS, connection=CONNECTION)
    return copy.deepcopy(data)


def read_chats(data: Any) -> Any:
    return chats_page(data, request=CHATS, connection=CONNECTION)


def read_messages(data: Any) -> Any:
    return messages_page(data, request=MESSAGES, connection=CONNECTION)


def read_accounts(data: Any) -> Any:
    return account.read_accounts(data, request=ACCOUNTS, connection=CONNECTION)


def test_a_success_returns_the_data() -> None:
    assert call_unwrap(200, body(200, {"success": True, "accounts": []})) == {"success": True, "accounts": []}
    assert call_unwrap(201, body(201, {"x": 1})) == {"x": 1}


@pytest.mark.parametrize(
    ("status", "error", "hint"),
    [
        (400, FanslyValidationError, "rejected as invalid (400)"),
        (422, FanslyValidationError, "rejected as invalid (422)"),
        (401, FanslyAuthError, "API key rejected (401): check the API Key of connection 'fansly_default'"),
        (402, FanslyOutOfCreditsError, "Out of credits (402)"),
        (403, FanslyAuthError, "cannot reach this account"),
        (404, FanslyNotFoundError, "Not found (404)"),
        (429, FanslyRateLimitError, "Rate limit exceeded (429)"),
        (500, FanslyServerError, "Server error (500)"),
        (503, FanslyServerError, "Server error (503)"),
        (418, FanslyApiError, "Unexpected status 418"),
    ],
)
def test_each_error_status_maps_to_a_typed_error_with_the_apis_message(
    status: int, error: type[FanslyError], hint: str
) -> None:
    with pytest.raises(error) as err:
        call_unwrap(status, body(status, None, message="the API's own words"))
    assert hint in str(err.value)
    assert "the API's own words" in str(err.value)
    assert (err.value.http_status, err.value.api_message, err.value.request) == (
        status,
        "the API's own words",
        REQUEST,
    )


def test_an_error_envelope_behind_http_200_is_an_error() -> None:
    with pytest.raises(FanslyAuthError):
        call_unwrap(200, body(401, None, message="Invalid API key"))


def test_a_non_json_success_is_an_error_not_an_empty_result() -> None:
    with pytest.raises(FanslyApiError, match="without a JSON envelope: <html>oops"):
        call_unwrap(200, b"<html>oops")


def test_a_non_json_gateway_error_is_still_a_server_error() -> None:
    with pytest.raises(FanslyServerError, match="502"):
        call_unwrap(502, b"Bad Gateway")


# -- out of credits ---------------------------------------------------------------------------------


def test_a_402_says_the_credits_are_used_up_and_fails_the_task() -> None:
    with pytest.raises(FanslyOutOfCreditsError) as err:
        call_unwrap(402, body(402, None, message="Insufficient credits"))
    assert "credits of the plan of connection 'fansly_default' are used up" in str(err.value)
    assert isinstance(err.value, FanslyApiError)
    assert not err.value.retryable


def test_a_402_envelope_behind_http_200_is_out_of_credits_too() -> None:
    with pytest.raises(FanslyOutOfCreditsError, match="are used up"):
        call_unwrap(200, body(402, None, message="Insufficient credits"))


# -- redirects name the host only -------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_an_error_naming_where_it_pointed(status: int) -> None:
    headers = {"Location": "https://elsewhere.example:8443/login?next=/x"}
    with pytest.raises(FanslyApiError) as err:
        call_unwrap(status, b"", headers)
    assert f"redirected ({status}) to https://elsewhere.example:8443;" in str(err.value)
    assert "the API key was not sent there" in str(err.value)
    assert err.value.http_status == status


def test_a_redirect_names_neither_the_locations_path_query_nor_userinfo() -> None:
    location = "http://admin:hunter2@elsewhere.example:8080/steal/here?token=SECRET#frag"
    with pytest.raises(FanslyApiError) as err:
        call_unwrap(302, b"", {"Location": location})
    message = str(err.value)
    assert "http://elsewhere.example:8080" in message
    for part in ("admin", "hunter2", "/steal/here", "token", "SECRET", "frag"):
        assert part not in message


def test_a_redirect_body_echoing_the_location_is_not_repeated() -> None:
    # Express and nginx write the target into the body: "Found. Redirecting to <url>".
    location = "https://elsewhere.example/cb?token=SECRET"
    with pytest.raises(FanslyApiError) as err:
        call_unwrap(302, f"Found. Redirecting to {location}".encode(), {"Location": location})
    assert "SECRET" not in str(err.value)
    assert "SECRET" not in repr(err.value.api_message)


def test_a_redirect_to_a_path_of_the_same_host_says_so_without_the_path() -> None:
    with pytest.raises(FanslyApiError) as err:
        call_unwrap(307, b"", {"Location": "/api/v2/fansly/accounts?token=SECRET"})
    assert "another path of the API host" in str(err.value)
    assert "SECRET" not in str(err.value)


def test_a_redirect_without_a_location_still_fails() -> None:
    with pytest.raises(FanslyApiError, match="redirected \\(301\\) to an unnamed location"):
        call_unwrap(301, b"")


# -- account-scoped nesting -------------------------------------------------------------------------


def test_nested_response_unwraps_two_layers() -> None:
    data = {"status_code": 200, "data": {"success": True, "response": {"id": "1"}}}
    assert nested_response(data, request=REQUEST, connection="connection 'c'") == {"id": "1"}


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (
            {"status_code": 502, "data": {"success": False, "error": "upstream down"}},
            FanslyServerError,
            "upstream down",
        ),
        (
            {"status_code": 400, "data": {"success": False, "error": "bad user"}},
            FanslyValidationError,
            "bad user",
        ),
        (
            {"status_code": 200, "data": {"success": False, "error": "nope"}},
            FanslyApiError,
            "without success: nope",
        ),
        ({"status_code": 200, "data": {"success": True}}, FanslyApiError, "without a response object"),
        (None, FanslyApiError, "without success"),
    ],
)
def test_an_inner_failure_is_never_an_empty_success(
    data: Any, error: type[FanslyError], message: str
) -> None:
    with pytest.raises(error, match=message):
        nested_response(data, request=REQUEST, connection="connection 'c'")


# -- List Chats, as the live API sends it -----------------------------------------------------------


def test_the_recorded_live_answer_yields_its_rows() -> None:
    page = read_chats(recorded_chats())
    assert [(row["partnerAccountId"], row["groupId"]) for row in page.rows] == [
        ("723516315247063042", "800000000000000101"),
        ("723516315247063043", "800000000000000102"),
    ]
    assert page.rows[0]["unreadCount"] == 2


def test_the_recorded_live_answer_yields_the_cursor_beside_the_inner_data() -> None:
    assert read_chats(recorded_chats()).cursor == "chat-cursor-sanitized-2"


@pytest.mark.parametrize(
    "last", [{}, {"nextCursor": None}, {"nextCursor": ""}], ids=["absent", "null", "empty"]
)
def test_a_chats_page_without_a_next_cursor_is_the_last(last: dict[str, Any]) -> None:
    data = recorded_chats()
    del data["nextCursor"]
    page = read_chats({**data, **last})
    assert page.cursor is None
    assert len(page.rows) == 2


def test_an_empty_chats_page_means_no_chats() -> None:
    data = recorded_chats()
    data["data"]["response"]["data"] = []
    data["nextCursor"] = None
    assert read_chats(data).rows == []


def test_a_numeric_chats_cursor_is_sent_back_as_text() -> None:
    data = recorded_chats()
    data["nextCursor"] = 1767995985908
    assert read_chats(data).cursor == "1767995985908"


def test_the_invented_chats_and_cursor_shape_is_refused() -> None:
    data = recorded_chats()
    data["data"]["response"] = {"chats": data["data"]["response"]["data"], "cursor": "c2"}
    del data["nextCursor"]
    with pytest.raises(
        FanslyApiError, match="no 'data' list of objects: got an object with keys \\['chats', 'cursor'\\]"
    ):
        read_chats(data)


def test_chats_without_their_rows_key_are_refused_naming_what_arrived() -> None:
    data = recorded_chats()
    del data["data"]["response"]["data"]
    with pytest.raises(FanslyApiError, match="got an object with keys \\['aggregationData'\\]"):
        read_chats(data)


@pytest.mark.parametrize(
    ("rows", "what"),
    [
        (None, "keys \\['aggregationData', 'data'\\]"),
        ({"0": {}}, "keys \\['aggregationData', 'data'\\]"),
        ("rows", "keys \\['aggregationData', 'data'\\]"),
        (["800000000000000101"], "keys \\['aggregationData', 'data'\\]"),
        ([{"groupId": "1"}, None], "keys \\['aggregationData', 'data'\\]"),
    ],
    ids=["null", "object", "text", "list-of-ids", "list-with-null"],
)
def test_chat_rows_that_are_not_a_list_of_objects_are_refused(rows: Any, what: str) -> None:
    data = recorded_chats()
    data["data"]["response"]["data"] = rows
    with pytest.raises(
        FanslyApiError, match=f"{CHATS} returned no 'data' list of objects: got an object with {what}"
    ):
        read_chats(data)


@pytest.mark.parametrize(
    "cursor", [1.5, True, ["c2"], {"after": "c2"}], ids=["float", "bool", "list", "object"]
)
def test_a_chats_cursor_of_a_wrong_type_is_refused(cursor: Any) -> None:
    data = recorded_chats()
    data["nextCursor"] = cursor
    with pytest.raises(FanslyApiError, match=r"returned a data\.nextCursor that is not a cursor"):
        read_chats(data)


@pytest.mark.parametrize("where", ["cursor", "nextCursor"])
@pytest.mark.parametrize(
    "beside", [{}, {"nextCursor": None}, {"nextCursor": ""}], ids=["absent", "null", "empty"]
)
def test_a_chats_cursor_inside_the_response_is_refused_not_taken_for_the_last_page(
    where: str, beside: dict[str, Any]
) -> None:
    data = recorded_chats()
    del data["nextCursor"]
    data["data"]["response"][where] = "chat-cursor-sanitized-2"
    with pytest.raises(
        FanslyApiError, match=f"put its cursor in data.data.response.{where}, not in data.nextCursor"
    ):
        read_chats({**data, **beside})


def test_a_chats_page_with_an_upstream_failure_is_an_error_not_an_empty_page() -> None:
    data = {"status_code": 502, "data": {"success": False, "error": "upstream down"}, "nextCursor": None}
    with pytest.raises(FanslyServerError, match="upstream down"):
        read_chats(data)


# -- Chat Messages ----------------------------------------------------------------------------------


MESSAGE = {
    "id": "810000000000000202",
    "type": 1,
    "content": "hello",
    "groupId": "800000000000000101",
    "senderId": "700000000000000001",
    "createdAt": 1767995985,
    "attachments": [],
    "interactions": [],
}


def test_a_messages_page_yields_its_rows_and_cursor() -> None:
    page = read_messages(nested({"messages": [MESSAGE], "cursor": "older-1"}))
    assert (page.rows, page.cursor) == ([MESSAGE], "older-1")


@pytest.mark.parametrize("last", [{}, {"cursor": None}, {"cursor": ""}], ids=["absent", "null", "empty"])
def test_a_messages_page_without_a_cursor_is_the_last(last: dict[str, Any]) -> None:
    assert read_messages(nested({"messages": [MESSAGE], **last})).cursor is None


def test_a_numeric_messages_cursor_is_sent_back_as_text() -> None:
    assert (
        read_messages(nested({"messages": [], "cursor": 810000000000000201})).cursor == "810000000000000201"
    )


def test_messages_under_another_key_are_refused_naming_what_arrived() -> None:
    with pytest.raises(
        FanslyApiError,
        match="no 'messages' list of objects: got an object with keys \\['data', 'nextCursor'\\]",
    ):
        read_messages(nested({"data": [MESSAGE], "nextCursor": None}))


@pytest.mark.parametrize(
    "rows", [None, {"0": MESSAGE}, "hello", [MESSAGE, "hello"]], ids=["null", "object", "text", "mixed"]
)
def test_messages_that_are_not_a_list_of_objects_are_refused(rows: Any) -> None:
    with pytest.raises(FanslyApiError, match=f"{MESSAGES} returned no 'messages' list of objects"):
        read_messages(nested({"messages": rows, "cursor": None}))


@pytest.mark.parametrize("cursor", [2.5, False, ["c"], {"id": "c"}], ids=["float", "bool", "list", "object"])
def test_a_messages_cursor_of_a_wrong_type_is_refused(cursor: Any) -> None:
    with pytest.raises(FanslyApiError, match="returned a cursor that is not a cursor"):
        read_messages(nested({"messages": [MESSAGE], "cursor": cursor}))


# -- List Accounts (not nested) ---------------------------------------------------------------------


ACCOUNT = {"accountId": "fansly_a", "name": "A", "email": "a@x.invalid", "country": "US", "createdAt": "2025"}


def test_accounts_are_read_from_the_unnested_data() -> None:
    assert read_accounts({"success": True, "count": 1, "accounts": [ACCOUNT]}) == [ACCOUNT]


def test_no_connected_accounts_is_an_empty_list() -> None:
    assert read_accounts({"success": True, "count": 0, "accounts": []}) == []


def test_accounts_nested_like_other_routes_are_refused_naming_what_arrived() -> None:
    with pytest.raises(
        FanslyApiError,
        match="no 'accounts' list of objects: got an object with keys \\['data', 'status_code'\\]",
    ):
        read_accounts(nested({"accounts": [ACCOUNT]}))


@pytest.mark.parametrize(
    "data",
    [None, [ACCOUNT], {"success": True}, {"accounts": None}, {"accounts": ["fansly_a"]}],
    ids=["null", "bare-list", "no-key", "null-rows", "list-of-ids"],
)
def test_accounts_that_are_not_a_list_of_objects_are_refused(data: Any) -> None:
    with pytest.raises(FanslyApiError, match=f"{ACCOUNTS} returned no 'accounts' list of objects: got "):
        read_accounts(data)


# -- retry headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"X-RateLimit-Retry-After": "7"}, 7.0),
        ({"Retry-After": "3"}, 3.0),
        ({"X-RateLimit-Retry-After": "2", "Retry-After": "9"}, 2.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_prefers_the_documented_header(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(headers) == seconds


def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


@pytest.mark.parametrize("skew", [120.0, -120.0, 0.0], ids=["server-ahead", "server-behind", "same-clock"])
def test_a_retry_after_date_is_read_against_the_answers_own_date(skew: float) -> None:
    server_now = time.time() + skew  # the server's clock, off ours by ``skew``
    headers = {"Retry-After": http_date(server_now + 29), "Date": http_date(server_now)}

    assert retry_after_seconds(headers) == pytest.approx(29.0, abs=1.0)


def test_a_retry_after_date_without_a_date_header_is_read_against_our_clock() -> None:
    assert retry_after_seconds({"Retry-After": http_date(time.time() + 30)}) == pytest.approx(30.0, abs=1.5)


@pytest.mark.parametrize("date", ["yesterday", "", "Wed, 99 Foo 2015 07:28:00 GMT"], ids=repr)
def test_a_retry_after_date_beside_a_garbage_date_header_is_read_against_our_clock(date: str) -> None:
    headers = {"Retry-After": http_date(time.time() + 30), "Date": date}

    assert retry_after_seconds(headers) == pytest.approx(30.0, abs=1.5)


def test_a_retry_after_date_already_past_on_the_servers_clock_is_no_wait() -> None:
    server_now = time.time() - 300  # server clock behind: the date is in our future, its past
    headers = {"Retry-After": http_date(server_now - 5), "Date": http_date(server_now)}

    assert retry_after_seconds(headers) == 0.0


def test_a_retry_after_date_without_a_zone_is_read_as_gmt() -> None:
    server_now = time.time()
    headers = {
        "Retry-After": http_date(server_now + 20).replace("GMT", "-0000"),
        "Date": http_date(server_now),
    }

    assert retry_after_seconds(headers) == pytest.approx(20.0, abs=1.0)


def test_seconds_in_retry_after_ignore_the_date_header() -> None:
    headers = {"Retry-After": "12", "Date": http_date(time.time() + 3600)}

    assert retry_after_seconds(headers) == 12.0
