"""Operators that create Fansly group chats between a creator and fans."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly._compat import BaseOperator, Context
from airflow_provider_apifansly.connection import DEFAULT_CONN_ID
from airflow_provider_apifansly.links import FanslyChatLink

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook


class _FanslyOperator(BaseOperator):
    """Shared connection and retry parameters; the hook is imported lazily to keep DAG parsing fast."""

    def __init__(
        self,
        *,
        fansly_conn_id: str = DEFAULT_CONN_ID,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
        rate_limit_rpm: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fansly_conn_id = fansly_conn_id
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.rate_limit_rpm = rate_limit_rpm

    def _make_hook(self, pool_size: int = 10) -> FanslyHook:
        from airflow_provider_apifansly.hooks.fansly import FanslyHook

        return FanslyHook(
            self.fansly_conn_id,
            max_retries=self.max_retries,
            max_retry_wait=self.max_retry_wait,
            rate_limit_rpm=self.rate_limit_rpm,
            pool_size=pool_size,
        )


class CreateGroupChatOperator(_FanslyOperator):
    """Create (or find) the 1-to-1 chat between a connected creator account and a fan.

    Returns the group id (XCom ``return_value``) and pushes the whole group under
    XCom key ``group``. Ids are validated before any request is sent.

    :param user_id: the fan's native Fansly user id (digits). Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the
        connection's ``account_id`` extra. Templated.
    :param creator_id: the creator's native id; resolved with ``GET /me`` if omitted. Templated.
    :param fansly_conn_id: the ``apifansly`` connection. Templated.
    :param max_retries: retries of transient failures (default: the connection's).
    :param max_retry_wait: longest single retry wait in seconds (default: the connection's).
    :param rate_limit_rpm: requests per minute to stay under (default: the connection's).
    """

    template_fields: Sequence[str] = ("account_id", "user_id", "creator_id", "fansly_conn_id")
    operator_extra_links = (FanslyChatLink(),)
    ui_color = "#1fa1f2"

    def __init__(
        self,
        *,
        user_id: str | int,
        account_id: str | None = None,
        creator_id: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.user_id = user_id
        self.account_id = account_id
        self.creator_id = creator_id

    @cached_property
    def hook(self) -> FanslyHook:
        return self._make_hook(pool_size=1)

    def execute(self, context: Context) -> str:
        group = self.hook.create_group_chat(
            user_id=self.user_id, account_id=self.account_id, creator_id=self.creator_id
        )
        self.log.info(
            "Fansly chat %s ready between account %s and fan %s",
            group["id"],
            group.get("createdBy"),
            self.user_id,
        )
        context["ti"].xcom_push(key="group", value=group)
        return str(group["id"])
