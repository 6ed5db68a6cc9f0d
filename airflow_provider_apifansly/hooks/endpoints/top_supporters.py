"""Top supporters: each fan's spend over a window (docs: "Top Supporters", under Subscribers).

``GET /{account_id}/top-supporters?after=<ms>&before=<ms>`` answers at most 100 rows,
largest first, money in thousandths of a dollar, with no paging: a 100-row answer may be
cut. So a cut window is halved until no part is cut, and each fan's spend is added up
across the parts, which never overlap. A caller that wants only the top N, or only fans
above a spend, is answered from the first answer when the rows it cut cannot qualify:
the answer is ranked, so every cut row spent at most its smallest listed spend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

from airflow_provider_apifansly.exceptions import FanslyApiError
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.endpoints.account import AccountEndpoints
from airflow_provider_apifansly.hooks.endpoints.base import label
from airflow_provider_apifansly.timestamps import Instant, iso, past_window

# The most rows one answer holds; an answer this long may have been cut.
TOP_SUPPORTERS_CAP = 100
# Where the fan's id may be: Fansly's own call names the fan correlationAccountId and the wallet
# owner (the creator) accountId; other objects swap them. The fan is the one that is not the creator.
SUPPORTER_ID_FIELDS = ("accountId", "correlationAccountId")
# The response's nesting is not documented: the bare list, or an object holding it under "data".
_read_rows = envelope.list_response("data")


@dataclass(frozen=True)
class Supporter:
    """A fan's spend over the window, in thousandths of a dollar (gross, and net of the platform's share)."""

    fan_id: str
    gross: int
    net: int


@dataclass(frozen=True)
class TopSupporters:
    """Every fan who spent in ``[since, until)`` (epoch ms), the largest gross first.

    :param parts: how many windows the answer was added up from.
    :param skipped: rows left out because they name no fan (``correlationAccountId`` null).
    :param cut_at: None when every fan is listed; else the answer was cut and not split, as the
        caller's ``top``/``min_gross`` needed no more: fans who spent at most this may be missing.
    """

    since: int
    until: int
    supporters: list[Supporter]
    parts: int
    skipped: int = 0
    cut_at: int | None = None


class TopSupporterEndpoints(AccountEndpoints):
    """``GET /{account_id}/top-supporters``."""

    def top_supporters(
        self,
        account_id: str | None = None,
        *,
        since: Instant,
        until: Instant,
        top: int | None = None,
        min_gross: int | None = None,
    ) -> TopSupporters:
        """Each fan's gross and net spend over ``[since, until)``, summed over as many windows as it takes.

        ``until`` after now is clamped to now (the API takes no future ``before``). Bounds are sent
        as ``after=since`` and ``before=until - 1`` ms, assuming (as for transactions) that the API
        includes both. Costs one request per window asked: the uncut parts, plus each cut window
        that was halved; one request when ``top`` or ``min_gross`` shows the first answer's cut rows
        cannot qualify. A row naming no fan is skipped, counted and logged. An empty window sends nothing.

        :param since: the window's start, included (datetime, ISO-8601 text or epoch ms).
        :param until: the window's end, excluded.
        :param top: only the N biggest spenders are wanted.
        :param min_gross: only fans who spent at least this many thousandths of a dollar are wanted.
        """
        account_id = self.resolve_account_id(account_id)
        since_ms, until_ms = past_window(since, until)
        if since_ms >= until_ms:
            return TopSupporters(since_ms, max(since_ms, until_ms), [], 0)
        creator_id = self.get_creator_id(account_id)
        path = f"/{account_id}/top-supporters"
        request = label("GET", path)
        totals: dict[str, list[int]] = {}
        windows, parts, skipped, cut_at = [(since_ms, until_ms)], 0, 0, None
        while windows:
            start, end = windows.pop()
            rows = self._account_call("GET", path, _read_rows, params={"after": start, "before": end - 1})
            spends = [_supporter(row, creator_id, request) for row in rows]
            if len(rows) >= TOP_SUPPORTERS_CAP:
                if parts == 0 and not windows and _cut_rows_cannot_qualify(spends, top, min_gross):
                    cut_at = min(gross for _, gross, _ in spends)
                else:
                    windows.extend(_halves(start, end, request))
                    continue
            parts += 1
            for fan_id, gross, net in spends:
                if fan_id is None:
                    skipped += 1
                    continue
                total = totals.setdefault(fan_id, [0, 0])
                total[0] += gross
                total[1] += net
        if skipped:
            self.log.warning(
                "%s returned %d row(s) whose fan id is null: skipped, their spend counted for no one",
                request,
                skipped,
            )
        supporters = [Supporter(fan_id, gross, net) for fan_id, (gross, net) in totals.items()]
        supporters.sort(key=lambda supporter: (-supporter.gross, supporter.fan_id))
        return TopSupporters(since_ms, until_ms, supporters, parts, skipped, cut_at)


def _cut_rows_cannot_qualify(
    spends: list[tuple[str | None, int, int]], top: int | None, min_gross: int | None
) -> bool:
    """Whether a cut answer is enough.

    The rows it cut spent at most its smallest spend, so they are all below ``min_gross``, or none of them
    outranks the ``top`` fans it lists (one that ties with the last of them is as much a top fan: the
    API's ranking chose).
    """
    smallest = min(gross for _, gross, _ in spends)
    if min_gross is not None and min_gross > smallest:
        return True
    return top is not None and sum(fan_id is not None for fan_id, _, _ in spends) >= top


def _halves(start: int, end: int, request: str) -> list[tuple[int, int]]:
    """The two halves of a cut window (the earlier is read first); a window too short to halve is an error."""
    middle = (start + end) // 2
    if middle - start < 2:  # a part must keep after < before
        raise FanslyApiError(
            f"{request} answered {TOP_SUPPORTERS_CAP} rows (perhaps cut) for [{iso(start)}, {iso(end)}), "
            "too short a window to split further; refusing to present a cut list as complete",
            request=request,
        )
    return [(middle, end), (start, middle)]


def _supporter(row: dict[str, Any], creator_id: str, request: str) -> tuple[str | None, int, int]:
    """The fan's id and the row's gross and net thousandths; any other shape is an error.

    The fan's id is None when the row names no fan (an id field present and null).
    """
    ids = [row.get(name, "absent") for name in SUPPORTER_ID_FIELDS]
    fans = [value for value in ids if isinstance(value, str) and value.isdigit() and value != creator_id]
    if len(fans) != 1 and not (not fans and None in ids):
        raise FanslyApiError(
            f"{request} returned a row whose {' and '.join(SUPPORTER_ID_FIELDS)} are not the creator "
            f"({creator_id}) and one fan: got {ids!r:.80}",
            request=request,
        )
    gross, net = row.get("totalGross"), row.get("totalNet")
    if not (_whole(gross) and _whole(net)):
        raise FanslyApiError(
            f"{request} returned fan {fans[0] if fans else None} without whole totalGross and totalNet: "
            f"got {gross!r:.30}, {net!r:.30}",
            request=request,
        )
    return (fans[0] if fans else None), gross, net


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
