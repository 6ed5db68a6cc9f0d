"""``FanslySandbox``: the server's lifecycle and how each request is answered.

What tests seed and inspect lives in ``state.py``.

Every request is authenticated, counted against its key's sliding window and
credits, then either answered by the API routes or bent by a fault.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

# connection.py imports neither Airflow nor requests, so the sandbox stays free of both.
from airflow_provider_apifansly.connection import CONN_TYPE, DEFAULT_CONN_ID
from airflow_provider_apifansly.sandbox.billing import ADMISSION_CREDITS, answer_bill
from airflow_provider_apifansly.sandbox.config import Fault, SandboxConfig
from airflow_provider_apifansly.sandbox.envelope import INVALID, Reply, Request, envelope
from airflow_provider_apifansly.sandbox.keys import Account
from airflow_provider_apifansly.sandbox.resources import discover
from airflow_provider_apifansly.sandbox.routing import PREFIX, Router
from airflow_provider_apifansly.sandbox.state import SandboxState, with_resources
from airflow_provider_apifansly.sandbox.transport import HttpRequest, HttpServer, Outcome, reason_phrase
from airflow_provider_apifansly.sandbox.world import JournalEntry, World

_STATUS_MESSAGES = {
    401: "Invalid or missing API key",
    402: "Insufficient credits",
    500: "Internal server error",
    502: "Bad gateway: the upstream Fansly API failed",
    503: "Service unavailable",
    504: "Gateway timeout: the upstream Fansly API did not answer",
}
# A truncated envelope: what a proxy cutting the response short leaves behind.
_MALFORMED_BODY = b'{"statusCode":200,"message":"Success","data":{"status_code":200,"da'
_SERVE_POLL_SECONDS = 0.02
# Every resource module's routes, indexed once at import.
_ROUTER = Router({name: resource.routes for name, resource in discover().items()})


def fingerprint(key: str) -> str:
    """A short, stable, one-way name for an API key, safe to journal and print."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:8]


def _error(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> Outcome:
    return Outcome(status, envelope(status, message, None), headers or [])


def _from_reply(reply: Reply, headers: list[tuple[str, str]]) -> Outcome:
    return Outcome(reply.status, envelope(reply.status, reply.message, reply.data), headers)


def _strip_ids(reply: Reply) -> Reply:
    """The same success without the resource id (``response.id`` or its other names, or ``response.account.id``)."""
    try:
        response = dict(reply.data["data"]["response"])
    except (KeyError, TypeError):
        return reply
    for name in ("id", "automatedMessageId", "postId"):
        response.pop(name, None)
    if isinstance(response.get("account"), dict):
        response["account"] = {k: v for k, v in response["account"].items() if k != "id"}
    # Only the response changes: List Chats' nextCursor, beside the inner data, stays.
    data = {**reply.data, "data": {**reply.data["data"], "response": response}}
    return Reply(reply.status, reply.message, data)


@with_resources
class FanslySandbox(SandboxState):
    """An offline apifansly API on 127.0.0.1, faithful to the contract and able to misbehave.

    Use it as a context manager or call ``start()``/``stop()``. ``config`` is live: a test
    may change its fields between requests. Seed and inspect it with ``SandboxState``'s methods
    and those each resource module adds (``seed_chats``, ``groups``, ...).

    :param config: what to serve (default: one key, one account, the Starter plan's 600 rpm).
    :param clock: the monotonic clock behind rate windows; a test may inject a fake one.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config if config is not None else SandboxConfig()
        self._clock = clock
        self._world = World(seed=self.config.seed, journal_size=self.config.journal_size)
        self._server: HttpServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"FanslySandbox({where}, plan={self.config.plan!r})"

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FanslySandbox:
        """Listen on ``config.host``:``config.port`` (0: a free port) and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("The sandbox is already running")
        server = HttpServer((self.config.host, self.config.port), self)
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _SERVE_POLL_SECONDS},
            name=f"fansly-sandbox {server.url}",
            daemon=True,
        )
        self._server = server
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection; a no-op when not running."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FanslySandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8765`` (routes sit under ``/api/fansly/``)."""
        if self._server is None:
            raise RuntimeError("The sandbox is not running: call start() or use it in a with block")
        return self._server.url

    def connection_json(self, conn_id: str = DEFAULT_CONN_ID, **extra: Any) -> str:
        """The value of ``AIRFLOW_CONN_<CONN_ID>`` for an Airflow connection to this sandbox.

        It uses the config's first key and that key's first account; ``extra`` adds or
        overrides connection extras (e.g. ``rate_limit_rpm=0``).
        """
        api_key, accounts = next(iter(self.config.keys.items()))
        connection = {
            "conn_type": CONN_TYPE,
            "description": f"apifansly sandbox ({conn_id})",
            "host": self.url,
            "password": api_key,
            "extra": {"account_id": accounts[0].account_id, **extra},
        }
        return json.dumps(connection)

    # -- answering one request -------------------------------------------------------------------

    def answer(self, http_request: HttpRequest, started: float) -> Outcome:
        """Answer one request (called by the HTTP server), wait out latency and delay, journal it."""
        request = Request.from_http(http_request)
        outcome = self._respond(request)
        config = self.config
        pause = config.latency + self._world.jitter(config.latency_jitter) + outcome.delay
        if pause > 0:
            time.sleep(pause)
        # Journaled before the answer is written, so a client that got it also finds it here.
        self._world.record(
            JournalEntry(
                method=request.method,
                path=request.path,
                status=outcome.status,
                started=started,
                duration_s=time.monotonic() - started,
                body=request.body,
                key=fingerprint(request.key) if request.key is not None else None,
                fault=outcome.fault,
            )
        )
        return outcome

    def bad_request(self, reason: str) -> Outcome:
        """The API's 400 envelope for a request whose HTTP framing cannot be read."""
        return _error(400, f"{INVALID}: {reason}")

    def _respond(self, request: Request) -> Outcome:
        """Authenticate, rate-limit and charge the request, then answer it or inject a fault."""
        config = self.config
        accounts = config.keys.get(request.key) if request.key else None
        if request.key is None or accounts is None:
            return _error(401, _STATUS_MESSAGES[401])
        admission = self._world.admit(
            request.key,
            self._clock(),
            rpm=config.rpm,
            window_seconds=config.window_seconds,
            credits=config.credits,
            account=_account_of(request.path, accounts),
            remaining_per_account=config.rate_limit_remaining == "account",
        )
        headers = self._rate_headers(admission.remaining)
        if admission.verdict == "rate_limited":
            return self._too_many_requests(admission.retry_after or 1, admission.remaining)
        if admission.verdict == "no_credits":
            return _error(402, _STATUS_MESSAGES[402], headers)
        fault = self._world.pick_fault(config.faults, request.method, request.path)
        if fault is None:
            outcome = _from_reply(_ROUTER.dispatch(config, self._world, request, accounts), headers)
        else:
            outcome = self._inject(fault, request, accounts, headers)
            outcome.fault = fault.kind
        if outcome.status is not None and outcome.status != 429:  # a 429 fault was taken back
            # Admission took a credit; an answer is billed by the body written (none to a HEAD), and an
            # upload's answer is a few bytes, so its bill stays the file's price (billing.py).
            written = b"" if request.method == "HEAD" else outcome.body
            self._world.charge(request.key, answer_bill(written) - ADMISSION_CREDITS)
        return outcome

    def _inject(
        self,
        fault: Fault,
        request: Request,
        accounts: tuple[Account, ...],
        headers: list[tuple[str, str]],
    ) -> Outcome:
        """Misbehave as the fault says, having run the request first if the fault processes it."""
        processed = fault.processed or fault.kind in ("slow", "missing_id")
        reply = _ROUTER.dispatch(self.config, self._world, request, accounts) if processed else None
        if fault.kind == "status":
            status = fault.status or 500
            if status == 429:
                assert request.key is not None  # only authenticated requests meet faults
                self._world.refund(request.key)
                return self._too_many_requests(fault.retry_after)
            message = fault.message or _STATUS_MESSAGES.get(status) or reason_phrase(status)
            return _error(status, message, headers)
        if fault.kind == "drop":
            return Outcome(None)
        if fault.kind == "malformed":
            return Outcome(200, _MALFORMED_BODY, headers)
        if fault.kind == "inner_failure":
            error = fault.message or "Upstream Fansly request failed"
            inner = {"status_code": fault.status or 502, "data": {"success": False, "error": error}}
            return Outcome(200, envelope(200, "Success", inner), headers)
        assert reply is not None  # "slow" and "missing_id" always process the request
        outcome = _from_reply(_strip_ids(reply) if fault.kind == "missing_id" else reply, headers)
        outcome.delay = fault.delay
        return outcome

    def _rate_headers(self, remaining: int | None) -> list[tuple[str, str]]:
        """The rate-limit headers of a response (an unlimited plan only names itself; none when switched absent)."""
        config = self.config
        if config.rate_limit_headers == "absent":
            return []
        if config.rpm is None:
            return [("X-RateLimit-Plan", config.plan)]
        return [
            ("X-RateLimit-Limit", str(config.rpm)),
            ("X-RateLimit-Remaining", str(remaining if remaining is not None else 0)),
            ("X-RateLimit-Plan", config.plan),
        ]

    def _too_many_requests(self, retry_after: int, remaining: int | None = 0) -> Outcome:
        """A 429, and the one place that decides the wait it announces.

        ``X-RateLimit-Retry-After`` (and ``Retry-After`` with ``send_retry_after``), and in the message
        too; no wait anywhere with ``retry_after_on_429=absent``.

        :param remaining: what ``X-RateLimit-Remaining`` says (none left, unless it counts an account's).
        """
        config = self.config
        headers = self._rate_headers(remaining)
        if config.retry_after_on_429 == "absent":
            return _error(429, "Rate limit exceeded.", headers)
        headers.append(("X-RateLimit-Retry-After", str(retry_after)))
        if config.send_retry_after:
            headers.append(("Retry-After", str(retry_after)))
        return _error(429, f"Rate limit exceeded. Try again in {retry_after} seconds.", headers)


def _account_of(path: str, accounts: tuple[Account, ...]) -> str | None:
    """The key's account a request goes to (its path's first segment), or None on a route without one."""
    first = path[len(PREFIX) :].partition("/")[0] if path.startswith(PREFIX) else ""
    return first if any(account.account_id == first for account in accounts) else None
