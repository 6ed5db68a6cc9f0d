"""Subscribers and Followers: their shapes, filters and ``nextCursor`` paging, and how tests seed them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, Account, FanslySandbox
from tests.sandbox.client import FAN_ID, Api, envelope, error_message, response_of

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z in epoch milliseconds
MINUTE = 60_000


def fan(n: int) -> str:
    return f"72351631524706{n:04d}"


def all_pages(call: Callable[..., requests.Response], key: str, **params: Any) -> list[list[dict[str, Any]]]:
    """The rows under ``response[key]`` of every page, following ``nextCursor`` to the last page."""
    pages = []
    while True:
        data = envelope(call(**params), 200)["data"]
        pages.append(data["data"]["response"][key])
        if not data.get("nextCursor"):
            return pages
        params = {**params, "cursor": data["nextCursor"]}


def test_a_subscription_row_and_stats_in_the_nested_envelope(api: Api, fansly_sandbox: FanslySandbox) -> None:
    [seeded] = fansly_sandbox.seed_subscribers([FAN_ID], created_at=T0)

    data = envelope(api.subscribers(status="3"), 200)["data"]

    assert data == {
        "status_code": 200,
        "data": {
            "success": True,
            "response": {
                "stats": {"totalActive": 1, "totalExpired": 0, "total": 1},
                "subscriptions": [seeded],
            },
        },
        "nextCursor": None,
    }
    assert seeded == {
        "id": seeded["id"],
        "historyId": seeded["historyId"],
        "subscriberId": FAN_ID,
        "subscriptionTierId": "710000000000000001",
        "subscriptionTierName": "Subscribers",
        "status": 3,
        "price": 999,
        "renewPrice": 999,
        "autoRenew": 1,
        "billingCycle": 30,
        "duration": 30,
        "renewDate": T0 + 30 * 86_400_000,
        "createdAt": T0,
        "updatedAt": T0,
        "endsAt": T0 + 30 * 86_400_000,
    }
    assert seeded["id"].isdigit()
    assert seeded["historyId"].isdigit()
    assert seeded["id"] != seeded["historyId"]


@pytest.mark.parametrize(
    ("params", "got"),
    [({}, "it is missing"), ({"status": "active"}, "got 'active'"), ({"status": "3,4,5"}, "got '3,4,5'")],
)
def test_status_is_required_as_a_documented_code(api: Api, params: dict[str, str], got: str) -> None:
    message = error_message(api.subscribers(**params), 400)

    assert (
        message
        == f"Invalid request parameters: status is required: 3 (active), 4 (expired) or 3,4 (all); {got}"
    )


@pytest.mark.parametrize("name", ["offset", "sort", "subscriptionTierId"])
def test_an_undocumented_subscribers_parameter_gets_400_naming_it(api: Api, name: str) -> None:
    message = error_message(api.subscribers(status="3", **{name: "1"}), 400)

    assert message.startswith(f"Invalid request parameters: unknown query parameter '{name}'")


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1", "1.5"])
def test_a_limit_outside_1_to_100_gets_400(api: Api, limit: str) -> None:
    for call in (lambda: api.subscribers(status="3", limit=limit), lambda: api.followers(limit=limit)):
        message = error_message(call(), 400)
        assert (
            message
            == f"Invalid request parameters: limit must be a whole number from 1 to 100; got {limit!r}"
        )


@pytest.mark.parametrize(("order", "reverse"), [("newest", True), ("oldest", False)])
def test_paging_by_next_cursor_covers_every_subscription_once_in_either_order(
    api: Api, fansly_sandbox: FanslySandbox, order: Any, reverse: bool
) -> None:
    fansly_sandbox.config.subscribers_order = order
    # Two pairs share a createdAt: ties go by id in the same direction.
    stamps = [T0, T0 + MINUTE, T0 + MINUTE, T0 + 2 * MINUTE, T0 - MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE]
    rows = fansly_sandbox.seed_subscribers([fan(n) for n in range(7)], created_at=stamps)
    expected = sorted(rows, key=lambda row: (row["createdAt"], int(row["id"])), reverse=reverse)

    pages = all_pages(api.subscribers, "subscriptions", status="3", limit="3")

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [row for page in pages for row in page] == expected


def test_default_order_is_newest_first(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.seed_subscribers([fan(1), fan(2)], created_at=[T0, T0 + MINUTE])

    rows = response_of(api.subscribers(status="3"))["subscriptions"]

    assert [row["subscriberId"] for row in rows] == [fan(2), fan(1)]


def test_a_page_is_short_when_fans_page_size_is_below_the_limit(
    api: Api, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.fans_page_size = 2
    fansly_sandbox.seed_subscribers([fan(n) for n in range(5)], created_at=T0)
    fansly_sandbox.seed_followers([fan(n) for n in range(5)])

    data = envelope(api.subscribers(status="3", limit="4"), 200)["data"]

    assert len(data["data"]["response"]["subscriptions"]) == 2
    assert data["nextCursor"]
    assert [len(page) for page in all_pages(api.subscribers, "subscriptions", status="3", limit="4")] == [
        2,
        2,
        1,
    ]
    assert [len(page) for page in all_pages(api.followers, "followers", limit="4")] == [2, 2, 1]


def test_limit_defaults_to_20_and_a_subscriber_page_holds_up_to_100(
    api: Api, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.seed_subscribers([fan(n) for n in range(160)], created_at=T0)

    assert fansly_sandbox.config.subscribers_page_cap == 100
    assert [len(page) for page in all_pages(api.subscribers, "subscriptions", status="3")] == [20] * 8
    assert [len(page) for page in all_pages(api.subscribers, "subscriptions", status="3", limit="100")] == [
        100,
        60,
    ]


def test_a_subscriber_page_cap_of_50_cuts_a_bigger_limit_and_paging_goes_on_by_cursor(
    api: Api, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.subscribers_page_cap = 50
    fansly_sandbox.seed_subscribers([fan(n) for n in range(120)], created_at=T0)
    fansly_sandbox.seed_followers([fan(n) for n in range(120)])

    pages = all_pages(api.subscribers, "subscriptions", status="3", limit="100")

    assert [len(page) for page in pages] == [50, 50, 20]
    assert len({row["id"] for page in pages for row in page}) == 120
    assert [len(page) for page in all_pages(api.followers, "followers", limit="100")] == [
        100,
        20,
    ]  # not capped


def test_a_limit_above_100_is_refused(api: Api) -> None:
    assert error_message(api.subscribers(status="3", limit="101"), 400).endswith(
        "limit must be a whole number from 1 to 100; got '101'"
    )


@pytest.mark.parametrize(
    ("setting", "present", "value"), [("null", True, None), ("empty", True, ""), ("absent", False, None)]
)
def test_the_last_page_marker_follows_last_page_cursor(
    api: Api, fansly_sandbox: FanslySandbox, setting: Any, present: bool, value: Any
) -> None:
    fansly_sandbox.config.last_page_cursor = setting
    fansly_sandbox.seed_subscribers([FAN_ID], created_at=T0)
    fansly_sandbox.seed_followers([FAN_ID])

    for data in (
        envelope(api.subscribers(status="3,4"), 200)["data"],
        envelope(api.followers(), 200)["data"],
    ):
        assert ("nextCursor" in data) is present
        assert data.get("nextCursor") == value


def test_status_selects_active_expired_or_all_and_stats_count_them_all(
    api: Api, fansly_sandbox: FanslySandbox
) -> None:
    # A fan may hold an expired subscription and a newer active one.
    [expired] = fansly_sandbox.seed_subscribers([fan(1)], created_at=T0, status="expired")
    active = fansly_sandbox.seed_subscribers([fan(1), fan(2)], created_at=T0 + MINUTE)

    def ids(status: str) -> list[str]:
        return [row["id"] for row in response_of(api.subscribers(status=status))["subscriptions"]]

    assert (expired["status"], expired["autoRenew"]) == (4, 0)
    assert ids("3") == sorted((row["id"] for row in active), reverse=True)
    assert ids("4") == [expired["id"]]
    assert ids("3,4") == [*ids("3"), expired["id"]]
    stats = response_of(api.subscribers(status="4"))["stats"]
    assert stats == {"totalActive": 2, "totalExpired": 1, "total": 3}


def test_a_words_only_sandbox_refuses_codes_and_takes_words(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.subscriber_status = "words"
    fansly_sandbox.seed_subscribers([fan(1)], created_at=T0, status="expired")
    fansly_sandbox.seed_subscribers([fan(2)], created_at=T0 + MINUTE)

    def fans_of(status: str) -> list[str]:
        return [row["subscriberId"] for row in response_of(api.subscribers(status=status))["subscriptions"]]

    assert error_message(api.subscribers(status="3"), 400) == (
        "Invalid request parameters: status is required: active, expired or all; got '3'"
    )
    assert (fans_of("active"), fans_of("expired"), fans_of("all")) == ([fan(2)], [fan(1)], [fan(2), fan(1)])


def test_expired_rows_carry_code_5_when_switched_and_4_still_selects_them(
    api: Api, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.expired_status_code = 5
    fansly_sandbox.seed_subscribers([fan(1)], created_at=T0, status="expired")

    for status in ("4", "5"):
        [row] = response_of(api.subscribers(status=status))["subscriptions"]
        assert row["status"] == 5


def test_active_first_lists_active_then_expired_each_newest_first(
    api: Api, fansly_sandbox: FanslySandbox
) -> None:
    fansly_sandbox.config.subscribers_order = "active_first"
    fansly_sandbox.seed_subscribers([fan(1), fan(2)], created_at=[T0, T0 + 2 * MINUTE], status="expired")
    fansly_sandbox.seed_subscribers([fan(3), fan(4)], created_at=[T0 + MINUTE, T0 + 3 * MINUTE])

    rows = response_of(api.subscribers(status="3,4"))["subscriptions"]

    assert [row["subscriberId"] for row in rows] == [fan(4), fan(3), fan(2), fan(1)]


def test_subscription_tier_ids_and_search_filter_the_rows(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.seed_subscribers([fan(1)], created_at=T0, tier_id="11", tier_name="Gold")
    fansly_sandbox.seed_subscribers([fan(2)], created_at=T0, tier_id="22", tier_name="Silver")
    fansly_sandbox.seed_subscribers([fan(3)], created_at=T0)

    def fans(**params: str) -> list[str]:
        return sorted(
            row["subscriberId"] for row in response_of(api.subscribers(status="3", **params))["subscriptions"]
        )

    assert fans(subscriptionTierIds="11") == [fan(1)]
    assert fans(subscriptionTierIds="11,22") == [fan(1), fan(2)]
    assert fans(subscriptionTierIds="") == [fan(1), fan(2), fan(3)]
    assert fans(search=f"FAN_{fan(2)}") == [fan(2)]
    assert fans(search="nobody") == []


@pytest.mark.parametrize("cursor", ["999", "not a cursor", "Y2hhdHM6MQ"])
def test_an_unknown_cursor_gets_400(api: Api, fansly_sandbox: FanslySandbox, cursor: str) -> None:
    fansly_sandbox.seed_subscribers([fan(1), fan(2)], created_at=T0)

    message = error_message(api.subscribers(status="3", cursor=cursor), 400)

    assert message == f"Invalid request parameters: unknown cursor {cursor!r}"


def test_followers_rows_and_their_fans_in_aggregation_data(api: Api, fansly_sandbox: FanslySandbox) -> None:
    seeded = fansly_sandbox.seed_followers([fan(1), fan(2)])

    data = envelope(api.followers(), 200)["data"]

    assert data == {
        "status_code": 200,
        "data": {
            "success": True,
            "response": {
                "followers": seeded[::-1],
                "aggregationData": {
                    "accounts": [
                        {
                            "id": fan_id,
                            "username": f"fan_{fan_id}",
                            "displayName": f"Fan {fan_id[-4:]}",
                            "avatar": {"locations": []},
                        }
                        for fan_id in (fan(2), fan(1))
                    ]
                },
            },
        },
        "nextCursor": None,
    }
    assert [row["followerId"] for row in seeded] == [fan(1), fan(2)]
    assert all(set(row) == {"id", "followerId"} and row["id"].isdigit() for row in seeded)


def test_followers_pages_cover_every_follower_once(api: Api, fansly_sandbox: FanslySandbox) -> None:
    seeded = fansly_sandbox.seed_followers([fan(n) for n in range(5)])

    pages = all_pages(api.followers, "followers", limit="2")

    assert [row for page in pages for row in page] == seeded[::-1]
    assert [len(page) for page in pages] == [2, 2, 1]


def test_an_undocumented_followers_parameter_gets_400(api: Api) -> None:
    message = error_message(api.followers(status="3"), 400)

    assert (
        message
        == "Invalid request parameters: unknown query parameter 'status' (Followers takes cursor, limit)"
    )


def test_no_fans_is_an_empty_page(api: Api) -> None:
    assert response_of(api.subscribers(status="3,4")) == {
        "stats": {"totalActive": 0, "totalExpired": 0, "total": 0},
        "subscriptions": [],
    }
    assert response_of(api.followers()) == {"followers": [], "aggregationData": {"accounts": []}}


def test_seeding_sends_no_request_and_snapshots_are_copies(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.seed_subscribers([fan(1)], created_at=T0)
    fansly_sandbox.seed_followers([fan(1), fan(1)])
    fansly_sandbox.seed_followers([fan(1)])

    [subscription] = fansly_sandbox.subscriptions
    subscription.subscription["status"] = 4
    followers = fansly_sandbox.followers

    assert fansly_sandbox.subscriptions[0].subscription["status"] == 3
    assert [(record.account_id, record.follower["followerId"]) for record in followers] == [
        ("fansly_sandbox", fan(1))
    ]
    assert fansly_sandbox.journal == []
    assert fansly_sandbox.counters.requests == 0


def test_reset_forgets_subscribers_and_followers(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.seed_subscribers([fan(1)], created_at=T0)
    fansly_sandbox.seed_followers([fan(1)])

    fansly_sandbox.reset()

    assert (fansly_sandbox.subscriptions, fansly_sandbox.followers) == ([], [])


def test_another_accounts_fans_are_not_listed(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.keys["other-key"] = (Account("fansly_other", "700000000000000002"),)
    fansly_sandbox.seed_subscribers([fan(1)], created_at=T0, account_id="fansly_other")
    fansly_sandbox.seed_followers([fan(1)], account_id="fansly_other")

    assert response_of(api.subscribers(status="3,4"))["subscriptions"] == []
    assert response_of(api.followers())["followers"] == []


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda sb: sb.seed_subscribers(["fansly_fan"], created_at=T0), "1 to 20 digits"),
        (lambda sb: sb.seed_subscribers([DEFAULT_CREATOR_ID], created_at=T0), "creator's own id"),
        (lambda sb: sb.seed_subscribers([fan(1)], created_at=T0 // 1000), "epoch milliseconds"),
        (lambda sb: sb.seed_subscribers([fan(1)], created_at=float(T0)), "epoch milliseconds"),
        (lambda sb: sb.seed_subscribers([fan(1), fan(2)], created_at=[T0]), "1 times for 2 fans"),
        (
            lambda sb: sb.seed_subscribers([fan(1)], created_at=T0, status="3"),
            "status must be one of active, expired",
        ),
        (lambda sb: sb.seed_subscribers([fan(1)], created_at=T0, tier_id="gold"), "tier_id must be"),
        (lambda sb: sb.seed_subscribers([fan(1)], created_at=T0, tier_name=""), "tier_name must be"),
        (
            lambda sb: sb.seed_subscribers([fan(1)], created_at=T0, account_id="fansly_nobody"),
            "fansly_nobody",
        ),
        (lambda sb: sb.seed_followers([fan(1), 723516315247063042]), "1 to 20 digits"),
        (lambda sb: sb.seed_followers([DEFAULT_CREATOR_ID]), "creator's own id"),
    ],
)
def test_seeding_a_bad_value_raises_and_seeds_nothing(
    fansly_sandbox: FanslySandbox, call: Callable[[FanslySandbox], Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        call(fansly_sandbox)

    assert (fansly_sandbox.subscriptions, fansly_sandbox.followers) == ([], [])
