"""Chats: find or create a 1-to-1 chat, and list the account's chats (docs: "Chats")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.hooks.endpoints.account import AccountEndpoints
from airflow_provider_apifansly.hooks.endpoints.base import label, require_id
from airflow_provider_apifansly.hooks.paging import cursor_pages, each_once
from airflow_provider_apifansly.ids import validate_native_id

CHAT_FILTERS = ("all", "vips", "followers", "subscribers")
CHAT_SORTS = ("newest", "oldest", "unread")


class ChatEndpoints(AccountEndpoints):
    """``POST /{account_id}/group`` and ``GET /{account_id}/chats``."""

    def create_group_chat(
        self, user_id: str | int, account_id: str | None = None, creator_id: str | int | None = None
    ) -> dict[str, Any]:
        """Find or create the 1-to-1 chat between the account's creator and a fan; return the group.

        Every argument is validated before any request is sent.
        """
        account_id = self.resolve_account_id(account_id)
        user_id = validate_native_id(user_id, field="user_id")
        if creator_id is not None and creator_id != "":
            creator_id = validate_native_id(creator_id, field="creator_id")
        else:
            creator_id = self.get_creator_id(account_id)
        if user_id == creator_id:
            raise FanslyValidationError(
                f"user_id {user_id!r} is the creator of account {account_id!r}; a chat needs a fan's id"
            )
        body = {
            "users": [
                {"userId": creator_id, "permissionFlags": 0},
                {"userId": user_id, "permissionFlags": 0},
            ],
            "type": 1,
        }
        path = f"/{account_id}/group"
        # Safe to retry even after a timeout once the request was sent: Fansly's create is
        # find-or-create on the pair of users, so a repeat returns the same group.
        group: dict[str, Any] = self._account_call("POST", path, json=body)
        require_id(group, label("POST", path), "group")
        return group

    def list_chats(
        self,
        account_id: str | None = None,
        *,
        filter: str | None = None,  # the API's parameter name
        sort: str | None = None,
        search: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every chat of the account (rows as the API sends them), each once, following ``nextCursor``.

        One request per page.

        :param filter: ``all``, ``vips``, ``followers`` or ``subscribers``.
        :param sort: ``newest``, ``oldest`` or ``unread``.
        :param search: text the API matches against the fans' names.
        """
        account_id = self.resolve_account_id(account_id)
        params: dict[str, Any] = {}
        for name, value, allowed in (("filter", filter, CHAT_FILTERS), ("sort", sort, CHAT_SORTS)):
            if value is not None:
                if value not in allowed:
                    raise FanslyValidationError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
                params[name] = value
        if search is not None:
            params["search"] = validate_search(search)
        path = f"/{account_id}/chats"
        pages = cursor_pages(self.transport, path, "data", params)
        rows = (row for page in pages for row in page.rows)  # checked now, paged as read
        return each_once(rows, lambda row: _group_id(row, label("GET", path)))

    def existing_chats(self, account_id: str | None = None) -> dict[str, str]:
        """Fan id -> chat id for every chat the list shows. A cache, not the truth: some chats are unlisted."""
        account_id = self.resolve_account_id(account_id)
        chats: dict[str, str] = {}
        for row in self.list_chats(account_id):
            try:
                fan = validate_native_id(row.get("partnerAccountId"), field="partnerAccountId")
                chats[fan] = validate_native_id(row.get("groupId"), field="groupId")
            except FanslyValidationError as exc:
                raise FanslyApiError(
                    f"{label('GET', f'/{account_id}/chats')} returned a row without usable ids: {exc}"
                ) from None
        return chats


def _group_id(row: dict[str, Any], request: str) -> str:
    """A chat row's ``groupId``: a chat that paging brings twice is told apart by it."""
    try:
        return validate_native_id(row.get("groupId"), field="groupId")
    except FanslyValidationError as exc:
        raise FanslyApiError(
            f"{request} returned a chat without a usable groupId: {exc}", request=request
        ) from None


def validate_search(search: object) -> str:
    """A ``search`` text the API matches against fans' names: a non-empty string."""
    if not isinstance(search, str) or not search.strip():
        raise FanslyValidationError(f"search must be a non-empty string, got {search!r}")
    return search
