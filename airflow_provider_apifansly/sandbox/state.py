"""What a test seeds into a sandbox before its requests and inspects after them (``FanslySandbox`` holds it).

Seeding sends no request: it is neither journaled nor counted. Inspection returns snapshots,
so a test holds still values while the server goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from airflow_provider_apifansly.sandbox.config import Account, Fault, SandboxConfig, connected_accounts
from airflow_provider_apifansly.sandbox.resources import (
    automated_messages,
    chat_messages,
    chats,
    earnings,
    fans,
    top_supporters,
)
from airflow_provider_apifansly.sandbox.resources.automated_messages import (
    AutomatedMessageRecord,
    AutomatedMessageStore,
)
from airflow_provider_apifansly.sandbox.resources.chat_messages import MessageRecord, MessageStore
from airflow_provider_apifansly.sandbox.resources.chats import ChatStore, GroupRecord, Relation
from airflow_provider_apifansly.sandbox.resources.fans import (
    DEFAULT_TIER_NAME,
    FanStore,
    FollowerRecord,
    SubscriptionRecord,
    SubscriptionStatus,
)
from airflow_provider_apifansly.sandbox.resources.mass_messaging import MassMessageRecord, MassMessageStore
from airflow_provider_apifansly.sandbox.resources.media import MediaJobRecord, MediaStore
from airflow_provider_apifansly.sandbox.resources.posts import PostRecord, PostStore
from airflow_provider_apifansly.sandbox.world import Counters, JournalEntry, World


class SandboxState:
    """The seeding and inspection methods of ``FanslySandbox``, over its ``config`` and world."""

    config: SandboxConfig
    _world: World

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

    @property
    def groups(self) -> list[GroupRecord]:
        """A snapshot of every group, created through the API or seeded, oldest first."""
        return self._world.store(ChatStore).groups()

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

    def seed_chats(
        self,
        fan_ids: Iterable[str],
        *,
        account_id: str | None = None,
        listed: bool = True,
        relation: Relation = "subscribers",
        vip: bool = False,
        subscription_tier_id: str | None = None,
    ) -> dict[str, str]:
        """Give the account chats that exist before the test starts; return fan id -> group id.

        They behave as existing chats: ``POST /group`` for the pair finds them (200, no new
        group) and List Chats returns them, unless ``listed`` is False (Fansly's automated
        messages open chats that the inbox list never shows). Seeding sends no request: it is
        neither journaled nor counted. A fan who already has a chat keeps it.

        :param fan_ids: the fans' native ids (strings of 1 to 20 digits).
        :param account_id: the connected account (default: the first key's first account).
        :param relation: ``"subscribers"`` or ``"followers"``, which List Chats' ``filter`` selects.
        :param vip: List Chats' ``filter=vips`` selects these chats.
        :param subscription_tier_id: the rows' ``subscriptionTierId``, which its filter of that name matches.
        """
        return chats.seed_chats(
            self._world,
            self._account(account_id),
            fan_ids,
            listed=listed,
            relation=relation,
            vip=vip,
            subscription_tier_id=subscription_tier_id,
        )

    def seed_message(
        self, chat_id: str, content: str, *, sender_id: str | None = None, created_at: int | None = None
    ) -> dict[str, Any]:
        """Add a message to a chat as if it had been sent there, and return it as Chat Messages shows it.

        Use it for what the fan wrote (``sender_id`` the fan's id), or what the creator sent by
        hand. A fan's message is unread (``unreadCount``) until the creator's next one. Seeding
        sends no request: it is neither journaled nor counted in ``messages_sent``.

        :param chat_id: the chat (group) id, created through the API or seeded.
        :param sender_id: one of the chat's two users (default: the creator).
        :param created_at: epoch seconds (default: now); messages sort on it, then on their id.
        """
        return chat_messages.seed_message(
            self._world, chat_id, content, sender_id=sender_id, created_at=created_at
        )

    def seed_subscribers(
        self,
        fan_ids: Iterable[str],
        *,
        created_at: int | Sequence[int],
        status: SubscriptionStatus = "active",
        tier_id: str | None = None,
        tier_name: str = DEFAULT_TIER_NAME,
        account_id: str | None = None,
        auto_renew: bool | None = None,
        ends_at: int | Sequence[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Give the account subscriptions that exist before the test starts; return the rows as Subscribers shows them.

        A fan may hold several (e.g. an expired one and a new active one). Seeding sends no
        request: it is neither journaled nor counted.

        :param fan_ids: the fans' native ids (strings of 1 to 20 digits).
        :param created_at: epoch milliseconds: one int for every fan, or a list of one per fan.
            Subscribers sorts on it (``config.subscribers_order``).
        :param status: ``"active"`` (status 3) or ``"expired"`` (status 4, or ``config.expired_status_code``).
        :param tier_id: the subscription tier's id (default: the sandbox's one tier,
            ``710000000000000001``); ``subscriptionTierIds`` filters on it.
        :param account_id: the connected account (default: the first key's first account).
        :param auto_renew: ``autoRenew`` 1 or 0 (default: on while active, off once expired).
        :param ends_at: epoch ms when the period ends (``endsAt``, ``renewDate``): one int, or one per
            fan (default: 30 days after ``created_at``). Seed it relative to now for lapsing segments.
        """
        return fans.seed_subscribers(
            self._world,
            self._account(account_id),
            fan_ids,
            created_at=created_at,
            status=status,
            tier_id=tier_id,
            tier_name=tier_name,
            auto_renew=auto_renew,
            ends_at=ends_at,
        )

    def seed_followers(
        self, fan_ids: Iterable[str], *, account_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Make fans follow the account before the test starts; return the rows as Followers shows them.

        A fan who already follows keeps their row. Seeding sends no request: it is neither
        journaled nor counted.

        :param fan_ids: the fans' native ids (strings of 1 to 20 digits).
        :param account_id: the connected account (default: the first key's first account).
        """
        return fans.seed_followers(self._world, self._account(account_id), fan_ids)

    def seed_transactions(
        self,
        created_at: Iterable[int],
        *,
        amount: int | Iterable[int] = 10_000,
        type: int = earnings.PPV_PURCHASE,  # the API's field name
        account_id: str | None = None,
    ) -> list[str]:
        """Give the account earnings transactions; return their ``transactionId`` in the order given.

        Stored as flat arrays, so a million (e.g. ``created_at=range(...)``) seed in about a
        second. Seeding sends no request: it is neither journaled nor counted.

        :param created_at: epoch milliseconds, one per transaction; Transactions pages newest first.
        :param amount: base units (1/1000 dollar): one int for all, or one per transaction.
            ``destinationTax`` is 20% of it and ``newBalance`` the running net total.
        :param type: the transaction type (default 2110, a pay-per-view purchase).
        :param account_id: the connected account (default: the first key's first account).
        """
        return earnings.seed_transactions(self._world, self._account(account_id), created_at, amount, type)

    def seed_supporters(
        self,
        fan_ids: Iterable[str | None],
        *,
        spent_at: int | Sequence[int],
        gross: int | Sequence[int],
        account_id: str | None = None,
    ) -> None:
        """Record fans' spends, which Top Supporters adds up per fan over a window (net: gross less 20%).

        Seeding sends no request: it is neither journaled nor counted.

        :param fan_ids: the fans' native ids (a fan may appear several times); None records a spend
            whose row names no fan (``correlationAccountId`` null).
        :param spent_at: epoch milliseconds: one int for every spend, or one each.
        :param gross: thousandths of a dollar: one int for every spend, or one each.
        :param account_id: the connected account (default: the first key's first account).
        """
        top_supporters.seed_supporters(self._world, self._account(account_id), fan_ids, spent_at, gross)

    @property
    def subscriptions(self) -> list[SubscriptionRecord]:
        """A snapshot of every seeded subscription, in the order they were seeded."""
        return self._world.store(FanStore).subscriptions()

    @property
    def followers(self) -> list[FollowerRecord]:
        """A snapshot of every seeded follow, in the order they were seeded."""
        return self._world.store(FanStore).followers()

    @property
    def media_jobs(self) -> list[MediaJobRecord]:
        """A snapshot of every upload's processing job, in the order they were uploaded."""
        return self._world.store(MediaStore).jobs()

    def credits_spent(self, key: str | None = None) -> int:
        """Credits a key (default: the config's first) has spent, by ``credits.py``'s rule.

        An answer by its size (1 per started 80,000 bytes), an upload by the file's; a 429 costs
        nothing.
        """
        return self._world.credits_spent(key if key is not None else next(iter(self.config.keys)))

    def _account(self, account_id: str | None) -> Account:
        """The config's account of that id, or its first key's first account when None."""
        accounts = [account for owned in self.config.keys.values() for account in owned]
        if account_id is None:
            return accounts[0]
        for account in accounts:
            if account.account_id == account_id:
                return account
        raise ValueError(f"No key of the sandbox's config has the account {account_id!r}")

    @property
    def messages(self) -> list[MessageRecord]:
        """A snapshot of every message, sent through the API or seeded, in the order they came."""
        return self._world.store(MessageStore).records()

    @property
    def mass_messages(self) -> list[MassMessageRecord]:
        """A snapshot of every broadcast the API accepted (sent or scheduled), in the order they came."""
        return self._world.store(MassMessageStore).records()

    def seed_automated_messages(
        self, rules: Iterable[dict[str, Any]], *, account_id: str | None = None
    ) -> list[str]:
        """Give the account automated messages before the test starts; return their ids.

        Each rule is a Create Automated Message body (``{"triggerType", "content", ...}``), checked as
        the API checks one. Seeding sends no request: it is neither journaled nor counted.
        """
        return automated_messages.seed_automated_messages(
            self._world, self._account(account_id).account_id, rules
        )

    @property
    def automated_messages(self) -> list[AutomatedMessageRecord]:
        """A snapshot of every automated message, created or seeded (deleted ones marked), oldest first."""
        return self._world.store(AutomatedMessageStore).records()

    @property
    def posts(self) -> list[PostRecord]:
        """A snapshot of every post the API accepted (with its state), in the order they came."""
        return self._world.store(PostStore).records()

    def walls(self, account_id: str | None = None) -> list[dict[str, str]]:
        """The account's post walls (``id``, ``name``), as ``GET .../posts/walls`` lists them; no request."""
        return self._world.store(PostStore).walls(self._account(account_id).account_id)
