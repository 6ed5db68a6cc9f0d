"""The base operators: how every Fansly operator takes its connection, and what bulk ones add.

``FanslyBaseOperator`` is the one way every Fansly operator takes its connection and builds its hook;
``FanslyBatchOperator`` adds what the bulk operators share.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly._compat import BaseOperator, Context
from airflow_provider_apifansly.connection import DEFAULT_CONN_ID
from airflow_provider_apifansly.exceptions import FanslyError
from airflow_provider_apifansly.hooks.options import HookOptions

if TYPE_CHECKING:
    from airflow_provider_apifansly.bulk import BulkResult
    from airflow_provider_apifansly.hooks.fansly import FanslyHook


class FanslyBaseOperator(BaseOperator):
    """Base of the Fansly operators.

    Builds the hook from the connection and the hook options, runs ``call_api``, then pushes the credits
    it spent (XCom ``credits``, by ``credits.py``'s rule) and logs them with the requests and response
    bytes behind them.

    The hook is imported lazily, so a DAG file that uses an operator does not import ``requests``.

    :param fansly_conn_id: the ``apifansly`` connection. Templated.
    :param max_retries: retries of transient failures (default: the connection's).
    :param max_retry_wait: longest single retry wait in seconds (default: the connection's).
    :param rate_limit_rpm: requests per minute to stay under (default: the connection's).
    :param max_credits: a hard cap on the credits the task spends (default: none); see ``HookOptions``.
    """

    ui_color = "#1fa1f2"

    def __init__(
        self,
        *,
        fansly_conn_id: str = DEFAULT_CONN_ID,
        # Explicit keywords rather than **kwargs: Airflow checks partial() and default_args against them.
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
        rate_limit_rpm: int | None = None,
        max_credits: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fansly_conn_id = fansly_conn_id
        self.hook_options = HookOptions(  # checked here, when the DAG is parsed
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            rate_limit_rpm=rate_limit_rpm,
            max_credits=max_credits,
        )

    @property
    def hook_pool_size(self) -> int:
        """Connections the hook keeps open: one per thread that shares it."""
        return 1

    @cached_property
    def hook(self) -> FanslyHook:
        """The task's hook, built once from the connection and the hook options."""
        from airflow_provider_apifansly.hooks.fansly import FanslyHook

        return FanslyHook(self.fansly_conn_id, pool_size=self.hook_pool_size, **self.hook_options.given())

    def execute(self, context: Context) -> Any:
        """Run ``call_api``; then push and log the credits spent, even when it failed."""
        try:
            return self.call_api(context)
        finally:
            hook = self.hook
            spent = hook.credits_spent
            self.log.info(
                "%d credits spent (%d requests, %d response bytes)",
                spent,
                hook.requests_sent,
                hook.response_bytes,
            )
            context["ti"].xcom_push(key="credits", value=spent)
            hook.close()

    def call_api(self, context: Context) -> Any:
        """The operator's work with ``self.hook``; its return value is the task's XCom ``return_value``."""
        raise NotImplementedError


class FanslyBatchOperator(FanslyBaseOperator):
    """Base of the bulk operators: a thread pool over one hook, and one way to report the outcome.

    :param max_concurrency: requests in flight at once.
    :param fail_policy: ``"fail"`` (default) fails the task if any item failed, after all were
        tried; ``"continue"`` only logs, leaving downstream tasks to read XCom ``failed``. A
        rejected key, credits used up or the credit budget spent fail the task either way.
    :param progress_every: log progress after this many items (and at least every 10 s).

    When Airflow stops the task (``on_kill``, or ``execution_timeout`` interrupting the wait), no
    request starts after it: items not started are not sent, those in flight may have been.
    """

    fail_policies = ("fail", "continue")

    def __init__(
        self, *, max_concurrency: int = 8, fail_policy: str = "fail", progress_every: int = 100, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if fail_policy not in self.fail_policies:
            raise ValueError(f"fail_policy must be one of {self.fail_policies}, got {fail_policy!r}")
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise ValueError(f"max_concurrency must be a whole number of at least 1, got {max_concurrency!r}")
        self.max_concurrency = max_concurrency
        self.fail_policy = fail_policy
        self.progress_every = progress_every

    @property
    def hook_pool_size(self) -> int:
        """Connections kept by the hook's session: one per concurrent call."""
        return self.max_concurrency

    @cached_property
    def stop_requested(self) -> threading.Event:
        """Set by ``on_kill``: the batch starts no request after it."""
        return threading.Event()

    def on_kill(self) -> None:
        """Start no further request of the batch; calls in flight finish."""
        self.log.warning("Airflow is stopping the task: no further request of the batch starts")
        self.stop_requested.set()

    def report(
        self, context: Context, result: BulkResult, value: dict[str, str], noun: str
    ) -> dict[str, str]:
        """Push XCom ``failed`` and end the task as ``fail_policy`` says.

        Fail the task after a stop, or on failures under ``fail_policy="fail"``; else return ``value``
        as the task's ``return_value``.
        """
        ti = context["ti"]
        ti.xcom_push(key="failed", value=result.failed)
        if result.stopped is not None:
            ti.xcom_push(key="return_value", value=value)
            raise result.stop_error(self.hook, noun)
        if result.failed and self.fail_policy == "fail":
            ti.xcom_push(key="return_value", value=value)
            first, error = next(iter(result.failed.items()))
            raise FanslyError(
                f"{len(result.failed)} of {result.total} {noun} failed (see XCom 'failed'); first: {first}: {error}"
            )
        return value
