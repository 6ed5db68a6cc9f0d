"""The route table: (HTTP method, path pattern) -> handler, and the dispatch that walks it.

A pattern is the path under ``/api/fansly/`` with ``{name}`` segments, e.g.
``"{account_id}/chats/{chat_id}/messages"``; a match hands the handler those
segments as named path parameters. The first route that matches wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from airflow_provider_apifansly.sandbox.config import Account, SandboxConfig
from airflow_provider_apifansly.sandbox.envelope import ApiError, Reply, Request
from airflow_provider_apifansly.sandbox.world import World

PREFIX = "/api/fansly/"


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


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Route:
    """One endpoint: requests of ``method`` whose path under ``/api/fansly/`` fits ``pattern``."""

    method: str
    pattern: str
    handler: Handler

    @cached_property
    def _segments(self) -> list[str]:
        return self.pattern.split("/")

    def match(self, method: str, segments: list[str]) -> dict[str, str] | None:
        """The named path parameters when the request is this route's, else None."""
        if method != self.method or len(segments) != len(self._segments):
            return None
        found: dict[str, str] = {}
        for expected, actual in zip(self._segments, segments, strict=True):
            if expected.startswith("{") and expected.endswith("}"):
                found[expected[1:-1]] = actual
            elif expected != actual:
                return None
        return found


def dispatch(
    routes: Iterable[Route],
    config: SandboxConfig,
    world: World,
    request: Request,
    accounts: tuple[Account, ...],
) -> Reply:
    """Answer an authenticated request by its route; an unknown route and a refusal become error replies."""
    segments = request.path[len(PREFIX) :].strip("/").split("/") if request.path.startswith(PREFIX) else []
    try:
        for route in routes:
            path = route.match(request.method, segments)
            if path is not None:
                return route.handler(Call(config, world, request, accounts, path))
        raise ApiError(404, f"Route not found: {request.method} {request.path}")
    except ApiError as error:
        return Reply(error.status, error.message, None)
