"""Automated rules as code: how an existing rule is told equal, and the plan that makes an account match a list."""

from __future__ import annotations

import pytest

from airflow_provider_apifansly.automated_message import AutomatedRule, parse_rules, plan_sync
from airflow_provider_apifansly.exceptions import FanslyApiError

REQUEST = "GET /api/fansly/fansly_1/automated-messages"
WELCOME = AutomatedRule.parse(
    {"trigger_type": "new_subscriber", "content": "Hi", "media_ids": ["810000000000000001"]}
)


@pytest.mark.parametrize(
    ("row", "equal"),
    [
        ({"triggerType": "new_subscriber", "content": "Hi", "mediaIds": ["810000000000000001"]}, True),
        (
            {
                "triggerType": "new_subscriber",
                "content": "Hi",
                "mediaIds": [810000000000000001],
                "delay": None,
            },
            True,
        ),
        (
            {
                "triggerType": "new_subscriber",
                "content": "Hi",
                "mediaIds": ["810000000000000001"],
                "delay": 5,
            },
            False,
        ),
        ({"triggerType": "new_subscriber", "content": "Hi", "mediaIds": []}, False),
        ({"triggerType": "new_follower", "content": "Hi", "mediaIds": ["810000000000000001"]}, False),
    ],
    ids=["same", "defaults-and-numeric-ids", "other-delay", "no-media", "other-trigger"],
)
def test_a_listed_rule_is_equal_only_when_every_field_is(row: dict[str, object], equal: bool) -> None:
    assert WELCOME.matches(row, REQUEST) is equal


def test_a_listed_rule_that_hides_a_field_the_rule_sets_cannot_be_told_apart() -> None:
    with pytest.raises(FanslyApiError, match="returned rules without 'mediaIds'"):
        WELCOME.matches({"id": "1", "triggerType": "new_subscriber", "content": "Hi"}, REQUEST)


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

    assert (kept_only.create, kept_only.delete, kept_only.kept) == ((rules[1],), (), ("1",))
    assert (pruned.create, pruned.delete, pruned.kept) == ((rules[1],), ("2", "3"), ("1",))
