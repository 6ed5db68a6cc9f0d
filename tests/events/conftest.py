"""Fixtures of the event tests: a real redis-server with append-only persistence, a real receiver process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_apifansly.webhooks.local_stack import Receiver, RedisServer

ACCOUNT = "fansly_acct_a"
OTHER_ACCOUNT = "fansly_acct_b"
TOKEN = "t0k3n-" + "x" * 40


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver(tmp_path: Path, redis_server: RedisServer) -> Iterator[Receiver]:
    process = Receiver(tmp_path / "receiver", redis_server.url, f"{ACCOUNT},{OTHER_ACCOUNT}", token=TOKEN)
    yield process
    process.stop()
