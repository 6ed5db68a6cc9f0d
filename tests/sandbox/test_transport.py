"""The HTTP/1.1 the sandbox speaks: keep-alive, body framing, and refusals of bad framing."""

from __future__ import annotations

import http.client
import re
import socket
from collections.abc import Iterator

import pytest
import requests

from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    FanslySandbox,
)

HEADERS = {"x-api-key": DEFAULT_API_KEY}


def connect(sandbox: FanslySandbox) -> http.client.HTTPConnection:
    host, port = sandbox.url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=5)


def raw_exchange(sandbox: FanslySandbox, data: bytes) -> bytes:
    """Send raw bytes and read until the server closes the connection."""
    host, port = sandbox.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_one_connection_serves_many_requests(fansly_sandbox: FanslySandbox) -> None:
    connection = connect(fansly_sandbox)
    sockets = set()
    for _ in range(5):
        connection.request("GET", "/api/fansly/accounts", headers=HEADERS)
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Connection") is None
        response.read()
        sockets.add(connection.sock)

    connection.close()

    assert len(sockets) == 1
    assert len(fansly_sandbox.journal) == 5


def test_connection_close_is_honoured(fansly_sandbox: FanslySandbox) -> None:
    answer = raw_exchange(
        fansly_sandbox,
        b"GET /api/fansly/accounts HTTP/1.1\r\nHost: x\r\nx-api-key: sandbox-api-key\r\nConnection: close\r\n\r\n",
    )

    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in answer


def test_http_1_0_closes_after_the_answer(fansly_sandbox: FanslySandbox) -> None:
    answer = raw_exchange(
        fansly_sandbox, b"GET /api/fansly/accounts HTTP/1.0\r\nx-api-key: sandbox-api-key\r\n\r\n"
    )

    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.count(b"HTTP/1.1") == 1


def test_chunked_body_is_read(fansly_sandbox: FanslySandbox) -> None:
    body = (
        b'{"users": [{"userId": "%s", "permissionFlags": 0}, '
        b'{"userId": "723516315247063042", "permissionFlags": 0}], "type": 1}' % DEFAULT_CREATOR_ID.encode()
    )

    def chunks() -> Iterator[bytes]:
        yield body[:20]
        yield body[20:]

    response = requests.post(
        f"{fansly_sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/group",
        data=chunks(),
        headers=HEADERS,
        timeout=5,
    )

    assert response.status_code == 200
    assert len(fansly_sandbox.groups) == 1


def address(sandbox: FanslySandbox) -> tuple[str, int]:
    host, port = sandbox.url.removeprefix("http://").split(":")
    return host, int(port)


def test_expect_100_continue_is_answered_before_the_body_is_sent(fansly_sandbox: FanslySandbox) -> None:
    with socket.create_connection(address(fansly_sandbox), timeout=5) as sock:
        sock.sendall(
            b"POST /api/fansly/fansly_sandbox/chats/1/messages HTTP/1.1\r\nHost: x\r\n"
            b"x-api-key: sandbox-api-key\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        )
        interim = sock.recv(65536)
        sock.sendall(b"{}")
        answer = sock.recv(65536)

    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"content must be a non-empty string" in answer


def test_pipelined_requests_are_answered_in_order(fansly_sandbox: FanslySandbox) -> None:
    request = b"GET /api/fansly/%s HTTP/1.1\r\nHost: x\r\nx-api-key: sandbox-api-key\r\n%s\r\n"

    answer = raw_exchange(
        fansly_sandbox,
        request % (b"accounts", b"")
        + request % (b"fansly_sandbox/me", b"")
        + request % (b"nothing", b"Connection: close\r\n"),
    )

    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", answer) == [b"200", b"200", b"404"]
    assert [entry.path for entry in fansly_sandbox.journal] == [
        "/api/fansly/accounts",
        "/api/fansly/fansly_sandbox/me",
        "/api/fansly/nothing",
    ]


def test_head_gets_the_headers_without_a_body_and_the_connection_stays_usable(
    fansly_sandbox: FanslySandbox,
) -> None:
    connection = connect(fansly_sandbox)

    connection.request("HEAD", "/api/fansly/accounts", headers=HEADERS)
    head = connection.getresponse()
    head_body = head.read()
    connection.request("GET", "/api/fansly/accounts", headers=HEADERS)
    after = connection.getresponse()
    after.read()
    connection.close()

    assert head.status == 404
    assert int(head.getheader("Content-Length") or 0) > 0
    assert head_body == b""
    assert after.status == 200


def test_stop_closes_idle_keep_alive_connections() -> None:
    sandbox = FanslySandbox().start()
    with socket.create_connection(address(sandbox), timeout=5) as sock:
        sock.sendall(b"GET /api/fansly/accounts HTTP/1.1\r\nHost: x\r\nx-api-key: sandbox-api-key\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK\r\n")

        sandbox.stop()

        assert sock.recv(1) == b""  # closed by the server, not left to time out


@pytest.mark.parametrize(
    ("request_bytes", "reason"),
    [
        (b"POST /api/fansly/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", b"Content-Length"),
        (b"NONSENSE\r\n\r\n", b"illegal request line"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", b"illegal header line"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", b"too long"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Padding: " + b"a" * 66_000 + b"\r\n\r\n", b"too long"),
        (
            b"GET /api/fansly/accounts HTTP/1.1\r\nx-api-key: sandbox-api-key\r\n\r\n",
            b"Missing mandatory Host",
        ),
        (
            b"POST /api/fansly/accounts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"chunk header",
        ),
    ],
    ids=[
        "negative-length",
        "bad-request-line",
        "header-without-colon",
        "request-line-too-long",
        "headers-too-long",
        "no-host",
        "bad-chunk-size",
    ],
)
def test_a_request_that_cannot_be_read_gets_400_and_a_closed_connection(
    fansly_sandbox: FanslySandbox, request_bytes: bytes, reason: bytes
) -> None:
    answer = raw_exchange(fansly_sandbox, request_bytes)

    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"\r\nConnection: close\r\n" in answer
    assert b'"message":"Invalid request parameters: ' in answer
    assert reason.lower() in answer.lower()
    assert fansly_sandbox.journal == []  # nothing reached the API


def test_a_body_cut_short_gets_400(fansly_sandbox: FanslySandbox) -> None:
    with socket.create_connection(address(fansly_sandbox), timeout=5) as sock:
        sock.sendall(
            b"POST /api/fansly/fansly_sandbox/group HTTP/1.1\r\nHost: x\r\n"
            b"x-api-key: sandbox-api-key\r\nContent-Length: 10\r\n\r\n{}"
        )
        sock.shutdown(socket.SHUT_WR)
        answer = sock.recv(65536)

    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert fansly_sandbox.groups == []
