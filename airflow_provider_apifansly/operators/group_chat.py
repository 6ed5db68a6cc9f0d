"""Operators that create Fansly group chats between a creator and fans."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly._compat import BaseOperator, Context
from airflow_provider_apifansly.connection import DEFAULT_CONN_ID
from airflow_provider_apifansly.exceptions import FanslyError
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
            "Fansly chat %s ready: account %s, creator %s, fan %s",
            group["id"],
            self.hook.resolve_account_id(self.account_id),
            group.get("createdBy"),
            self.user_id,
        )
        context["ti"].xcom_push(key="group", value=group)
        return str(group["id"])


class CreateGroupChatsOperator(_FanslyOperator):
    """Create (or find) the chats between a creator and many fans in one task, at the rate limit.

    Creations run on ``max_concurrency`` threads over the hook's pooled session,
    paced under the plan's requests per minute and retried like single calls.
    XCom ``return_value`` maps each fan to its group id; XCom ``failed`` maps each
    failed fan to the error. An auth error (401/403) stops everything at once.

    :param user_ids: the fans' native ids: a list, or a template / XCom that renders
        to one. Duplicates are dropped, order is kept. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    :param creator_id: the creator's native id; resolved once with ``GET /me`` if omitted. Templated.
    :param max_concurrency: requests in flight at once.
    :param fail_policy: ``"fail"`` (default) fails the task if any fan failed, after all
        were tried; ``"continue"`` only logs, leaving downstream tasks to read ``failed``.
    :param progress_every: log progress after this many chats (and at least every 10 s).
    """

    template_fields: Sequence[str] = ("account_id", "user_ids", "creator_id", "fansly_conn_id")
    ui_color = "#1fa1f2"
    fail_policies = ("fail", "continue")

    def __init__(
        self,
        *,
        user_ids: Sequence[str | int] | str,
        account_id: str | None = None,
        creator_id: str | int | None = None,
        max_concurrency: int = 8,
        fail_policy: str = "fail",
        progress_every: int = 100,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if fail_policy not in self.fail_policies:
            raise ValueError(f"fail_policy must be one of {self.fail_policies}, got {fail_policy!r}")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency!r}")
        self.user_ids = user_ids
        self.account_id = account_id
        self.creator_id = creator_id
        self.max_concurrency = max_concurrency
        self.fail_policy = fail_policy
        self.progress_every = progress_every

    def execute(self, context: Context) -> dict[str, str]:
        from airflow_provider_apifansly.bulk import create_group_chats

        hook = self._make_hook(pool_size=self.max_concurrency)
        try:
            result = create_group_chats(
                hook,
                self.user_ids,
                account_id=self.account_id,
                creator_id=self.creator_id,
                max_concurrency=self.max_concurrency,
                progress_every=self.progress_every,
                log=self.log,
            )
        finally:
            hook.close()
        context["ti"].xcom_push(key="failed", value=result.failed)
        if result.failed and self.fail_policy == "fail":
            context["ti"].xcom_push(key="return_value", value=result.groups)
            first_fan, first_error = next(iter(result.failed.items()))
            raise FanslyError(
                f"{len(result.failed)} of {result.total} chats failed (see XCom 'failed'); "
                f"first: fan {first_fan}: {first_error}"
            )
        return result.groups
