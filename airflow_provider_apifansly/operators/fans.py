"""``ListFansOperator``: the account's subscribers or followers as a pipeline's source of fan ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.hooks.endpoints.base import label
from airflow_provider_apifansly.hooks.endpoints.fans import SUBSCRIBER_STATUSES, fan_id_of
from airflow_provider_apifansly.operators.base import FanslyBaseOperator
from airflow_provider_apifansly.operators.window import refuse_empty_interval
from airflow_provider_apifansly.timestamps import Instant

FAN_SOURCES = ("subscribers", "followers")


class ListFansOperator(FanslyBaseOperator):
    """List the fans of a connected account; returns their native ids (XCom ``return_value``).

    The ids are strings, unique, in the API's order, ready for ``CreateGroupChatsOperator(user_ids=...)``.
    For "the new subscribers of each run", pass the data interval: each subscription falls
    in exactly one ``[since, until)``, and on a newest-first list the read stops after the
    first page that reaches past ``since`` (a page or two an hour, not the whole list).
    XCom ``credits`` holds the credits spent. Connection and hook options are ``FanslyBaseOperator``'s.

    :param source: ``"subscribers"`` or ``"followers"``.
    :param status: subscribers only: ``"active"`` (default), ``"expired"`` or ``"all"`` (the active
        list, then the expired one).
    :param since: subscribers only: created at or after (datetime, ISO-8601 or epoch ms). Templated,
        e.g. ``"{{ data_interval_start }}"``. A window that is the run's data interval must not be
        empty (the task fails, pointing to ``CronDataIntervalTimetable``); an explicit empty window
        reads nothing and sends no request.
    :param until: subscribers only: created before. Templated, e.g. ``"{{ data_interval_end }}"``.
    :param tier_id: subscribers only: this subscription tier. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    """

    template_fields: Sequence[str] = ("since", "until", "tier_id", "account_id", "fansly_conn_id")

    def __init__(
        self,
        *,
        source: str = "subscribers",
        status: str = "active",
        since: Instant | None = None,
        until: Instant | None = None,
        tier_id: str | int | None = None,
        account_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if source not in FAN_SOURCES:
            raise ValueError(f"source must be one of {', '.join(FAN_SOURCES)}; got {source!r}")
        if status not in SUBSCRIBER_STATUSES:
            raise ValueError(f"status must be one of {', '.join(SUBSCRIBER_STATUSES)}; got {status!r}")
        subscriber_only = {
            "since": since,
            "until": until,
            "tier_id": tier_id,
            "status": None if status == "active" else status,
        }
        given = [name for name, value in subscriber_only.items() if value is not None]
        if source == "followers" and given:
            raise ValueError(
                f"{', '.join(given)} cannot apply to source='followers': followers carry no "
                "timestamp, tier or status; use source='subscribers'"
            )
        self.source = source
        self.status = status
        self.since = since
        self.until = until
        self.tier_id = tier_id
        self.account_id = account_id

    def call_api(self, context: Context) -> list[str]:
        account_id = self.hook.resolve_account_id(self.account_id)
        if self.source == "followers":
            rows = self.hook.list_followers(account_id)
        else:
            refuse_empty_interval(self.since or None, self.until or None, context)
            rows = self.hook.list_subscribers(
                account_id,
                status=self.status,
                tier_id=self.tier_id or None,
                since=self.since or None,
                until=self.until or None,
            )
        request = label("GET", f"/{account_id}/{self.source}")
        fans = list(dict.fromkeys(fan_id_of(row, self.source, request) for row in rows))
        self.log.info("%d %s of account %s", len(fans), self.source, account_id)
        return fans
