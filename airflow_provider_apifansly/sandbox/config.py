"""What a sandbox serves and how it misbehaves: accounts, plan limits, latency, faults and switches.

Every field can be set from Python, from ``FANSLY_SANDBOX_*`` environment
variables (``SandboxConfig.from_env``) and from the CLI. A running sandbox reads
its config on every request, so a test may change fields between requests.
``SandboxConfig`` holds the core fields below and every resource module's switches
(``resources.discover()``), each a field of the same name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, get_args

from airflow_provider_apifansly.sandbox.keys import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    Account,
    connected_accounts,
    single_key,
)
from airflow_provider_apifansly.sandbox.resources import discover
from airflow_provider_apifansly.sandbox.switches import (
    ENV_PREFIX,
    Switch,
    parse_bool,
    parse_limit,
    switch,
    switches_of,
)

__all__ = [  # the keys' names stay importable from here, where they were declared before keys.py
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_API_KEY",
    "DEFAULT_CREATOR_ID",
    "SWITCHES",
    "Account",
    "CoreConfig",
    "Fault",
    "SandboxConfig",
    "connected_accounts",
    "single_key",
]

FaultKind = Literal["status", "drop", "slow", "malformed", "inner_failure", "missing_id"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

_PLANS = {100: "Free", 600: "Starter", 1000: "Pro"}  # contract part 2, section 1


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


_ConfigT = TypeVar("_ConfigT", bound="CoreConfig")


@dataclass
class CoreConfig:
    """How the sandbox behaves beside its resources' switches; a running sandbox reads it on every request.

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
    :param send_retry_after: also send a plain ``Retry-After`` header on 429s (none at all when
        ``retry_after_on_429`` is ``absent``).
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
    last_page_cursor: Literal["null", "absent", "empty"] = switch(
        "null",
        "nextCursor on the last page of List Chats (and every list paged by nextCursor): null, absent "
        "(no key) or empty (''); the live API is seen doing each",
    )
    rate_limit_headers: Literal["sent", "absent"] = switch(
        "sent",
        "X-RateLimit-Limit, -Remaining and -Plan on every answer (sent, as documented: contract "
        '"Rate limits and credits") or on none (absent: a server that says nothing; a 429 keeps its '
        "retry header unless retry_after_on_429 is absent)",
    )
    retry_after_on_429: Literal["sent", "absent"] = switch(
        "sent",
        "a 429 carries X-RateLimit-Retry-After (and Retry-After with send_retry_after) (sent, as "
        'documented: contract "Rate limits and credits") or neither, nor a wait in its message (absent)',
    )
    rate_limit_remaining: Literal["key", "account"] = switch(
        "key",
        "what X-RateLimit-Remaining counts: the API key's requests in the window (key, documented: "
        'contract "Rate limits and credits") or only those to the request\'s account (account, an '
        "unknown to survive: a route without an account counts the key's); the limit stays per key",
    )
    send_retry_after: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    journal_size: int = 10_000

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise ``ValueError`` naming a switch whose value the sandbox cannot serve."""
        for setting in SWITCHES:
            setting.check(getattr(self, setting.name))

    @property
    def plan(self) -> str:
        """The plan name sent in ``X-RateLimit-Plan``, derived from ``rpm``."""
        if self.rpm is None:
            return "Enterprise"
        return _PLANS.get(self.rpm, "Custom")

    @classmethod
    def from_env(cls: type[_ConfigT], environ: Mapping[str, str] | None = None) -> _ConfigT:
        """Read ``FANSLY_SANDBOX_<FIELD>`` variables (plus API_KEY, ACCOUNT_ID, CREATOR_ID, FAULTS).

        Limits take a number or ``none``/``unlimited``; true/false switches take 1/0, true/false,
        yes/no, on/off; choices take one of their values; ``FAULTS`` takes a JSON list of Fault objects.
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
        for setting in SWITCHES:
            setattr(config, setting.name, env.switch(setting, getattr(config, setting.name)))
        config.send_retry_after = env.flag("SEND_RETRY_AFTER", config.send_retry_after)
        config.host = env.text("HOST", config.host)
        config.port = int(env.text("PORT", str(config.port)))
        config.journal_size = int(env.text("JOURNAL_SIZE", str(config.journal_size)))
        faults = json.loads(env.text("FAULTS", "[]"))
        if not isinstance(faults, list):
            raise ValueError(f"{ENV_PREFIX}FAULTS must be a JSON list of Fault objects")
        config.faults = [Fault.from_dict(fields) for fields in faults]
        config.check()
        return config


def _assemble() -> type[CoreConfig]:
    """``SandboxConfig``: a dataclass of the core fields and every resource's switches, documented."""
    resources = {name: resource.switches for name, resource in discover().items() if resource.switches}
    owners = {declared.name: "the core config" for declared in fields(CoreConfig)}
    for name, switches in resources.items():
        for declared in fields(switches):
            if declared.name in owners:
                raise TypeError(
                    f"switch {declared.name} of {name} is already a field of {owners[declared.name]}"
                )
            owners[declared.name] = name
        # A switches class comes before the core in the MRO, so its own methods would shadow the core's
        # (the dunders every class or dataclass has are made again for SandboxConfig).
        shadowing = sorted(
            name
            for name in set(vars(switches)) & set(vars(CoreConfig))
            if not name.startswith("__") or name == "__post_init__"
        )
        if shadowing:
            raise TypeError(f"the switches of {name} shadow the core config's {', '.join(shadowing)}")
    namespace = {"__module__": __name__, "__qualname__": "SandboxConfig"}
    # Fields gather from the last base to the first: the core's come first, then each resource's.
    bases = (*reversed(resources.values()), CoreConfig)
    return cast(type[CoreConfig], dataclass(type("SandboxConfig", bases, namespace)))


if TYPE_CHECKING:

    class SandboxConfig(CoreConfig):
        """What type checkers see of ``SandboxConfig``: the core fields, and every other name as ``Any``.

        A resource's switches are typed by its own dataclass, through ``Call.switches``.
        """

        def __init__(self, **fields: Any) -> None: ...

        def __getattr__(self, name: str) -> Any: ...

        def __setattr__(self, name: str, value: Any) -> None: ...

else:
    SandboxConfig = _assemble()

# Every switch, core first then each resource's in name order, from its declaration and type.
SWITCHES = switches_of(SandboxConfig)
SandboxConfig.__doc__ = "\n".join(
    [
        (CoreConfig.__doc__ or "").rstrip(),
        *(
            f"    :param {setting.name}: {setting.help} (default {setting.default!r})."
            for setting in SWITCHES
        ),
    ]
)


class _Env:
    """Typed reads of ``FANSLY_SANDBOX_*`` variables; a bad value raises ``ValueError`` naming it."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str, default: str) -> str:
        return self._environ.get(ENV_PREFIX + name, default)

    def number(self, name: str, default: float) -> float:
        return float(self.text(name, str(default)))

    def limit(self, name: str, default: int | None) -> int | None:
        raw = self._environ.get(ENV_PREFIX + name)
        if raw is None:
            return default
        return parse_limit(raw)

    def flag(self, name: str, default: bool) -> bool:
        raw = self._environ.get(ENV_PREFIX + name)
        return default if raw is None else parse_bool(ENV_PREFIX + name, raw)

    def switch(self, setting: Switch, default: Any) -> Any:
        """The switch's value its variable names, or ``default``."""
        raw = self._environ.get(setting.variable)
        if raw is None:
            return default
        try:
            return setting.parse(raw)
        except ValueError as error:
            raise ValueError(f"{setting.variable} {error}") from None
