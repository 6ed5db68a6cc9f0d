"""Every response is read through the envelope; anything but a usable success is a typed error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyAuthError,
    FanslyError,
    FanslyNotFoundError,
    FanslyRateLimitError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks.envelope import nested_response, retry_after_seconds, unwrap

REQUEST = "POST /api/fansly/fansly_a/group"


def body(status: int, data: Any, message: str = "Success") -> bytes:
    return json.dumps(
        {"statusCode": status, "message": message, "data": data, "timestamp": "2026-01-09T21:59:45.908Z"}
    ).encode()


def call_unwrap(status: int, raw: bytes, headers: dict[str, str] | None = None) -> Any:
    return unwrap(status, headers or {}, raw, request=REQUEST, connection="connection 'fansly_default'")


def test_a_success_returns_the_data() -> None:
    assert call_unwrap(200, body(200, {"success": True, "accounts": []})) == {"success": True, "accounts": []}
    assert call_unwrap(201, body(201, {"x": 1})) == {"x": 1}


@pytest.mark.parametrize(
    ("status", "error", "hint"),
    [
        (400, FanslyValidationError, "rejected as invalid (400)"),
        (422, FanslyValidationError, "rejected as invalid (422)"),
        (401, FanslyAuthError, "API key rejected (401): check the API Key of connection 'fansly_default'"),
        (402, FanslyApiError, "Out of credits (402)"),
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
