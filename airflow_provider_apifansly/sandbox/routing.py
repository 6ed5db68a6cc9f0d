"""The route table: (HTTP method, path pattern) -> handler, and the dispatch that walks it.

A pattern is the path under ``/api/fansly/`` with ``{name}`` segments, e.g.
``"{account_id}/chats/{chat_id}/messages"``; a match hands the handler those
segments as named path parameters. The first route that matches wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

from airflow_provider_apifansly.sandbox.envelope import ApiError, Reply, Request
from airflow_provider_apifansly.sandbox.keys import Account

if TYPE_CHECKING:  # config is built from the resources, which import this module
    from airflow_provider_apifansly.sandbox.config import SandboxConfig
    from airflow_provider_apifansly.sandbox.world import World

PREFIX = "/api/fansly/"
_SwitchesT = TypeVar("_SwitchesT")


@dataclass(frozen=True)
class Call:
    """One authenticated request matched to its route: what a handler needs to answer it.

    :param accounts: the accounts connected to the request's key.
    :param path: the pattern's named segments, e.g. ``{"account_id": "fansly_..."}``.
    """

    config: SandboxConfig
    world: World
    request: Request
    accounts: tuple[Account, ...]
    path: dict[str, str]

    def account(self) -> Account:
        """The key's account named by ``{account_id}``; 403 when another key owns it, 404 when none does."""
        account_id = self.path["account_id"]
        for account in self.accounts:
            if account.account_id == account_id:
                return account
        if any(account.account_id == account_id for owned in self.config.keys.values() for account in owned):
            raise ApiError(403, f"API key cannot access account {account_id}")
        raise ApiError(404, "Account not found")

    def switches(self, kind: type[_SwitchesT]) -> _SwitchesT:
        """The config seen as one resource's switches dataclass, typed: ``SandboxConfig`` has every resource's."""
        return cast(_SwitchesT, self.config)


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Route:
    """One endpoint: requests of ``method`` whose path under ``/api/fansly/`` fits ``pattern``."""

    method: str
    pattern: str
    handler: Handler

    @cached_property
    def segments(self) -> tuple[str, ...]:
        """The pattern's segments, ``{name}`` ones included."""
        return tuple(self.pattern.split("/"))

    @cached_property
    def _literals(self) -> tuple[tuple[int, str], ...]:
        return tuple((index, text) for index, text in enumerate(self.segments) if not _is_name(text))

    @cached_property
    def _names(self) -> tuple[tuple[int, str], ...]:
        return tuple((index, text[1:-1]) for index, text in enumerate(self.segments) if _is_name(text))

    def overlaps(self, other: Route) -> bool:
        """Whether some request matches both routes (each segment equal, or a ``{name}`` in either)."""
        if (self.method, len(self.segments)) != (other.method, len(other.segments)):
            return False
        return all(
            mine == theirs or _is_name(mine) or _is_name(theirs)
            for mine, theirs in zip(self.segments, other.segments, strict=True)
        )

    def match(self, method: str, segments: list[str]) -> dict[str, str] | None:
        """The named path parameters when the request is this route's, else None."""
        if method != self.method or len(segments) != len(self.segments):
            return None
        for index, text in self._literals:
            if segments[index] != text:
                return None
        return {name: segments[index] for index, name in self._names}


def _is_name(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


class Router:
    """The routes by HTTP method and segment count, so a request is tried only against routes of its shape.

    :param groups: routes by the name of the group declaring them; a route may overlap a route of its
        own group declared before it (``posts/walls`` before ``posts/{post_id}``), never another group's.
    """

    def __init__(self, groups: dict[str, Iterable[Route]]) -> None:
        self._table: dict[tuple[str, int], list[Route]] = {}
        owners: dict[Route, str] = {}
        for group, routes in groups.items():
            for route in routes:
                for known, owner in owners.items():
                    if owner != group and route.overlaps(known):
                        raise ValueError(
                            f"route {route.method} {route.pattern} of {group} overlaps "
                            f"{known.method} {known.pattern} of {owner}"
                        )
                owners[route] = group
                self._table.setdefault((route.method, len(route.segments)), []).append(route)

    def dispatch(
        self, config: SandboxConfig, world: World, request: Request, accounts: tuple[Account, ...]
    ) -> Reply:
        """Answer an authenticated request by its route; an unknown route and a refusal become error replies."""
        path = request.path
        segments = path[len(PREFIX) :].strip("/").split("/") if path.startswith(PREFIX) else []
        try:
            for route in self._table.get((request.method, len(segments)), ()):
                found = route.match(request.method, segments)
                if found is not None:
                    return route.handler(Call(config, world, request, accounts, found))
            raise ApiError(404, f"Route not found: {request.method} {request.path}")
        except ApiError as error:
            return Reply(error.status, error.message, None)
