"""What a sandbox serves and how it misbehaves: accounts, plan limits, latency and faults.

Every field can be set from Python, from ``FANSLY_SANDBOX_*`` environment
variables (``SandboxConfig.from_env``) and from the CLI. A running sandbox reads
its config on every request, so a test may change fields between requests.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, cast, get_args

DEFAULT_API_KEY = "sandbox-api-key"
DEFAULT_ACCOUNT_ID = "fansly_sandbox"
DEFAULT_CREATOR_ID = "700000000000000001"

FaultKind = Literal["status", "drop", "slow", "malformed", "inner_failure", "missing_id"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
# How List Chats says "last page": the live API sends null, or omits nextCursor, or sends "".
LastPageCursor = Literal["null", "absent", "empty"]
LAST_PAGE_CURSORS: tuple[str, ...] = get_args(LastPageCursor)
# The order of one page of Chat Messages, which the API does not document.
MessagesOrder = Literal["newest", "oldest"]
MESSAGES_ORDERS: tuple[str, ...] = get_args(MessagesOrder)
# The order of Subscribers, which the API does not document (Fansly's dashboard shows the newest first);
# "active_first" lists active subscriptions newest first, then expired ones newest first.
SubscribersOrder = Literal["newest", "oldest", "active_first"]
SUBSCRIBERS_ORDERS: tuple[str, ...] = get_args(SubscribersOrder)
# How Subscribers takes ``status``: the docs give Fansly's codes (3, 4, "3,4"), later pages words.
SubscriberStatusForm = Literal["codes", "words"]
SUBSCRIBER_STATUS_FORMS: tuple[str, ...] = get_args(SubscriberStatusForm)
# The code an expired subscription's row carries: 4 in the docs (unverified), 5 as a native client reads.
EXPIRED_STATUS_CODES = (4, 5)
# Whether Earnings Transactions' after/before include a row stamped exactly on them (not documented).
TransactionsBounds = Literal["inclusive", "exclusive"]
TRANSACTIONS_BOUNDS: tuple[str, ...] = get_args(TransactionsBounds)
# List Automated Messages' undocumented shape: ``response`` is the list, or ``{"automatedMessages": [...]}``.
AutomatedMessagesShape = Literal["list", "keyed"]
AUTOMATED_MESSAGES_SHAPES: tuple[str, ...] = get_args(AutomatedMessagesShape)
# The undocumented field that holds an automated message's id.
AutomatedMessageIdField = Literal["id", "automatedMessageId"]
AUTOMATED_MESSAGE_ID_FIELDS: tuple[str, ...] = get_args(AutomatedMessageIdField)
# How Create Post takes media: ``mediaIds`` (the current docs) or the older ``attachments`` objects.
PostMediaField = Literal["mediaIds", "attachments"]
POST_MEDIA_FIELDS: tuple[str, ...] = get_args(PostMediaField)

# Top supporters (not documented through apifansly): which row field holds the fan (Fansly's own call
# uses correlationAccountId, the creator being accountId), and whether ``response`` is the bare list
# (as Fansly answers) or an object holding it under ``data`` (the other lists' wrapper).
SupporterFanField = Literal["correlationAccountId", "accountId"]
SUPPORTER_FAN_FIELDS: tuple[str, ...] = get_args(SupporterFanField)
ListNesting = Literal["list", "data"]
LIST_NESTINGS: tuple[str, ...] = get_args(ListNesting)
# How the scheduled broadcasts list sends a row's messageTemplate: the audit says it "may be a JSON string".
ScheduledTemplate = Literal["object", "json"]
SCHEDULED_TEMPLATES: tuple[str, ...] = get_args(ScheduledTemplate)

_PLANS = {100: "Free", 600: "Starter", 1000: "Pro"}  # contract part 2, section 1
_ENV_PREFIX = "FANSLY_SANDBOX_"


@dataclass(frozen=True)
class Account:
    """One Fansly account connected to apifansly: its ``fansly_...`` id and its creator's native id.

    :param account_id: apifansly's connected account id, used in URL paths.
    :param creator_id: the creator's native Fansly user id, returned by ``/me``.
    :param name: the label given when the account was connected, which List Accounts returns.
    """

    account_id: str
    creator_id: str
    username: str = "sandbox_creator"
    display_name: str = "Sandbox Creator"
    email: str = "creator@sandbox.invalid"
    country: str = "US"
    created_at: str = "2025-01-01T00:00:00.000Z"
    name: str = "Sandbox Creator"


def connected_accounts(first: Account, count: int) -> tuple[Account, ...]:
    """``first`` and ``count - 1`` more accounts of one key (an agency's), each with its own creator.

    Account n (from 2) is ``{first id}_{n}`` with creator ``{first creator} + n - 1``, so ids
    stay predictable for tests and the CLI's printout.
    """
    if count < 1:
        raise ValueError(f"a key needs at least 1 connected account; got {count}")
    more = (
        Account(
            account_id=f"{first.account_id}_{n}",
            creator_id=str(int(first.creator_id) + n - 1),
            username=f"{first.username}_{n}",
            display_name=f"{first.display_name} {n}",
            email=f"creator{n}@sandbox.invalid",
            name=f"{first.name} {n}",
        )
        for n in range(2, count + 1)
    )
    return (first, *more)


def single_key(
    api_key: str = DEFAULT_API_KEY,
    account_id: str = DEFAULT_ACCOUNT_ID,
    creator_id: str = DEFAULT_CREATOR_ID,
) -> dict[str, tuple[Account, ...]]:
    """The usual ``SandboxConfig.keys``: one API key with one connected account."""
    return {api_key: (Account(account_id, creator_id),)}


@dataclass(frozen=True, eq=False)
class Fault:
    """A misbehaviour injected into matching requests (compared by identity, so each keeps its count).

    Faults act on authenticated requests that passed the rate limit and credit
    checks, so they count in the window and cost a credit, as upstream failures
    do (a ``status`` 429 fault is the exception: it is not counted).

    :param kind: ``status`` answers ``status`` with an error envelope; ``drop`` closes the
        socket without answering; ``slow`` runs the request at once, then holds its normal answer
        for ``delay`` seconds (a client timed out meanwhile finds the request already done);
        ``malformed`` answers 200 with a truncated, non-JSON body; ``inner_failure`` answers
        an outer 200 whose nested ``status_code`` is ``status`` (default 502) with
        ``success: false``; ``missing_id`` answers the normal success without its ``id``.
    :param status: the HTTP status of ``status`` (default 500) or the inner one of ``inner_failure``.
    :param retry_after: seconds announced by a ``status`` 429 (default 1).
    :param delay: seconds a ``slow`` fault waits before answering.
    :param first_n: act on the first N matching requests only (None: no limit).
    :param probability: chance of acting on a matching request, drawn from the seeded RNG.
    :param path_contains: only requests whose path contains this text, e.g. ``"/group"``.
    :param method: only requests of this HTTP method.
    :param processed: run the request before misbehaving, e.g. a 504 or a drop after the group
        was created ("timeout after send"). ``slow`` and ``missing_id`` always run it.
    :param message: the envelope message or inner error text instead of the default.
    """

    kind: FaultKind
    status: int | None = None
    retry_after: int = 1
    delay: float = 0.0
    first_n: int | None = None
    probability: float = 1.0
    path_contains: str | None = None
    method: str | None = None
    processed: bool = False
    message: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"Fault kind must be one of {', '.join(FAULT_KINDS)}; got {self.kind!r}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"Fault probability must be within [0, 1]; got {self.probability}")
        if self.first_n is not None and self.first_n < 0:
            raise ValueError(f"Fault first_n must be >= 0; got {self.first_n}")

    @classmethod
    def from_json(cls, text: str) -> Fault:
        """Build a fault from a JSON object of its fields, as the CLI's ``--fault`` takes it."""
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, fields: object) -> Fault:
        """Build a fault from a mapping of its fields; anything else raises ``ValueError``."""
        if not isinstance(fields, dict):
            raise ValueError(f"A fault must be a JSON object of Fault fields; got {fields!r}")
        try:
            return cls(**fields)
        except TypeError as error:
            raise ValueError(f"Not a Fault: {fields!r} ({error})") from None


@dataclass
class SandboxConfig:
    """How the sandbox behaves; a running sandbox reads it on every request.

    :param keys: API key -> the accounts connected to it. A key that is not here gets 401;
        an account of another key gets 403; an account of no key gets 404.
    :param rpm: requests allowed per key within ``window_seconds`` (None: unlimited, Enterprise).
    :param window_seconds: the length of the per-key sliding window.
    :param credits: credits each key may spend in total (``credits.py``'s rule) before every request
        is answered 402; a request is admitted while at least one credit is left (None: unlimited).
    :param latency: seconds added to every response.
    :param latency_jitter: up to this many more seconds, uniformly drawn from the seeded RNG.
    :param seed: seed of the RNGs behind jitter and fault probabilities.
    :param faults: misbehaviours tried in order; the first that acts on a request wins.
    :param create_status: HTTP status of a create that made a new group (200 or 201); a found
        group is always 200.
    :param find_or_create: a create for an existing pair returns that group (False: a new one).
    :param chats_page_size: rows per page of List Chats (undocumented; a sibling API uses 20).
    :param last_page_cursor: what List Chats (and every list paged by ``nextCursor``) sends as
        ``nextCursor`` on its last page: ``"null"``,
        ``"absent"`` (no key) or ``"empty"`` (``""``); the live API is seen doing each.
    :param messages_order: the order within a page of Chat Messages, ``"newest"`` or ``"oldest"``
        first; paging always goes from the newest messages to older ones.
    :param fans_page_size: the most rows a page of Subscribers or Followers holds, whatever
        ``limit`` asks (default 50; ``limit`` itself defaults to 20 and takes 1 to 100): the API
        may send fewer rows than asked, and only ``nextCursor`` says whether more exist.
    :param subscribers_order: the order of Subscribers: ``"newest"`` (``createdAt`` descending,
        as Fansly's dashboard) or ``"oldest"`` first; equal ``createdAt`` go by id the same way.
    :param subscriber_status: how Subscribers takes ``status``: ``"codes"`` (3 active, 4 expired,
        ``3,4`` both, as the docs say) or ``"words"`` (``active``, ``expired``, ``all`` only; codes get 400).
    :param expired_status_code: the ``status`` code an expired subscription's row carries: 4 (the
        docs') or 5 (a native client's); the query code 4 selects expired rows either way.
    :param transactions_bounds: whether Earnings Transactions' ``after`` and ``before`` include
        a row stamped exactly on them: ``"inclusive"`` (what the contract assumes) or ``"exclusive"``.
    :param scheduled_template: how the scheduled broadcasts list sends each row's
        ``messageTemplate``: ``"object"``, or ``"json"`` (the object as JSON text).
    :param media_polls: status polls of an upload's job answered ``waiting``, then ``active``,
        before it ends (0: it has ended by the first poll).
    :param media_seconds: the job ends this many seconds after its upload instead, whatever the polls.
    :param media_fail_reason: jobs uploaded while this is set end ``failed`` with this ``failedReason``.
    :param media_max_bytes: uploads with a larger body are answered 413 (None: no limit).
    :param automated_messages_shape: how List Automated Messages holds its rules (undocumented):
        ``"list"`` (``response`` is the list) or ``"keyed"`` (``response.automatedMessages``).
    :param automated_message_id_field: the field of a rule's id, in lists and create answers
        (undocumented): ``"id"`` or ``"automatedMessageId"``.
    :param post_media_field: how Create Post takes media: ``"mediaIds"`` (the current docs) or
        ``"attachments"`` (``[{"contentType": 1, "contentId", "pos"}]``, an older page); the other is a 400.
    :param post_create_status: HTTP status of a created post (201 as recorded, or 200).
    :param top_supporters_cap: the most rows one Top Supporters answer holds (the rest is cut).
    :param top_supporters_fan_field: the Top Supporters row field holding the fan's id
        (``"correlationAccountId"``, the other being the creator's, or ``"accountId"``).
    :param top_supporters_nesting: Top Supporters' ``response``: the bare ``"list"`` or an object
        with it under ``"data"``.
    :param earnings_monthly_nesting: the same for Monthly Earnings.
    :param profile_datapoint_limit: the most datapoints one Profile Stats answer holds
        (``datapointLimit``; a longer range is cut).
    :param send_retry_after: also send a plain ``Retry-After`` header on 429s.
    :param host: interface to listen on.
    :param port: port to listen on (0: a free one).
    :param journal_size: how many recent requests the journal keeps (read at start and reset).
    """

    keys: dict[str, tuple[Account, ...]] = field(default_factory=single_key)
    rpm: int | None = 600
    window_seconds: float = 60.0
    credits: int | None = None
    latency: float = 0.0
    latency_jitter: float = 0.0
    seed: int = 0
    faults: list[Fault] = field(default_factory=list)
    create_status: int = 200
    find_or_create: bool = True
    chats_page_size: int = 20
    last_page_cursor: LastPageCursor = "null"
    messages_order: MessagesOrder = "newest"
    fans_page_size: int = 50
    subscribers_order: SubscribersOrder = "newest"
    subscriber_status: SubscriberStatusForm = "codes"
    expired_status_code: int = 4
    transactions_bounds: TransactionsBounds = "inclusive"
    scheduled_template: ScheduledTemplate = "object"
    media_polls: int = 1
    media_seconds: float | None = None
    media_fail_reason: str | None = None
    media_max_bytes: int | None = None
    automated_messages_shape: AutomatedMessagesShape = "list"
    automated_message_id_field: AutomatedMessageIdField = "id"
    post_media_field: PostMediaField = "mediaIds"
    post_create_status: int = 201
    top_supporters_cap: int = 100
    top_supporters_fan_field: SupporterFanField = "correlationAccountId"
    top_supporters_nesting: ListNesting = "list"
    earnings_monthly_nesting: ListNesting = "list"
    profile_datapoint_limit: int = 100
    send_retry_after: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    journal_size: int = 10_000

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise ``ValueError`` naming a field whose value the sandbox cannot serve."""
        if self.chats_page_size < 1:
            raise ValueError(f"chats_page_size must be at least 1; got {self.chats_page_size}")
        if self.fans_page_size < 1:
            raise ValueError(f"fans_page_size must be at least 1; got {self.fans_page_size}")
        if self.media_polls < 0:
            raise ValueError(f"media_polls must be at least 0; got {self.media_polls}")
        if self.subscribers_order not in SUBSCRIBERS_ORDERS:
            raise ValueError(
                f"subscribers_order must be one of {', '.join(SUBSCRIBERS_ORDERS)}; got {self.subscribers_order!r}"
            )
        if self.subscriber_status not in SUBSCRIBER_STATUS_FORMS:
            raise ValueError(
                f"subscriber_status must be one of {', '.join(SUBSCRIBER_STATUS_FORMS)}; "
                f"got {self.subscriber_status!r}"
            )
        if self.expired_status_code not in EXPIRED_STATUS_CODES:
            raise ValueError(f"expired_status_code must be 4 or 5; got {self.expired_status_code!r}")
        if self.transactions_bounds not in TRANSACTIONS_BOUNDS:
            raise ValueError(
                f"transactions_bounds must be one of {', '.join(TRANSACTIONS_BOUNDS)}; "
                f"got {self.transactions_bounds!r}"
            )
        for name, choices in (
            ("top_supporters_fan_field", SUPPORTER_FAN_FIELDS),
            ("top_supporters_nesting", LIST_NESTINGS),
            ("earnings_monthly_nesting", LIST_NESTINGS),
        ):
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} must be one of {', '.join(choices)}; got {getattr(self, name)!r}")
        for name in ("top_supporters_cap", "profile_datapoint_limit"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1; got {getattr(self, name)}")
        if self.scheduled_template not in SCHEDULED_TEMPLATES:
            raise ValueError(
                f"scheduled_template must be one of {', '.join(SCHEDULED_TEMPLATES)}; got {self.scheduled_template!r}"
            )
        if self.last_page_cursor not in LAST_PAGE_CURSORS:
            raise ValueError(
                f"last_page_cursor must be one of {', '.join(LAST_PAGE_CURSORS)}; got {self.last_page_cursor!r}"
            )
        for name, choices in (
            ("automated_messages_shape", AUTOMATED_MESSAGES_SHAPES),
            ("automated_message_id_field", AUTOMATED_MESSAGE_ID_FIELDS),
            ("post_media_field", POST_MEDIA_FIELDS),
        ):
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} must be one of {', '.join(choices)}; got {getattr(self, name)!r}")
        if self.post_create_status not in (200, 201):
            raise ValueError(f"post_create_status must be 200 or 201; got {self.post_create_status}")
        if self.messages_order not in MESSAGES_ORDERS:
            raise ValueError(
                f"messages_order must be one of {', '.join(MESSAGES_ORDERS)}; got {self.messages_order!r}"
            )

    @property
    def plan(self) -> str:
        """The plan name sent in ``X-RateLimit-Plan``, derived from ``rpm``."""
        if self.rpm is None:
            return "Enterprise"
        return _PLANS.get(self.rpm, "Custom")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SandboxConfig:
        """Read ``FANSLY_SANDBOX_<FIELD>`` variables (plus API_KEY, ACCOUNT_ID, CREATOR_ID, FAULTS).

        Limits take a number or ``none``/``unlimited``; switches take 1/0, true/false, yes/no, on/off;
        ``FAULTS`` takes a JSON list of Fault objects.
        """
        env = _Env(os.environ if environ is None else environ)
        config = cls(
            keys=single_key(
                env.text("API_KEY", DEFAULT_API_KEY),
                env.text("ACCOUNT_ID", DEFAULT_ACCOUNT_ID),
                env.text("CREATOR_ID", DEFAULT_CREATOR_ID),
            )
        )
        config.rpm = env.limit("RPM", config.rpm)
        config.window_seconds = env.number("WINDOW_SECONDS", config.window_seconds)
        config.credits = env.limit("CREDITS", config.credits)
        config.latency = env.number("LATENCY", config.latency)
        config.latency_jitter = env.number("LATENCY_JITTER", config.latency_jitter)
        config.seed = int(env.text("SEED", str(config.seed)))
        config.create_status = int(env.text("CREATE_STATUS", str(config.create_status)))
        config.find_or_create = env.switch("FIND_OR_CREATE", config.find_or_create)
        config.chats_page_size = int(env.text("CHATS_PAGE_SIZE", str(config.chats_page_size)))
        config.last_page_cursor = cast(
            LastPageCursor, env.choice("LAST_PAGE_CURSOR", config.last_page_cursor, LAST_PAGE_CURSORS)
        )
        config.messages_order = cast(
            MessagesOrder, env.choice("MESSAGES_ORDER", config.messages_order, MESSAGES_ORDERS)
        )
        config.fans_page_size = int(env.text("FANS_PAGE_SIZE", str(config.fans_page_size)))
        config.subscribers_order = cast(
            SubscribersOrder, env.choice("SUBSCRIBERS_ORDER", config.subscribers_order, SUBSCRIBERS_ORDERS)
        )
        config.subscriber_status = cast(
            SubscriberStatusForm,
            env.choice("SUBSCRIBER_STATUS", config.subscriber_status, SUBSCRIBER_STATUS_FORMS),
        )
        config.expired_status_code = int(env.text("EXPIRED_STATUS_CODE", str(config.expired_status_code)))
        config.transactions_bounds = cast(
            TransactionsBounds,
            env.choice("TRANSACTIONS_BOUNDS", config.transactions_bounds, TRANSACTIONS_BOUNDS),
        )
        config.scheduled_template = cast(
            ScheduledTemplate,
            env.choice("SCHEDULED_TEMPLATE", config.scheduled_template, SCHEDULED_TEMPLATES),
        )
        config.media_polls = int(env.text("MEDIA_POLLS", str(config.media_polls)))
        media_seconds = env.text("MEDIA_SECONDS", "")
        config.media_seconds = float(media_seconds) if media_seconds else None
        config.media_fail_reason = env.text("MEDIA_FAIL_REASON", "") or None
        config.media_max_bytes = env.limit("MEDIA_MAX_BYTES", config.media_max_bytes)
        config.automated_messages_shape = cast(
            AutomatedMessagesShape,
            env.choice(
                "AUTOMATED_MESSAGES_SHAPE", config.automated_messages_shape, AUTOMATED_MESSAGES_SHAPES
            ),
        )
        config.automated_message_id_field = cast(
            AutomatedMessageIdField,
            env.choice(
                "AUTOMATED_MESSAGE_ID_FIELD", config.automated_message_id_field, AUTOMATED_MESSAGE_ID_FIELDS
            ),
        )
        config.post_media_field = cast(
            PostMediaField, env.choice("POST_MEDIA_FIELD", config.post_media_field, POST_MEDIA_FIELDS)
        )
        config.post_create_status = int(env.text("POST_CREATE_STATUS", str(config.post_create_status)))
        config.top_supporters_cap = int(env.text("TOP_SUPPORTERS_CAP", str(config.top_supporters_cap)))
        config.top_supporters_fan_field = cast(
            SupporterFanField,
            env.choice("TOP_SUPPORTERS_FAN_FIELD", config.top_supporters_fan_field, SUPPORTER_FAN_FIELDS),
        )
        config.top_supporters_nesting = cast(
            ListNesting, env.choice("TOP_SUPPORTERS_NESTING", config.top_supporters_nesting, LIST_NESTINGS)
        )
        config.earnings_monthly_nesting = cast(
            ListNesting,
            env.choice("EARNINGS_MONTHLY_NESTING", config.earnings_monthly_nesting, LIST_NESTINGS),
        )
        config.profile_datapoint_limit = int(
            env.text("PROFILE_DATAPOINT_LIMIT", str(config.profile_datapoint_limit))
        )
        config.send_retry_after = env.switch("SEND_RETRY_AFTER", config.send_retry_after)
        config.host = env.text("HOST", config.host)
        config.port = int(env.text("PORT", str(config.port)))
        config.journal_size = int(env.text("JOURNAL_SIZE", str(config.journal_size)))
        faults = json.loads(env.text("FAULTS", "[]"))
        if not isinstance(faults, list):
            raise ValueError(f"{_ENV_PREFIX}FAULTS must be a JSON list of Fault objects")
        config.faults = [Fault.from_dict(fields) for fields in faults]
        config.check()
        return config


class _Env:
    """Typed reads of ``FANSLY_SANDBOX_*`` variables; a bad value raises ``ValueError`` naming it."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str, default: str) -> str:
        return self._environ.get(_ENV_PREFIX + name, default)

    def number(self, name: str, default: float) -> float:
        return float(self.text(name, str(default)))

    def limit(self, name: str, default: int | None) -> int | None:
        raw = self._environ.get(_ENV_PREFIX + name)
        if raw is None:
            return default
        return parse_limit(raw)

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(name, default)
        if value not in choices:
            raise ValueError(f"{_ENV_PREFIX}{name} must be one of {', '.join(choices)}; got {value!r}")
        return value

    def switch(self, name: str, default: bool) -> bool:
        raw = self._environ.get(_ENV_PREFIX + name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in ("1", "true", "yes", "on"):
            return True
        if value in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{_ENV_PREFIX}{name} must be true or false; got {raw!r}")


def parse_limit(raw: str) -> int | None:
    """A whole number, or None for ``none``, ``unlimited`` or an empty string."""
    value = raw.strip().lower()
    if value in ("", "none", "unlimited"):
        return None
    return int(value)
