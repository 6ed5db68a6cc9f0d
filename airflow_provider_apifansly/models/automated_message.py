"""``AutomatedRule``: an automated message (welcome, renewal thanks, tip thanks) as code.

Checked against the documented Create Automated Message body, and matched against the rules an account already
has.

Every rule is validated before any request (when the DAG is parsed, where it can be), so a
bad list never reaches the account. Imports no hook and no HTTP client (Airflow only for
the typed errors of ``exceptions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.ids import validate_opaque_id
from airflow_provider_apifansly.models.batch_input import parse_rendered
from airflow_provider_apifansly.models.message import (
    MediaId,
    as_list,
    media_fields,
    parse_content,
    parse_media,
)
from airflow_provider_apifansly.rule_identity import Comparison, ListedRule, comparable, compare
from airflow_provider_apifansly.shapes import shape_of

TRIGGER_TYPES = (
    "new_follower",
    "new_subscriber",
    "new_gift_link_subscriber",
    "subscriber_renew",
    "new_gift_link_subscriber_renew",
    "new_tip",
    "disabled",
)
RENEWAL_TRIGGERS = ("subscriber_renew", "new_gift_link_subscriber_renew")
TIP_TRIGGERS = ("new_tip",)
# Rule key -> body field; options only some triggers take say which.
RULE_FIELDS = {
    "trigger_type": "triggerType",
    "content": "content",
    "delay": "delay",
    "cooldown": "cooldown",
    "subscription_streak": "subscriptionStreak",
    "tip_amount": "tipAmount",
    "keywords": "keywords",
    "media_ids": "mediaIds",
    "access_type": "access_type",
    "price": "price",
}
_TRIGGER_OPTIONS = {
    "subscription_streak": RENEWAL_TRIGGERS,
    "tip_amount": TIP_TRIGGERS,
    "keywords": TIP_TRIGGERS,
}


@dataclass(frozen=True)
class AutomatedRule:
    """A validated automated message.

    :param trigger_type: one of ``TRIGGER_TYPES``.
    :param content: the message text; required and non-empty.
    :param delay: seconds after the trigger before it is sent (0 or more).
    :param cooldown: seconds before the same fan gets it again (0 or more).
    :param subscription_streak: renewal triggers only: the renewal count it answers (1 or more).
    :param tip_amount: ``new_tip`` only: the least tip it answers, passed through untouched (its unit is
        not documented: dollars like ``price``, or thousandths).
    :param keywords: ``new_tip`` only: text or a list of texts, passed through untouched.
    :param media_ids: media to attach, as Send Message takes them.
    :param access_type: who may open the media, as Send Message takes it.
    :param price: dollars, 1 to 500, with ``ppv`` and media, as Send Message takes it.
    """

    trigger_type: str
    content: str
    delay: int = 0
    cooldown: int = 0
    subscription_streak: int | None = None
    tip_amount: int | float | None = None
    keywords: str | tuple[str, ...] | None = None
    media_ids: tuple[MediaId, ...] = ()
    access_type: tuple[str, ...] = ()
    price: int | float | None = None

    @classmethod
    def parse(cls, rule: object, *, where: str = "") -> AutomatedRule:
        """Check one rule (a dict of ``RULE_FIELDS`` keys); raise ``FanslyValidationError`` naming the field."""
        if not isinstance(rule, Mapping):
            raise FanslyValidationError(
                f"{where}a rule must be a dict with trigger_type and content, got {rule!r:.60}"
            )
        unknown = sorted(set(rule) - set(RULE_FIELDS))
        if unknown:
            raise FanslyValidationError(f"{where}unknown rule fields {unknown}; allowed: {list(RULE_FIELDS)}")
        trigger = rule.get("trigger_type")
        if trigger not in TRIGGER_TYPES:
            raise FanslyValidationError(
                f"{where}trigger_type must be one of {', '.join(TRIGGER_TYPES)}; got {trigger!r:.40}"
            )
        for option, triggers in _TRIGGER_OPTIONS.items():
            if rule.get(option) is not None and trigger not in triggers:
                raise FanslyValidationError(
                    f"{where}{option} only fits trigger_type {' or '.join(triggers)}, not {trigger!r}"
                )
        media, access, price = parse_media(
            rule.get("media_ids"), rule.get("access_type"), rule.get("price"), where=where
        )
        return cls(
            trigger_type=str(trigger),
            content=parse_content(rule.get("content"), where=where),
            delay=_seconds(rule.get("delay"), f"{where}delay"),
            cooldown=_seconds(rule.get("cooldown"), f"{where}cooldown"),
            subscription_streak=_streak(rule.get("subscription_streak"), f"{where}subscription_streak"),
            tip_amount=_tip_amount(rule.get("tip_amount"), f"{where}tip_amount"),
            keywords=_keywords(rule.get("keywords"), f"{where}keywords"),
            media_ids=media,
            access_type=access,
            price=price,
        )

    def body(self) -> dict[str, Any]:
        """The Create Automated Message body: trigger, content, delay and cooldown, and the options given."""
        body: dict[str, Any] = {
            "triggerType": self.trigger_type,
            "content": self.content,
            "delay": self.delay,
            "cooldown": self.cooldown,
        }
        options = {
            "subscriptionStreak": self.subscription_streak,
            "tipAmount": self.tip_amount,
            "keywords": list(self.keywords) if isinstance(self.keywords, tuple) else self.keywords,
        }
        body.update({name: value for name, value in options.items() if value is not None})
        body.update(media_fields(self.media_ids, self.access_type, self.price))
        return body

    def matches(self, row: Mapping[str, Any]) -> bool:
        """Whether an existing rule (a row of List Automated Messages, echoed or native) is surely this one.

        Every documented field it shows equals this rule's, normalised, and none this rule sets is
        hidden (see ``rule_identity``).
        """
        return compare(comparable(self.body()), ListedRule.read(row)).verdict == "same"

    def describe(self) -> str:
        """The rule in a line, for logs and plans."""
        return (
            f"{self.trigger_type} (delay {self.delay} s, cooldown {self.cooldown} s): {self.content[:60]!r}"
        )


def parse_rules(rules: object) -> list[AutomatedRule]:
    """Check a whole list of rules (or the text a template rendered it to) before any request.

    Two identical rules would message every fan twice, so they are refused.
    """
    rules = parse_rendered(rules, "rules")
    parsed = [
        AutomatedRule.parse(rule, where=f"rules[{index}].")
        for index, rule in enumerate(as_list(rules, "rules"))
    ]
    for index, rule in enumerate(parsed):
        if rule in parsed[:index]:
            raise FanslyValidationError(
                f"rules[{index}] repeats rules[{parsed.index(rule)}]; every fan would get it twice"
            )
    return parsed


def _seconds(value: object, field: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FanslyValidationError(
            f"{field} must be a whole number of seconds, 0 or more; got {value!r:.40}"
        )
    return value


def _streak(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FanslyValidationError(
            f"{field} must be a whole number of renewals, 1 or more; got {value!r:.40}"
        )
    return value


def _tip_amount(value: object, field: str) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise FanslyValidationError(f"{field} must be a positive number; got {value!r:.40}")
    return value


def _keywords(value: object, field: str) -> str | tuple[str, ...] | None:
    if value is None or isinstance(value, str):
        if isinstance(value, str) and not value.strip():
            raise FanslyValidationError(f"{field} must not be empty")
        return value
    words = tuple(as_list(value, field))
    if not words or not all(isinstance(word, str) and word.strip() for word in words):
        raise FanslyValidationError(f"{field} must be text or a list of non-empty texts; got {value!r:.60}")
    return words  # type: ignore[return-value]


@dataclass(frozen=True)
class ListedRow:
    """A rule the account holds, as a plan names it.

    Its id, trigger and text (None when not shown), and the fields that could not be compared with a
    wanted rule it may be.
    """

    rule_id: str
    trigger_type: str | None
    content: str | None
    unknown: tuple[str, ...] = ()

    def describe(self) -> str:
        """The rule in a line, for logs."""
        text = f"{self.content[:60]!r}" if self.content is not None else "(text not shown)"
        return f"rule {self.rule_id} {self.trigger_type or '(trigger not shown)'}: {text}"

    def as_dict(self) -> dict[str, Any]:
        """The row as XCom ``plan`` holds it."""
        shown = {"id": self.rule_id, "triggerType": self.trigger_type, "content": self.content}
        return {**shown, "unknown": list(self.unknown)} if self.unknown else shown


@dataclass(frozen=True)
class SyncPlan:
    """What makes an account's rules match a list.

    The rules to create, the listed rules kept (``keep``: equal to a wanted rule; ``unsure``: maybe one,
    not comparable) and the listed rules to delete.
    """

    create: tuple[AutomatedRule, ...]
    keep: tuple[ListedRow, ...]
    unsure: tuple[ListedRow, ...]
    delete: tuple[ListedRow, ...]

    def as_dict(self) -> dict[str, Any]:
        """The plan as XCom ``plan`` holds it: each rule with its trigger and text."""
        return {
            "create": [rule.body() for rule in self.create],
            "keep": [row.as_dict() for row in (*self.keep, *self.unsure)],
            "delete": [row.as_dict() for row in self.delete],
        }


def plan_sync(
    rules: list[AutomatedRule], existing: list[dict[str, Any]], *, prune: bool, request: str
) -> SyncPlan:
    """Match each wanted rule to a listed rule that surely is it (each listed rule matches once).

    The rest are created, unless a listed rule that cannot be compared may be it: that one is kept, and
    the wanted rule not created (a duplicate would message every fan twice). With ``prune``, every other
    listed rule (a duplicate too) is deleted; one that may be a wanted rule never is.

    :param existing: the account's rules as listed, each with an id (``automated_message_id``).
    :param request: how errors name the list request.
    """
    unmatched = [(automated_message_id(row, request), ListedRule.read(row)) for row in existing]
    wanted = [(rule, comparable(rule.body())) for rule in rules]
    keep: list[ListedRow] = []
    missing: list[tuple[AutomatedRule, dict[str, Any]]] = []
    for rule, fields in wanted:  # first every sure match, so a rule is never blocked by another's row
        same = next((entry for entry in unmatched if compare(fields, entry[1]).verdict == "same"), None)
        if same is None:
            missing.append((rule, fields))
        else:
            unmatched.remove(same)
            keep.append(_row(*same))
    create: list[AutomatedRule] = []
    unsure: dict[str, ListedRow] = {}
    for rule, fields in missing:
        maybe = [(entry, compare(fields, entry[1])) for entry in unmatched]
        maybe = [(entry, comparison) for entry, comparison in maybe if comparison.verdict == "unknown"]
        if not maybe:
            create.append(rule)
        for (rule_id, read), comparison in maybe:
            unsure.setdefault(rule_id, _row(rule_id, read, comparison))
    left = [_row(rule_id, read) for rule_id, read in unmatched if rule_id not in unsure]
    return SyncPlan(tuple(create), tuple(keep), tuple(unsure.values()), tuple(left) if prune else ())


def _row(rule_id: str, read: ListedRule, comparison: Comparison | None = None) -> ListedRow:
    """A listed rule for a plan; with a ``comparison`` that could not decide, the fields it could not compare."""
    trigger = read.values.get("triggerType")
    unknown = comparison.unknown if comparison else ()
    return ListedRow(rule_id, trigger if isinstance(trigger, str) else None, read.text(), unknown)


def automated_message_id(row: Any, request: str) -> str:
    """A rule's id: ``id``, else ``automatedMessageId`` (the docs name neither); none is an error."""
    raw = next((row[k] for k in ("id", "automatedMessageId") if isinstance(row, dict) and row.get(k)), None)
    try:
        return validate_opaque_id(raw, field="automated message id")
    except FanslyValidationError:
        raise FanslyApiError(
            f"{request} returned an automated message without an id ('id' or 'automatedMessageId'): "
            f"got {shape_of(row)}",
            request=request,
        ) from None
