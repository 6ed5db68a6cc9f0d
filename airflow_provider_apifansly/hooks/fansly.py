"""``FanslyHook``: everything HTTP between Airflow and the apifansly API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cached_property
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from airflow_provider_apifansly import __version__
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
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.pacing import SlidingWindowPacer
from airflow_provider_apifansly.hooks.retry import RetryPolicy
from airflow_provider_apifansly.ids import validate_account_id, validate_native_id

API_PREFIX = "/api/fansly"
RATE_WINDOW_SECONDS = 60.0
# A request reaches the server a little after the pacer stamps it, by a varying amount;
# pacing on a slightly longer window keeps a freed slot from being reused too early.
PACING_MARGIN_SECONDS = 0.5


class FanslyHook(BaseHook):
    """Talk to the apifansly REST API with the API key of an Airflow connection.

    One hook holds one pooled ``requests.Session`` (keep-alive), paces requests
    under the plan's rate limit and retries transient failures; share it across
    threads for concurrent calls.

    :param fansly_conn_id: the Airflow connection of type ``apifansly``.
    :param max_retries: override the connection's ``max_retries``.
    :param max_retry_wait: override the connection's ``max_retry_wait`` (seconds).
    :param rate_limit_rpm: override the connection's ``rate_limit_rpm`` (0 turns pacing off).
    :param pool_size: connections kept open; set it to the number of threads sharing the hook.
    """

    conn_name_attr = "fansly_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = CONN_TYPE
    hook_name = HOOK_NAME

    def __init__(
        self,
        fansly_conn_id: str = DEFAULT_CONN_ID,
        *,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
        rate_limit_rpm: int | None = None,
        pool_size: int = 10,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fansly_conn_id = fansly_conn_id
        self.connection_label = f"connection {fansly_conn_id!r}"  # how error hints name it
        self._overrides = {
            "max_retries": max_retries,
            "max_retry_wait": max_retry_wait,
            "rate_limit_rpm": rate_limit_rpm,
        }
        self.pool_size = pool_size
        self._creator_ids: dict[str, str] = {}
        self._creator_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(fansly_conn_id={self.fansly_conn_id!r})"

    # -- configuration -------------------------------------------------------------------------

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

    def _setting(self, name: str) -> Any:
        override = self._overrides[name]
        return getattr(self.settings, name) if override is None else override

    @cached_property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_retries=int(self._setting("max_retries")),
            max_retry_wait=float(self._setting("max_retry_wait")),
        )

    @cached_property
    def pacer(self) -> SlidingWindowPacer | None:
        """Keeps this hook's requests under the plan's requests per minute (None: unlimited plan)."""
        rpm = int(self._setting("rate_limit_rpm"))
        return SlidingWindowPacer(rpm, RATE_WINDOW_SECONDS + PACING_MARGIN_SECONDS) if rpm > 0 else None

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

    def get_conn(self) -> requests.Session:
        """Build the session, pacer and retry policy now (before threads share the hook) and return the session."""
        _ = self.pacer, self.retry_policy
        return self.session

    def close(self) -> None:
        """Close the pooled connections (the hook opens new ones if used again)."""
        if "session" in self.__dict__:
            self.__dict__.pop("session").close()

    # -- transport -----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool,
        nested: bool = False,
        retry: bool = True,
    ) -> Any:
        """Send one API call (retried under the policy) and return the envelope's ``data``.

        :param path: the route below ``/api/fansly``, e.g. ``/accounts``.
        :param idempotent: whether repeating the call after an ambiguous failure is harmless.
        :param nested: an account-scoped route: return ``data.data.response``, and treat an
            inner upstream failure like an outer one (retried if transient).
        :param retry: False sends exactly one request, whatever happens.
        """
        label = f"{method} {API_PREFIX}{path}"

        def attempt() -> Any:
            data = self._send_once(method, path, json=json, params=params, label=label)
            return (
                envelope.nested_response(data, request=label, connection=self.connection_label)
                if nested
                else data
            )

        if not retry:
            return attempt()
        return self.retry_policy.call(attempt, idempotent=idempotent)

    def _send_once(
        self, method: str, path: str, *, json: Any, params: dict[str, Any] | None, label: str
    ) -> Any:
        settings = self.settings
        if self.pacer is not None:
            self.pacer.acquire()
        try:
            response = self.session.request(
                method,
                f"{settings.base_url}{API_PREFIX}{path}",
                json=json,
                params=params,
                timeout=(settings.connect_timeout, settings.timeout),
            )
        except requests.exceptions.RequestException as exc:
            raise _connection_error(exc, label, settings.base_url) from None
        if self.pacer is not None and response.status_code != 429:
            # A 429's Retry-After already says when to come back; its "Remaining: 0"
            # would stall the pacer for a whole window.
            self.pacer.observe(_int_header(response.headers, "X-RateLimit-Remaining"))
        body = response.content.replace(settings.api_key.encode(), b"***")
        return envelope.unwrap(
            response.status_code, response.headers, body, request=label, connection=self.connection_label
        )

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
        data = self.request("GET", "/accounts", idempotent=True)
        accounts = data.get("accounts") if isinstance(data, dict) else None
        if not isinstance(accounts, list):
            raise FanslyApiError(f"GET {API_PREFIX}/accounts returned no 'accounts' list")
        return accounts

    def get_creator_id(self, account_id: str | None = None) -> str:
        """The creator's native user id for a connected account (``GET /{account_id}/me``), cached."""
        account_id = self.resolve_account_id(account_id)
        with self._creator_lock:
            if account_id not in self._creator_ids:
                path = f"/{account_id}/me"
                response = self._account_call("GET", path)
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
        group = self._account_call("POST", path, json=body)
        group_id = group.get("id")
        if not isinstance(group_id, str) or not group_id.isdigit():
            raise FanslyApiError(f"POST {API_PREFIX}{path} succeeded without a group id: got {group_id!r}")
        return group

    def list_chats(self, account_id: str | None = None, *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every chat of the account, following the cursor (one request per page)."""
        account_id = self.resolve_account_id(account_id)
        params: dict[str, Any] = {"limit": page_size}
        while True:
            page = self._account_call("GET", f"/{account_id}/chats", params=params)
            yield from page.get("chats") or []
            if not page.get("cursor"):
                return
            params = {"limit": page_size, "cursor": page["cursor"]}

    def send_message(self, chat_id: str, content: str, account_id: str | None = None) -> dict[str, Any]:
        """Send a text message to a chat; not idempotent, so never repeated once it may have arrived."""
        account_id = self.resolve_account_id(account_id)
        chat_id = validate_native_id(chat_id, field="chat_id")
        if not isinstance(content, str) or not content.strip():
            raise FanslyValidationError("content must be a non-empty string")
        path = f"/{account_id}/chats/{chat_id}/messages"
        return self._account_call("POST", path, json={"content": content}, idempotent=False)

    def _account_call(
        self, method: str, path: str, *, idempotent: bool = True, **kwargs: Any
    ) -> dict[str, Any]:
        """Call an account-scoped route and return its nested ``data.data.response``."""
        response: dict[str, Any] = self.request(method, path, idempotent=idempotent, nested=True, **kwargs)
        return response

    # -- Airflow UI ----------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """One ``GET /accounts``, no retries: say whether the key works and what failed if not."""
        # The UI tests an unsaved copy under a random conn id: don't name it in hints.
        self.connection_label = "this connection"
        try:
            data = self.request("GET", "/accounts", idempotent=True, retry=False)
        except FanslyError as exc:
            return False, str(exc)
        except Exception as exc:  # the UI shows the message; the key is never part of it
            return False, f"{type(exc).__name__}: {exc}"
        accounts = data.get("accounts") if isinstance(data, dict) else None
        if not isinstance(accounts, list):
            return False, "Connected, but GET /accounts returned no accounts list"
        names = ", ".join(str(a.get("accountId")) for a in accounts if isinstance(a, dict))
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


def _connection_error(exc: requests.exceptions.RequestException, label: str, base_url: str) -> FanslyError:
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


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
