"""Hooks wired to a sandbox the way a DAG gets them, plus a count of the retries each one made."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from typing import TYPE_CHECKING

from remote_sandbox import RemoteSandbox

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

FIRST_FAN_ID = 710_000_000_000_000_000
API_WINDOW = 60.0  # seconds: apifansly counts each key's requests per sliding minute


class RetrySleep:
    """The retry policy's sleep: sleeps, and counts the retries and the seconds they waited."""

    def __init__(self) -> None:
        self.retries = 0
        self.waited = 0.0
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.retries += 1
            self.waited += seconds
        time.sleep(seconds)


def connect(sandbox: RemoteSandbox, conn_id: str, *, rate_limit_rpm: int) -> None:
    """Define Airflow connection ``conn_id`` to the sandbox through the environment, as a user would."""
    os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = sandbox.connection_json(
        conn_id, rate_limit_rpm=rate_limit_rpm
    )


def counted_hook(conn_id: str, *, pool_size: int) -> tuple[FanslyHook, RetrySleep]:
    """A hook on the connection whose retry waits go through a ``RetrySleep``."""
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

    hook = FanslyHook(conn_id, pool_size=pool_size)
    sleep = RetrySleep()
    transport = hook.transport
    transport.retry_policy = dataclasses.replace(transport.retry_policy, sleep=sleep)
    return hook, sleep


def scale_pacer_window(hook: FanslyHook, window: float) -> None:
    """Pace on ``window`` seconds instead of the API's minute (--quick), keeping the hook's safety margin."""
    from airflow_provider_apifansly.hooks.pacing import SlidingWindowPacer

    transport = hook.transport
    pacer = transport.pacer
    if pacer is not None and window != API_WINDOW:
        margin = pacer.window - API_WINDOW
        transport.pacer = SlidingWindowPacer(pacer.limit, window=window + margin, max_hold=pacer.max_hold)


def fan_ids(first: int, count: int) -> list[str]:
    """``count`` distinct fan ids from ``FIRST_FAN_ID + first``, so that every create makes a new group."""
    return [str(FIRST_FAN_ID + first + offset) for offset in range(count)]
