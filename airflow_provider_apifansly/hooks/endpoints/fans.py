"""Fans: the account's subscribers and followers (docs: "Subscribers", "Followers")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, created_at_ms, label
from airflow_provider_apifansly.hooks.endpoints.chats import validate_search
from airflow_provider_apifansly.hooks.paging import Page, cursor_pages, each_once
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.timestamps import Instant, check_window, to_epoch_ms


@dataclass(frozen=True)
class WireStatus:
    """How one subscription status goes on the wire.

    The docs' code, the later docs' word, and the ``status`` code its rows carry.
    """

    code: str
    word: str
    row_code: int

    def sent(self, form: str) -> str:
        """What goes on the wire for this status in ``form``: the docs' code or the later docs' word."""
        return self.code if form == "codes" else self.word


# The one wire table of subscriber status. The docs first give Fansly's codes (3 active, 4 expired;
# 4 is unverified, a native client reads 5), later pages words: codes are sent until the API refuses them.
SUBSCRIBER_WIRE = {"active": WireStatus("3", "active", 3), "expired": WireStatus("4", "expired", 4)}
# The lists each status reads. "all" reads the active list, then the expired one: the API may list
# both as one list in any order (e.g. active then expired, each newest first), so one list could
# only stop early on an order it never proves; two lists each stop on their own.
SUBSCRIBER_STATUSES: dict[str, tuple[str, ...]] = {
    "active": ("active",),
    "expired": ("expired",),
    "all": ("active", "expired"),
}
# The page we ask for: the most the API takes (native clients ask limit=100, another vendor's proxy of
# the same call takes 1 to 100). The API may send fewer rows: only the cursor says "more".
FANS_PAGE_LIMIT = 100
# Where each list puts the fan's native id.
FAN_ID_FIELDS = {"subscribers": "subscriberId", "followers": "followerId"}
# Falls in createdAt, and no rise, that the rows read so far must show before a list is taken as
# newest first: one fall is no proof (a shuffled order falls five times in a row once in 720).
ORDER_PROOF_FALLS = 5


@dataclass
class _Order:
    """What the ``createdAt`` of the rows read so far proves about the list's order."""

    last: int | None = None
    oldest: int | None = None
    falls: int = 0
    rose: bool = False

    def see(self, created_at: int) -> None:
        if self.last is not None:
            self.falls += created_at < self.last
            self.rose = self.rose or created_at > self.last
        self.last = created_at
        self.oldest = created_at if self.oldest is None else min(self.oldest, created_at)

    def passed(self, since: int) -> bool:
        """Newest-first, as the rows prove it (falls, never a rise), and already older than ``since``."""
        proven = self.falls >= ORDER_PROOF_FALLS and not self.rose
        return proven and self.oldest is not None and self.oldest < since


class FanEndpoints(EndpointGroup):
    """``GET /{account_id}/subscribers`` and ``GET /{account_id}/followers``."""

    # How this hook sends subscriber status: the docs' codes until the API answers them 400,
    # then the words, for the rest of the hook's life (one extra request at most).
    subscriber_status_form = "codes"
    _status_words_tried = False

    def list_subscribers(
        self,
        account_id: str | None = None,
        *,
        status: str = "active",
        tier_id: str | int | None = None,
        search: str | None = None,
        since: Instant | None = None,
        until: Instant | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Subscription rows as the API sends them, those with ``since <= createdAt < until``, each once.

        Arguments are checked now; pages are read as the rows are consumed, ``limit=100``
        each, by cursor whatever size comes back: a short page with a cursor is not the end.
        With ``since``, a list stops between pages once the rows read so far prove it newest
        first and reach past ``since``; on any other order it is read to the end, as a
        subscriber of the window may be on any page. Rows whose ``status`` code is not the one
        asked for are kept, and logged as a warning naming the code.

        :param status: ``"active"``, ``"expired"`` or ``"all"`` (the active list, then the expired one).
        :param tier_id: only this subscription tier.
        :param search: text the API matches against the fans' names.
        :param since: keep rows created at or after this (datetime, ISO-8601 text or epoch ms).
        :param until: keep rows created before this. An empty window (``since == until``) sends nothing.
        """
        account_id = self.resolve_account_id(account_id)
        if status not in SUBSCRIBER_STATUSES:
            raise FanslyValidationError(
                f"status must be one of {', '.join(SUBSCRIBER_STATUSES)}; got {status!r}"
            )
        params: dict[str, Any] = {"limit": FANS_PAGE_LIMIT}
        if tier_id is not None and tier_id != "":
            params["subscriptionTierIds"] = validate_native_id(tier_id, field="tier_id")
        if search is not None:
            params["search"] = validate_search(search)
        since_ms = None if since is None else to_epoch_ms(since, field="since")
        until_ms = None if until is None else to_epoch_ms(until, field="until")
        check_window(since_ms, until_ms)
        if since_ms is not None and since_ms == until_ms:
            return iter(())  # an empty window holds no subscription: no request
        path = f"/{account_id}/subscribers"
        request = label("GET", path)
        rows = (
            row
            for listed in SUBSCRIBER_STATUSES[status]
            for row in self._subscriptions(path, SUBSCRIBER_WIRE[listed], params, since_ms, until_ms)
        )
        # A subscription can move from the active list to the expired one between the two reads.
        return each_once(rows, lambda row: _subscription_id(row, request))

    def _subscriptions(
        self, path: str, wire: WireStatus, params: dict[str, Any], since: int | None, until: int | None
    ) -> Iterator[dict[str, Any]]:
        """One status's list, checked row by row, stopping early only on an order the rows prove."""
        request = label("GET", path)
        order = _Order()
        warned: set[Any] = set()
        for pages, page in enumerate(self._status_pages(path, wire, params), 1):
            unexpected = {_hashable(row.get("status")) for row in page.rows} - {wire.row_code} - warned
            if unexpected:
                warned |= unexpected
                self.log.warning(
                    "%s?status=%s returned rows whose status is %s, not %d (%s): kept as sent; the API "
                    "may read status differently than documented, so check these rows before trusting "
                    "counts of %s subscribers",
                    request,
                    wire.sent(self.subscriber_status_form),
                    ", ".join(sorted(map(repr, unexpected))),
                    wire.row_code,
                    wire.word,
                    wire.word,
                )
            for row in page.rows:
                fan_id_of(row, "subscribers", request)
                created_at = created_at_ms(row, f"subscription {row.get('id')!r:.30}", request)
                order.see(created_at)
                if (since is None or since <= created_at) and (until is None or created_at < until):
                    yield row
            if since is not None and page.cursor is not None and order.passed(since):
                self.log.info(
                    "%s subscribers come newest first and page %d reached past since: stopping",
                    wire.word,
                    pages,
                )
                return

    def _status_pages(self, path: str, wire: WireStatus, params: dict[str, Any]) -> Iterator[Page]:
        """The pages of one status's list, in the status form the API takes (codes, else words)."""
        form = self.subscriber_status_form
        pages = self._fan_pages(path, "subscriptions", {**params, "status": wire.sent(form)})
        try:
            first = next(pages)
        except FanslyValidationError as refused:
            if form != "codes" or refused.http_status != 400 or self._status_words_tried:
                raise
            self._status_words_tried = True
            self.log.warning(
                "%s refused status=%s (400); sending status as words (%s) from now on, as later docs do",
                label("GET", path),
                wire.code,
                wire.word,
            )
            pages = self._fan_pages(path, "subscriptions", {**params, "status": wire.word})
            first = next(pages)
            self.subscriber_status_form = "words"
        yield first
        yield from pages

    def _fan_pages(self, path: str, rows: str, params: dict[str, Any]) -> Iterator[Page]:
        """The pages of a fan list, as long as a cursor comes back (a short page may have one).

        A full last page without a cursor is the end, not an error: a list of exactly 100 rows
        ends so (the sandbox's lists do), and a check would fail every such account every run.
        """
        return cursor_pages(self.transport, path, rows, params)

    def list_followers(self, account_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Follower rows as the API sends them (the fan's id is ``followerId``), each fan once; every page, as read."""
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/followers"
        request = label("GET", path)
        pages = self._fan_pages(path, "followers", {"limit": FANS_PAGE_LIMIT})
        rows = (row for page in pages for row in page.rows)
        return each_once(rows, lambda row: fan_id_of(row, "followers", request))


def _hashable(value: Any) -> Any:
    """A row's value as a set member: numbers and text as they are, anything else as its repr."""
    return value if isinstance(value, int | str | None) else repr(value)


def _subscription_id(row: dict[str, Any], request: str) -> str | int:
    """A subscription row's ``id``, which tells a repeat from a second subscription of the same fan."""
    subscription_id = row.get("id")
    if isinstance(subscription_id, bool) or not isinstance(subscription_id, str | int):
        raise FanslyApiError(
            f"{request} returned a subscription without an id (got {subscription_id!r:.40}); "
            "cannot tell repeats apart",
            request=request,
        )
    return subscription_id


def fan_id_of(row: dict[str, Any], source: str, request: str) -> str:
    """The fan's native id in a subscribers or followers row; a row without one is an error."""
    field = FAN_ID_FIELDS[source]
    try:
        return validate_native_id(row.get(field), field=field)
    except FanslyValidationError as exc:
        raise FanslyApiError(
            f"{request} returned a row without a usable fan id: {exc}", request=request
        ) from None
