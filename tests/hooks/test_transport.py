"""Transport rules, run through FanslyHook on real sockets.

The key stays on the configured host, pasted keys are cleaned or refused, 402 ends the run, and every request
is counted against a budget.

The sandbox stands in for the API wherever it can. Where a test needs an answer the sandbox
does not give (a redirect, a 402 envelope behind HTTP 200), a small stdlib server does, and a
second one records whatever reaches it, to prove the key went nowhere else.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

import pytest

from airflow_provider_apifansly._compat import AirflowFailException
from airflow_provider_apifansly.credits import media_credits, response_credits
from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyAuthError,
    FanslyConnectionError,
    FanslyCreditBudgetError,
    FanslyNotFoundError,
    FanslyOutOfCreditsError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks.fansly import FanslyHook
from airflow_provider_apifansly.hooks.options import HookOptions
from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    FanslySandbox,
    Fault,
    fingerprint,
)

FAN = "723516315247063042"
CHAT = "800000000000000101"
FIRST_FAN = 723_516_315_247_100_000
SECRET = "SECRET-in-the-query"


# -- a recording stdlib HTTP server -----------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One request as a ``Recorder`` read it."""

    method: str
    target: str  # path and query
    headers: dict[str, str]  # names lower-cased


Answer = tuple[int, dict[str, str], bytes]


class LocalServer:
    """An HTTP server on 127.0.0.1 serving ``handler`` on a thread while used as a context manager."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # Polled every 20 ms (the default is 0.5 s), so stopping it does not hold each test half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class Recorder(LocalServer):
    """An HTTP server on 127.0.0.1 that records every request and answers each with ``answer``."""

    def __init__(self, answer: Callable[[Received], Answer]) -> None:
        self.received: list[Received] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                request = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
                recorder.received.append(request)
                status, headers, body = answer(request)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        super().__init__(Handler)


def envelope_answer(http_status: int, status_code: int, message: str) -> Callable[[Received], Answer]:
    body = {
        "statusCode": status_code,
        "message": message,
        "data": None,
        "timestamp": "2026-01-09T21:59:45.908Z",
    }
    return lambda _: (http_status, {"Content-Type": "application/json"}, json.dumps(body).encode())


@pytest.fixture
def elsewhere() -> Iterator[Recorder]:
    """Another host (another port of 127.0.0.1): it must never receive a request."""
    with Recorder(envelope_answer(200, 200, "Success")) as server:
        yield server


def connect(monkeypatch: pytest.MonkeyPatch, url: str, api_key: str = DEFAULT_API_KEY, **extra: Any) -> None:
    """Point connection ``fansly_default`` at ``url``, with this key and extras."""
    connection = {
        "conn_type": "apifansly",
        "host": url,
        "password": api_key,
        "extra": {"account_id": DEFAULT_ACCOUNT_ID, "rate_limit_rpm": 0, **extra},
    }
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", json.dumps(connection))


MakeHook = Callable[..., FanslyHook]


@pytest.fixture
def make_hook(fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch) -> MakeHook:
    """A hook to the sandbox with the given hook options (``max_credits``, ``max_retries``, ...)."""
    fansly_sandbox.config.rpm = None  # no server-side window: these tests count requests, not pace them

    def make(api_key: str = DEFAULT_API_KEY, **options: Any) -> FanslyHook:
        connect(monkeypatch, fansly_sandbox.url, api_key)
        return FanslyHook(**options)

    return make


CALLS: dict[str, Callable[[FanslyHook], Any]] = {
    "list_accounts": lambda hook: hook.list_accounts(),
    "create_group_chat": lambda hook: hook.create_group_chat(FAN, creator_id=DEFAULT_CREATOR_ID),
    "send_message": lambda hook: hook.send_message(CHAT, "hello"),
}


# -- redirects: the key goes to the configured host only --------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("call", list(CALLS))
def test_a_redirect_to_another_host_fails_at_once_and_the_key_goes_nowhere_else(
    call: str, status: int, elsewhere: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = f"{elsewhere.url}/api/fansly/accounts?token={SECRET}"
    with Recorder(lambda _: (status, {"Location": location}, b"")) as api:
        connect(monkeypatch, api.url, max_retries=3)

        with pytest.raises(FanslyApiError) as err:
            CALLS[call](FanslyHook())

    assert f"redirected ({status}) to http://127.0.0.1:{elsewhere.port};" in str(err.value)
    assert SECRET not in str(err.value)
    assert [request.headers["x-api-key"] for request in api.received] == [DEFAULT_API_KEY]  # not retried
    assert elsewhere.received == []


@pytest.mark.parametrize(
    ("location", "named"),
    [
        ("https://127.0.0.1:{port}/api/fansly/accounts?token={secret}", "https://127.0.0.1:{port}"),
        ("http://user:{secret}@127.0.0.1:{port}/steal?token={secret}", "http://127.0.0.1:{port}"),
        ("//127.0.0.1:{port}/api/fansly/accounts?token={secret}", "127.0.0.1:{port}"),
    ],
    ids=["another-scheme", "userinfo", "scheme-relative"],
)
def test_a_redirect_names_only_the_scheme_host_and_port_it_pointed_at(
    location: str, named: str, elsewhere: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = location.format(port=elsewhere.port, secret=SECRET)
    body = f"Found. Redirecting to {target}".encode()  # as Express writes it
    with Recorder(lambda _: (302, {"Location": target}, body)) as api:
        connect(monkeypatch, api.url)
        hook = FanslyHook()

        with pytest.raises(FanslyApiError) as err:
            hook.list_accounts()

    assert named.format(port=elsewhere.port) in str(err.value)
    assert SECRET not in str(err.value)
    assert "/steal" not in str(err.value)
    assert len(api.received) == 1
    assert elsewhere.received == []


def test_a_redirect_within_the_api_host_is_not_followed_either(monkeypatch: pytest.MonkeyPatch) -> None:
    with Recorder(lambda _: (308, {"Location": f"/api/v2/fansly/accounts?token={SECRET}"}, b"")) as api:
        connect(monkeypatch, api.url)
        with pytest.raises(FanslyApiError, match="redirected \\(308\\) to another path of the API host"):
            FanslyHook().list_accounts()
    assert [request.target for request in api.received] == ["/api/fansly/accounts"]


# -- keys, as people paste them ---------------------------------------------------------------------


@pytest.mark.parametrize("pasted", [f"  {DEFAULT_API_KEY}\n", f"\t{DEFAULT_API_KEY}\r\n"], ids=repr)
def test_whitespace_around_a_pasted_key_is_stripped(
    pasted: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    assert make_hook(pasted).list_accounts()[0]["accountId"] == DEFAULT_ACCOUNT_ID
    assert [entry.key for entry in fansly_sandbox.journal] == [fingerprint(DEFAULT_API_KEY)]


BAD_KEYS = [
    "sandbox api-key",
    "sandbox-api-key\nX",
    "sand\x00box",
    "sandbox-\u00e9",
    "sandbox-api-key\u00a0x",
]


@pytest.fixture
def no_request_escapes(elsewhere: Recorder, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Route any request the hook might send through ``elsewhere`` as its proxy, so none can hide."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, elsewhere.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "")
    return elsewhere


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
@pytest.mark.parametrize("call", list(CALLS))
def test_a_key_with_inner_whitespace_or_control_characters_is_refused_before_any_request(
    call: str, key: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook, no_request_escapes: Recorder
) -> None:
    hook = make_hook(key, max_retries=3)

    with pytest.raises(FanslyValidationError) as err:
        CALLS[call](hook)

    message = str(err.value)
    assert "Connection 'fansly_default'" in message
    assert "API Key" in message
    assert key not in message
    assert key.strip() not in message
    assert fansly_sandbox.journal == []
    assert no_request_escapes.received == []
    assert hook.requests_sent == 0


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_test_connection_reports_a_malformed_key_without_echoing_it(
    key: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook, no_request_escapes: Recorder
) -> None:
    ok, message = make_hook(key).test_connection()

    assert not ok
    # The UI tests an unsaved copy under a random conn id, which means nothing to the user.
    assert message.startswith("This connection")
    assert "fansly_default" not in message
    assert "API Key" in message
    assert key not in message
    assert fansly_sandbox.journal == []
    assert no_request_escapes.received == []


def test_a_rejected_key_is_not_retried(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    with pytest.raises(FanslyAuthError):
        make_hook("not-the-key", max_retries=3).list_accounts()
    assert [entry.status for entry in fansly_sandbox.journal] == [401]


# -- out of credits is final for the run ------------------------------------------------------------


def test_the_request_after_the_credits_run_out_fails_as_out_of_credits(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.credits = 2
    hook = make_hook(max_retries=3)
    hook.list_accounts()
    hook.list_accounts()

    with pytest.raises(FanslyOutOfCreditsError, match=r"Out of credits \(402\).*used up") as err:
        hook.list_accounts()

    assert isinstance(err.value, FanslyApiError)
    assert isinstance(err.value, AirflowFailException)
    assert [entry.status for entry in fansly_sandbox.journal] == [200, 200, 402]  # not retried


def test_once_out_of_credits_no_later_call_of_the_hook_is_sent(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.credits = 1
    hook = make_hook()
    hook.list_accounts()
    with pytest.raises(FanslyOutOfCreditsError):
        hook.list_accounts()
    sent = len(fansly_sandbox.journal)

    for call in CALLS.values():
        with pytest.raises(FanslyOutOfCreditsError, match="not sent: the plan's credits ran out earlier"):
            call(hook)

    assert len(fansly_sandbox.journal) == sent == 2
    assert hook.requests_sent == 2


def test_a_402_envelope_behind_http_200_is_out_of_credits_and_final(monkeypatch: pytest.MonkeyPatch) -> None:
    with Recorder(envelope_answer(200, 402, "Insufficient credits")) as api:
        connect(monkeypatch, api.url, max_retries=3)
        hook = FanslyHook()
        with pytest.raises(FanslyOutOfCreditsError, match="used up"):
            hook.list_accounts()
        with pytest.raises(FanslyOutOfCreditsError, match="not sent"):
            hook.create_group_chat(FAN, creator_id=DEFAULT_CREATOR_ID)
    assert len(api.received) == 1


def test_an_inner_402_is_out_of_credits_and_final(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.set_faults(Fault(kind="inner_failure", status=402))
    hook = make_hook(max_retries=3)
    with pytest.raises(FanslyOutOfCreditsError):
        hook.create_group_chat(FAN, creator_id=DEFAULT_CREATOR_ID)
    with pytest.raises(FanslyOutOfCreditsError, match="not sent"):
        hook.list_accounts()
    assert len(fansly_sandbox.journal) == 1


# -- the credit budget ------------------------------------------------------------------------------


def test_the_request_beyond_the_budget_is_never_sent(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    hook = make_hook(max_credits=3)
    for _ in range(3):
        hook.list_accounts()

    with pytest.raises(FanslyCreditBudgetError, match="credit budget of 3 reached after 3 requests") as err:
        hook.list_accounts()

    assert err.value.budget == 3
    assert isinstance(err.value, AirflowFailException)
    assert len(fansly_sandbox.journal) == 3


def test_every_endpoint_counts_against_the_budget(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    hook = make_hook(max_credits=2)
    hook.create_group_chat(FAN)  # /me, then /group
    with pytest.raises(FanslyCreditBudgetError):
        list(hook.list_chats())
    assert len(fansly_sandbox.journal) == 2


def test_retries_count_against_the_budget(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=503, first_n=2))
    hook = make_hook(max_credits=2, max_retries=4, max_retry_wait=0)

    with pytest.raises(FanslyCreditBudgetError, match="credit budget of 2"):
        hook.list_accounts()

    assert [entry.status for entry in fansly_sandbox.journal] == [503, 503]


def test_a_budget_that_covers_the_retries_lets_the_call_succeed(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=503, first_n=2))
    hook = make_hook(max_credits=3, max_retries=4, max_retry_wait=0)
    assert hook.list_accounts()[0]["accountId"] == DEFAULT_ACCOUNT_ID
    assert [entry.status for entry in fansly_sandbox.journal] == [503, 503, 200]


def big_pages(sandbox: FanslySandbox, pages: int) -> None:
    """List Chats pages of 250 rows, each past 80,000 bytes (2 credits): ``pages`` of them."""
    sandbox.config.chats_page_size = 250
    sandbox.seed_chats(str(FIRST_FAN + n) for n in range(250 * pages))


def test_an_answer_is_charged_by_its_size_and_the_sandbox_charges_the_same(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    big_pages(fansly_sandbox, 1)
    hook = make_hook()

    assert len(list(hook.list_chats())) == 250

    assert 80_000 < hook.response_bytes <= 160_000
    assert (hook.requests_sent, hook.credits_spent) == (1, 2) == (1, response_credits(hook.response_bytes))
    assert fansly_sandbox.credits_spent() == 2


def test_a_read_whose_answer_passes_the_budget_fails_naming_it_and_nothing_more_is_sent(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    big_pages(fansly_sandbox, 3)
    hook = make_hook(max_credits=3)  # page 1 costs 2; page 2 fits the one credit left, then costs 2

    with pytest.raises(
        FanslyCreditBudgetError, match=r"credit budget of 3 passed: GET \S+/chats answered"
    ) as err:
        list(hook.list_chats())

    assert err.value.budget == 3
    assert (len(fansly_sandbox.journal), hook.credits_spent) == (2, 4)


def test_no_request_is_sent_without_room_for_one_credit(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    big_pages(fansly_sandbox, 2)
    hook = make_hook(max_credits=2)  # page 1 spends both

    with pytest.raises(FanslyCreditBudgetError, match=r"reached after 1 requests \(2 credits\); GET"):
        list(hook.list_chats())

    assert len(fansly_sandbox.journal) == 1


def test_a_429_costs_one_standard_credit_never_the_media_price(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, tmp_path: Path
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=429, retry_after=0, first_n=1))
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"x" * 2_500_000)
    hook = make_hook(max_retry_wait=1)

    hook.upload_media(str(media))

    assert (hook.requests_sent, hook.credits_spent) == (2, 1 + media_credits(2_500_000))


def free_port() -> int:
    """A port of 127.0.0.1 on which nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_spends_no_credit(monkeypatch: pytest.MonkeyPatch) -> None:
    connect(monkeypatch, f"http://127.0.0.1:{free_port()}", max_retries=2, max_retry_wait=0)
    hook = FanslyHook(max_credits=1)

    with pytest.raises(FanslyConnectionError, match="could not connect"):
        hook.list_accounts()  # three refused attempts, none refused by the budget of one

    assert hook.requests_sent == 0


# -- the request count ------------------------------------------------------------------------------


def test_a_new_hook_has_sent_nothing(make_hook: MakeHook) -> None:
    assert make_hook().requests_sent == 0


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ((), None),
        ((Fault(kind="status", status=503, first_n=2),), None),
        ((Fault(kind="status", status=503),), FanslyServerError),
        ((Fault(kind="status", status=404),), FanslyNotFoundError),
        ((Fault(kind="status", status=402),), FanslyOutOfCreditsError),
    ],
    ids=["success", "retried", "retries-spent", "404", "402"],
)
def test_requests_sent_counts_what_reached_the_server(
    faults: tuple[Fault, ...],
    error: type[Exception] | None,
    fansly_sandbox: FanslySandbox,
    make_hook: MakeHook,
) -> None:
    fansly_sandbox.set_faults(*faults)
    hook = make_hook(max_retries=2, max_retry_wait=0)

    for _ in range(2):
        if error is None:
            hook.list_accounts()
        else:
            with pytest.raises(error):
                hook.list_accounts()

    assert hook.requests_sent == len(fansly_sandbox.journal) > 0


def test_requests_sent_is_exact_across_threads(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    hook = make_hook(pool_size=8)
    hook.get_conn()

    def fifty_calls() -> None:
        for _ in range(50):
            hook.list_accounts()

    threads = [threading.Thread(target=fifty_calls) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert hook.requests_sent == 400
    assert len(fansly_sandbox.journal) == 400


def test_the_budget_holds_across_threads(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    hook = make_hook(pool_size=8, max_credits=100)
    hook.get_conn()
    refused: list[Exception] = []

    def calls() -> None:
        for _ in range(20):
            try:
                hook.list_accounts()
            except FanslyCreditBudgetError as exc:
                refused.append(exc)

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fansly_sandbox.journal) == hook.requests_sent == 100
    assert len(refused) == 60


# -- hook options are checked when the hook is built ------------------------------------------------


@pytest.mark.parametrize("budget", [0, -1, True, "5", 1.5], ids=repr)
def test_a_bad_credit_budget_is_refused_when_the_hook_is_built(budget: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="max_credits must be"):
        FanslyHook(max_credits=budget)


def test_an_unknown_hook_option_is_refused_when_the_hook_is_built() -> None:
    with pytest.raises(TypeError, match="max_credit"):
        FanslyHook(max_credit=5)


def test_an_unknown_option_name_is_refused_by_hook_options() -> None:
    with pytest.raises(TypeError, match="budget"):
        HookOptions(budget=5)  # type: ignore[call-arg]


def test_the_smallest_budget_is_one_request() -> None:
    assert FanslyHook(max_credits=1).options.max_credits == 1


# -- the budget under concurrency, and answers cut off mid-body -------------------------------------


def three_credit_pages(sandbox: FanslySandbox) -> None:
    """List Chats' first page: 500 rows, past 160,000 bytes (3 credits)."""
    sandbox.config.chats_page_size = 500
    sandbox.seed_chats(str(FIRST_FAN + n) for n in range(500))


def first_pages(hook: FanslyHook, threads: int, calls: int) -> list[Exception]:
    """``threads`` threads, each reading List Chats' first page ``calls`` times; the budget errors they met."""
    hook.get_conn()
    refused: list[Exception] = []
    start = threading.Barrier(threads)

    def read() -> None:
        start.wait()
        for _ in range(calls):
            try:
                next(iter(hook.list_chats()))
            except FanslyCreditBudgetError as exc:
                refused.append(exc)

    workers = [threading.Thread(target=read) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return refused


def test_eight_threads_reading_three_credit_answers_pass_the_budget_by_less_than_one_answer(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    three_credit_pages(fansly_sandbox)
    hook = make_hook(pool_size=8, max_credits=8)

    refused = first_pages(hook, threads=8, calls=1)

    assert hook.credits_spent == fansly_sandbox.credits_spent() <= 8 + 3 - 1
    assert len(fansly_sandbox.journal) == hook.requests_sent == 3  # 3, 3, then one alone with room for 1
    assert len(refused) == 8 - 2  # the third read passed the budget, so it failed too


def test_a_budget_that_covers_many_answers_still_lets_threads_read_side_by_side(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    three_credit_pages(fansly_sandbox)
    hook = make_hook(pool_size=8, max_credits=100)

    refused = first_pages(hook, threads=8, calls=5)

    # 33 answers of 3 fit 99 (side by side, each held at 3), and the 34th goes alone with room for 1.
    assert (hook.requests_sent, hook.credits_spent) == (34, 102) == (34, fansly_sandbox.credits_spent())
    assert len(refused) == 40 - 33  # the 34th read passed the budget, so it failed too


class CutServer(LocalServer):
    """An HTTP server on 127.0.0.1 whose first ``cut`` answers promise ``Content-Length`` bytes and close early."""

    def __init__(self, promised: int, sent: int, cut: int = 1) -> None:
        self.promised, self.sent, self.cut = promised, sent, cut
        self.requests = 0
        body = json.dumps(
            {"statusCode": 200, "message": "Success", "data": {"accounts": []}, "timestamp": "2026-01-09"}
        ).encode()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.requests += 1
                cut = server.requests <= server.cut
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(server.promised if cut else len(body)))
                self.end_headers()
                self.wfile.write(b" " * server.sent if cut else body)
                self.wfile.flush()
                self.close_connection = cut

            def log_message(self, format: str, *args: Any) -> None:
                pass

        super().__init__(Handler)


def test_an_answer_cut_off_mid_body_is_charged_by_its_content_length(monkeypatch: pytest.MonkeyPatch) -> None:
    with CutServer(promised=400_000, sent=1_000) as server:
        connect(monkeypatch, server.url, max_retries=0)
        hook = FanslyHook()

        with pytest.raises(FanslyConnectionError, match="lost the connection") as err:
            hook.list_accounts()

    assert err.value.request_sent
    assert DEFAULT_API_KEY not in str(err.value)
    assert (hook.requests_sent, hook.credits_spent) == (1, response_credits(400_000)) == (1, 5)


def test_a_cut_answer_is_retried_on_a_fresh_connection_and_both_are_charged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with CutServer(promised=250_000, sent=10) as server:
        connect(monkeypatch, server.url, max_retries=1, max_retry_wait=0)
        hook = FanslyHook(max_credits=10)

        assert hook.list_accounts() == []

    assert (server.requests, hook.requests_sent, hook.credits_spent) == (2, 2, 4 + 1)
