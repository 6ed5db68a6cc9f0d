"""HTTP/1.1 for the sandbox: h11 reads every request; responses are written here, in one ``send``.

h11 does the parsing that is easy to get wrong: the request line and headers
(none over 64 KiB), Content-Length and chunked bodies, a missing ``Host``. A
request it cannot read gets the responder's 400 and the connection is closed.
Each request gets a fresh h11 parser that starts from the bytes the last one
read past (pipelining), and the keep-alive rule is h11's own: HTTP/1.1 without
``Connection: close``.

Responses are not handed to h11. They are built from our own values, and h11
validates every header of a response twice, another 20 to 30 us per request.
``bench/sandbox_throughput.py --requests 3000``, best of 3 per run, 7 to 12 runs
each, alternated, on a 2-core machine shared with other test runs (median, range):

    reading requests with             GET /accounts           POST /group
    the former hand-written parser    2,776 (2,289 - 2,922)   2,213 (1,899 - 2,461)
    h11, responses written here       2,588 (2,265 - 2,832)   2,118 (1,737 - 2,272)
    h11, responses written by h11     2,337 (1,835 - 2,429)   1,867 (1,607 - 2,086)

h11 costs about 5% of the hand-written parser's rate and meets the 2,000/s goal
on a quiet machine, with little margin: runs under load fell below it (as the
hand-written parser's did once). One thread per connection and Nagle off keep
one client session fast.
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

import h11

# h11 refuses a request once it holds this much of an unfinished head (request line and headers).
# It checks between reads, so with reads of _RECEIVE_BYTES no head over 64 KiB is ever accepted.
MAX_HEAD_BYTES = 49_152
_RECEIVE_BYTES = 16_384


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
        """Serve one connection in a thread of its own."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Close the connection once its thread is done with it."""
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


class _Handler(socketserver.BaseRequestHandler):
    """Serves the requests of one connection until either side closes it."""

    server: HttpServer
    request: socket.socket

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        # Bytes read past the last request (a pipelined one), and whether the client has closed.
        self._unread = b""
        self._closed = False

    def handle(self) -> None:
        """Serve requests one after another until the client, a ``Connection: close`` or a drop ends it."""
        try:
            while self._serve_one():
                pass
        except h11.RemoteProtocolError as error:
            self._refuse(str(error))
        except OSError:
            return  # reset by the client, or shut by stop()

    def _serve_one(self) -> bool:
        """Read, answer and write one request; return whether the connection stays open."""
        request = self._read_request()
        if request is None:
            return False
        head, body, started = request
        method = head.method.decode("ascii")
        path, _, query = head.target.decode("latin-1").partition("?")
        headers: dict[str, str] = {}
        # h11's own keep-alive rule: HTTP/1.1, and no Connection field naming "close".
        keep_alive = head.http_version == b"1.1"
        for name, value in head.headers:  # one pass: h11's Headers are slow to iterate
            headers[name.decode("latin-1")] = value.decode("latin-1")  # names come lower-cased
            if name == b"connection" and b"close" in (token.strip().lower() for token in value.split(b",")):
                keep_alive = False
        outcome = self.server.responder.answer(HttpRequest(method, path, query, headers, body), started)
        if outcome.status is None:
            self.request.shutdown(socket.SHUT_RDWR)
            return False
        head_only = method == "HEAD"
        return self._write(
            outcome.status, outcome.body, outcome.headers, keep_alive=keep_alive, head=head_only
        )

    def _read_request(self) -> tuple[h11.Request, bytes, float] | None:
        """The next request's head, body and arrival time, or None when the client closed first."""
        parser = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        if self._unread:
            parser.receive_data(self._unread)
            if self._closed:
                parser.receive_data(b"")  # h11 reads an empty chunk as the end of the stream
        else:  # read first: asking h11 for an event with nothing to parse only costs time
            parser.receive_data(self.request.recv(_RECEIVE_BYTES))
        head = self._next_event(parser)
        if not isinstance(head, h11.Request):
            return None  # ConnectionClosed between requests
        started = time.monotonic()
        if parser.they_are_waiting_for_100_continue:
            self.request.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        chunks = []
        while isinstance(event := self._next_event(parser), h11.Data):
            chunks.append(event.data)
        # h11 raises on a body cut short, so the event is the request's EndOfMessage.
        self._unread, self._closed = parser.trailing_data
        return head, b"".join(chunks), started

    def _next_event(self, parser: h11.Connection) -> object:
        """The parser's next event, reading from the socket while it needs more bytes."""
        while (event := parser.next_event()) is h11.NEED_DATA:
            parser.receive_data(self.request.recv(_RECEIVE_BYTES))  # b"" at EOF: ConnectionClosed
        return event

    def _write(
        self,
        status: int,
        body: bytes,
        headers: list[tuple[str, str]],
        *,
        keep_alive: bool,
        head: bool = False,
    ) -> bool:
        """Send the whole response at once (to a HEAD, without the body); return whether to keep the connection."""
        lines = [
            f"HTTP/1.1 {status} {reason_phrase(status)}",
            "Content-Type: application/json; charset=utf-8",
            f"Content-Length: {len(body)}",
            f"Date: {_http_date()}",
            "Server: apifansly-sandbox",
            *(f"{name}: {value}" for name, value in headers),
        ]
        if not keep_alive:
            lines.append("Connection: close")
        try:
            self.request.sendall(
                ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else body)
            )
        except OSError:
            return False  # the client gave up, e.g. its read timeout fired
        return keep_alive

    def _refuse(self, reason: str) -> None:
        """Answer a request h11 could not read with the responder's 400, then close."""
        outcome = self.server.responder.bad_request(reason)
        if outcome.status is not None:
            self._write(outcome.status, outcome.body, outcome.headers, keep_alive=False)


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The ``Date`` header, formatted once per second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def reason_phrase(status: int) -> str:
    """The standard reason phrase of a status, or a generic one for a made-up status."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
