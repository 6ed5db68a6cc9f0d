"""Operators that create Fansly group chats between a creator and fans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.links import FanslyChatLink
from airflow_provider_apifansly.operators.base import FanslyBaseOperator, FanslyBatchOperator


class CreateGroupChatOperator(FanslyBaseOperator):
    """Create (or find) the 1-to-1 chat between a connected creator account and a fan.

    Returns the group id (XCom ``return_value``, also ``chat_id`` for the extra link) and
    pushes the whole group under XCom key ``group``. Ids are validated before any request.
    Connection and hook options (``fansly_conn_id``, ``max_retries``, ``max_credits``, ...)
    are those of ``FanslyBaseOperator``.

    :param user_id: the fan's native Fansly user id (digits). Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the
        connection's ``account_id`` extra. Templated.
    :param creator_id: the creator's native id; resolved with ``GET /me`` if omitted. Templated.
    """

    template_fields: Sequence[str] = ("account_id", "user_id", "creator_id", "fansly_conn_id")
    operator_extra_links = (FanslyChatLink(),)

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

    def call_api(self, context: Context) -> str:
        """Find or create the fan's chat; push XCom ``group`` and ``chat_id``, return the group id."""
        group = self.hook.create_group_chat(
            user_id=self.user_id, account_id=self.account_id, creator_id=self.creator_id
        )
        group_id = str(group["id"])
        self.log.info(
            "Fansly chat %s ready: account %s, creator %s, fan %s",
            group_id,
            self.hook.resolve_account_id(self.account_id),
            group.get("createdBy"),
            self.user_id,
        )
        context["ti"].xcom_push(key="group", value=group)
        context["ti"].xcom_push(key="chat_id", value=group_id)
        return group_id


class CreateGroupChatsOperator(FanslyBatchOperator):
    """Create (or find) the chats between a creator and many fans in one task, at the rate limit.

    Creations run on ``max_concurrency`` threads over the hook's pooled session, paced
    under the plan's requests per minute and retried like single calls. XComs:
    ``return_value`` maps every fan that has its chat (listed or created) to the group
    id; ``new`` only the fans created in this run (greet those); ``failed`` each failed
    fan to its error; ``credits`` the credits spent. ``max_concurrency``, ``fail_policy``
    and ``progress_every`` are ``FanslyBatchOperator``'s; the hook options (``max_credits``
    among them) ``FanslyBaseOperator``'s.

    :param user_ids: the fans' native ids: a list, or a template / XCom that renders
        to one. Duplicates are dropped, order is kept. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    :param creator_id: the creator's native id; resolved once with ``GET /me`` if omitted. Templated.
    :param skip_existing: first read List Chats (every page, one credit each) and take the chats
        it shows without a POST; fans it does not show are created. It saves credits when most
        fans already have a chat.
    """

    template_fields: Sequence[str] = ("account_id", "user_ids", "creator_id", "fansly_conn_id")

    def __init__(
        self,
        *,
        user_ids: Sequence[str | int] | str,
        account_id: str | None = None,
        creator_id: str | int | None = None,
        skip_existing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(skip_existing, bool):
            raise TypeError(f"skip_existing must be True or False, got {skip_existing!r}")
        self.user_ids = user_ids
        self.account_id = account_id
        self.creator_id = creator_id
        self.skip_existing = skip_existing

    def call_api(self, context: Context) -> dict[str, str]:
        """Find or create every fan's chat concurrently; push XCom ``new``, return ``{fan: group}``."""
        from airflow_provider_apifansly.bulk import create_group_chats

        result = create_group_chats(
            self.hook,
            self.user_ids,
            account_id=self.account_id,
            creator_id=self.creator_id,
            skip_existing=self.skip_existing,
            max_concurrency=self.max_concurrency,
            progress_every=self.progress_every,
            log=self.log,
            stop=self.stop_requested,
        )
        context["ti"].xcom_push(key="new", value=result.new)
        return self.report(context, result, result.groups, "fans")
