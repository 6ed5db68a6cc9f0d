"""Automated rules as code: telling a listed rule for a wanted one, and the sync's plan.

How a listed rule is told to be a wanted one (echoed or native), and the plan that makes an account match a
list.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_apifansly.models.automated_message import (
    AutomatedRule,
    ListedRow,
    parse_rules,
    plan_sync,
)

REQUEST = "GET /api/fansly/fansly_1/automated-messages"
MEDIA = "810000000000000001"
WELCOME = AutomatedRule.parse({"trigger_type": "new_subscriber", "content": "Hi", "media_ids": [MEDIA]})
PPV = AutomatedRule.parse(
    {
        "trigger_type": "new_subscriber",
        "content": "Unlock me",
        "media_ids": [MEDIA],
        "access_type": ["ppv"],
        "price": 9.99,
    }
)


@pytest.mark.parametrize(
    ("row", "equal"),
    [
        ({"triggerType": "new_subscriber", "content": "Hi", "mediaIds": [MEDIA]}, True),
        ({"triggerType": "new_subscriber", "content": "Hi", "mediaIds": [int(MEDIA)], "delay": None}, True),
        ({"triggerType": "new_subscriber", "content": "Hi", "mediaIds": [MEDIA], "delay": 5}, False),
        ({"triggerType": "new_subscriber", "content": "Hi", "mediaIds": []}, False),
        ({"triggerType": "new_follower", "content": "Hi", "mediaIds": [MEDIA]}, False),
        (
            {
                "triggerType": "new_subscriber",
                "messageTemplate": {"content": "Hi", "attachments": [{"contentType": 1, "contentId": MEDIA}]},
            },
            True,
        ),
        (
            {
                "triggerType": "new_subscriber",
                "messageTemplate": json.dumps({"content": "Hi", "attachments": [{"contentId": MEDIA}]}),
                "status": 1,
                "createdAt": 1780000000000,
            },
            True,
        ),
        (
            {
                "triggerType": "new_subscriber",
                "messageTemplate": {"content": "Hello", "attachments": [{"contentId": MEDIA}]},
            },
            False,
        ),
    ],
    ids=[
        "same",
        "defaults-and-numeric-ids",
        "other-delay",
        "no-media",
        "other-trigger",
        "native-object",
        "native-json-text-and-extra-fields",
        "native-other-text",
    ],
)
def test_a_listed_rule_is_the_rule_when_every_field_it_shows_is_equal(
    row: dict[str, Any], equal: bool
) -> None:
    assert WELCOME.matches(row) is equal


def test_a_native_price_in_thousandths_is_the_same_price_as_the_dollars_sent() -> None:
    native = {
        "triggerType": "new_subscriber",
        "messageTemplate": {"content": "Unlock me", "attachments": [{"contentId": MEDIA}], "price": 9990},
        "access_type": ["ppv"],
    }
    dearer = {**native, "messageTemplate": {**native["messageTemplate"], "price": 19990}}

    assert PPV.matches(native)
    assert not PPV.matches(dearer)


@pytest.mark.parametrize(
    ("row", "unknown"),
    [
        ({"triggerType": "new_subscriber", "content": "Hi"}, ["media"]),
        ({"triggerType": "new_subscriber", "messageTemplate": "not json"}, ["content", "media"]),
        (
            {
                "triggerType": "new_subscriber",
                "messageTemplate": {"content": "Hi", "attachments": [{"contentId": "9"}]},
            },
            ["media"],
        ),
    ],
    ids=["media-not-shown", "template-unreadable", "attachments-by-account-media-id"],
)
def test_a_listed_rule_that_hides_a_field_the_rule_sets_is_kept_and_the_rule_not_created(
    row: dict[str, Any], unknown: list[str]
) -> None:
    plan = plan_sync([WELCOME], [{"id": "1", **row}], prune=True, request=REQUEST)

    assert not WELCOME.matches(row)
    assert (plan.create, plan.keep, plan.delete) == ((), (), ())
    [kept] = plan.unsure
    assert (kept.rule_id, kept.trigger_type, list(kept.unknown)) == ("1", "new_subscriber", unknown)


def test_an_option_the_row_does_not_show_is_unknown_only_when_the_rule_sets_it() -> None:
    [tip] = parse_rules([{"trigger_type": "new_tip", "content": "Thanks"}])
    bare = {"id": "1", "triggerType": "new_tip", "messageTemplate": {"content": "Thanks"}}

    plan = plan_sync([tip], [bare], prune=True, request=REQUEST)

    assert plan.keep == (ListedRow("1", "new_tip", "Thanks"),)
    assert (plan.create, plan.unsure, plan.delete) == ((), (), ())


def test_the_plan_keeps_one_match_per_rule_creates_the_rest_and_prunes_duplicates() -> None:
    rules = parse_rules(
        [{"trigger_type": "new_tip", "content": "Thanks"}, {"trigger_type": "new_follower", "content": "Yo"}]
    )
    tip = {"triggerType": "new_tip", "content": "Thanks"}
    existing = [
        {"id": "1", **tip},
        {"id": "2", **tip},
        {"automatedMessageId": "3", "triggerType": "disabled", "content": "x"},
    ]

    kept_only = plan_sync(rules, existing, prune=False, request=REQUEST)
    pruned = plan_sync(rules, existing, prune=True, request=REQUEST)

    assert (kept_only.create, kept_only.delete, kept_only.keep) == (
        (rules[1],),
        (),
        (ListedRow("1", "new_tip", "Thanks"),),
    )
    assert [row.rule_id for row in pruned.delete] == ["2", "3"]
    assert pruned.as_dict() == {
        "create": [{"triggerType": "new_follower", "content": "Yo", "delay": 0, "cooldown": 0}],
        "keep": [{"id": "1", "triggerType": "new_tip", "content": "Thanks"}],
        "delete": [
            {"id": "2", "triggerType": "new_tip", "content": "Thanks"},
            {"id": "3", "triggerType": "disabled", "content": "x"},
        ],
    }


def test_a_sure_match_of_one_rule_is_not_taken_for_an_unsure_match_of_another() -> None:
    rules = parse_rules(
        [
            {"trigger_type": "new_subscriber", "content": "Hi", "media_ids": [MEDIA]},
            {"trigger_type": "new_subscriber", "content": "Hi"},
        ]
    )
    # Row 1 shows no media: surely the second rule, maybe the first. The first is then still missing.
    plan = plan_sync(
        rules, [{"id": "1", "triggerType": "new_subscriber", "content": "Hi"}], prune=True, request=REQUEST
    )

    assert ([row.rule_id for row in plan.keep], plan.create, plan.unsure) == (["1"], (rules[0],), ())
