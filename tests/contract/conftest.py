"""The contract suite's tools: the [live] samples of ``tests/fixtures/live`` and a server that answers with them.

Each sample is a JSON object citing the contract (``contract``) and holding a request body the live
API takes (``request``), or an answer it gave (``status`` and ``answer``). ``Replay`` serves answers
over real HTTP on 127.0.0.1, so the hook reads them through its whole transport, as it reads the API.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_apifansly.hooks.fansly import FanslyHook
from tests.sandbox.conftest import api, chat_id  # noqa: F401  (the sandbox tests' clients, shared)

LIVE = Path(__file__).resolve().parent.parent / "fixtures" / "live"
RECENT_CHATS = LIVE.parent / "apifansly_recent_chats.json"
ACCOUNT_ID = "fansly_replayed"


def sample(name: str) -> dict[str, Any]:
    """A [live] sample of ``tests/fixtures/live``, by file name without ``.json``."""
    loaded: dict[str, Any] = json.loads((LIVE / f"{name}.json").read_text())
    assert loaded["contract"], f"{name}.json must cite the contract"
    return loaded


@dataclass
class Replay:
    """An HTTP server answering ``(method, path)`` with a recorded status and body; it keeps what it was asked."""

    answers: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def answer(self, method: str, route: str, status: int, body: Any) -> None:
        """Answer ``method /api/fansly{route}`` with ``status`` and ``body``.

        A route with a query answers only that query, one without answers any.
        """
        self.answers[(method, f"/api/fansly{route}")] = (status, body)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                replay.asked.append((self.command, path))
                found = replay.answers.get((self.command, self.path)) or replay.answers.get(
                    (self.command, path)
                )
                status, body = found or (404, {"statusCode": 404, "message": "Not Found", "data": None})
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _reply

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads ``asked``."""

        return Handler


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Replay, FanslyHook]]:
    """A replay server and a hook whose connection points at it."""
    recorded = Replay()
    server = ThreadingHTTPServer(("127.0.0.1", 0), recorded.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    connection = {
        "conn_type": "apifansly",
        "host": f"http://127.0.0.1:{server.server_address[1]}",
        "password": "replay-key",
        "extra": {"account_id": ACCOUNT_ID, "max_retries": 0},
    }
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", json.dumps(connection))
    try:
        yield recorded, FanslyHook()
    finally:
        server.shutdown()
        server.server_close()
