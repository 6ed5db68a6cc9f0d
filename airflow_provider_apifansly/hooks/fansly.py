"""``FanslyHook``: the connection, the transport and the Airflow UI's form and Test button.

The endpoints live in ``hooks/endpoints/``, one module per resource group of the
API docs; the hook inherits them all, so every endpoint is a flat method of it.
Sending (session, pacing, retries, credits, typed errors) is ``Transport``'s job.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import requests

from airflow_provider_apifansly._compat import BaseHook, aget_connection, amask_secret, mask_secret
from airflow_provider_apifansly.connection import (
    CONN_TYPE,
    DEFAULT_CONN_ID,
    EXTRA_FIELDS,
    HOOK_NAME,
    UI_FIELD_BEHAVIOUR,
    ConnectionSettings,
)
from airflow_provider_apifansly.exceptions import FanslyError, FanslyValidationError
from airflow_provider_apifansly.hooks.endpoints.account import read_accounts
from airflow_provider_apifansly.hooks.endpoints.analytics import AnalyticsEndpoints
from airflow_provider_apifansly.hooks.endpoints.automated_messages import AutomatedMessageEndpoints
from airflow_provider_apifansly.hooks.endpoints.chat_messages import ChatMessageEndpoints
from airflow_provider_apifansly.hooks.endpoints.chats import ChatEndpoints
from airflow_provider_apifansly.hooks.endpoints.earnings import EarningsEndpoints
from airflow_provider_apifansly.hooks.endpoints.mass_messaging import MassMessagingEndpoints
from airflow_provider_apifansly.hooks.endpoints.media import MediaEndpoints
from airflow_provider_apifansly.hooks.endpoints.posts import PostEndpoints
from airflow_provider_apifansly.hooks.endpoints.segments import SegmentEndpoints
from airflow_provider_apifansly.hooks.endpoints.top_supporters import TopSupporterEndpoints
from airflow_provider_apifansly.hooks.options import HookOptions
from airflow_provider_apifansly.hooks.transport import Transport


class FanslyHook(
    ChatEndpoints,
    ChatMessageEndpoints,
    SegmentEndpoints,
    MassMessagingEndpoints,
    MediaEndpoints,
    EarningsEndpoints,
    AutomatedMessageEndpoints,
    PostEndpoints,
    TopSupporterEndpoints,
    AnalyticsEndpoints,
    BaseHook,
):
    """Talk to the apifansly REST API with the API key of an Airflow connection.

    One hook holds one pooled ``requests.Session`` (keep-alive), paces requests
    under the plan's rate limit, retries transient failures and counts the
    requests it sends; share it across threads for concurrent calls.

    :param fansly_conn_id: the Airflow connection of type ``apifansly``.
    :param pool_size: connections kept open; set it to the number of threads sharing the hook.
    :param max_retries: override the connection's ``max_retries``.
    :param max_retry_wait: override the connection's ``max_retry_wait`` (seconds).
    :param rate_limit_rpm: override the connection's ``rate_limit_rpm`` (0 turns pacing off).
    :param max_credits: spend at most this many credits: no request is sent without room for one more
        credit, and a read whose answer carries the count past it raises ``FanslyCreditBudgetError``.
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
        # How error hints name the connection; the Test button renames it (see test_connection).
        self.connection_label = f"connection {fansly_conn_id!r}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(fansly_conn_id={self.fansly_conn_id!r})"

    # -- configuration and transport ------------------------------------------------------------

    @classmethod
    async def abuild(cls, fansly_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> FanslyHook:
        """A hook built on an event loop (a trigger).

        The connection is read and the key masked there, through Airflow's async calls (see
        ``_compat.aget_connection``), so that no thread of the hook ever talks to Airflow; only its
        HTTP requests run in threads. Takes ``__init__``'s arguments.
        """
        hook = cls(fansly_conn_id, **kwargs)
        connection, extra = await aget_connection(fansly_conn_id)
        settings = hook._parse_settings(connection, extra)
        await amask_secret(settings.api_key)
        hook.__dict__["settings"] = settings  # what the ``settings`` property would have read
        return hook

    @cached_property
    def settings(self) -> ConnectionSettings:
        """The connection's settings; the key is registered with Airflow's secrets masker."""
        conn = self.get_connection(self.fansly_conn_id)
        settings = self._parse_settings(conn, conn.extra_dejson)
        mask_secret(settings.api_key)
        return settings

    def _parse_settings(self, conn: Any, extra: dict[str, Any]) -> ConnectionSettings:
        """Parse an Airflow connection; a bad field is a ``FanslyValidationError`` naming it."""
        try:
            return ConnectionSettings.parse(
                self.fansly_conn_id,
                host=conn.host,
                schema=conn.schema,
                port=conn.port,
                password=conn.password,
                extra=extra,
                label=self.connection_label[:1].upper() + self.connection_label[1:],
            )
        except ValueError as exc:
            raise FanslyValidationError(str(exc)) from None

    @cached_property
    def transport(self) -> Transport:
        """Sends this hook's requests: one session, pacer, retry policy and credit count."""
        return Transport(
            self.settings, self.options, connection_label=self.connection_label, pool_size=self.pool_size
        )

    @property
    def requests_sent(self) -> int:
        """The requests this hook has sent, retries included; thread-safe."""
        return self.transport.requests_sent if "transport" in self.__dict__ else 0

    @property
    def credits_spent(self) -> int:
        """The credits those requests cost by ``credits.py``'s rule (an answer by its size, an upload by the file's).

        An upper estimate, as no answer reports credits; thread-safe.
        """
        return self.transport.credits_spent if "transport" in self.__dict__ else 0

    @property
    def response_bytes(self) -> int:
        """The decoded body lengths of the answers so far; thread-safe."""
        return self.transport.response_bytes if "transport" in self.__dict__ else 0

    def get_conn(self) -> requests.Session:
        """Build the session, pacer and retry policy now (before threads share the hook) and return the session."""
        self.transport.build()
        return self.transport.session

    def close(self) -> None:
        """Close the pooled connections (the hook opens new ones if used again)."""
        if "transport" in self.__dict__:
            self.transport.close()

    # -- Airflow UI ----------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """One ``GET /accounts``, no retries: say whether the key works and what failed if not."""
        # The UI tests an unsaved copy under a random conn id: name it as the user sees it.
        self.connection_label = "this connection"
        try:
            accounts = self.transport.request("GET", "/accounts", read_accounts, idempotent=True, retry=False)
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
