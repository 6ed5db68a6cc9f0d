"""The circuit breaker: a run of failed requests stops the hook, and a bulk run, before it spends the month.

Run through ``FanslyHook`` and the bulk functions on real sockets, against the sandbox's faults.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_apifansly.bulk import create_group_chats, send_messages
from airflow_provider_apifansly.exceptions import (
    FanslyApiFailingError,
    FanslyConnectionError,
    FanslyNotFoundError,
    FanslyServerError,
)
from airflow_provider_apifansly.hooks.breaker import BREAKER_THRESHOLD
from airflow_provider_apifansly.hooks.endpoints.base import may_have_sent
from airflow_provider_apifansly.hooks.fansly import FanslyHook
from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox, Fault
from tests.helpers import MakeHook

FIRST_FAN = 723516315247000000
OUTAGES = {
    "503": Fault(kind="status", status=503),
    "drop": Fault(kind="drop"),
    "upstream-502": Fault(kind="inner_failure", status=502),
}


@pytest.fixture
def hook_of(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> Any:
    """``hook_of(**options)``: a hook on the unpaced sandbox that retries at once (no backoff sleeps)."""
    fansly_sandbox.config.rpm = None

    def make(**options: Any) -> FanslyHook:
        return make_hook({"rate_limit_rpm": 0}, max_retry_wait=0, **options)

    return make


def fans(count: int) -> list[str]:
    return [str(FIRST_FAN + offset) for offset in range(count)]


def test_the_threshold_is_ten_failures_in_a_row() -> None:
    assert BREAKER_THRESHOLD == 10


def read_chats(hook: FanslyHook) -> Any:
    """An account-scoped read: the route where an upstream failure shows inside a 2xx."""
    return list(hook.list_chats())


@pytest.mark.parametrize("outage", list(OUTAGES), ids=list(OUTAGES))
def test_ten_failures_in_a_row_open_the_breaker_and_no_later_call_is_sent(
    outage: str, fansly_sandbox: FanslySandbox, hook_of: Any
) -> None:
    fansly_sandbox.set_faults(OUTAGES[outage])
    hook = hook_of(max_retries=4)

    with pytest.raises((FanslyServerError, FanslyConnectionError)) as first:
        read_chats(hook)  # five requests, all failed: the breaker still closed
    assert not isinstance(first.value, FanslyApiFailingError)
    with pytest.raises(FanslyApiFailingError, match="The API is failing: 10 requests of this hook") as opened:
        read_chats(hook)  # the tenth failure opens it: no retry after it
    with pytest.raises(FanslyApiFailingError, match=r"GET /api/fansly/\S+/chats not sent") as refused:
        read_chats(hook)

    assert len(fansly_sandbox.journal) == hook.requests_sent == BREAKER_THRESHOLD
    assert (opened.value.request_sent, refused.value.request_sent) == (True, False)
    assert (may_have_sent(opened.value), may_have_sent(refused.value)) == (True, False)
    assert "retry the task" in str(refused.value)
    assert not opened.value.retryable


def test_the_breaker_names_the_last_status(fansly_sandbox: FanslySandbox, hook_of: Any) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=503))
    hook = hook_of(max_retries=BREAKER_THRESHOLD)

    with pytest.raises(
        FanslyApiFailingError, match=r"the last with status 503 \(Server error \(503\)"
    ) as err:
        hook.list_accounts()

    assert err.value.http_status == 503


def test_a_success_between_failures_starts_the_count_again(
    fansly_sandbox: FanslySandbox, hook_of: Any
) -> None:
    hook = hook_of(max_retries=0)
    fansly_sandbox.set_faults(Fault(kind="status", status=503, first_n=BREAKER_THRESHOLD - 1))
    for _ in range(BREAKER_THRESHOLD - 1):
        with pytest.raises(FanslyServerError):
            hook.list_accounts()
    hook.list_accounts()  # a success: the count starts again
    fansly_sandbox.set_faults(Fault(kind="status", status=503, first_n=BREAKER_THRESHOLD - 1))
    for _ in range(BREAKER_THRESHOLD - 1):
        with pytest.raises(FanslyServerError) as err:
            hook.list_accounts()
        assert not isinstance(err.value, FanslyApiFailingError)

    assert hook.list_accounts() is not None
    assert hook.requests_sent == 2 * BREAKER_THRESHOLD


def test_answers_that_are_not_server_failures_neither_count_nor_open_it(
    fansly_sandbox: FanslySandbox, hook_of: Any
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=404))
    hook = hook_of(max_retries=0)

    for _ in range(BREAKER_THRESHOLD + 2):
        with pytest.raises(FanslyNotFoundError):
            hook.list_accounts()


def test_refused_connections_cost_nothing_and_do_not_open_it(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connection = {
        "conn_type": "apifansly",
        "host": f"http://127.0.0.1:{port}",
        "password": "k" * 20,
        "extra": {"account_id": "fansly_sandbox", "rate_limit_rpm": 0, "max_retry_wait": 0},
    }
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", json.dumps(connection))
    hook = FanslyHook(max_retries=BREAKER_THRESHOLD + 2)

    with pytest.raises(FanslyConnectionError, match="could not connect"):
        hook.list_accounts()


# -- bulk runs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("outage", ["503", "drop"])
def test_a_bulk_run_against_a_failing_api_stops_after_the_threshold_and_reports_the_rest_not_done(
    outage: str, fansly_sandbox: FanslySandbox, hook_of: Any
) -> None:
    fansly_sandbox.set_faults(OUTAGES[outage])
    hook = hook_of(pool_size=8)

    result = create_group_chats(hook, fans(200), creator_id=DEFAULT_CREATOR_ID, max_concurrency=8)

    assert isinstance(result.stopped, FanslyApiFailingError)
    assert len(fansly_sandbox.journal) == hook.requests_sent <= BREAKER_THRESHOLD + 8
    assert result.done == {}
    assert len(result.failed) == 200
    naming = [reason for reason in result.failed.values() if "The API is failing" in reason]
    assert len(naming) >= 200 - 8  # all but calls that ended on their own failure first
    assert "200 chats not done" in str(result.stop_error(hook, "chats"))


def test_messages_the_breaker_refused_were_not_sent_and_those_it_stopped_in_flight_may_have_been(
    fansly_sandbox: FanslySandbox, hook_of: Any
) -> None:
    chats = list(fansly_sandbox.seed_chats(fans(60)).values())
    fansly_sandbox.set_faults(Fault(kind="status", status=503))  # reads back fail too
    hook = hook_of(pool_size=4)

    result = send_messages(hook, dict.fromkeys(chats, "hi"), max_concurrency=4)

    assert isinstance(result.stopped, FanslyApiFailingError)
    assert len(result.failed) == 60
    posts = [entry.path for entry in fansly_sandbox.journal if entry.method == "POST"]
    sent_into = {path.split("/chats/")[1].split("/")[0] for path in posts}
    assert len(posts) <= BREAKER_THRESHOLD + 4
    # A chat a POST reached may have its message: uncertain; every other chat was provably not sent.
    assert result.uncertain == sent_into


def test_an_upload_the_breaker_refused_is_not_reported_as_maybe_uploaded(
    fansly_sandbox: FanslySandbox, hook_of: Any, tmp_path: Path
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=503))
    hook = hook_of(max_retries=BREAKER_THRESHOLD - 1)
    with pytest.raises(FanslyApiFailingError):
        hook.list_accounts()
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"x" * 1000)

    with pytest.raises(FanslyApiFailingError, match="upload not sent") as err:
        hook.upload_media(str(media))

    assert not err.value.request_sent
    assert len(fansly_sandbox.journal) == BREAKER_THRESHOLD


def test_failing_sends_open_the_breaker_though_the_reads_back_between_them_succeed(
    fansly_sandbox: FanslySandbox, hook_of: Any
) -> None:
    chats = list(fansly_sandbox.seed_chats(fans(60)).values())
    fansly_sandbox.set_faults(Fault(kind="status", status=503, method="POST"))  # the write path is down
    hook = hook_of(pool_size=4)

    result = send_messages(hook, dict.fromkeys(chats, "hi"), max_concurrency=4)

    assert isinstance(result.stopped, FanslyApiFailingError)
    assert "10 writes (sends, creates, uploads) of this hook failed in a row, reads aside" in str(
        result.stopped
    )
    assert len(result.failed) == 60
    # Was 300 sends and 301 reads: five tries a chat, with reads back between them that reset the count.
    posts = [entry for entry in fansly_sandbox.journal if entry.method == "POST"]
    assert len(posts) <= BREAKER_THRESHOLD + 4
    assert len(fansly_sandbox.journal) <= 2 * (BREAKER_THRESHOLD + 4)
