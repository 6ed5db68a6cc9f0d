"""Just enough HTTP/1.1 for the sandbox: keep-alive, Content-Length or chunked bodies.

``http.server`` parses headers with the ``email`` package, which costs more than
all of the API's logic; this lean reader, one thread per connection, Nagle off
and each response written in one ``send`` keep one client session at thousands
of requests per second.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import Any, Protocol

_MAX_LINE = 65_536
_MAX_HEADERS = 100


@dataclass(frozen=True)
class HttpRequest:
    """One request as read off the wire; what its headers and body mean is the responder's business.

    :param headers: field names lower-cased; a repeated field keeps its last value.
    """

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Outcome:
    """How to answer: a status, body and headers (status None: drop the connection), after a delay."""

    status: int | None
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    fault: str | None = None


class Responder(Protocol):
    """What the server hands each request to (the sandbox)."""

    def answer(self, request: HttpRequest, started: float) -> Outcome:
        """The answer to a request read at ``started`` (``time.monotonic()``)."""

    def bad_request(self, reason: str) -> Outcome:
        """The 400 for a request whose framing cannot be read (the connection is closed after it)."""


class BadRequest(Exception):
    """A request whose framing cannot be read; answered 400 and the connection closed."""


class HttpServer(socketserver.ThreadingTCPServer):
    """A threaded TCP server for one responder that can close its keep-alive connections on stop."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # socketserver's 5 makes a burst of connects wait out a 1 s SYN retry

    def __init__(self, address: tuple[str, int], responder: Responder) -> None:
        self.responder = responder
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)
        host, port = self.socket.getsockname()[:2]
        self.url = f"http://{host}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut every open connection, so idle keep-alive handler threads end too."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(socketserver.StreamRequestHandler):
    """Serves the requests of one connection until either side closes it."""

    disable_nagle_algorithm = True
    server: HttpServer

    def handle(self) -> None:
        """Serve requests one after another until the client or a ``Connection: close`` ends it."""
        keep_alive = True
        while keep_alive:
            try:
                keep_alive = self._serve_one()
            except BadRequest as error:
                outcome = self.server.responder.bad_request(str(error))
                if outcome.status is not None:
                    self._write(outcome.status, outcome.body, outcome.headers, keep_alive=False)
                return
            except OSError:
                return  # reset by the client, or shut by stop()

    def _serve_one(self) -> bool:
        """Read, answer and write one request; return whether the connection stays open."""
        line = self._read_line()
        if not line:
            return False
        started = time.monotonic()
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadRequest("malformed request line")
        method, target, version = parts
        headers = self._read_headers()
        tokens = {token.strip() for token in headers.get("connection", "").lower().split(",")}
        keep_alive = "close" not in tokens and (version != "HTTP/1.0" or "keep-alive" in tokens)
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        path, _, query = target.partition("?")
        request = HttpRequest(method, path, query, headers, self._read_body(headers))
        outcome = self.server.responder.answer(request, started)
        if outcome.status is None:
            self.connection.shutdown(socket.SHUT_RDWR)
            return False
        return self._write(outcome.status, outcome.body, outcome.headers, keep_alive=keep_alive)

    def _read_line(self) -> bytes:
        line = self.rfile.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise BadRequest(f"a line longer than {_MAX_LINE} bytes")
        return line

    def _read_headers(self) -> dict[str, str]:
        """The header fields, names lower-cased (a repeated field keeps its last value)."""
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADERS):
            line = self._read_line()
            if line in (b"\r\n", b"\n", b""):
                return headers
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon:
                raise BadRequest(f"malformed header line {line[:40]!r}")
            headers[name.strip().lower()] = value.strip()
        raise BadRequest(f"more than {_MAX_HEADERS} headers")

    def _read_body(self, headers: dict[str, str]) -> bytes:
        """The body, framed by ``Content-Length`` or chunked transfer coding."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._read_chunks()
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            raise BadRequest("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def _read_chunks(self) -> bytes:
        chunks = []
        while True:
            try:
                size = int(self._read_line().split(b";")[0], 16)
            except ValueError:
                raise BadRequest("bad chunk size") from None
            if size == 0:
                break
            chunks.append(self.rfile.read(size))
            self._read_line()
        while self._read_line() not in (b"\r\n", b"\n", b""):
            pass  # trailer fields: none of the API's business
        return b"".join(chunks)

    def _write(self, status: int, body: bytes, headers: list[tuple[str, str]], *, keep_alive: bool) -> bool:
        """Send the whole response at once; return whether the connection stays open."""
        lines = [
            f"HTTP/1.1 {status} {reason_phrase(status)}",
            "Content-Type: application/json; charset=utf-8",
            f"Content-Length: {len(body)}",
            f"Date: {formatdate(usegmt=True)}",
            "Server: apifansly-sandbox",
            *(f"{name}: {value}" for name, value in headers),
        ]
        if not keep_alive:
            lines.append("Connection: close")
        try:
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        except OSError:
            return False  # the client gave up, e.g. its read timeout fired
        return keep_alive


def reason_phrase(status: int) -> str:
    """The standard reason phrase of a status, or a generic one for a made-up status."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
