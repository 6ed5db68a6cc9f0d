"""Chats that exist before a test starts: ``FanslySandbox.seed_chats``, listed or not."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    Account,
    Counters,
    FanslySandbox,
)
from tests.sandbox.client import Api, response_of

FANS = ["723516315247060001", "723516315247060002"]


def listed_fans(api: Api, **params: Any) -> list[str]:
    return [row["partnerAccountId"] for row in response_of(api.chats(**params))["data"]]


def test_seeding_returns_each_fans_group_id_and_sends_no_request(fansly_sandbox: FanslySandbox) -> None:
    seeded = fansly_sandbox.seed_chats(FANS)

    assert list(seeded) == FANS
    assert [record.group_id for record in fansly_sandbox.groups] == list(seeded.values())
    assert all(record.seeded and record.listed for record in fansly_sandbox.groups)
    assert [record.account_id for record in fansly_sandbox.groups] == [DEFAULT_ACCOUNT_ID] * 2
    assert fansly_sandbox.journal == []
    assert fansly_sandbox.counters == Counters()


def test_seeded_chats_are_listed_newest_first(fansly_sandbox: FanslySandbox) -> None:
    seeded = fansly_sandbox.seed_chats(FANS)

    rows = response_of(Api(fansly_sandbox).chats())["data"]

    assert [(row["partnerAccountId"], row["groupId"]) for row in rows] == list(reversed(seeded.items()))
    assert {row["account_id"] for row in rows} == {DEFAULT_CREATOR_ID}


def test_create_group_finds_a_seeded_chat_with_200_and_makes_no_group(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.create_status = 201
    seeded = fansly_sandbox.seed_chats(FANS[:1])

    response = Api(fansly_sandbox).create_group(FANS[0])

    assert response_of(response, 200)["id"] == seeded[FANS[0]]
    assert len(fansly_sandbox.groups) == 1
    assert fansly_sandbox.counters.groups_created == 0


def test_an_unlisted_chat_is_found_by_group_but_not_listed(fansly_sandbox: FanslySandbox) -> None:
    seeded = fansly_sandbox.seed_chats(FANS[:1], listed=False)
    api = Api(fansly_sandbox)

    assert listed_fans(api) == []
    assert response_of(api.create_group(FANS[0]))["id"] == seeded[FANS[0]]
    assert fansly_sandbox.groups[0].listed is False
    assert listed_fans(api) == []


def test_relation_and_vip_decide_which_filter_lists_a_chat(fansly_sandbox: FanslySandbox) -> None:
    subscriber, follower, vip = "723516315247060001", "723516315247060002", "723516315247060003"
    fansly_sandbox.seed_chats([subscriber])
    fansly_sandbox.seed_chats([follower], relation="followers")
    fansly_sandbox.seed_chats([vip], vip=True)
    api = Api(fansly_sandbox)

    assert listed_fans(api, filter="all") == [vip, follower, subscriber]
    assert listed_fans(api, filter="subscribers") == [vip, subscriber]
    assert listed_fans(api, filter="followers") == [follower]
    assert listed_fans(api, filter="vips") == [vip]


def test_subscription_tier_id_lists_the_fans_of_that_tier(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.seed_chats(FANS[:1], subscription_tier_id="790000000000000001")
    fansly_sandbox.seed_chats(FANS[1:])
    api = Api(fansly_sandbox)

    rows = response_of(api.chats(subscriptionTierId="790000000000000001"))["data"]

    assert [(row["partnerAccountId"], row["subscriptionTierId"]) for row in rows] == [
        (FANS[0], "790000000000000001")
    ]


def test_a_fan_who_already_has_a_chat_keeps_it(fansly_sandbox: FanslySandbox) -> None:
    created = Api(fansly_sandbox).group_id(FANS[0])

    seeded = fansly_sandbox.seed_chats(FANS)

    assert seeded[FANS[0]] == created
    assert [record.seeded for record in fansly_sandbox.groups] == [False, True]


def test_seeding_another_account_of_the_config(fansly_sandbox: FanslySandbox) -> None:
    second = Account("fansly_second", "700000000000000002")
    fansly_sandbox.config.keys[DEFAULT_API_KEY] += (second,)

    seeded = fansly_sandbox.seed_chats(FANS[:1], account_id="fansly_second")

    [record] = fansly_sandbox.groups
    assert (record.account_id, record.group["createdBy"]) == ("fansly_second", second.creator_id)
    assert listed_fans(Api(fansly_sandbox, "fansly_second")) == FANS[:1]
    assert listed_fans(Api(fansly_sandbox)) == []
    assert seeded == {FANS[0]: record.group_id}


def test_seeding_an_account_no_key_has_raises(fansly_sandbox: FanslySandbox) -> None:
    with pytest.raises(ValueError, match="fansly_nobody"):
        fansly_sandbox.seed_chats(FANS, account_id="fansly_nobody")


@pytest.mark.parametrize("fan_id", ["fansly_fan", "", "1" * 21, "72351631524706304x", 723516315247063042])
def test_a_fan_id_that_is_not_a_native_id_raises_and_seeds_nothing(
    fansly_sandbox: FanslySandbox, fan_id: Any
) -> None:
    with pytest.raises(ValueError, match="1 to 20 digits"):
        fansly_sandbox.seed_chats([FANS[0], fan_id])

    assert fansly_sandbox.groups == []


def test_the_creators_own_id_is_not_a_fan(fansly_sandbox: FanslySandbox) -> None:
    with pytest.raises(ValueError, match="creator's own id"):
        fansly_sandbox.seed_chats([DEFAULT_CREATOR_ID])


def test_an_unknown_relation_raises(fansly_sandbox: FanslySandbox) -> None:
    with pytest.raises(ValueError, match="relation must be one of subscribers, followers"):
        fansly_sandbox.seed_chats(FANS, relation="friends")  # type: ignore[arg-type]


def test_a_sandbox_can_be_seeded_before_it_starts() -> None:
    sandbox = FanslySandbox()
    seeded = sandbox.seed_chats(FANS[:1])

    with sandbox:
        assert response_of(Api(sandbox).chats())["data"][0]["groupId"] == seeded[FANS[0]]


def test_reset_forgets_seeded_chats(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.seed_chats(FANS)

    fansly_sandbox.reset()

    assert fansly_sandbox.groups == []
    assert listed_fans(Api(fansly_sandbox)) == []
