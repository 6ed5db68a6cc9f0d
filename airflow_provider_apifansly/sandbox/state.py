"""What a test seeds into a sandbox before its requests and inspects after them (``FanslySandbox`` holds it).

The core is here: faults, reset, the journal, counters, accounts and credits. Each resource
module adds its own seeders, queries and snapshots (``Resource.methods`` and ``properties``),
which ``with_resources`` makes ``FanslySandbox`` members. Seeding sends no request: it is
neither journaled nor counted. Inspection returns snapshots, so a test holds still values
while the server goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_apifansly.sandbox.config import Fault, SandboxConfig
from airflow_provider_apifansly.sandbox.keys import Account, connected_accounts
from airflow_provider_apifansly.sandbox.resources import discover
from airflow_provider_apifansly.sandbox.world import Counters, JournalEntry, StoreT, World

_StateT = TypeVar("_StateT", bound="SandboxState")


class SandboxState:
    """The core seeding and inspection methods of ``FanslySandbox``, over its ``config`` and world.

    Each resource module adds its own (``with_resources``).
    """

    config: SandboxConfig
    _world: World

    if TYPE_CHECKING:  # the resources' members, added by ``with_resources``, are ``Any`` to type checkers

        def __getattr__(self, name: str) -> Any: ...

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

    def seed_accounts(self, count: int, *, api_key: str | None = None) -> list[str]:
        """Connect ``count`` accounts to a key, as an agency's key has; return their ids, its first account first.

        The key defaults to the config's first.

        Each has its own creator (``/me``) and its own chats, fans, subscribers and transactions
        (seed them with ``account_id=``); all share the key's rate limit and credits. The key's
        first account stays; others it had are replaced (see ``config.connected_accounts``).
        """
        key = api_key if api_key is not None else next(iter(self.config.keys))
        accounts = connected_accounts(self.config.keys[key][0], count)
        self.config.keys[key] = accounts
        return [account.account_id for account in accounts]

    def credits_spent(self, key: str | None = None) -> int:
        """Credits a key (default: the config's first) has spent, as the sandbox bills them (``billing.py``).

        An answer by its body's size (1 per started 80,000 bytes), an upload by the file's; a 429 costs
        nothing. Billed apart from the client's estimate (``credits.py``), so the two can be compared.
        """
        return self._world.credits_spent(key if key is not None else next(iter(self.config.keys)))

    def account(self, account_id: str | None = None) -> Account:
        """The config's account of that id, or its first key's first account when None; else ``ValueError``.

        Resource seeders take ``account_id=`` and find the account here.
        """
        accounts = [account for owned in self.config.keys.values() for account in owned]
        if account_id is None:
            return accounts[0]
        for account in accounts:
            if account.account_id == account_id:
                return account
        raise ValueError(f"No key of the sandbox's config has the account {account_id!r}")

    def store(self, kind: type[StoreT]) -> StoreT:
        """The world's store of that class (a resource's state), which resource seeders and snapshots use."""
        return self._world.store(kind)


def with_resources(cls: type[_StateT]) -> type[_StateT]:
    """Give the class every resource's methods and properties, each under its function's name.

    A name the class already has, or that two resources declare, is an error: nothing is overridden.
    """
    for name, resource in discover().items():
        members = [
            *((function.__name__, function) for function in resource.methods),
            *(
                (function.__name__, property(function, doc=function.__doc__))
                for function in resource.properties
            ),
        ]
        for member, value in members:
            if hasattr(cls, member):
                raise TypeError(f"resource {name} declares {member}, which {cls.__name__} already has")
            setattr(cls, member, value)
    return cls
