"""The bulk operators finish every item under each reading of the rate-limit headers the sandbox plays.

Real Airflow (``dag.test()`` on SQLite) against the sandbox on 127.0.0.1, at a limit the run meets:
20 requests per 2 s window, on a key another account's worker has been using at half that pace for a
window when the run joins. The hook paces on that window rather than the API's minute
(``transport.RATE_WINDOW_SECONDS``, as ``bench/clients.py``'s ``scale_pacer_window`` does), so a run
takes seconds. Under ``rate_limit_headers=absent`` and ``rate_limit_remaining=account`` the hook
cannot see the other worker's requests; under ``retry_after_on_429=absent`` its 429s name no wait:
every item must still be done, none failed and none done twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from airflow_provider_apifansly.hooks import transport
from airflow_provider_apifansly.sandbox import DEFAULT_API_KEY, DEFAULT_CREATOR_ID, FanslySandbox
from tests.helpers import printed_xcoms, run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

RPM = 20
WINDOW = 2.0
OTHERS_PER_WINDOW = 10  # the other worker's pace: half the key's 20, started a window before the run
ITEMS = 30  # a run of 31 requests or more: two windows and more
FIRST_FAN_ID = 800_000_000_000_000_000  # example_fansly_bulk_group_chats's fans

# Each switch's every value, the others left at their documented defaults; and the silent server.
READINGS: dict[str, dict[str, str]] = {
    "documented": {},
    "rate_limit_headers=absent": {"rate_limit_headers": "absent"},
    "retry_after_on_429=absent": {"retry_after_on_429": "absent"},
    "rate_limit_remaining=account": {"rate_limit_remaining": "account"},
    "silent (no headers, no wait)": {"rate_limit_headers": "absent", "retry_after_on_429": "absent"},
}


class OtherWorker:
    """Another account of the same key, sending at a steady pace until stopped (a 429 only costs it that turn)."""

    def __init__(self, sandbox: FanslySandbox, account_id: str) -> None:
        self.url = f"{sandbox.url}/api/fansly/{account_id}/me"
        self.stopped = threading.Event()
        self.busy = threading.Event()  # it has spent a window's share: the run joins a busy key
        self.thread = threading.Thread(target=self._run, name="other worker", daemon=True)

    def _run(self) -> None:
        with requests.Session() as session:
            session.headers["x-api-key"] = DEFAULT_API_KEY
            sent = 0
            while not self.stopped.wait(WINDOW / OTHERS_PER_WINDOW):
                session.get(self.url, timeout=5)
                sent += 1
                if sent == OTHERS_PER_WINDOW:
                    self.busy.set()


@pytest.fixture(params=READINGS.values(), ids=READINGS.keys())
def shared_key(
    request: pytest.FixtureRequest, fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FanslySandbox]:
    """The sandbox at 20 requests a 2 s window, switched to one reading, its key busy with another account's worker."""
    readings: dict[str, Any] = request.param
    config = fansly_sandbox.config
    config.rpm, config.window_seconds = RPM, WINDOW
    for name, value in readings.items():
        setattr(config, name, value)
    _, other = fansly_sandbox.seed_accounts(2)
    monkeypatch.setattr(transport, "RATE_WINDOW_SECONDS", WINDOW)
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(rate_limit_rpm=RPM))
    worker = OtherWorker(fansly_sandbox, other)
    worker.thread.start()
    worker.busy.wait()
    yield fansly_sandbox
    worker.stopped.set()
    worker.thread.join()


def refused(sandbox: FanslySandbox, route: str) -> int:
    """How many of the run's requests to ``route`` the sandbox answered 429."""
    return sum(entry.status == 429 and entry.path.endswith(route) for entry in sandbox.journal)


def test_the_bulk_chat_operator_creates_every_chat(
    shared_key: FanslySandbox, capfd: pytest.CaptureFixture[str]
) -> None:
    state, tasks = run_dag("example_fansly_bulk_group_chats", {"fan_count": ITEMS})

    out = capfd.readouterr().out
    assert (state, tasks["create_group_chats"]) == ("success", "success")
    assert f"{ITEMS} chats ready, 0 failed" in out, f"{refused(shared_key, '/group')} creates answered 429"
    fans = {str(FIRST_FAN_ID + offset) for offset in range(ITEMS)}
    assert {group.partner_id for group in shared_key.groups} == fans  # each once: none failed, none twice
    assert len(shared_key.groups) == ITEMS


def test_the_bulk_send_operator_sends_every_message_once(
    shared_key: FanslySandbox, capfd: pytest.CaptureFixture[str]
) -> None:
    chats = shared_key.seed_chats(str(FIRST_FAN_ID + offset) for offset in range(ITEMS))

    _, tasks = run_dag(
        "fansly_test_dags",
        {"messages": {chat: f"hi {fan}" for fan, chat in chats.items()}},
        dag_id="test_fansly_send_messages",
    )

    xcoms = printed_xcoms(capfd.readouterr().out)
    assert xcoms["failed"] == {}, f"{refused(shared_key, '/messages')} sends answered 429"
    assert tasks["messages"] == "success"
    sent = [
        record.group_id for record in shared_key.messages if record.message["senderId"] == DEFAULT_CREATOR_ID
    ]
    assert sorted(sent) == sorted(chats.values())  # every chat its message, exactly once
    assert xcoms["return_value"] == {record.group_id: record.message["id"] for record in shared_key.messages}
