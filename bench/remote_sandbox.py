"""The sandbox in a child process, so the server's threads never compete for the client's GIL.

A real API runs on another machine; serving it from the benchmark's own process
would charge the server's Python work to the client under test. The child is
started with ``spawn`` and imports only the standard-library sandbox; the parent
asks it for counters, the journal and the messages, and seeds chats, over a pipe.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from airflow_provider_apifansly.sandbox import Counters, FanslySandbox, MessageRecord, SandboxConfig


@dataclass(frozen=True)
class Hit:
    """One request as the server journaled it: when it was read (``time.monotonic()``), its status and route."""

    started: float
    status: int | None
    method: str = ""
    path: str = ""


def _serve(config: SandboxConfig, pipe: Connection) -> None:
    """Child process: serve until told to stop, answering the parent's questions."""
    with FanslySandbox(config) as sandbox:
        pipe.send(sandbox.url)
        while True:
            command, kwargs = pipe.recv()
            if command == "stop":
                return
            if command == "counters":
                pipe.send(sandbox.counters)
            elif command == "hits":
                pipe.send(
                    [Hit(entry.started, entry.status, entry.method, entry.path) for entry in sandbox.journal]
                )
            elif command == "connection_json":
                pipe.send(sandbox.connection_json(kwargs.pop("conn_id"), **kwargs))
            elif command == "seed_chats":
                pipe.send(sandbox.seed_chats(kwargs.pop("fan_ids"), **kwargs))
            elif command == "seed_subscribers":
                pipe.send(sandbox.seed_subscribers(kwargs.pop("fan_ids"), **kwargs))
            elif command == "messages":
                pipe.send(sandbox.messages)
            elif command == "seed_supporters":
                pipe.send(sandbox.seed_supporters(kwargs.pop("fan_ids"), **kwargs))
            elif command == "seed_transactions":
                pipe.send(len(sandbox.seed_transactions(kwargs.pop("created_at"), **kwargs)))


class RemoteSandbox:
    """A ``FanslySandbox`` serving from a child process; use it as a context manager.

    ``time.monotonic()`` is system-wide on Linux, so journal times compare with the parent's.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.url = ""
        self._pipe: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None

    def __enter__(self) -> RemoteSandbox:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(self.config, child), daemon=True)
        self._process.start()
        self._pipe = parent
        self.url = parent.recv()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pipe is not None and self._process is not None:
            self._pipe.send(("stop", {}))
            self._process.join(timeout=10)
        self._pipe = self._process = None

    def _ask(self, command: str, **kwargs: Any) -> Any:
        if self._pipe is None:
            raise RuntimeError("The remote sandbox is not running")
        self._pipe.send((command, kwargs))
        return self._pipe.recv()

    def counters(self) -> Counters:
        """The server's running totals."""
        counters: Counters = self._ask("counters")
        return counters

    def hits(self) -> list[Hit]:
        """Every journaled request, oldest first."""
        hits: list[Hit] = self._ask("hits")
        return hits

    def connection_json(self, conn_id: str, **extra: Any) -> str:
        """The ``AIRFLOW_CONN_<CONN_ID>`` value for this sandbox, with extra connection fields."""
        text: str = self._ask("connection_json", conn_id=conn_id, **extra)
        return text

    def seed_chats(self, fan_ids: list[str], *, listed: bool = True) -> dict[str, str]:
        """Chats that exist before the run (no request sent, nothing counted): fan id -> group id."""
        chats: dict[str, str] = self._ask("seed_chats", fan_ids=fan_ids, listed=listed)
        return chats

    def seed_subscribers(
        self, fan_ids: list[str], *, created_at: list[int], status: str = "active", **lifecycle: Any
    ) -> int:
        """Subscriptions that exist before the run, one per fan, created at those epoch-ms instants.

        ``lifecycle`` holds ``auto_renew`` and ``ends_at``, as ``FanslySandbox.seed_subscribers`` takes them.
        """
        rows: list[dict[str, Any]] = self._ask(
            "seed_subscribers", fan_ids=fan_ids, created_at=created_at, status=status, **lifecycle
        )
        return len(rows)

    def seed_supporters(self, fan_ids: list[str], *, spent_at: list[int], gross: list[int]) -> None:
        """Spends that Top Supporters adds up per fan (no request sent, nothing counted)."""
        self._ask("seed_supporters", fan_ids=fan_ids, spent_at=spent_at, gross=gross)

    def messages(self) -> list[MessageRecord]:
        """Every message the sandbox holds, sent through the API or seeded, in the order they came."""
        messages: list[MessageRecord] = self._ask("messages")
        return messages

    def seed_transactions(self, created_at: range, *, amount: int) -> int:
        """Earnings transactions stamped ``created_at`` (a range pickles small); return how many."""
        count: int = self._ask("seed_transactions", created_at=created_at, amount=amount)
        return count
