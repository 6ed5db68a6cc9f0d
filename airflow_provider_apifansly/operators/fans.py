"""``ListFansOperator``: the account's subscribers, followers or top supporters as a pipeline's source of fan ids."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.hooks.endpoints.base import label
from airflow_provider_apifansly.hooks.endpoints.fans import SUBSCRIBER_STATUSES, fan_id_of
from airflow_provider_apifansly.hooks.endpoints.segments import ends_at_of
from airflow_provider_apifansly.models.batch_input import pending_template
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

    The four segment arguments are templated; a rendered value is text, read as documented
    below and checked before any request ("" or "None" mean not given).

    :param expiring_within: active subscribers only: a ``timedelta``, a number of days, or text
        holding a number of days or an ISO 8601 duration (``"P3D"``, ``"PT36H"``); the fans whose
        subscription has auto-renew off and ends (``endsAt``) within it from now. Templated.
    :param auto_renew: active subscribers only: keep those with auto-renew on (True) or off (False);
        text ``"True"``/``"False"`` (any case). Templated.
    :param min_spend: top supporters only: the least gross spend kept, in dollars (a number or its
        text). Templated.
    :param top: top supporters only: keep the N biggest spenders (a whole number or its digits).
        With ``top`` up to 100, or a ``min_spend`` above the smallest spend of the API's first
        (ranked, 100-row) answer, that answer is enough: one request. Templated.
    :param since: subscribers: created at or after; top supporters: the spend window's start
        (datetime, ISO-8601 or epoch ms). Templated, e.g. ``"{{ data_interval_start }}"``. A window
        that is the run's data interval must not be empty (the task fails, pointing to
        ``CronDataIntervalTimetable``); an explicit empty window reads nothing and sends no request.
    :param until: subscribers: created before; top supporters: the window's end. Templated.
    :param tier_id: subscribers only: this subscription tier. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    """

    template_fields: Sequence[str] = (
        "since",
        "until",
        "tier_id",
        "account_id",
        "expiring_within",
        "auto_renew",
        "min_spend",
        "top",
        "fansly_conn_id",
    )

    def __init__(
        self,
        *,
        source: str = "subscribers",
        status: str = "active",
        since: Instant | None = None,
        until: Instant | None = None,
        tier_id: str | int | None = None,
        account_id: str | None = None,
        expiring_within: timedelta | float | str | None = None,
        auto_renew: bool | str | None = None,
        min_spend: float | Decimal | str | None = None,
        top: int | str | None = None,
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
        # Templates are checked once rendered (in execute); the rest now, when the DAG is parsed.
        segment = [None if pending_template(value) else value for value in (expiring_within, auto_renew)]
        ranking = [None if pending_template(value) else value for value in (min_spend, top)]
        Segment.read(status, *segment, *ranking)
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
        """List the fans (or the segment, or the top supporters); return their ids."""
        segment = Segment.read(self.status, self.expiring_within, self.auto_renew, self.min_spend, self.top)
        account_id = self.hook.resolve_account_id(self.account_id)
        if self.source == "top_supporters":
            return self._top_supporters(context, account_id, segment)
        if self.source == "followers":
            rows = self.hook.list_followers(account_id)
            return self._fan_ids(rows, account_id)
        refuse_empty_interval(self.since or None, self.until or None, context)
        if segment.expiring_within is not None or segment.auto_renew is not None:
            within = segment.expiring_within
            rows_of_segment = list(
                self.hook.list_subscription_segment(
                    account_id,
                    expiring_within=None if within is None else timedelta(milliseconds=within),
                    auto_renew=segment.auto_renew,
                    tier_id=self.tier_id or None,
                    since=self.since or None,
                    until=self.until or None,
                )
            )
            context["ti"].xcom_push(
                key="ends_at", value=_ends_at(rows_of_segment, label("GET", f"/{account_id}/subscribers"))
            )
            rows = iter(rows_of_segment)
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

    def _top_supporters(self, context: Context, account_id: str, segment: Segment) -> list[str]:
        """The window's fans by gross spend, largest first; XCom ``spend`` maps each to its gross (thousandths)."""
        since = self.since or context.get("data_interval_start")
        until = self.until or context.get("data_interval_end")
        refuse_empty_interval(since, until, context)
        if since is None or until is None:
            raise FanslyValidationError(
                "top_supporters need a window: pass since and until, or run on a schedule that gives "
                "the run a data interval"
            )
        ranking = self.hook.top_supporters(
            account_id, since=since, until=until, top=segment.top, min_gross=segment.min_gross
        )
        least = segment.min_gross or 0
        kept = [supporter for supporter in ranking.supporters if supporter.gross >= least][: segment.top]
        context["ti"].xcom_push(key="spend", value={supporter.fan_id: supporter.gross for supporter in kept})
        self.log.info(
            "%d of %d top supporters of account %s kept, from %d window(s) of [%s, %s)%s",
            len(kept),
            len(ranking.supporters),
            account_id,
            ranking.parts,
            iso(ranking.since),
            iso(ranking.until),
            ""
            if ranking.cut_at is None
            else f" (fans below the answer's smallest spend, {ranking.cut_at} "
            "thousandths, not read: none of them could be kept)",
        )
        if ranking.skipped:
            self.log.warning(
                "%d top-supporter row(s) whose fan id (correlationAccountId) is null were skipped",
                ranking.skipped,
            )
        return [supporter.fan_id for supporter in kept]


@dataclass(frozen=True)
class Segment:
    """The segment arguments of a ``ListFansOperator``, checked and read (None: not given).

    :param expiring_within: milliseconds.
    :param min_gross: ``min_spend`` in thousandths of a dollar.
    """

    expiring_within: int | None
    auto_renew: bool | None
    min_gross: int | None
    top: int | None

    @classmethod
    def read(cls, status: str, expiring_within: Any, auto_renew: Any, min_spend: Any, top: Any) -> Segment:
        """Check the four as given or as rendered (text); a bad value raises ``FanslyValidationError``."""
        within = None if _absent(expiring_within) else duration_ms(expiring_within, field="expiring_within")
        renews = None if _absent(auto_renew) else _flag(auto_renew)
        if within is not None and (status != "active" or renews):
            raise FanslyValidationError(
                "expiring_within selects active subscriptions with auto-renew off: it cannot apply "
                "with status other than 'active' or auto_renew=True"
            )
        if renews is not None and status != "active":
            raise FanslyValidationError("auto_renew applies to active subscriptions only (status='active')")
        least = None if _absent(min_spend) else dollars_to_thousandths(min_spend, field="min_spend")
        return cls(within, renews, least, None if _absent(top) else _count(top))


def _absent(value: Any) -> bool:
    """Not given: None, or a template that rendered empty or ``None``."""
    return value is None or (isinstance(value, str) and value.strip() in ("", "None"))


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise FanslyValidationError(f"auto_renew must be True, False or None; got {value!r:.40}")


def _count(value: Any) -> int:
    text = value.strip() if isinstance(value, str) else None
    number = int(text) if text is not None and text.isascii() and text.isdigit() else value
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise FanslyValidationError(f"top must be a whole number of at least 1; got {value!r:.40}")
    return number


def _ends_at(rows: list[dict[str, Any]], request: str) -> dict[str, int]:
    """Fan -> when the fan's (earliest) subscription of the segment ends, epoch ms: a period's identity."""
    ends: dict[str, int] = {}
    for row in rows:
        fan_id, ends_at = fan_id_of(row, "subscribers", request), ends_at_of(row, request)
        ends[fan_id] = min(ends.get(fan_id, ends_at), ends_at)
    return ends


def _check_source_arguments(source: str, *groups: dict[str, Any]) -> None:
    """Each group of arguments applies to some sources only.

    The window (subscribers, top supporters), tier and status (subscribers), the lifecycle segment
    (subscribers), the ranking (top supporters).
    """
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
