"""``FanslyHook``: the apifansly endpoints, as methods that validate input and read answers.

Sending (session, pacing, retries, credits, typed errors) is ``Transport``'s job;
each method here says what to send and how to read what comes back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from functools import cached_property
from typing import Any

import requests

from airflow_provider_apifansly._compat import BaseHook, mask_secret
from airflow_provider_apifansly.connection import (
    CONN_TYPE,
    DEFAULT_CONN_ID,
    EXTRA_FIELDS,
    HOOK_NAME,
    UI_FIELD_BEHAVIOUR,
    ConnectionSettings,
)
from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyConnectionError,
    FanslyError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.options import HookOptions
from airflow_provider_apifansly.hooks.transport import API_PREFIX, Parser, T, Transport
from airflow_provider_apifansly.ids import validate_account_id, validate_native_id
from airflow_provider_apifansly.message import OutgoingMessage

CHAT_FILTERS = ("all", "vips", "followers", "subscribers")
CHAT_SORTS = ("newest", "oldest", "unread")
MAX_MESSAGES_LIMIT = 10
# How far the server's clock may run behind ours when we look for a message we may have sent.
DELIVERY_CLOCK_SKEW_SECONDS = 120.0


class FanslyHook(BaseHook):
    """Talk to the apifansly REST API with the API key of an Airflow connection.

    One hook holds one pooled ``requests.Session`` (keep-alive), paces requests
    under the plan's rate limit, retries transient failures and counts the
    requests it sends; share it across threads for concurrent calls.

    :param fansly_conn_id: the Airflow connection of type ``apifansly``.
    :param pool_size: connections kept open; set it to the number of threads sharing the hook.
    :param max_retries: override the connection's ``max_retries``.
    :param max_retry_wait: override the connection's ``max_retry_wait`` (seconds).
    :param rate_limit_rpm: override the connection's ``rate_limit_rpm`` (0 turns pacing off).
    :param max_credits: send at most this many requests; the next raises ``FanslyCreditBudgetError``.
    """

    conn_name_attr = "fansly_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = CONN_TYPE
    hook_name = HOOK_NAME

    def __init__(self, fansly_conn_id: str = DEFAULT_CONN_ID, *, pool_size: int = 10, **kwargs: Any) -> None:
        self.options = HookOptions.pop_from(
            kwargs
        )  # max_retries, max_retry_wait, rate_limit_rpm, max_credits
        super().__init__(**kwargs)
        self.fansly_conn_id = fansly_conn_id
        self.pool_size = pool_size
        self._creator_ids: dict[str, str] = {}
        self._creator_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(fansly_conn_id={self.fansly_conn_id!r})"

    # -- configuration and transport ------------------------------------------------------------

    @cached_property
    def settings(self) -> ConnectionSettings:
        """The connection's settings; the key is registered with Airflow's secrets masker."""
        conn = self.get_connection(self.fansly_conn_id)
        try:
            settings = ConnectionSettings.parse(
                self.fansly_conn_id,
                host=conn.host,
                schema=conn.schema,
                port=conn.port,
                password=conn.password,
                extra=conn.extra_dejson,
            )
        except ValueError as exc:
            raise FanslyValidationError(str(exc)) from None
        mask_secret(settings.api_key)
        return settings

    @cached_property
    def transport(self) -> Transport:
        """Sends this hook's requests: one session, pacer, retry policy and credit count."""
        label = f"connection {self.fansly_conn_id!r}"
        return Transport(self.settings, self.options, connection_label=label, pool_size=self.pool_size)

    @property
    def requests_sent(self) -> int:
        """The requests (credits) this hook has sent, retries included; thread-safe."""
        return self.transport.requests_sent if "transport" in self.__dict__ else 0

    def get_conn(self) -> requests.Session:
        """Build the session, pacer and retry policy now (before threads share the hook) and return the session."""
        self.transport.build()
        return self.transport.session

    def close(self) -> None:
        """Close the pooled connections (the hook opens new ones if used again)."""
        if "transport" in self.__dict__:
            self.transport.close()

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

    # -- API -----------------------------------------------------------------------------------

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

    def list_accounts(self) -> list[dict[str, Any]]:
        """The connected accounts of the API key (``GET /accounts``)."""
        accounts: list[dict[str, Any]] = self.transport.request(
            "GET", "/accounts", envelope.accounts, idempotent=True
        )
        return accounts

    def get_creator_id(self, account_id: str | None = None, *, retry: bool = True) -> str:
        """The creator's native user id for a connected account (``GET /{account_id}/me``), cached.

        :param retry: False for a single request, when the caller's own retry loop repeats it.
        """
        account_id = self.resolve_account_id(account_id)
        with self._creator_lock:  # one lookup, not one per thread
            if account_id not in self._creator_ids:
                path = f"/{account_id}/me"
                response = self._account_call("GET", path, retry=retry)
                account = response.get("account")
                raw_id = account.get("id") if isinstance(account, dict) else response.get("id")
                try:
                    self._creator_ids[account_id] = validate_native_id(raw_id, field="creator id from /me")
                except FanslyValidationError as exc:
                    raise FanslyApiError(f"GET {API_PREFIX}{path}: {exc}") from None
            return self._creator_ids[account_id]

    def create_group_chat(
        self, user_id: str | int, account_id: str | None = None, creator_id: str | int | None = None
    ) -> dict[str, Any]:
        """Find or create the 1-to-1 chat between the account's creator and a fan; return the group.

        Every argument is validated before any request is sent.
        """
        account_id = self.resolve_account_id(account_id)
        user_id = validate_native_id(user_id, field="user_id")
        if creator_id is not None and creator_id != "":
            creator_id = validate_native_id(creator_id, field="creator_id")
        else:
            creator_id = self.get_creator_id(account_id)
        if user_id == creator_id:
            raise FanslyValidationError(
                f"user_id {user_id!r} is the creator of account {account_id!r}; a chat needs a fan's id"
            )
        body = {
            "users": [
                {"userId": creator_id, "permissionFlags": 0},
                {"userId": user_id, "permissionFlags": 0},
            ],
            "type": 1,
        }
        path = f"/{account_id}/group"
        # Safe to retry even after a timeout once the request was sent: Fansly's create is
        # find-or-create on the pair of users, so a repeat returns the same group.
        group: dict[str, Any] = self._account_call("POST", path, json=body)
        _require_id(group, f"POST {API_PREFIX}{path}", "group")
        return group

    def list_chats(
        self,
        account_id: str | None = None,
        *,
        filter: str | None = None,  # the API's parameter name
        sort: str | None = None,
        search: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every chat of the account (rows as the API sends them), following ``nextCursor``: one request per page.

        :param filter: ``all``, ``vips``, ``followers`` or ``subscribers``.
        :param sort: ``newest``, ``oldest`` or ``unread``.
        :param search: text the API matches against the fans' names.
        """
        account_id = self.resolve_account_id(account_id)
        params: dict[str, Any] = {}
        for name, value, allowed in (("filter", filter, CHAT_FILTERS), ("sort", sort, CHAT_SORTS)):
            if value is not None:
                if value not in allowed:
                    raise FanslyValidationError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
                params[name] = value
        if search is not None:
            if not isinstance(search, str) or not search.strip():
                raise FanslyValidationError(f"search must be a non-empty string, got {search!r}")
            params["search"] = search
        return self._chat_pages(f"/{account_id}/chats", params)  # checked now, paged as read

    def _chat_pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        seen_cursors: set[str] = set()
        while True:
            page: envelope.Page = self._account_call("GET", path, envelope.chats_page, params=params)
            yield from page.rows
            if page.cursor is None:
                return
            if page.cursor in seen_cursors:
                raise FanslyApiError(
                    f"GET {API_PREFIX}{path} returned cursor {page.cursor!r:.40} twice; "
                    "stopping rather than paging forever"
                )
            seen_cursors.add(page.cursor)
            params = {**params, "cursor": page.cursor}

    def existing_chats(self, account_id: str | None = None) -> dict[str, str]:
        """Fan id -> chat id for every chat the list shows. A cache, not the truth: some chats are unlisted."""
        account_id = self.resolve_account_id(account_id)
        chats: dict[str, str] = {}
        for row in self.list_chats(account_id):
            try:
                fan = validate_native_id(row.get("partnerAccountId"), field="partnerAccountId")
                chats[fan] = validate_native_id(row.get("groupId"), field="groupId")
            except FanslyValidationError as exc:
                raise FanslyApiError(
                    f"GET {API_PREFIX}/{account_id}/chats returned a row without usable ids: {exc}"
                ) from None
        return chats

    def list_messages(
        self, chat_id: str | int, account_id: str | None = None, limit: int = MAX_MESSAGES_LIMIT
    ) -> list[dict[str, Any]]:
        """The chat's latest messages, at most ``limit`` (1 to 10), in the API's order."""
        account_id = self.resolve_account_id(account_id)
        chat_id = validate_native_id(chat_id, field="chat_id")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_MESSAGES_LIMIT:
            raise FanslyValidationError(
                f"limit must be a whole number from 1 to {MAX_MESSAGES_LIMIT}, got {limit!r}"
            )
        path = f"/{account_id}/chats/{chat_id}/messages"
        page: envelope.Page = self._account_call("GET", path, envelope.messages_page, params={"limit": limit})
        return page.rows

    def send_message(
        self,
        chat_id: str | int,
        content: str,
        account_id: str | None = None,
        *,
        media_ids: list[Any] | None = None,
        access_type: list[str] | None = None,
        price: float | None = None,
    ) -> dict[str, Any]:
        """Send a message to a chat and return it; every field is checked before any request.

        Delivered at most once, even when a failure leaves it unclear whether it arrived: see ``deliver``.
        """
        message = OutgoingMessage.parse(chat_id, content, media_ids, access_type, price)
        return self.deliver(message, account_id)

    def deliver(self, message: OutgoingMessage, account_id: str | None = None) -> dict[str, Any]:
        """Send a validated message, neither lost nor duplicated by retries; return the message.

        Sending is not idempotent. After an ambiguous failure (sent, then a timeout, a drop,
        a 5xx or an upstream failure) the message may have been stored, so before sending
        again we read the chat's latest messages and return ours if it is there: sent by the
        creator, same content, created since we began (less the clock skew). A 429 or a
        refused connection never reached the server and is retried directly. Residual risk:
        the same text sent by hand into the same chat within the skew window is taken for ours.
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/chats/{message.chat_id}/messages"
        label = f"POST {API_PREFIX}{path}"
        since = time.time() - DELIVERY_CLOCK_SKEW_SECONDS
        ambiguous = False

        def attempt() -> dict[str, Any]:
            nonlocal ambiguous
            if ambiguous:
                delivered = self._delivered(message, account_id, since)
                if delivered is not None:
                    return delivered
            try:
                sent: dict[str, Any] = self.transport.request(
                    "POST", path, envelope.nested_response, json=message.body(), idempotent=False, retry=False
                )
            except (FanslyServerError, FanslyConnectionError) as exc:
                ambiguous = ambiguous or isinstance(exc, FanslyServerError) or exc.request_sent
                raise
            _require_id(sent, label, "message")
            return sent

        try:
            return self.transport.retry_policy.call(attempt, idempotent=True)
        except FanslyError:
            # Out of retries after an ambiguous failure: one last look, so a message that
            # did arrive is not reported as failed (and then re-sent by hand).
            delivered = self._delivered(message, account_id, since) if ambiguous else None
            if delivered is None:
                raise
            return delivered

    def _delivered(self, message: OutgoingMessage, account_id: str, since: float) -> dict[str, Any] | None:
        """Our message among the chat's latest ones, if an earlier attempt stored it."""
        # Single tries: deliver's retry loop is the only one, so a failing lookup cannot multiply.
        creator_id = self.get_creator_id(account_id, retry=False)
        path = f"/{account_id}/chats/{message.chat_id}/messages"
        page: envelope.Page = self.transport.request(
            "GET",
            path,
            envelope.messages_page,
            params={"limit": MAX_MESSAGES_LIMIT},
            idempotent=True,
            retry=False,
        )
        for row in page.rows:
            ours = str(row.get("senderId")) == creator_id and row.get("content") == message.content
            if ours and _created_at(row, f"GET {API_PREFIX}{path}") >= since:
                self.log.warning(
                    "Message %s reached chat %s although the send failed; not sending it again",
                    row.get("id"),
                    message.chat_id,
                )
                return row
        return None

    # -- Airflow UI ----------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """One ``GET /accounts``, no retries: say whether the key works and what failed if not."""
        try:
            transport = self.transport
            # The UI tests an unsaved copy under a random conn id: don't name it in hints.
            transport.connection_label = "this connection"
            accounts = transport.request("GET", "/accounts", envelope.accounts, idempotent=True, retry=False)
        except FanslyError as exc:
            return False, str(exc)
        except Exception as exc:  # the UI shows the message; the key is never part of it
            return False, f"{type(exc).__name__}: {exc}"
        names = ", ".join(str(account.get("accountId")) for account in accounts)
        return True, f"Connected to {self.settings.base_url}: {len(accounts)} account(s): {names or 'none'}"

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """The extra fields of the form, for Airflow 2.11 (Airflow 3 reads the provider info)."""
        from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
        from flask_babel import lazy_gettext
        from wtforms import IntegerField, StringField
        from wtforms.validators import NumberRange, Optional

        widgets: dict[str, Any] = {}
        for name, field in EXTRA_FIELDS.items():
            if field.type == "integer":
                widgets[name] = IntegerField(
                    lazy_gettext(field.label),
                    validators=[Optional(), NumberRange(min=field.minimum)],
                    widget=BS3TextFieldWidget(),
                    default=field.default,
                    description=field.description,
                )
            else:
                widgets[name] = StringField(
                    lazy_gettext(field.label), widget=BS3TextFieldWidget(), description=field.description
                )
        return widgets

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Hidden, relabelled and placeholder fields, for Airflow 2.11."""
        return {
            "hidden_fields": UI_FIELD_BEHAVIOUR["hidden-fields"],
            "relabeling": UI_FIELD_BEHAVIOUR["relabeling"],
            "placeholders": UI_FIELD_BEHAVIOUR["placeholders"],
        }


def _require_id(resource: dict[str, Any], request: str, what: str) -> None:
    """A success must carry the resource's native id; without it, it is not a success."""
    resource_id = resource.get("id")
    if not isinstance(resource_id, str) or not resource_id.isdigit():
        raise FanslyApiError(
            f"{request} succeeded without a {what} id: got {resource_id!r:.40}", request=request
        )


def _created_at(message: dict[str, Any], request: str) -> float:
    """A message's ``createdAt`` in epoch seconds (Fansly's samples use seconds; milliseconds are read too)."""
    value = message.get("createdAt")
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FanslyApiError(
            f"{request} returned message {message.get('id')!r} without a numeric createdAt "
            f"(got {value!r:.40}); cannot tell whether an earlier send arrived, so not sending again",
            request=request,
        ) from None
    return seconds / 1000 if seconds > 1e11 else seconds
