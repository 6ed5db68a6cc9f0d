"""The retry policy: which failures are retried, how long to wait, and when to give up.

Built on ``tenacity`` (shipped with Airflow). The decision is explicit per error
type: transient errors (429, 5xx, no response) are retried; permanent ones
(400/401/403/404/422, bad envelopes) never are.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    wait_random_exponential,
)

from airflow_provider_apifansly.exceptions import (
    FanslyConnectionError,
    FanslyError,
    FanslyRateLimitError,
    FanslyRateLimitWaitError,
)
from airflow_provider_apifansly.hooks.pacing import until_utc

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How one request is retried.

    :param max_retries: retries after the first attempt (so ``max_retries + 1`` requests at most).
    :param max_retry_wait: longest single wait; a server asking for longer fails at once.
    :param max_total_wait: no retry whose wait would bring the waits' sum past this (seconds).
    :param backoff_base: scale of the exponential backoff with full jitter (seconds).
    """

    max_retries: int = 4
    max_retry_wait: float = 60.0
    max_total_wait: float = 300.0
    backoff_base: float = 0.5
    sleep: Callable[[float], None] = time.sleep

    def call(self, attempt: Callable[[], T], *, idempotent: bool) -> T:
        """Run ``attempt`` until it succeeds, fails permanently, or the budget is spent."""
        retrying = Retrying(
            retry=retry_if_exception(lambda exc: self.should_retry(exc, idempotent=idempotent)),
            stop=self._should_stop,
            wait=self._wait,
            before_sleep=self._log_retry,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except FanslyRateLimitWaitError:
            raise  # the pacer's refusal while such a wait is in force: it says so already
        except FanslyRateLimitError as exc:
            if exc.retry_after is not None and exc.retry_after > self.max_retry_wait:
                raise FanslyRateLimitWaitError(
                    f"{exc} Not retried: that is longer than max_retry_wait={self.max_retry_wait:g} s "
                    f"(until {until_utc(exc.retry_after)}); "
                    "wait for the rate-limit window to pass or raise max_retry_wait.",
                    http_status=429,
                    api_message=exc.api_message,
                    request=exc.request,
                    retry_after=exc.retry_after,
                ) from exc
            raise

    def should_retry(self, exc: BaseException, *, idempotent: bool) -> bool:
        """Transient errors only; a non-idempotent call only when the server surely did not act on it."""
        if not isinstance(exc, FanslyError) or not exc.retryable:
            return False
        if exc.retry_after is not None and exc.retry_after > self.max_retry_wait:
            return False
        if idempotent:
            return True
        # A 429 is rejected before processing; a refused connection never reached the server.
        # Anything else (5xx, a drop or timeout after sending) may have been acted on.
        return isinstance(exc, FanslyRateLimitError) or (
            isinstance(exc, FanslyConnectionError) and not exc.request_sent
        )

    def _should_stop(self, state: RetryCallState) -> bool:
        """Stop when the attempts are spent or the next wait would exceed the total wait budget."""
        out_of_attempts = state.attempt_number > self.max_retries
        return out_of_attempts or state.idle_for + state.upcoming_sleep > self.max_total_wait

    def _wait(self, state: RetryCallState) -> float:
        """The server's retry header when it gave one (plus up to 10% jitter), else full-jitter backoff."""
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, FanslyError) and exc.retry_after is not None:
            return exc.retry_after * (1 + 0.1 * random.random())
        backoff = wait_random_exponential(multiplier=self.backoff_base, max=self.max_retry_wait)
        return float(backoff(state))

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "Retrying %s (attempt %d of %d failed: %s); waiting %.2f s",
            getattr(exc, "request", None) or "request",
            state.attempt_number,
            self.max_retries + 1,
            exc,
            wait,
        )
