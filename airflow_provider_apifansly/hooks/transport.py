"""``Transport``: one pooled session to the API, and every rule about sending a request.

Pacing, retries, the credit count and budget, the circuit breaker, redirects refused, the key kept
to the configured host, and HTTP failures turned into typed errors all live here, so the hook's
endpoint methods only say what to send and how to read the answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from airflow_provider_apifansly import __version__
from airflow_provider_apifansly.connection import API_PREFIX, ConnectionSettings
from airflow_provider_apifansly.credits import STANDARD_CREDITS, response_credits
from airflow_provider_apifansly.exceptions import (
    FanslyApiFailingError,
    FanslyConnectionError,
    FanslyCreditBudgetError,
    FanslyOutOfCreditsError,
    FanslyServerError,
)
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.breaker import CircuitBreaker
from airflow_provider_apifansly.hooks.envelope import Parser
from airflow_provider_apifansly.hooks.options import HookOptions
from airflow_provider_apifansly.hooks.pacing import SlidingWindowPacer
from airflow_provider_apifansly.hooks.retry import RetryPolicy

T = TypeVar("T")

RATE_WINDOW_SECONDS = 60.0
# A request reaches the server a little after the pacer stamps it, by a varying amount;
# pacing on a slightly longer window keeps a freed slot from being reused too early.
PACING_MARGIN_SECONDS = 0.5


class Transport:
    """Sends API calls for one hook; thread-safe once built (``FanslyHook.get_conn`` builds it).

    :param settings: the connection's parsed settings (base URL, key, timeouts, defaults).
    :param options: the hook's overrides of those settings, and its credit budget.
    :param connection_label: how error hints name the connection, e.g. ``connection 'fansly_default'``.
    :param pool_size: connections kept open; the number of threads sharing the hook.
    """

    def __init__(
        self, settings: ConnectionSettings, options: HookOptions, *, connection_label: str, pool_size: int
    ) -> None:
        self.settings = settings
        self.options = options
        self.connection_label = connection_label
        self.pool_size = pool_size
        self._count_lock = threading.Lock()
        self._settled = threading.Condition(self._count_lock)  # a request in flight settled
        self._sent = 0
        self._credits = 0  # what answered requests cost
        self._bytes = 0
        self._in_flight = 0
        self._held = 0  # what the requests in flight hold against the budget
        self._largest = 0  # the largest cost of a standard answer so far (0: none answered yet)
        self._out_of_credits: FanslyOutOfCreditsError | None = None
        self._breaker = CircuitBreaker(self._settled, connection_label)

    def __repr__(self) -> str:
        return f"Transport(base_url={self.settings.base_url!r}, requests_sent={self._sent})"

    @property
    def requests_sent(self) -> int:
        """Requests sent so far, retries included; refused connections are not."""
        with self._count_lock:
            return self._sent

    @property
    def credits_spent(self) -> int:
        """What the answered requests cost by ``credits.py``'s rule: an answer by its size, an upload by its file."""
        with self._count_lock:
            return self._credits

    @property
    def response_bytes(self) -> int:
        """The decoded body lengths of every answer so far."""
        with self._count_lock:
            return self._bytes

    @cached_property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy, built once from the hook options and the connection."""
        return RetryPolicy(
            max_retries=int(_option(self.options.max_retries, self.settings.max_retries)),
            max_retry_wait=float(_option(self.options.max_retry_wait, self.settings.max_retry_wait)),
        )

    @cached_property
    def pacer(self) -> SlidingWindowPacer | None:
        """Keeps requests under the plan's requests per minute (None: unlimited plan)."""
        rpm = int(_option(self.options.rate_limit_rpm, self.settings.rate_limit_rpm))
        if rpm <= 0:
            return None
        window = RATE_WINDOW_SECONDS + PACING_MARGIN_SECONDS
        return SlidingWindowPacer(rpm, window, max_hold=self.retry_policy.max_retry_wait)

    @cached_property
    def session(self) -> requests.Session:
        """The pooled keep-alive session, with the key header set once."""
        session = requests.Session()
        # Read proxy and CA-bundle settings from the environment once, with requests' own
        # rules, rather than on every request (a measurable share of a call's CPU).
        environment = session.merge_environment_settings(self.settings.base_url, {}, None, True, None)
        session.trust_env = False
        session.proxies.update(environment["proxies"])
        session.verify = environment["verify"]
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.pool_size)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers.update(
            {
                "x-api-key": self.settings.api_key,
                "Accept": "application/json",
                "User-Agent": f"airflow-provider-apifansly/{__version__}",
            }
        )
        return session

    def build(self) -> None:
        """Build the session, pacer and retry policy now, before threads share them."""
        _ = self.session, self.pacer, self.retry_policy

    def close(self) -> None:
        """Close the pooled connections (a new session is opened if used again)."""
        if "session" in self.__dict__:
            self.__dict__.pop("session").close()

    def request(
        self,
        method: str,
        path: str,
        parse: Parser[T],
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool,
        retry: bool = True,
        body: Callable[[], Any] | None = None,
        headers: dict[str, str] | None = None,
        media_credits: int | None = None,
        reserve: int = 0,
    ) -> T:
        """Send one API call (retried under the policy) and return what ``parse`` reads from its data.

        :param path: the route below ``/api/fansly``, e.g. ``/accounts``.
        :param parse: reads the envelope's ``data``; it runs inside each attempt, so a
            transient failure it finds (an inner upstream 5xx) is retried like an outer one.
        :param idempotent: whether repeating the call after an ambiguous failure is harmless.
        :param retry: False sends exactly one request, whatever happens.
        :param body: makes a fresh (streamed) request body for each attempt, e.g. a multipart upload.
        :param headers: headers of this call only (e.g. the multipart ``Content-Type``).
        :param media_credits: a media call's price (``credits.media_credits``), checked against
            ``max_credits`` before it is sent; None for a standard call, charged by its answer's size.
        :param reserve: credits the budget must still hold after this call (e.g. the first poll of an upload).
        """
        label = f"{method} {API_PREFIX}{path}"
        write = method.upper() != "GET"  # the breaker counts writes' failures apart

        def attempt() -> T:
            try:
                data = self.send_once(
                    method,
                    path,
                    json=json,
                    params=params,
                    label=label,
                    data=None if body is None else body(),
                    headers=headers,
                    media_credits=media_credits,
                    idempotent=idempotent,
                    reserve=reserve,
                )
                result = parse(data, label, self.connection_label)
            except FanslyOutOfCreditsError as exc:  # an inner 402: as final as an outer one
                self._out_of_credits = exc
                raise
            except FanslyApiFailingError:
                raise
            except (FanslyServerError, FanslyConnectionError) as exc:
                self._breaker.failure(exc, label, write=write)
                raise
            self._breaker.success(write=write)
            return result

        if not retry:
            return attempt()
        return self.retry_policy.call(attempt, idempotent=idempotent)

    def send_once(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        label: str,
        data: Any = None,
        headers: dict[str, str] | None = None,
        media_credits: int | None = None,
        idempotent: bool = True,
        reserve: int = 0,
    ) -> Any:
        """One request, no retry: the envelope's ``data``, or a typed error.

        Refused at once while the circuit breaker is open. What it holds against the budget while
        in flight is ``_admit``'s; it is settled at what its answer costs (an answer cut off after
        its headers at what its ``Content-Length`` bills), refunded if it never left.
        """
        settings = self.settings
        self._breaker.check(label)
        held = self._admit(label, media_credits, reserve)
        if self.pacer is not None:
            try:
                self.pacer.acquire()
            except BaseException:  # not sent: a wait longer than max_retry_wait, or Airflow said stop
                self._refund(held)
                raise
        response: requests.Response | None = None
        try:
            # Never follow a redirect: requests would carry x-api-key to any host it points at.
            response = self.session.request(
                method,
                f"{settings.base_url}{API_PREFIX}{path}",
                json=json,
                params=params,
                data=data,
                headers=headers,
                timeout=(settings.connect_timeout, settings.timeout),
                allow_redirects=False,
                stream=True,  # the body is read below, so an answer cut off mid-body is still charged
            )
            # Read (and redact) the whole body here; the raw bytes are never bound to a local, since a
            # traceback that shows locals would show a key the server echoed.
            body = response.content.replace(settings.api_key.encode(), b"***")
        except requests.exceptions.RequestException as exc:
            error = _connection_error(exc, label, settings.base_url)
            if error.request_sent:
                self._charge(held, _lost_answer_credits(response, media_credits), 0)
            else:
                self._refund(held)
            raise error from None
        except BaseException:  # e.g. Airflow's execution_timeout mid-request: it may have been sent
            self._charge(held, _lost_answer_credits(response, media_credits), 0)
            raise
        finally:
            if self.pacer is not None:  # what the key's other users spend, and a 429's wait
                self.pacer.observe(
                    None if response is None else response.headers,
                    rate_limited=response is not None and response.status_code == 429,
                )
        self._settle(label, held, response, media=media_credits is not None, idempotent=idempotent)
        try:
            return envelope.unwrap(
                response.status_code, response.headers, body, request=label, connection=self.connection_label
            )
        except FanslyOutOfCreditsError as exc:
            self._out_of_credits = exc
            raise

    def _admit(self, label: str, media_credits: int | None, reserve: int = 0) -> int:
        """Count a request about to be sent and return the credits it holds while in flight; or refuse it.

        Refused when credits ran out, or when it (and ``reserve`` after it) cannot fit the budget even
        alone: a standard call needs room for one credit, a media call for its price.

        With ``max_credits`` set, a request goes beside others in flight only when the budget left
        covers each of them, and it, at the largest cost an answer of this hook has had so far (a media
        call at its price); otherwise it waits until none is in flight and goes alone (the hook's first
        standard request always does: no answer has shown a cost yet). The guarantee: the count passes
        ``max_credits`` by less than one answer's cost (the last one, sent alone with room for one
        credit), however many threads share the hook, unless answers in flight together each cost more
        than any answer before them; then by at most the sum of those excesses.
        """
        needed = STANDARD_CREDITS if media_credits is None else media_credits
        budget = self.options.max_credits
        with self._count_lock:
            while True:
                if self._out_of_credits is not None:
                    raise FanslyOutOfCreditsError(
                        f"{label} not sent: the plan's credits ran out earlier in this run "
                        f"({self._out_of_credits.request} answered 402).",
                        http_status=402,
                        request=label,
                    )
                self._breaker.check(label)
                held = needed if media_credits is not None else max(self._largest, STANDARD_CREDITS)
                if budget is None or self._in_flight == 0:
                    break
                if self._credits + needed + reserve > budget:
                    break  # it cannot fit even alone: refused below without waiting
                if self._largest and self._credits + self._held + held + reserve <= budget:
                    break
                self._settled.wait()  # until the requests in flight settle
            if budget is not None and self._credits + self._held + needed + reserve > budget:
                cost = f" (it costs {needed} credits)" if needed != STANDARD_CREDITS else ""
                if reserve:
                    cost = f" (it costs {needed} credit(s) and needs {reserve} more after it)"
                raise FanslyCreditBudgetError(
                    f"credit budget of {budget} reached after {self._spent()}; {label} not sent{cost}",
                    budget=budget,
                    request=label,
                )
            self._sent += 1
            self._in_flight += 1
            self._held += held
            return held

    def _settle(
        self, label: str, held: int, response: requests.Response, *, media: bool, idempotent: bool
    ) -> None:
        """Charge an answer by ``credits.py``'s rule in place of what its request held.

        A 429 was refused before any work: at most one standard credit, never a media price.
        A read whose answer carries the count past ``max_credits`` fails here (its rows go
        unused, so nothing more is spent on them); a write's answer is returned, since what it
        did must be reported, and the next request is refused by ``_admit``.
        """
        size = len(response.content)
        cost = STANDARD_CREDITS if response.status_code == 429 else held if media else response_credits(size)
        if not media and response.status_code != 429 and cost > self._largest:
            with self._count_lock:
                self._largest = max(self._largest, cost)
        over, spent = self._charge(held, cost, size)
        budget = self.options.max_credits
        if over and idempotent and budget is not None:
            raise FanslyCreditBudgetError(
                f"credit budget of {budget} passed: {label} answered {size:,} bytes ({cost} credits), "
                f"{spent} in all; no further request sent",
                budget=budget,
                request=label,
            )

    def _charge(self, held: int, cost: int, size: int) -> tuple[bool, str]:
        """Settle a request that reached the server at ``cost``: whether it passed the budget, and the spend.

        The spend (``_spent``) is only said with a budget: nothing else reads it.
        """
        budget = self.options.max_credits
        with self._count_lock:
            self._bytes += size
            self._credits += cost
            self._held -= held
            self._in_flight -= 1
            if budget is None:
                return False, ""
            self._settled.notify_all()  # only a budget makes requests wait
            return self._credits > budget, self._spent()

    def _spent(self) -> str:
        """``"12 requests (14 credits)"``, for messages; the caller holds the lock."""
        return f"{self._sent} requests ({self._credits} credits)"

    def count_unseen(self, credits: int) -> None:
        """Count credits spent out of this transport's sight (a trigger's earlier run) against its budget."""
        with self._count_lock:
            self._credits += credits

    def _refund(self, held: int) -> None:
        """Take back a request that never left (a refused connection)."""
        with self._count_lock:
            self._sent -= 1
            self._held -= held
            self._in_flight -= 1
            if self.options.max_credits is not None:  # only a budget makes requests wait
                self._settled.notify_all()


def _option(override: float | None, setting: int) -> float:
    """The hook's override when it set one, else the connection's setting."""
    return setting if override is None else override


def _lost_answer_credits(response: requests.Response | None, media_credits: int | None) -> int:
    """What a request whose answer was lost after sending may be billed, as an upper bound.

    A media call its price; a standard one what its ``Content-Length`` bills when its headers came
    (an answer cut off mid-body), else one credit.
    """
    if media_credits is not None:
        return media_credits
    length = None if response is None else response.headers.get("Content-Length")
    if length is None or not length.strip().isdigit():
        return STANDARD_CREDITS
    return response_credits(int(length))


def _connection_error(
    exc: requests.exceptions.RequestException, label: str, base_url: str
) -> FanslyConnectionError:
    """Name what happened on the wire, and whether the request may have reached the server."""
    reason = exc.args[0] if exc.args else exc
    never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or isinstance(
        getattr(reason, "reason", None), NewConnectionError
    )
    if isinstance(exc, requests.exceptions.ReadTimeout):
        what = "timed out waiting for the response"
    elif never_sent:
        what = "could not connect"
    else:
        what = "lost the connection"
    return FanslyConnectionError(
        f"{label} to {base_url} {what} ({type(exc).__name__})", request_sent=not never_sent, request=label
    )
