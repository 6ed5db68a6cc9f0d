"""``FanslySandbox``: the server's lifecycle, what tests inspect, and how each request is answered.

Every request is authenticated, counted against its key's sliding window and
credits, then either answered by the API routes or bent by a fault.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

# connection.py imports neither Airflow nor requests, so the sandbox stays free of both.
from airflow_provider_apifansly.connection import CONN_TYPE, DEFAULT_CONN_ID
from airflow_provider_apifansly.credits import STANDARD_CREDITS, response_credits
from airflow_provider_apifansly.sandbox.config import Account, Fault, SandboxConfig, connected_accounts
from airflow_provider_apifansly.sandbox.envelope import INVALID, Reply, Request, envelope
from airflow_provider_apifansly.sandbox.resources import (
    ROUTES,
    automated_messages,
    chat_messages,
    chats,
    earnings,
    fans,
    top_supporters,
)
from airflow_provider_apifansly.sandbox.resources.automated_messages import (
    AutomatedMessageRecord,
    AutomatedMessageStore,
)
from airflow_provider_apifansly.sandbox.resources.chat_messages import MessageRecord, MessageStore
from airflow_provider_apifansly.sandbox.resources.chats import ChatStore, GroupRecord, Relation
from airflow_provider_apifansly.sandbox.resources.fans import (
    DEFAULT_TIER_NAME,
    FanStore,
    FollowerRecord,
    SubscriptionRecord,
    SubscriptionStatus,
)
from airflow_provider_apifansly.sandbox.resources.mass_messaging import MassMessageRecord, MassMessageStore
from airflow_provider_apifansly.sandbox.resources.media import MediaJobRecord, MediaStore
from airflow_provider_apifansly.sandbox.resources.posts import PostRecord, PostStore
from airflow_provider_apifansly.sandbox.routing import dispatch
from airflow_provider_apifansly.sandbox.transport import HttpRequest, HttpServer, Outcome, reason_phrase
from airflow_provider_apifansly.sandbox.world import Counters, JournalEntry, World

_STATUS_MESSAGES = {
    401: "Invalid or missing API key",
    402: "Insufficient credits",
    500: "Internal server error",
    502: "Bad gateway: the upstream Fansly API failed",
    503: "Service unavailable",
    504: "Gateway timeout: the upstream Fansly API did not answer",
}
# A truncated envelope: what a proxy cutting the response short leaves behind.
_MALFORMED_BODY = b'{"statusCode":200,"message":"Success","data":{"status_code":200,"da'
_SERVE_POLL_SECONDS = 0.02


def fingerprint(key: str) -> str:
    """A short, stable, one-way name for an API key, safe to journal and print."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:8]


def _error(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> Outcome:
    return Outcome(status, envelope(status, message, None), headers or [])


def _from_reply(reply: Reply, headers: list[tuple[str, str]]) -> Outcome:
    return Outcome(reply.status, envelope(reply.status, reply.message, reply.data), headers)


def _strip_ids(reply: Reply) -> Reply:
    """The same success without the resource id (``response.id`` or its other names, or ``response.account.id``)."""
    try:
        response = dict(reply.data["data"]["response"])
    except (KeyError, TypeError):
        return reply
    for name in ("id", "automatedMessageId", "postId"):
        response.pop(name, None)
    if isinstance(response.get("account"), dict):
        response["account"] = {k: v for k, v in response["account"].items() if k != "id"}
    # Only the response changes: List Chats' nextCursor, beside the inner data, stays.
    data = {**reply.data, "data": {**reply.data["data"], "response": response}}
    return Reply(reply.status, reply.message, data)


class FanslySandbox:
    """An offline apifansly API on 127.0.0.1, faithful to the contract and able to misbehave.

    Use it as a context manager or call ``start()``/``stop()``. ``config`` is live: a test
    may change its fields between requests.

    :param config: what to serve (default: one key, one account, the Starter plan's 600 rpm).
    :param clock: the monotonic clock behind rate windows; a test may inject a fake one.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config if config is not None else SandboxConfig()
        self._clock = clock
        self._world = World(seed=self.config.seed, journal_size=self.config.journal_size)
        self._server: HttpServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"FanslySandbox({where}, plan={self.config.plan!r})"

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FanslySandbox:
        """Listen on ``config.host``:``config.port`` (0: a free port) and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("The sandbox is already running")
        server = HttpServer((self.config.host, self.config.port), self)
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _SERVE_POLL_SECONDS},
            name=f"fansly-sandbox {server.url}",
            daemon=True,
        )
        self._server = server
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection; a no-op when not running."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FanslySandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8765`` (routes sit under ``/api/fansly/``)."""
        if self._server is None:
            raise RuntimeError("The sandbox is not running: call start() or use it in a with block")
        return self._server.url

    # -- what tests inspect and change -----------------------------------------------------------

    def set_faults(self, *faults: Fault) -> None:
        """Replace the active faults; every ``first_n`` count starts again and the RNG is re-seeded."""
        self.config.faults = list(faults)
        self._world.restart_faults(self.config.seed)

    def reset(self) -> None:
        """Forget the journal, counters, every resource's store, rate windows, credits and fault counts."""
        self._world.reset(seed=self.config.seed, journal_size=self.config.journal_size)

    @property
    def journal(self) -> list[JournalEntry]:
        """A snapshot of the recent requests, oldest first (keys appear only as fingerprints)."""
        return self._world.journal()

    @property
    def counters(self) -> Counters:
        """A snapshot of the running totals."""
        return self._world.counters()

    @property
    def groups(self) -> list[GroupRecord]:
        """A snapshot of every group, created through the API or seeded, oldest first."""
        return self._world.store(ChatStore).groups()

    def seed_accounts(self, count: int, *, api_key: str | None = None) -> list[str]:
        """Connect ``count`` accounts to a key (default: the config's first), as an agency's key has;
        return their ids, the key's first account first.

        Each has its own creator (``/me``) and its own chats, fans, subscribers and transactions
        (seed them with ``account_id=``); all share the key's rate limit and credits. The key's
        first account stays; others it had are replaced (see ``config.connected_accounts``).
        """
        key = api_key if api_key is not None else next(iter(self.config.keys))
        accounts = connected_accounts(self.config.keys[key][0], count)
        self.config.keys[key] = accounts
        return [account.account_id for account in accounts]

    def seed_chats(
        self,
        fan_ids: Iterable[str],
        *,
        account_id: str | None = None,
        listed: bool = True,
        relation: Relation = "subscribers",
        vip: bool = False,
        subscription_tier_id: str | None = None,
    ) -> dict[str, str]:
        """Give the account chats that exist before the test starts; return fan id -> group id.

        They behave as existing chats: ``POST /group`` for the pair finds them (200, no new
        group) and List Chats returns them, unless ``listed`` is False (Fansly's automated
        messages open chats that the inbox list never shows). Seeding sends no request: it is
        neither journaled nor counted. A fan who already has a chat keeps it.

        :param fan_ids: the fans' native ids (strings of 1 to 20 digits).
        :param account_id: the connected account (default: the first key's first account).
        :param relation: ``"subscribers"`` or ``"followers"``, which List Chats' ``filter`` selects.
        :param vip: List Chats' ``filter=vips`` selects these chats.
        :param subscription_tier_id: the rows' ``subscriptionTierId``, which its filter of that name matches.
        """
        return chats.seed_chats(
            self._world,
            self._account(account_id),
            fan_ids,
            listed=listed,
            relation=relation,
            vip=vip,
            subscription_tier_id=subscription_tier_id,
        )

    def seed_message(
        self, chat_id: str, content: str, *, sender_id: str | None = None, created_at: int | None = None
    ) -> dict[str, Any]:
        """Add a message to a chat as if it had been sent there, and return it as Chat Messages shows it.

        Use it for what the fan wrote (``sender_id`` the fan's id), or what the creator sent by
        hand. A fan's message is unread (``unreadCount``) until the creator's next one. Seeding
        sends no request: it is neither journaled nor counted in ``messages_sent``.

        :param chat_id: the chat (group) id, created through the API or seeded.
        :param sender_id: one of the chat's two users (default: the creator).
        :param created_at: epoch seconds (default: now); messages sort on it, then on their id.
        """
        return chat_messages.seed_message(
            self._world, chat_id, content, sender_id=sender_id, created_at=created_at
        )

    def seed_subscribers(
        self,
        fan_ids: Iterable[str],
        *,
        created_at: int | Sequence[int],
        status: SubscriptionStatus = "active",
        tier_id: str | None = None,
        tier_name: str = DEFAULT_TIER_NAME,
        account_id: str | None = None,
        auto_renew: bool | None = None,
        ends_at: int | Sequence[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Give the account subscriptions that exist before the test starts; return the rows as Subscribers shows them.

        A fan may hold several (e.g. an expired one and a new active one). Seeding sends no
        request: it is neither journaled nor counted.

        :param fan_ids: the fans' native ids (strings of 1 to 20 digits).
        :param created_at: epoch milliseconds: one int for every fan, or a list of one per fan.
            Subscribers sorts on it (``config.subscribers_order``).
        :param status: ``"active"`` (status 3) or ``"expired"`` (status 4, or ``config.expired_status_code``).
        :param tier_id: the subscription tier's id (default: the sandbox's one tier,
            ``710000000000000001``); ``subscriptionTierIds`` filters on it.
        :param account_id: the connected account (default: the first key's first account).
        :param auto_renew: ``autoRenew`` 1 or 0 (default: on while active, off once expired).
        :param ends_at: epoch ms when the period ends (``endsAt``, ``renewDate``): one int, or one per
            fan (default: 30 days after ``created_at``). Seed it relative to now for lapsing segments.
        """
        return fans.seed_subscribers(
            self._world,
            self._account(account_id),
            fan_ids,
            created_at=created_at,
            status=status,
            tier_id=tier_id,
            tier_name=tier_name,
            auto_renew=auto_renew,
            ends_at=ends_at,
        )

    def seed_followers(
        self, fan_ids: Iterable[str], *, account_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Make fans follow the account before the test starts; return the rows as Followers shows them.

        A fan who already follows keeps their row. Seeding sends no request: it is neither
        journaled nor counted.

        :param fan_ids: the fans' native ids (strings of 1 to 20 digits).
        :param account_id: the connected account (default: the first key's first account).
        """
        return fans.seed_followers(self._world, self._account(account_id), fan_ids)

    def seed_transactions(
        self,
        created_at: Iterable[int],
        *,
        amount: int | Iterable[int] = 10_000,
        type: int = earnings.PPV_PURCHASE,  # the API's field name
        account_id: str | None = None,
    ) -> list[str]:
        """Give the account earnings transactions; return their ``transactionId`` in the order given.

        Stored as flat arrays, so a million (e.g. ``created_at=range(...)``) seed in about a
        second. Seeding sends no request: it is neither journaled nor counted.

        :param created_at: epoch milliseconds, one per transaction; Transactions pages newest first.
        :param amount: base units (1/1000 dollar): one int for all, or one per transaction.
            ``destinationTax`` is 20% of it and ``newBalance`` the running net total.
        :param type: the transaction type (default 2110, a pay-per-view purchase).
        :param account_id: the connected account (default: the first key's first account).
        """
        return earnings.seed_transactions(self._world, self._account(account_id), created_at, amount, type)

    def seed_supporters(
        self,
        fan_ids: Iterable[str],
        *,
        spent_at: int | Sequence[int],
        gross: int | Sequence[int],
        account_id: str | None = None,
    ) -> None:
        """Record fans' spends, which Top Supporters adds up per fan over a window (net: gross less 20%).

        Seeding sends no request: it is neither journaled nor counted.

        :param fan_ids: the fans' native ids (a fan may appear several times).
        :param spent_at: epoch milliseconds: one int for every spend, or one each.
        :param gross: thousandths of a dollar: one int for every spend, or one each.
        :param account_id: the connected account (default: the first key's first account).
        """
        top_supporters.seed_supporters(self._world, self._account(account_id), fan_ids, spent_at, gross)

    @property
    def subscriptions(self) -> list[SubscriptionRecord]:
        """A snapshot of every seeded subscription, in the order they were seeded."""
        return self._world.store(FanStore).subscriptions()

    @property
    def followers(self) -> list[FollowerRecord]:
        """A snapshot of every seeded follow, in the order they were seeded."""
        return self._world.store(FanStore).followers()

    @property
    def media_jobs(self) -> list[MediaJobRecord]:
        """A snapshot of every upload's processing job, in the order they were uploaded."""
        return self._world.store(MediaStore).jobs()

    def credits_spent(self, key: str | None = None) -> int:
        """Credits a key (default: the config's first) has spent, by ``credits.py``'s rule: an answer by
        its size (1 per started 80,000 bytes), an upload by the file's; a 429 costs nothing."""
        return self._world.credits_spent(key if key is not None else next(iter(self.config.keys)))

    def _account(self, account_id: str | None) -> Account:
        """The config's account of that id, or its first key's first account when None."""
        accounts = [account for owned in self.config.keys.values() for account in owned]
        if account_id is None:
            return accounts[0]
        for account in accounts:
            if account.account_id == account_id:
                return account
        raise ValueError(f"No key of the sandbox's config has the account {account_id!r}")

    @property
    def messages(self) -> list[MessageRecord]:
        """A snapshot of every message, sent through the API or seeded, in the order they came."""
        return self._world.store(MessageStore).records()

    @property
    def mass_messages(self) -> list[MassMessageRecord]:
        """A snapshot of every broadcast the API accepted (sent or scheduled), in the order they came."""
        return self._world.store(MassMessageStore).records()

    def seed_automated_messages(
        self, rules: Iterable[dict[str, Any]], *, account_id: str | None = None
    ) -> list[str]:
        """Give the account automated messages before the test starts; return their ids.

        Each rule is a Create Automated Message body (``{"triggerType", "content", ...}``), checked as
        the API checks one. Seeding sends no request: it is neither journaled nor counted.
        """
        return automated_messages.seed_automated_messages(
            self._world, self._account(account_id).account_id, rules
        )

    @property
    def automated_messages(self) -> list[AutomatedMessageRecord]:
        """A snapshot of every automated message, created or seeded (deleted ones marked), oldest first."""
        return self._world.store(AutomatedMessageStore).records()

    @property
    def posts(self) -> list[PostRecord]:
        """A snapshot of every post the API accepted (with its state), in the order they came."""
        return self._world.store(PostStore).records()

    def walls(self, account_id: str | None = None) -> list[dict[str, str]]:
        """The account's post walls (``id``, ``name``), as ``GET .../posts/walls`` lists them; no request."""
        return self._world.store(PostStore).walls(self._account(account_id).account_id)

    def connection_json(self, conn_id: str = DEFAULT_CONN_ID, **extra: Any) -> str:
        """The value of ``AIRFLOW_CONN_<CONN_ID>`` for an Airflow connection to this sandbox.

        It uses the config's first key and that key's first account; ``extra`` adds or
        overrides connection extras (e.g. ``rate_limit_rpm=0``).
        """
        api_key, accounts = next(iter(self.config.keys.items()))
        connection = {
            "conn_type": CONN_TYPE,
            "description": f"apifansly sandbox ({conn_id})",
            "host": self.url,
            "password": api_key,
            "extra": {"account_id": accounts[0].account_id, **extra},
        }
        return json.dumps(connection)

    # -- answering one request -------------------------------------------------------------------

    def answer(self, http_request: HttpRequest, started: float) -> Outcome:
        """Answer one request (called by the HTTP server), wait out latency and delay, journal it."""
        request = Request.from_http(http_request)
        outcome = self._respond(request)
        config = self.config
        pause = config.latency + self._world.jitter(config.latency_jitter) + outcome.delay
        if pause > 0:
            time.sleep(pause)
        # Journaled before the answer is written, so a client that got it also finds it here.
        self._world.record(
            JournalEntry(
                method=request.method,
                path=request.path,
                status=outcome.status,
                started=started,
                duration_s=time.monotonic() - started,
                body=request.body,
                key=fingerprint(request.key) if request.key is not None else None,
                fault=outcome.fault,
            )
        )
        return outcome

    def bad_request(self, reason: str) -> Outcome:
        """The API's 400 envelope for a request whose HTTP framing cannot be read."""
        return _error(400, f"{INVALID}: {reason}")

    def _respond(self, request: Request) -> Outcome:
        """Authenticate, rate-limit and charge the request, then answer it or inject a fault."""
        config = self.config
        accounts = config.keys.get(request.key) if request.key else None
        if request.key is None or accounts is None:
            return _error(401, _STATUS_MESSAGES[401])
        admission = self._world.admit(
            request.key,
            self._clock(),
            rpm=config.rpm,
            window_seconds=config.window_seconds,
            credits=config.credits,
        )
        headers = self._rate_headers(admission.remaining)
        if admission.verdict == "rate_limited":
            return self._too_many_requests(admission.retry_after or 1)
        if admission.verdict == "no_credits":
            return _error(402, _STATUS_MESSAGES[402], headers)
        fault = self._world.pick_fault(config.faults, request.method, request.path)
        if fault is None:
            outcome = _from_reply(dispatch(ROUTES, config, self._world, request, accounts), headers)
        else:
            outcome = self._inject(fault, request, accounts, headers)
            outcome.fault = fault.kind
        if outcome.status is not None and outcome.status != 429:  # a 429 fault was taken back
            # Admission charged one credit; an answer is charged by its size (an upload's
            # answer is a few bytes, so its charge stays the file's price).
            self._world.charge(request.key, response_credits(len(outcome.body)) - STANDARD_CREDITS)
        return outcome

    def _inject(
        self,
        fault: Fault,
        request: Request,
        accounts: tuple[Account, ...],
        headers: list[tuple[str, str]],
    ) -> Outcome:
        """Misbehave as the fault says, having run the request first if the fault processes it."""
        processed = fault.processed or fault.kind in ("slow", "missing_id")
        reply = dispatch(ROUTES, self.config, self._world, request, accounts) if processed else None
        if fault.kind == "status":
            status = fault.status or 500
            if status == 429:
                assert request.key is not None  # only authenticated requests meet faults
                self._world.refund(request.key)
                return self._too_many_requests(fault.retry_after)
            message = fault.message or _STATUS_MESSAGES.get(status) or reason_phrase(status)
            return _error(status, message, headers)
        if fault.kind == "drop":
            return Outcome(None)
        if fault.kind == "malformed":
            return Outcome(200, _MALFORMED_BODY, headers)
        if fault.kind == "inner_failure":
            error = fault.message or "Upstream Fansly request failed"
            inner = {"status_code": fault.status or 502, "data": {"success": False, "error": error}}
            return Outcome(200, envelope(200, "Success", inner), headers)
        assert reply is not None  # "slow" and "missing_id" always process the request
        outcome = _from_reply(_strip_ids(reply) if fault.kind == "missing_id" else reply, headers)
        outcome.delay = fault.delay
        return outcome

    def _rate_headers(self, remaining: int | None) -> list[tuple[str, str]]:
        """The rate-limit headers of a response (an unlimited plan only names itself)."""
        config = self.config
        if config.rpm is None:
            return [("X-RateLimit-Plan", config.plan)]
        return [
            ("X-RateLimit-Limit", str(config.rpm)),
            ("X-RateLimit-Remaining", str(remaining if remaining is not None else 0)),
            ("X-RateLimit-Plan", config.plan),
        ]

    def _too_many_requests(self, retry_after: int) -> Outcome:
        headers = [*self._rate_headers(0), ("X-RateLimit-Retry-After", str(retry_after))]
        if self.config.send_retry_after:
            headers.append(("Retry-After", str(retry_after)))
        return _error(429, f"Rate limit exceeded. Try again in {retry_after} seconds.", headers)
