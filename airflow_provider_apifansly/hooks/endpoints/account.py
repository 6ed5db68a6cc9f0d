"""Account: the API key's connected accounts and the creator behind one (docs: "Account")."""

from __future__ import annotations

import threading
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, label
from airflow_provider_apifansly.ids import validate_account_id, validate_native_id

ACCOUNTS_REQUEST = label("GET", "/accounts")


class AccountEndpoints(EndpointGroup):
    """``GET /accounts`` and ``GET /{account_id}/me``; the creator id is looked up once per account."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._creator_ids: dict[str, str] = {}
        self._creator_lock = threading.Lock()

    def list_accounts(self) -> list[dict[str, Any]]:
        """The connected accounts of the API key (``GET /accounts``)."""
        accounts: list[dict[str, Any]] = self.transport.request(
            "GET", "/accounts", read_accounts, idempotent=True
        )
        return accounts

    def get_creator_id(self, account_id: str | None = None, *, retry: bool = True) -> str:
        """The creator's native user id for a connected account (``GET /{account_id}/me``), cached.

        :param retry: False for a single request, when the caller's own retry loop repeats it.
        """
        account_id = self.resolve_account_id(account_id)
        with self._creator_lock:  # one lookup, not one per thread
            if account_id not in self._creator_ids:
                path = f"/{account_id}/me"
                response = self._account_call("GET", path, retry=retry)
                account = response.get("account")
                raw_id = account.get("id") if isinstance(account, dict) else response.get("id")
                try:
                    self._creator_ids[account_id] = validate_native_id(raw_id, field="creator id from /me")
                except FanslyValidationError as exc:
                    raise FanslyApiError(f"{label('GET', path)}: {exc}") from None
            return self._creator_ids[account_id]


def account_summary(row: Any, position: int) -> dict[str, Any]:
    """A ``GET /accounts`` row as ``{"account_id", "name"}``; its ``email`` (and the rest) left behind.

    ``name`` is the label given when the account was connected (None when the row has none).
    A row without a usable account id raises rather than being dropped.
    """
    if not isinstance(row, dict):
        raise FanslyApiError(
            f"{ACCOUNTS_REQUEST}: account {position} is not an object", request=ACCOUNTS_REQUEST
        )
    raw_id = row.get("accountId", row.get("account_id"))  # a public client reads both
    try:
        account_id = validate_account_id(raw_id, field=f"accountId of account {position}")
    except FanslyValidationError as exc:
        raise FanslyApiError(f"{ACCOUNTS_REQUEST}: {exc}", request=ACCOUNTS_REQUEST) from None
    name = row.get("name")
    return {"account_id": account_id, "name": name if isinstance(name, str) else None}


def read_accounts(data: Any, request: str, connection: str) -> list[dict[str, Any]]:
    """The rows of ``GET /accounts``, which is not nested: ``data.accounts``."""
    return envelope.rows_of(data, "accounts", request)
