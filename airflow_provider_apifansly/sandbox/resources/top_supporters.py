"""Top supporters: ``GET {account_id}/top-supporters?after=<ms>&before=<ms>``.

Each fan's spend in the window (both bounds included), largest gross first, money in
thousandths of a dollar, at most ``config.top_supporters_cap`` rows and no paging: what
does not fit is cut, as Fansly's own call does. The row names the creator ``accountId``
and the fan ``correlationAccountId`` (``config.top_supporters_fan_field`` swaps them), which is
null for spends seeded without a fan (the contract: the field is nullable);
``response`` is the bare list or an object holding it (``config.top_supporters_nesting``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from airflow_provider_apifansly.sandbox.envelope import Reply, invalid, list_response, nested, ok
from airflow_provider_apifansly.sandbox.resources import Resource, Sandbox
from airflow_provider_apifansly.sandbox.resources.earnings import TAX_PERCENT, whole
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import check_fan_ids, parameters
from airflow_provider_apifansly.sandbox.world import Store, World

TOP_SUPPORTERS_PARAMETERS = ("after", "before")


@dataclass
class TopSupporterSwitches:
    """How Top Supporters answers where the contract is silent."""

    top_supporters_cap: int = switch(
        100, "the most rows one Top Supporters answer holds (the rest is cut)", minimum=1
    )
    top_supporters_fan_field: Literal["correlationAccountId", "accountId"] = switch(
        "correlationAccountId",
        "the Top Supporters row field holding the fan's id (undocumented through apifansly; Fansly's "
        "own call uses correlationAccountId, the creator being accountId)",
    )
    top_supporters_nesting: Literal["list", "data"] = switch(
        "list",
        "Top Supporters' response: the bare list (as Fansly answers), or an object with it under data "
        "(the other lists' wrapper)",
    )


class SpendStore(Store):
    """Every account's spends: (fan or None, epoch ms, gross thousandths), in the order they were seeded."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._spends: dict[str, list[tuple[str | None, int, int]]] = {}

    def add(self, account_id: str, spends: list[tuple[str | None, int, int]]) -> None:
        """Record each fan's spend (at a time, gross) for an account."""
        with self.world.lock:
            self._spends.setdefault(account_id, []).extend(spends)

    def totals(self, account_id: str, after: int | None, before: int | None) -> dict[str | None, int]:
        """Fan (None: no fan) -> gross spent with ``after <= at <= before``."""
        totals: dict[str | None, int] = {}
        with self.world.lock:
            for fan_id, at, gross in self._spends.get(account_id, []):
                if (after is None or after <= at) and (before is None or at <= before):
                    totals[fan_id] = totals.get(fan_id, 0) + gross
        return totals


def seed_supporters(
    sandbox: Sandbox,
    fan_ids: Iterable[str | None],
    *,
    spent_at: int | Sequence[int],
    gross: int | Sequence[int],
    account_id: str | None = None,
) -> None:
    """Record fans' spends, which Top Supporters adds up per fan over a window (net: gross less 20%).

    Seeding sends no request: it is neither journaled nor counted. A bad value raises ``ValueError``.

    :param fan_ids: the fans' native ids (a fan may appear several times); None records a spend
        whose row names no fan (``correlationAccountId`` null).
    :param spent_at: epoch milliseconds: one int for every spend, or one each.
    :param gross: thousandths of a dollar: one int for every spend, or one each.
    :param account_id: the connected account (default: the first key's first account).
    """
    account = sandbox.account(account_id)
    fans = list(fan_ids)
    check_fan_ids([fan_id for fan_id in fans if fan_id is not None], account.creator_id)
    stamps = list(spent_at) if isinstance(spent_at, Sequence) else [spent_at] * len(fans)
    amounts = list(gross) if isinstance(gross, Sequence) else [gross] * len(fans)
    if not len(stamps) == len(amounts) == len(fans):
        raise ValueError(f"give one spent_at and one gross per fan ({len(fans)}), or one int for all")
    if any(type(stamp) is not int or not 10**12 <= stamp < 10**13 for stamp in stamps):
        raise ValueError("spent_at must be whole epoch milliseconds (13 digits)")
    if any(type(amount) is not int or amount <= 0 for amount in amounts):
        raise ValueError("gross must be whole thousandths of a dollar, more than 0")
    sandbox.store(SpendStore).add(account.account_id, list(zip(fans, stamps, amounts, strict=True)))


def list_top_supporters(call: Call) -> Reply:
    """Top Supporters: the window's biggest spenders, cut at the cap."""
    account = call.account()
    found = parameters(call.request.query, TOP_SUPPORTERS_PARAMETERS, "Top Supporters")
    after, before = whole(found, "after"), whole(found, "before")
    if before is not None and before > time.time() * 1000:
        raise invalid(f"before ({before}) is in the future")
    if after is not None and before is not None and after >= before:
        raise invalid(f"after ({after}) must be before before ({before})")
    config = call.switches(TopSupporterSwitches)
    totals = call.world.store(SpendStore).totals(account.account_id, after, before)
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0] or ""))[: config.top_supporters_cap]
    creator_field = (
        "accountId" if config.top_supporters_fan_field == "correlationAccountId" else "correlationAccountId"
    )
    rows = [
        {
            creator_field: account.creator_id,
            config.top_supporters_fan_field: fan_id,
            "totalGross": gross,
            "totalNet": gross - gross * TAX_PERCENT // 100,
        }
        for fan_id, gross in ranked
    ]
    return ok(nested(list_response(rows, config.top_supporters_nesting)))


RESOURCE = Resource(
    routes=(Route("GET", "{account_id}/top-supporters", list_top_supporters),),
    switches=TopSupporterSwitches,
    methods=(seed_supporters,),
)
