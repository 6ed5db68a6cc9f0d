"""Typed errors: each carries the evidence (HTTP status, the API's message, the request).

Permanent errors also subclass ``AirflowFailException`` so that Airflow does not
spend the task's retries (and the user's credits) repeating a request that
cannot succeed; transient ones stay plain ``AirflowException`` and may be retried.
"""

from __future__ import annotations

from airflow_provider_apifansly._compat import AirflowException, AirflowFailException


class FanslyError(AirflowException):
    """Base class of every error raised by this provider.

    :param message: what went wrong and, where possible, what to fix.
    :param http_status: the HTTP status of the response, if one arrived.
    :param api_message: the ``message`` field of the API's envelope, if any.
    :param request: ``"METHOD /path"`` of the failed request, if one was sent.
    :param retry_after: seconds the server asked the client to wait before retrying, if it said.
    """

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        api_message: str | None = None,
        request: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.api_message = api_message
        self.request = request
        self.retry_after = retry_after


class FanslyValidationError(FanslyError, AirflowFailException, ValueError):
    """The input is invalid: rejected locally before any request, or by the API (400/422)."""


class FanslyAuthError(FanslyError, AirflowFailException):
    """The API key is missing, rejected (401) or cannot reach the account (403)."""


class FanslyNotFoundError(FanslyError, AirflowFailException):
    """The account, chat or route does not exist (404)."""


class FanslyApiError(FanslyError, AirflowFailException):
    """The API answered with something that is not a usable success (bad envelope, redirect, inner failure)."""


class FanslyOutOfCreditsError(FanslyApiError):
    """The plan's credits are used up (402): no later request of the run can succeed, so stop."""


class FanslyCreditBudgetError(FanslyError, AirflowFailException):
    """The hook's ``max_credits`` budget is spent: the request was not sent.

    :param budget: the budget (``max_credits``) that was reached.
    """

    def __init__(self, message: str, *, budget: int, request: str | None = None) -> None:
        super().__init__(message, request=request)
        self.budget = budget


class FanslyStoragePermissionError(FanslyError, AirflowFailException):
    """The export's storage refused to be written (permission denied): no retry can fix that.

    :param path: the object the export was to write.
    """

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class FanslyServerError(FanslyError):
    """The API or its upstream failed (5xx, or a 2xx wrapping an upstream 5xx); worth retrying."""

    retryable = True


class FanslyApiFailingError(FanslyServerError):
    """The hook's circuit breaker is open: so many requests in a row failed that the API is taken as down.

    Raised at once, without sending, by every call of the hook after the breaker opened (and by the
    failure that opened it); not retried within the task. Airflow's own retries (a new hook) try again.

    :param request_sent: True for the failure that opened the breaker (or one in flight with it),
        whose request reached the server; False for a call refused without sending.
    """

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        api_message: str | None = None,
        request: str | None = None,
        request_sent: bool = False,
    ) -> None:
        super().__init__(message, http_status=http_status, api_message=api_message, request=request)
        self.request_sent = request_sent


class FanslyConnectionError(FanslyError):
    """No response arrived (refused, dropped, timed out).

    :param request_sent: False only when the request certainly never reached the
        server (connection refused or connect timeout); retrying a non-idempotent
        call is safe only then.
    """

    retryable = True

    def __init__(self, message: str, *, request_sent: bool, request: str | None = None) -> None:
        super().__init__(message, request=request)
        self.request_sent = request_sent


class FanslyRateLimitError(FanslyError):
    """The API key's rate limit was hit (429); ``retry_after`` says for how long, if the server did."""

    retryable = True


class FanslyRateLimitWaitError(FanslyRateLimitError):
    """The server asked the hook to wait longer than ``max_retry_wait``: the whole hook stops rather than wait.

    Raised by the 429 that asked, and at once by every later call while that wait is in force (nothing
    is sent meanwhile); ``retry_after`` is the wait left, in seconds.
    """


class FanslyMediaProcessingError(FanslyApiError):
    """An uploaded media's processing job ended ``failed``; ``reason`` is what the API said.

    :param job_id: the upload's job id.
    :param reason: the job's failure reason, as the API gave it.
    """

    def __init__(self, message: str, *, job_id: str, reason: str) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.reason = reason


class FanslyMediaTimeoutError(FanslyError, AirflowFailException):
    """An uploaded media was still processing when the wait ran out; retrying the task would upload again.

    :param job_id: the upload's job id, to look it up later.
    :param state: the job's last known state (``waiting`` or ``active``).
    """

    def __init__(self, message: str, *, job_id: str, state: str) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.state = state


class FanslyUploadUncertainError(FanslyApiError):
    """An upload failed after it may have reached the API (5xx, a drop, a read timeout).

    Not repeated, since a repeat would start a second job and be charged again.
    """


class FanslyAmbiguousSendError(FanslyError, AirflowFailException):
    """A send that is never repeated failed after it may have reached the server: it may have been sent.

    It fails the task without Airflow's retries, since a retry could deliver it twice.
    """


class FanslyPostUncertainError(FanslyAmbiguousSendError):
    """A post may have been created, and posts cannot be listed to find out.

    The failure came after sending, or from an earlier try of the task. Not repeated, since a repeat could
    publish it twice.
    """


class FanslyRecordError(FanslyError):
    """The task instance's record (what its tries did) could not be read or written.

    The try does not act, since a later one could not tell what it did. Nothing was sent, so Airflow may
    retry.
    """

    retryable = True
