"""API keys and the accounts connected to them, which the sandbox's config holds and every resource reads."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_API_KEY = "sandbox-api-key"
DEFAULT_ACCOUNT_ID = "fansly_sandbox"
DEFAULT_CREATOR_ID = "700000000000000001"


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
