"""The circuit breaker: a run of failed requests across a hook's threads stops the hook.

An outage should cost a bulk run a handful of requests, not every item's retries: once the API
has failed this many times in a row, every later call of the hook fails at once, unsent. Writes
keep a run of their own that a successful read does not end: when only the API's write path is
down, a bulk send's reads back between its failed sends still work.
"""

from __future__ import annotations

import threading

from airflow_provider_apifansly.exceptions import (
    FanslyApiFailingError,
    FanslyConnectionError,
    FanslyError,
    FanslyServerError,
)

# This many failed requests in a row (a 5xx, an upstream failure inside a 2xx, a drop or timeout
# after sending), across every thread of one hook, open its circuit breaker: the API is failing,
# and every later call of the hook fails at once instead of spending requests and credits on it.
BREAKER_THRESHOLD = 10


class CircuitBreaker:
    """Counts one hook's failed requests in a row; once open it stays open for the hook's life (one task try).

    :param settled: the transport's condition on its count lock: opening wakes the requests waiting
        for the credit budget, so they are refused at once.
    :param connection_label: how the error names the connection, e.g. ``connection 'fansly_default'``.
    """

    def __init__(self, settled: threading.Condition, connection_label: str) -> None:
        self._settled = settled
        self._connection_label = connection_label
        self._failures = 0  # failed requests in a row
        self._write_failures = 0  # failed writes in a row, whatever the reads between them
        self._failing: FanslyError | None = None  # the failure that opened the breaker

    def check(self, label: str) -> None:
        """Refuse ``label`` without sending it when the breaker is open."""
        if self._failing is not None:
            raise self.error(label, sent=False)

    def failure(self, exc: FanslyServerError | FanslyConnectionError, label: str, *, write: bool) -> None:
        """Count a failed request (``write``: not a GET); raise the breaker's error once it is open.

        A 5xx (outer or inner) or a drop or timeout after sending counts; a refused connection does
        not (it cost nothing). The failure that opens it, and each that ends in flight after, raise
        ``FanslyApiFailingError`` from the failure.
        """
        if isinstance(exc, FanslyConnectionError) and not exc.request_sent:
            return
        with self._settled:
            if self._failing is None:
                self._failures += 1
                self._write_failures += write
                if self._failures >= BREAKER_THRESHOLD or self._write_failures >= BREAKER_THRESHOLD:
                    self._failing = exc
                    self._settled.notify_all()  # a request waiting for the budget is refused now
            opened = self._failing is not None
        if opened:
            raise self.error(label, sent=True) from exc

    def success(self, *, write: bool) -> None:
        """A usable answer: the API works, so the count starts again; a read's does not vouch for writes.

        An open breaker stays open.
        """
        if not self._failures and not (write and self._write_failures):
            return
        with self._settled:
            if self._failing is None:
                self._failures = 0
                if write:
                    self._write_failures = 0

    def error(self, label: str, *, sent: bool) -> FanslyApiFailingError:
        """The open breaker's error for ``label``: how many failures in a row, the last, and what to do."""
        last = self._failing
        if last is None:
            raise ValueError("error() needs an open breaker")
        what = f"{label} failed" if sent else f"{label} not sent"
        status = f"status {last.http_status}" if last.http_status is not None else "no answer"
        if (
            self._failures >= BREAKER_THRESHOLD
        ):  # the counts stop when it opens: the one that reached it opened it
            run = f"{self._failures} requests of this hook failed in a row"
        else:
            run = f"{self._write_failures} writes (sends, creates, uploads) of this hook failed in a row, reads aside"
        return FanslyApiFailingError(
            f"The API is failing: {run}, the last with "
            f"{status} ({last}). {what}; no further request of this hook is sent, retries included. "
            f"Check that the API is up (and the base URL of {self._connection_label}), then retry the task.",
            http_status=last.http_status,
            request=label,
            request_sent=sent,
        )
