"""``EndpointGroup``: what every group of endpoints uses of ``FanslyHook``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_apifansly.connection import API_PREFIX
from airflow_provider_apifansly.exceptions import (
    FanslyAmbiguousSendError,
    FanslyApiError,
    FanslyApiFailingError,
    FanslyConnectionError,
    FanslyError,
    FanslyNotFoundError,
    FanslyOutOfCreditsError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.envelope import Parser
from airflow_provider_apifansly.ids import validate_account_id

if TYPE_CHECKING:
    from airflow_provider_apifansly.connection import ConnectionSettings
    from airflow_provider_apifansly.hooks.transport import Transport

T = TypeVar("T")


class EndpointGroup:
    """Base of the endpoint groups: the connection's default account, and account-scoped calls.

    ``FanslyHook`` provides ``fansly_conn_id``, ``settings``, ``transport`` and ``log``.
    """

    fansly_conn_id: str

    if TYPE_CHECKING:

        @property
        def settings(self) -> ConnectionSettings:
            """The connection's parsed settings (the hook's)."""

        @property
        def transport(self) -> Transport:
            """How requests are sent: session, pacing, retries, credits (the hook's)."""

        @property
        def log(self) -> Any:  # its type differs between Airflow 2 and 3
            """Airflow's logger of the hook."""

    def resolve_account_id(self, account_id: str | None) -> str:
        """The given account id, else the connection's default; validated for use in a URL path."""
        if account_id is None or account_id == "":
            account_id = self.settings.account_id
            if account_id is None:
                raise FanslyValidationError(
                    f"account_id is missing: pass it, or set the 'account_id' extra of connection "
                    f"{self.fansly_conn_id!r}"
                )
        return validate_account_id(account_id)

    def _account_call(
        self,
        method: str,
        path: str,
        parse: Parser[T] | None = None,
        *,
        idempotent: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Call an account-scoped route; by default return its nested ``data.data.response``."""
        reader = parse or envelope.nested_response
        return self.transport.request(method, path, reader, idempotent=idempotent, **kwargs)

    def _create_once(
        self,
        path: str,
        body: dict[str, Any],
        uncertain: type[FanslyAmbiguousSendError],
        consequence: str,
        parse: Parser[T] | None = None,
    ) -> Any:
        """POST a create that is never repeated.

        Only what cannot have reached the server (a 429, a refused connection) is retried; after a
        failure that may have created it, raise ``uncertain`` with the failure and ``consequence``
        (what may exist and where to look), which Airflow does not retry.
        """
        try:
            return self._account_call("POST", path, parse, json=body, idempotent=False)
        except FanslyError as exc:
            if not may_have_sent(exc):
                raise
            raise uncertain(
                f"{exc} {consequence}",
                http_status=exc.http_status,
                api_message=exc.api_message,
                request=label("POST", path),
            ) from exc

    def _remove(self, method: str, path: str, *, maybe_gone: bool = False) -> None:
        """A delete or a cancel: harmless to repeat, so retried like a read.

        A 404 after an attempt that may have done it means it is done, as it does when ``maybe_gone``
        (an earlier try may have).
        """
        request = label(method, path)
        done_before = maybe_gone

        def attempt() -> None:
            nonlocal done_before
            try:
                self.transport.request(method, path, envelope.nested_success, idempotent=True, retry=False)
            except FanslyNotFoundError:
                if not done_before:
                    raise
                self.log.warning("%s: not found, so an earlier attempt or try already did it", request)
            except FanslyError as exc:
                done_before = done_before or may_have_sent(exc)
                raise

        self.transport.retry_policy.call(attempt, idempotent=True)


def require_id(resource: dict[str, Any], request: str, what: str) -> None:
    """A success must carry the resource's native id; without it, it is not a success."""
    resource_id = resource.get("id")
    if not isinstance(resource_id, str) or not resource_id.isdigit():
        raise FanslyApiError(
            f"{request} succeeded without a {what} id: got {resource_id!r:.40}", request=request
        )


def created_at_ms(row: dict[str, Any], what: str, request: str) -> int:
    """A row's ``createdAt`` in epoch milliseconds (an integer); without it no window can place the row."""
    value = row.get("createdAt")
    if isinstance(value, bool) or not isinstance(value, int):
        raise FanslyApiError(
            f"{request} returned {what} without an epoch-ms createdAt (got {value!r:.40}); "
            "cannot tell which window it belongs to",
            request=request,
        )
    return value


def label(method: str, path: str) -> str:
    """How errors name a request: ``"GET /api/fansly/{account_id}/chats"``."""
    return f"{method} {API_PREFIX}{path}"


def may_have_sent(exc: FanslyError) -> bool:
    """Whether the server may have acted on a failed request, so a create must not be repeated blindly.

    A 5xx, a drop or timeout after sending, or a 2xx that is not a usable success (an inner failure, a
    broken body). A 429, a refused connection or a call the circuit breaker refused never reached it.
    """
    if isinstance(exc, FanslyApiFailingError):
        return exc.request_sent
    if isinstance(exc, FanslyServerError):
        return True
    if isinstance(exc, FanslyConnectionError):
        return exc.request_sent
    if isinstance(exc, FanslyApiError) and not isinstance(exc, FanslyOutOfCreditsError):
        return exc.http_status is None or 200 <= exc.http_status < 300
    return False
