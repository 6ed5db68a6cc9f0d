"""The retry policy: transient failures are retried within bounds, permanent ones never."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from airflow_provider_apifansly.exceptions import (
    FanslyAuthError,
    FanslyConnectionError,
    FanslyError,
    FanslyRateLimitError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks.retry import RetryPolicy


class Script:
    """An attempt function that raises the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def policy(**kwargs: float) -> tuple[RetryPolicy, list[float]]:
    waits: list[float] = []
    return RetryPolicy(sleep=waits.append, **kwargs), waits  # type: ignore[arg-type]


def rate_limited(after: float | None) -> FanslyRateLimitError:
    return FanslyRateLimitError("429", http_status=429, retry_after=after)


def test_a_429_waits_at_least_what_the_server_asked() -> None:
    retry, waits = policy()
    script = Script(rate_limited(1), rate_limited(1))
    assert retry.call(script, idempotent=True) == "ok"
    assert script.calls == 3
    assert all(1.0 <= wait <= 1.1 for wait in waits)


def test_server_errors_back_off_exponentially_with_jitter_under_the_cap() -> None:
    retry, waits = policy(max_retries=4, backoff_base=0.5, max_retry_wait=3)
    script = Script(*(FanslyServerError("503", http_status=503) for _ in range(4)))
    assert retry.call(script, idempotent=True) == "ok"
    assert script.calls == 5
    assert len(waits) == 4
    assert all(0 <= wait <= 3 for wait in waits)


def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    retry, _ = policy(max_retries=2)
    script = Script(*(FanslyServerError(f"503 #{n}", http_status=503) for n in range(5)))
    with pytest.raises(FanslyServerError, match="503 #2"):
        retry.call(script, idempotent=True)
    assert script.calls == 3


def test_total_wait_is_bounded() -> None:
    retry, waits = policy(max_retries=10, max_total_wait=2.5)
    script = Script(*(rate_limited(1) for _ in range(10)))
    with pytest.raises(FanslyRateLimitError):
        retry.call(script, idempotent=True)
    assert sum(waits) <= 2.5 * 1.1


@pytest.mark.parametrize(
    "error",
    [
        FanslyValidationError("400", http_status=400),
        FanslyAuthError("401", http_status=401),
        FanslyAuthError("403", http_status=403),
        ValueError("a bug is not retried"),
    ],
)
def test_permanent_errors_fail_on_the_first_attempt(error: Exception) -> None:
    retry, waits = policy()
    script = Script(error)
    with pytest.raises(type(error)):
        retry.call(script, idempotent=True)
    assert (script.calls, waits) == (1, [])


def test_a_retry_after_beyond_the_cap_fails_fast_and_says_how_long() -> None:
    retry, waits = policy(max_retry_wait=30)
    script = Script(rate_limited(120))
    with pytest.raises(FanslyRateLimitError, match="longer than max_retry_wait=30 s") as err:
        retry.call(script, idempotent=True)
    assert err.value.retry_after == 120
    assert (script.calls, waits) == (1, [])


NOT_SENT = FanslyConnectionError("refused", request_sent=False)
MAYBE_SENT = FanslyConnectionError("timed out", request_sent=True)


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (rate_limited(0), True),
        (NOT_SENT, True),
        (MAYBE_SENT, False),
        (FanslyServerError("500", http_status=500), False),
    ],
)
def test_non_idempotent_calls_retry_only_when_the_server_surely_did_not_act(
    error: FanslyError, retried: bool
) -> None:
    retry, _ = policy()
    script: Callable[[], str] = Script(error)
    if retried:
        assert retry.call(script, idempotent=False) == "ok"
    else:
        with pytest.raises(type(error)):
            retry.call(script, idempotent=False)


def test_each_retry_logs_one_line(caplog: pytest.LogCaptureFixture) -> None:
    retry, _ = policy()
    error = FanslyServerError("Server error (503)", http_status=503, request="GET /api/fansly/accounts")
    retry.call(Script(error), idempotent=True)
    (line,) = [r.getMessage() for r in caplog.records if "Retrying" in r.getMessage()]
    assert "GET /api/fansly/accounts (attempt 1 of 5 failed: Server error (503)); waiting" in line
