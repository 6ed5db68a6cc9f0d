"""What every route reads and answers: the request, the reply, refusals and the JSON envelope."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from airflow_provider_apifansly.sandbox.transport import HttpRequest

INVALID = "Invalid request parameters"

# Built once: json.dumps with separators builds an encoder on every call, a cost on every response.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))


def utc_timestamp() -> str:
    """Now as the API writes it: ISO-8601 with milliseconds and a ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Request:
    """One request as the API reads it.

    :param key: the ``x-api-key`` header, or None.
    :param body: the parsed JSON body, the raw text when it is not JSON, or None when empty.
    :param malformed_json: the body was sent but is not JSON.
    :param form: the raw body and its ``Content-Type`` of a ``multipart/form-data`` request (whose
        ``body`` is then None), else None.
    """

    method: str
    path: str
    query: str
    key: str | None
    body: Any
    malformed_json: bool
    form: tuple[str, bytes] | None = None

    @classmethod
    def from_http(cls, request: HttpRequest) -> Request:
        """Read the key and decode the body: JSON when it parses, else its text, flagged as malformed."""
        body: Any = None
        malformed = False
        key = request.headers.get("x-api-key")
        content_type = request.headers.get("content-type", "")
        if content_type.lower().startswith("multipart/form-data"):  # a file: never decoded as text
            form = (content_type, request.body)
            return cls(request.method, request.path, request.query, key, None, False, form)
        if request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                body, malformed = request.body.decode("utf-8", "replace"), True
        return cls(request.method, request.path, request.query, key, body, malformed_json=malformed)


@dataclass(frozen=True)
class Reply:
    """What the API answers: an HTTP status and the envelope's message and data."""

    status: int
    message: str
    data: Any


def ok(data: Any) -> Reply:
    """A plain 200 success."""
    return Reply(200, "Success", data)


class ApiError(Exception):
    """A request the API refuses, answered with this status and message and ``data: null``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def invalid(reason: str) -> ApiError:
    """The API's 400 for a request it cannot accept, with the reason after its usual message."""
    return ApiError(400, f"{INVALID}: {reason}")


def envelope(status: int, message: str, data: Any) -> bytes:
    """The response body every route returns: ``{statusCode, message, data, timestamp}``."""
    body = {"statusCode": status, "message": message, "data": data, "timestamp": utc_timestamp()}
    return _COMPACT_JSON.encode(body).encode()


def nested(response: Any) -> dict[str, Any]:
    """The second layer account-scoped routes wrap their payload in."""
    return {"status_code": 200, "data": {"success": True, "response": response}}


def list_response(rows: list[dict[str, Any]], nesting: str) -> Any:
    """An unpaged list's ``response`` as a switch says: the bare ``"list"``, or an object with it under ``"data"``."""
    return rows if nesting == "list" else {"data": rows}
