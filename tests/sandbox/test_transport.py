"""The HTTP/1.1 the sandbox speaks: keep-alive, body framing, and refusals of bad framing."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

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


def test_expect_100_continue_is_answered(fansly_sandbox: FanslySandbox) -> None:
    answer = raw_exchange(
        fansly_sandbox,
        b"POST /api/fansly/fansly_sandbox/chats/1/messages HTTP/1.1\r\nx-api-key: sandbox-api-key\r\n"
        b"Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    )

    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\n")


def test_bad_framing_gets_400_and_a_closed_connection(fansly_sandbox: FanslySandbox) -> None:
    bad_length = raw_exchange(
        fansly_sandbox, b"POST /api/fansly/accounts HTTP/1.1\r\nContent-Length: -1\r\n\r\n"
    )
    bad_line = raw_exchange(fansly_sandbox, b"NONSENSE\r\n\r\n")
    bad_header = raw_exchange(fansly_sandbox, b"GET / HTTP/1.1\r\nno colon here\r\n\r\n")
    too_long = raw_exchange(fansly_sandbox, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")

    for answer in (bad_length, bad_line, bad_header, too_long):
        assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
        assert b"\r\nConnection: close\r\n" in answer
        assert b'"message":"Invalid request parameters: ' in answer
