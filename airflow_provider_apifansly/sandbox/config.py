"""What a sandbox serves and how it misbehaves: accounts, plan limits, latency and faults.

Every field can be set from Python, from ``FANSLY_SANDBOX_*`` environment
variables (``SandboxConfig.from_env``) and from the CLI. A running sandbox reads
its config on every request, so a test may change fields between requests.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args, get_type_hints

DEFAULT_API_KEY = "sandbox-api-key"
DEFAULT_ACCOUNT_ID = "fansly_sandbox"
DEFAULT_CREATOR_ID = "700000000000000001"

FaultKind = Literal["status", "drop", "slow", "malformed", "inner_failure", "missing_id"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

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
    :param first_n: act on the first N matching requests only (None: no limit), counted after ``skip_first``.
    :param skip_first: let the first N matching requests through untouched (e.g. fail a second task's
        send, not the first's).
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
    skip_first: int = 0
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
        if self.skip_first < 0:
            raise ValueError(f"Fault skip_first must be >= 0; got {self.skip_first}")

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


def choice(default: Any, help: str) -> Any:
    """Declare a ``SandboxConfig`` field that takes one of a few values, the ones its ``Literal`` type lists.

    Such a field plays one reading where the contract is silent or its sources disagree. Declared
    here once, with its meaning, it is checked, read from ``FANSLY_SANDBOX_<FIELD>`` and given a CLI
    flag ``--<field>`` through ``CHOICES``.
    """
    return field(default=default, metadata={"help": help})


@dataclass
class SandboxConfig:
    """How the sandbox behaves; a running sandbox reads it on every request.

    The fields declared with ``choice`` say their meaning where they stand (and in the CLI's ``--help``).

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
    :param find_or_create: a create for an existing pair returns that group (False: a new one).
    :param chats_page_size: rows per page of List Chats (undocumented; a sibling API uses 20).
    :param fans_page_size: the most rows a page of Subscribers or Followers holds, whatever
        ``limit`` asks (default 100; ``limit`` itself defaults to 20 and takes 1 to 100): a knob for
        short pages in tests. Subscribers are also cut at ``subscribers_page_cap``. The API may send
        fewer rows than asked, and only ``nextCursor`` says whether more exist.
    :param media_polls: status polls of an upload's job answered ``waiting``, then ``active``,
        before it ends (0: it has ended by the first poll).
    :param media_seconds: the job ends this many seconds after its upload instead, whatever the polls.
    :param media_fail_reason: jobs uploaded while this is set end ``failed`` with this ``failedReason``.
    :param media_max_bytes: uploads with a larger body are answered 413 (None: no limit).
    :param top_supporters_cap: the most rows one Top Supporters answer holds (the rest is cut).
    :param profile_datapoint_limit: the most datapoints one Profile Stats answer holds
        (``datapointLimit``; a longer range is cut).
    :param send_retry_after: also send a plain ``Retry-After`` header on 429s.
    :param automated_messages_listed_after: seconds a created automated message takes to show in List
        Automated Messages (0: at once), as a list that lags behind its writes would.
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
    create_status: Literal[200, 201] = choice(
        200, "status of a create that makes a new group; a found one is 200"
    )
    find_or_create: bool = True
    chats_page_size: int = 20
    last_page_cursor: Literal["null", "absent", "empty"] = choice(
        "null",
        "nextCursor on the last page of List Chats (and every list paged by nextCursor): null, absent "
        "(no key) or empty (''); the live API is seen doing each",
    )
    messages_order: Literal["newest", "oldest"] = choice(
        "newest",
        "the order within a page of Chat Messages (undocumented); paging always goes from the newest "
        "messages to older ones",
    )
    fans_page_size: int = 100
    subscribers_page_cap: Literal[50, 100] = choice(
        100,
        "the largest page of Subscribers the server serves; a bigger limit is cut to it and paging goes "
        "on by cursor. 100: native clients ask limit=100 (FanslySync) and another vendor's proxy of the "
        "same call takes 1 to 100; 50 plays a server that serves less than asked",
    )
    subscribers_order: Literal["newest", "oldest", "active_first"] = choice(
        "newest",
        "the order of Subscribers (undocumented): createdAt descending as Fansly's dashboard, ascending, "
        "or active subscriptions newest first, then expired ones newest first; equal createdAt go by id",
    )
    subscriber_status: Literal["codes", "words"] = choice(
        "codes",
        "how Subscribers takes status: Fansly's codes (3 active, 4 expired, '3,4' both, as the docs say) "
        "or words only (active, expired, all; codes get 400, as later pages say)",
    )
    expired_status_code: Literal[4, 5] = choice(
        4,
        "the status code an expired subscription's row carries: 4 (the docs', unverified) or 5 (a "
        "native client's); the query code 4 selects expired rows either way",
    )
    transactions_bounds: Literal["inclusive", "exclusive"] = choice(
        "inclusive",
        "whether Earnings Transactions' after and before include a row stamped exactly on them "
        "(undocumented; the contract assumes inclusive)",
    )
    scheduled_template: Literal["object", "json"] = choice(
        "object",
        "how the scheduled broadcasts list sends a row's messageTemplate: an object, or the object as "
        "JSON text (the audit says it 'may be a JSON string')",
    )
    media_polls: int = 1
    automated_messages_listed_after: float = 0.0
    media_seconds: float | None = None
    media_fail_reason: str | None = None
    media_max_bytes: int | None = None
    automated_messages_shape: Literal["list", "keyed"] = choice(
        "list",
        "how List Automated Messages holds its rules (undocumented): response is the list, or "
        "response.automatedMessages",
    )
    automated_message_id_field: Literal["id", "automatedMessageId"] = choice(
        "id", "the field of an automated message's id, in lists and create answers (undocumented)"
    )
    automated_messages_listing: Literal["echo", "native"] = choice(
        "native",
        "how List Automated Messages shows a rule: as the create body it was sent with (echo), or as "
        "Fansly's native list does (default, as the contract's live evidence says: the text, media and "
        "price in a messageTemplate, prices in thousandths, extra fields, delay and cooldown left out "
        "when 0)",
    )
    automated_message_template: Literal["object", "json"] = choice(
        "object",
        "how a native rule holds its messageTemplate: an object (default: 'a JSON object in every live "
        "value', the contract says), or the object as JSON text (the fallback a live client keeps)",
    )
    post_media_field: Literal["mediaIds", "attachments"] = choice(
        "mediaIds",
        "how Create Post takes media: mediaIds (the current docs) or attachments ([{contentType: 1, "
        "contentId, pos}], an older page); the other is a 400",
    )
    post_create_status: Literal[200, 201] = choice(201, "status of a created post (201 as recorded, or 200)")
    post_walls: Literal["optional", "required"] = choice(
        "required",
        "whether Create Post needs wallIds: required (default: the live client sends a wall on every post "
        "and a docs revision requires one; a post without is a 400) or optional (the re-verified docs: "
        "a post without walls goes to the account's first wall)",
    )
    attachment_content_id: Literal["account_media", "media"] = choice(
        "account_media",
        "the contentId a sent message's attachment carries: the account media id of its mediaId (the "
        "contract: the purchase reference), or the mediaId itself",
    )
    top_supporters_cap: int = 100
    top_supporters_fan_field: Literal["correlationAccountId", "accountId"] = choice(
        "correlationAccountId",
        "the Top Supporters row field holding the fan's id (undocumented through apifansly; Fansly's "
        "own call uses correlationAccountId, the creator being accountId)",
    )
    top_supporters_nesting: Literal["list", "data"] = choice(
        "list",
        "Top Supporters' response: the bare list (as Fansly answers), or an object with it under data "
        "(the other lists' wrapper)",
    )
    earnings_monthly_nesting: Literal["list", "data"] = choice("list", "the same for Monthly Earnings")
    earnings_monthly_window: Literal["whole", "clipped"] = choice(
        "clipped",
        "what Monthly Earnings does with after/before: clipped (the only recorded sample, contract "
        "section 4: every row carries the request's after and before, and months are summed within "
        "them) or whole (whole UTC months that overlap the window, each row carrying its month's "
        "bounds); without after/before both serve whole months",
    )
    stats_buckets: Literal["after_date", "utc_days"] = choice(
        "after_date",
        "where Profile Stats buckets start (undocumented): at afterDate and every period after it, or "
        "on UTC boundaries of the period (midnight UTC for days), the first one at or before afterDate. "
        "No source says which; the docs only call period 'the length of the data bucket', so the "
        "default keeps what the sandbox always served",
    )
    profile_datapoint_limit: int = 100
    send_retry_after: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    journal_size: int = 10_000

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise ``ValueError`` naming a field whose value the sandbox cannot serve."""
        for name in ("chats_page_size", "fans_page_size", "top_supporters_cap", "profile_datapoint_limit"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1; got {getattr(self, name)}")
        if self.media_polls < 0:
            raise ValueError(f"media_polls must be at least 0; got {self.media_polls}")
        for setting in CHOICES:
            value = getattr(self, setting.name)
            if value not in setting.values:
                raise ValueError(f"{setting.name} must be {setting.allowed}; got {value!r}")

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
        choices take one of their values; ``FAULTS`` takes a JSON list of Fault objects.
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
        config.find_or_create = env.switch("FIND_OR_CREATE", config.find_or_create)
        config.chats_page_size = int(env.text("CHATS_PAGE_SIZE", str(config.chats_page_size)))
        config.fans_page_size = int(env.text("FANS_PAGE_SIZE", str(config.fans_page_size)))
        config.media_polls = int(env.text("MEDIA_POLLS", str(config.media_polls)))
        media_seconds = env.text("MEDIA_SECONDS", "")
        config.media_seconds = float(media_seconds) if media_seconds else None
        config.media_fail_reason = env.text("MEDIA_FAIL_REASON", "") or None
        config.media_max_bytes = env.limit("MEDIA_MAX_BYTES", config.media_max_bytes)
        config.top_supporters_cap = int(env.text("TOP_SUPPORTERS_CAP", str(config.top_supporters_cap)))
        config.profile_datapoint_limit = int(
            env.text("PROFILE_DATAPOINT_LIMIT", str(config.profile_datapoint_limit))
        )
        for setting in CHOICES:
            setattr(config, setting.name, env.choice(setting, getattr(config, setting.name)))
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


@dataclass(frozen=True)
class Choice:
    """A ``SandboxConfig`` field declared with ``choice``: its values, its meaning, its variable and flag."""

    name: str
    values: tuple[Any, ...]
    help: str

    @property
    def variable(self) -> str:
        """Its environment variable, e.g. ``FANSLY_SANDBOX_MESSAGES_ORDER``."""
        return _ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        """Its CLI flag, e.g. ``--messages-order``."""
        return "--" + self.name.replace("_", "-")

    @property
    def allowed(self) -> str:
        """Its values as an error message lists them: ``one of newest, oldest`` or ``4 or 5``."""
        if all(isinstance(value, str) for value in self.values):
            return "one of " + ", ".join(self.values)
        return " or ".join(str(value) for value in self.values)


# Every choice of SandboxConfig, in field order, its values read from the field's Literal type.
_TYPES = get_type_hints(SandboxConfig)
CHOICES: tuple[Choice, ...] = tuple(
    Choice(setting.name, get_args(_TYPES[setting.name]), setting.metadata["help"])
    for setting in fields(SandboxConfig)
    if "help" in setting.metadata
)


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

    def choice(self, setting: Choice, default: Any) -> Any:
        """The choice's value its variable names (numbers are given as digits), or ``default``."""
        raw = self._environ.get(setting.variable)
        if raw is None:
            return default
        for value in setting.values:
            if raw == str(value):
                return value
        raise ValueError(f"{setting.variable} must be {setting.allowed}; got {raw!r}")

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
