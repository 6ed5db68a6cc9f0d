"""Accounts: ``GET accounts`` (the key's connected accounts, not nested) and ``GET {account_id}/me``.

They read the config only, so this group has no store.
"""

from __future__ import annotations

from airflow_provider_apifansly.sandbox.envelope import Reply, nested, ok
from airflow_provider_apifansly.sandbox.resources import Resource
from airflow_provider_apifansly.sandbox.routing import Call, Route


def list_accounts(call: Call) -> Reply:
    """List Accounts: every account of the key, as ``{success, count, accounts}`` without nesting."""
    rows = [
        {
            "accountId": account.account_id,
            "name": account.name,
            "email": account.email,
            "country": account.country,
            "createdAt": account.created_at,
        }
        for account in call.accounts
    ]
    return ok({"success": True, "count": len(rows), "accounts": rows})


def current_account(call: Call) -> Reply:
    """Get Current Account: the creator's native profile, its id at ``response.account.id``.

    With the fields a live client reads (``id``, ``username``, ``displayName``, ``avatar``; contract
    section 9).
    """
    account = call.account()
    profile = {
        "id": account.creator_id,
        "username": account.username,
        "displayName": account.display_name,
        "avatar": {"locations": []},
    }
    return ok(nested({"account": profile}))


RESOURCE = Resource(
    routes=(
        Route("GET", "accounts", list_accounts),
        Route("GET", "{account_id}/me", current_account),
    )
)
