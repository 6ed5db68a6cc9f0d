"""``AutomatedRule``: an automated message (welcome, renewal thanks, tip thanks) as code, checked against
the documented Create Automated Message body, and matched against the rules an account already has.

Every rule is validated before any request (when the DAG is parsed, where it can be), so a
bad list never reaches the account. Imports no hook and no HTTP client (Airflow only for
the typed errors of ``exceptions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_apifansly.batch_input import parse_rendered
from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyValidationError
from airflow_provider_apifansly.hooks.envelope import automated_message_id
from airflow_provider_apifansly.message import MediaId, as_list, media_fields, parse_content, parse_media

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
# An absent delay or cooldown is the documented default, 0 seconds; an absent option is unset.
_DEFAULTS: dict[str, Any] = {"delay": 0, "cooldown": 0}


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

    def matches(self, row: Mapping[str, Any], request: str) -> bool:
        """Whether an existing rule (a row of List Automated Messages) is this one: same trigger, content,
        delay, cooldown and options. A row that does not show a field this rule sets cannot be told
        apart, so it raises rather than guess (a wrong "no" creates a duplicate; a wrong "yes" drops a rule)."""
        body = self.body()
        for field in RULE_FIELDS.values():
            wanted = _comparable(body.get(field, _DEFAULTS.get(field)))
            if field in row:
                if _comparable(row[field] if row[field] is not None else _DEFAULTS.get(field)) != wanted:
                    return False
            elif wanted not in (None, _DEFAULTS.get(field)):
                raise FanslyApiError(
                    f"{request} returned rules without {field!r}, so whether one of them is the "
                    f"{self.trigger_type} rule {self.content[:40]!r} cannot be told; nothing was changed",
                    request=request,
                )
        return True

    def describe(self) -> str:
        """The rule in a line, for logs and plans."""
        return (
            f"{self.trigger_type} (delay {self.delay} s, cooldown {self.cooldown} s): {self.content[:60]!r}"
        )


def parse_rules(rules: object) -> list[AutomatedRule]:
    """Check a whole list of rules (or the text a template rendered it to) before any request; two
    identical rules would message every fan twice, so they are refused."""
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


def _comparable(value: Any) -> Any:
    """A field's value as rules are compared: list items (ids) as text, in order; an empty list as unset."""
    if isinstance(value, list | tuple):
        return tuple(_comparable_item(item) for item in value) or None
    return value


def _comparable_item(item: Any) -> Any:
    if isinstance(item, Mapping):  # a {"mediaId", "previewId"} media id
        return tuple(sorted((str(k), str(v)) for k, v in item.items() if v is not None))
    return str(item)


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
class SyncPlan:
    """What makes an account's rules match a list: the rules to create, the ids to delete, the ids kept."""

    create: tuple[AutomatedRule, ...]
    delete: tuple[str, ...]
    kept: tuple[str, ...]


def plan_sync(
    rules: list[AutomatedRule], existing: list[dict[str, Any]], *, prune: bool, request: str
) -> SyncPlan:
    """Match each rule to an existing one that equals it (each existing rule matches once); the rest are
    created. With ``prune``, every existing rule left unmatched (a duplicate too) is deleted.

    :param existing: the account's rules as listed, each with an id (``envelope.automated_message_id``).
    :param request: how errors name the list request.
    """
    unmatched = list(existing)
    create: list[AutomatedRule] = []
    kept: list[str] = []
    for rule in rules:
        match = next((row for row in unmatched if rule.matches(row, request)), None)
        if match is None:
            create.append(rule)
        else:
            unmatched.remove(match)
            kept.append(automated_message_id(match, request))
    delete = [automated_message_id(row, request) for row in unmatched] if prune else []
    return SyncPlan(tuple(create), tuple(delete), tuple(kept))
