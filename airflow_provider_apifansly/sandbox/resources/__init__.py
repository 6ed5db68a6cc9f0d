"""The API's resource groups, one module each, as the apifansly docs group them.

Each module ends with ``RESOURCE = Resource(...)``: its routes, its switches and what it adds to
``FanslySandbox`` (seeders, queries, snapshots). Every module of this package is found by
``discover()``, so adding an endpoint adds or edits one file here and no other sandbox file.
A resource module imports ``config``, ``state`` and ``server`` for type hints only, since they are
built from what ``discover()`` finds; its methods and properties take a ``Sandbox``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any, Protocol

from airflow_provider_apifansly.sandbox.keys import Account
from airflow_provider_apifansly.sandbox.world import StoreT

if TYPE_CHECKING:
    from airflow_provider_apifansly.sandbox.routing import Route


class Sandbox(Protocol):
    """What a resource's methods and properties see of ``FanslySandbox``: the first parameter of each."""

    def account(self, account_id: str | None = None) -> Account:
        """The config's account of that id (default: the first key's first account); else ``ValueError``."""
        ...

    def store(self, kind: type[StoreT]) -> StoreT:
        """The world's store of that class: a resource's state."""
        ...


@dataclass(frozen=True)
class Resource:
    """What one resource module serves and adds to the sandbox, declared as its module's ``RESOURCE``.

    :param routes: its endpoints; within a module the first matching route wins (``posts/walls``
        before ``posts/{post_id}``); routes of different modules must never match the same request.
    :param switches: a dataclass of fields made with ``switches.switch()``; ``SandboxConfig`` has
        each as a field, with its ``FANSLY_SANDBOX_<NAME>`` variable and ``--<name>`` flag.
    :param methods: functions ``(sandbox, ...)`` that become ``FanslySandbox`` methods of their name:
        seeders (``seed_chats``) and queries (``walls``).
    :param properties: functions ``(sandbox)`` that become read-only ``FanslySandbox`` properties
        of their name: snapshots (``groups``).
    """

    routes: tuple[Route, ...]
    switches: type | None = None
    methods: tuple[Callable[..., Any], ...] = ()
    properties: tuple[Callable[[Any], Any], ...] = ()

    def __post_init__(self) -> None:
        if self.switches is not None and not (is_dataclass(self.switches) and fields(self.switches)):
            raise TypeError(f"switches must be a dataclass of switch() fields; got {self.switches!r}")


@functools.cache
def discover() -> dict[str, Resource]:
    """Every module of this package's ``RESOURCE``, by module name in name order (imported once)."""
    found: dict[str, Resource] = {}
    for module in pkgutil.iter_modules(__path__):
        resource = getattr(importlib.import_module(f"{__name__}.{module.name}"), "RESOURCE", None)
        if not isinstance(resource, Resource):
            raise TypeError(f"sandbox resource module {module.name} declares no RESOURCE = Resource(...)")
        found[module.name] = resource
    return found
