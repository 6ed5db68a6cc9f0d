"""``ListFansOperator``: the account's subscribers, followers or top supporters as a pipeline's source of fan ids."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.hooks.endpoints.base import label
from airflow_provider_apifansly.hooks.endpoints.fans import SUBSCRIBER_STATUSES, fan_id_of
from airflow_provider_apifansly.hooks.endpoints.segments import ends_at_of
from airflow_provider_apifansly.money import dollars_to_thousandths
from airflow_provider_apifansly.operators.base import FanslyBaseOperator
from airflow_provider_apifansly.operators.window import refuse_empty_interval
from airflow_provider_apifansly.timestamps import Instant, duration_ms, iso

FAN_SOURCES = ("subscribers", "followers", "top_supporters")


class ListFansOperator(FanslyBaseOperator):
    """List the fans of a connected account; returns their native ids (XCom ``return_value``).

    The ids are strings, unique, in the API's order, ready for ``CreateGroupChatsOperator(user_ids=...)``.
    For "the new subscribers of each run", pass the data interval: each subscription falls
    in exactly one ``[since, until)``, and on a newest-first list the read stops after the
    first page that reaches past ``since`` (a page or two an hour, not the whole list).
    XCom ``credits`` holds the credits spent. Connection and hook options are ``FanslyBaseOperator``'s.

    Segments: ``expiring_within`` and ``auto_renew`` select active subscriptions by their lifecycle
    (every active page is read: the API's order says nothing about ``endsAt``). ``source="top_supporters"``
    ranks the fans by gross spend over ``[since, until)`` (default: the run's data interval), largest
    first; XCom ``spend`` maps each to its gross in thousandths of a dollar. A lifecycle segment pushes
    XCom ``ends_at``: each fan's ``endsAt`` (epoch ms), which tells one subscription period from the next.

    :param source: ``"subscribers"``, ``"followers"`` or ``"top_supporters"``.
    :param status: subscribers only: ``"active"`` (default), ``"expired"`` or ``"all"`` (the active
        list, then the expired one).
    :param expiring_within: active subscribers only: a ``timedelta`` or a number of days; the fans
        whose subscription has auto-renew off and ends (``endsAt``) within it from now.
    :param auto_renew: active subscribers only: keep those with auto-renew on (True) or off (False).
    :param min_spend: top supporters only: the least gross spend kept, in dollars.
    :param top: top supporters only: keep the N biggest spenders.
    :param since: subscribers: created at or after; top supporters: the spend window's start
        (datetime, ISO-8601 or epoch ms). Templated, e.g. ``"{{ data_interval_start }}"``. A window
        that is the run's data interval must not be empty (the task fails, pointing to
        ``CronDataIntervalTimetable``); an explicit empty window reads nothing and sends no request.
    :param until: subscribers: created before; top supporters: the window's end. Templated.
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
        expiring_within: timedelta | float | None = None,
        auto_renew: bool | None = None,
        min_spend: float | Decimal | str | None = None,
        top: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if source not in FAN_SOURCES:
            raise ValueError(f"source must be one of {', '.join(FAN_SOURCES)}; got {source!r}")
        if status not in SUBSCRIBER_STATUSES:
            raise ValueError(f"status must be one of {', '.join(SUBSCRIBER_STATUSES)}; got {status!r}")
        _check_source_arguments(
            source,
            {"since": since, "until": until},
            {"tier_id": tier_id, "status": None if status == "active" else status},
            {"expiring_within": expiring_within, "auto_renew": auto_renew},
            {"min_spend": min_spend, "top": top},
        )
        if auto_renew is not None and not isinstance(auto_renew, bool):
            raise ValueError(f"auto_renew must be True, False or None; got {auto_renew!r}")
        if expiring_within is not None:
            duration_ms(expiring_within, field="expiring_within")
            if status != "active" or auto_renew:
                raise ValueError(
                    "expiring_within selects active subscriptions with auto-renew off: it cannot apply "
                    "with status other than 'active' or auto_renew=True"
                )
        if auto_renew is not None and status != "active":
            raise ValueError("auto_renew applies to active subscriptions only (status='active')")
        if min_spend is not None:
            dollars_to_thousandths(min_spend, field="min_spend")
        if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
            raise ValueError(f"top must be a whole number of at least 1; got {top!r}")
        self.source = source
        self.status = status
        self.since = since
        self.until = until
        self.tier_id = tier_id
        self.account_id = account_id
        self.expiring_within = expiring_within
        self.auto_renew = auto_renew
        self.min_spend = min_spend
        self.top = top

    def call_api(self, context: Context) -> list[str]:
        account_id = self.hook.resolve_account_id(self.account_id)
        if self.source == "top_supporters":
            return self._top_supporters(context, account_id)
        if self.source == "followers":
            rows = self.hook.list_followers(account_id)
            return self._fan_ids(rows, account_id)
        refuse_empty_interval(self.since or None, self.until or None, context)
        if self.expiring_within is not None or self.auto_renew is not None:
            segment = list(
                self.hook.list_subscription_segment(
                    account_id,
                    expiring_within=self.expiring_within,
                    auto_renew=self.auto_renew,
                    tier_id=self.tier_id or None,
                    since=self.since or None,
                    until=self.until or None,
                )
            )
            context["ti"].xcom_push(
                key="ends_at", value=_ends_at(segment, label("GET", f"/{account_id}/subscribers"))
            )
            rows = iter(segment)
        else:
            rows = self.hook.list_subscribers(
                account_id,
                status=self.status,
                tier_id=self.tier_id or None,
                since=self.since or None,
                until=self.until or None,
            )
        return self._fan_ids(rows, account_id)

    def _fan_ids(self, rows: Iterator[dict[str, Any]], account_id: str) -> list[str]:
        """The rows' fan ids, unique, in the API's order."""
        request = label("GET", f"/{account_id}/{self.source}")
        fans = list(dict.fromkeys(fan_id_of(row, self.source, request) for row in rows))
        self.log.info("%d %s of account %s", len(fans), self.source, account_id)
        return fans

    def _top_supporters(self, context: Context, account_id: str) -> list[str]:
        """The window's fans by gross spend, largest first; XCom ``spend`` maps each to its gross (thousandths)."""
        since = self.since or context.get("data_interval_start")
        until = self.until or context.get("data_interval_end")
        refuse_empty_interval(since, until, context)
        if since is None or until is None:
            raise FanslyValidationError(
                "top_supporters need a window: pass since and until, or run on a schedule that gives "
                "the run a data interval"
            )
        ranking = self.hook.top_supporters(account_id, since=since, until=until)
        least = 0 if self.min_spend is None else dollars_to_thousandths(self.min_spend, field="min_spend")
        kept = [supporter for supporter in ranking.supporters if supporter.gross >= least][: self.top]
        context["ti"].xcom_push(key="spend", value={supporter.fan_id: supporter.gross for supporter in kept})
        self.log.info(
            "%d of %d top supporters of account %s kept, from %d uncut window(s) of [%s, %s)",
            len(kept),
            len(ranking.supporters),
            account_id,
            ranking.parts,
            iso(ranking.since),
            iso(ranking.until),
        )
        return [supporter.fan_id for supporter in kept]


def _ends_at(rows: list[dict[str, Any]], request: str) -> dict[str, int]:
    """Fan -> when the fan's (earliest) subscription of the segment ends, epoch ms: a period's identity."""
    ends: dict[str, int] = {}
    for row in rows:
        fan_id, ends_at = fan_id_of(row, "subscribers", request), ends_at_of(row, request)
        ends[fan_id] = min(ends.get(fan_id, ends_at), ends_at)
    return ends


def _check_source_arguments(source: str, *groups: dict[str, Any]) -> None:
    """Each group of arguments applies to some sources only: the window (subscribers, top supporters),
    tier and status (subscribers), the lifecycle segment (subscribers), the ranking (top supporters)."""
    window, subscription, lifecycle, ranking = groups
    allowed = {
        "subscribers": (window, subscription, lifecycle),
        "followers": (),
        "top_supporters": (window, ranking),
    }[source]
    given = [
        name for group in groups if group not in allowed for name, value in group.items() if value is not None
    ]
    if given:
        hint = {
            "followers": "followers carry no timestamp, tier, status or spend; use source='subscribers'",
            "subscribers": "use source='top_supporters' to rank fans by spend",
            "top_supporters": "top supporters carry no tier, status or lifecycle; use source='subscribers'",
        }[source]
        raise ValueError(f"{', '.join(given)} cannot apply to source={source!r}: {hint}")
