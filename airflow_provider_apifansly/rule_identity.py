"""Whether a listed automated message is a wanted rule: by the fields the contract documents, normalised.

The list's shape is undocumented and differs by source (contract section 6): a rule may be listed as
the create body it was sent with, or as Fansly's native list shows it, its text in ``messageTemplate``
(an object, or the object as JSON text), its price in thousandths, its media as attachments, and
``delay``/``cooldown`` left out when 0. So each field is read wherever a source puts it and brought
to one form; a field a row does not show is *unknown*, never *different*: such a row may be the rule,
so it is neither created again nor deleted (a wrong "no" messages every fan twice, a wrong "yes"
drops a rule). Imports neither Airflow nor ``requests``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

Verdict = Literal["same", "different", "unknown"]
# An absent delay or cooldown is the documented default, 0 seconds (the native list leaves 0 out).
_DEFAULTS: dict[str, Any] = {"delay": 0, "cooldown": 0}
_OPTIONS = ("subscriptionStreak", "tipAmount", "keywords", "access_type")


@dataclass(frozen=True)
class Media:
    """A rule's media as a row shows it.

    Media ids (as sent), or attachments whose ``contentId`` may be the account media id instead, which
    only their number can be compared with.
    """

    ids: tuple[str, ...]
    attachments: bool = False


@dataclass(frozen=True)
class ListedRule:
    """A listed rule's documented fields in one form (see ``comparable``); names it cannot read are in ``unknown``.

    :param values: field -> value, for ``triggerType``, ``content``, ``delay``, ``cooldown``, the options,
        ``media`` (a ``Media``, or None for none) and ``price_mills`` (None for none).
    """

    values: dict[str, Any]
    unknown: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def read(cls, row: Mapping[str, Any]) -> ListedRule:
        """Read a row of List Automated Messages, echoed or native."""
        template = _template(row.get("messageTemplate"))
        values: dict[str, Any] = {}
        unknown: set[str] = set()

        def take(name: str, value: Any, shown: bool) -> None:
            if shown:
                values[name] = value
            else:
                unknown.add(name)

        trigger = row.get("triggerType")
        take("triggerType", trigger, isinstance(trigger, str))
        content = row.get("content", template.get("content"))
        take("content", content, isinstance(content, str))
        for name, default in _DEFAULTS.items():
            value = row.get(name, template.get(name))
            values[name] = default if value is None else value
        for name in _OPTIONS:
            shown = name in row or name in template
            take(name, _options(row.get(name, template.get(name))), shown)
        media = _media(row, template)
        take("media", media, media is not _UNREADABLE)
        price = _price_mills(row, template)
        take("price_mills", price, price is not _UNREADABLE)
        return cls(values, frozenset(unknown))

    def text(self) -> str | None:
        """The rule's text, if shown."""
        content = self.values.get("content")
        return content if isinstance(content, str) else None


def comparable(body: Mapping[str, Any]) -> dict[str, Any]:
    """A Create Automated Message body in the form ``ListedRule`` reads rows to."""
    price = body.get("price")
    media = [m["mediaId"] if isinstance(m, Mapping) else m for m in body.get("mediaIds") or []]
    return {
        "triggerType": body["triggerType"],
        "content": body["content"],
        **{name: body.get(name, default) for name, default in _DEFAULTS.items()},
        **{name: _options(body.get(name)) for name in _OPTIONS},
        "media": Media(tuple(str(m) for m in media)) if media else None,
        "price_mills": None if price is None else _mills(price),
    }


@dataclass(frozen=True)
class Comparison:
    """How a listed rule compares with a wanted one; ``unknown`` names the fields it sets that the row hides."""

    verdict: Verdict
    unknown: tuple[str, ...] = ()


def compare(wanted: Mapping[str, Any], listed: ListedRule) -> Comparison:
    """``different`` when a field the row shows differs.

    Else ``unknown`` when a field the rule sets is not shown (or its media only by count); else ``same``.
    """
    unknown: list[str] = []
    for name, value in wanted.items():
        if name in listed.unknown:
            if value is not None:
                unknown.append(name)
            continue
        shown = listed.values[name]
        if name == "media" and isinstance(shown, Media) and isinstance(value, Media) and shown.attachments:
            if len(shown.ids) != len(value.ids):
                return Comparison("different")
            if shown.ids != value.ids:  # account media ids may stand for the same media
                unknown.append(name)
        elif shown != value:
            return Comparison("different")
    return Comparison("unknown", tuple(unknown)) if unknown else Comparison("same")


_UNREADABLE = object()


def _template(raw: Any) -> dict[str, Any]:
    """A ``messageTemplate``: an object, or JSON text of one; anything else reads as empty."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return dict(raw) if isinstance(raw, Mapping) else {}


def _options(value: Any) -> Any:
    """An option's value in one form: a list (or one text) as a tuple of texts in order; empty as unset."""
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value) or None
    return value


def _media(row: Mapping[str, Any], template: Mapping[str, Any]) -> Any:
    """``mediaIds`` (top level or in the template), else ``attachments``' ``contentId``s.

    None for none, ``_UNREADABLE`` when the row shows neither.
    """
    for source in (row, template):
        if "mediaIds" in source:
            items = source["mediaIds"] or []
            listed = [item.get("mediaId") if isinstance(item, Mapping) else item for item in items]
            return Media(tuple(str(i) for i in listed)) if listed else None
    for source in (row, template):
        if "attachments" in source:
            items = source["attachments"] or []
            if not all(isinstance(item, Mapping) and "contentId" in item for item in items):
                return _UNREADABLE
            content_ids = tuple(str(item["contentId"]) for item in items)
            return Media(content_ids, attachments=True) if content_ids else None
    return _UNREADABLE


def _price_mills(row: Mapping[str, Any], template: Mapping[str, Any]) -> Any:
    """The price in thousandths of a dollar.

    A top-level ``price`` is dollars, as the create body takes it; a ``messageTemplate`` price is Fansly's
    native thousandths (contract section 5). None for none, ``_UNREADABLE`` when the row shows no price.
    """
    if "price" in row:
        return None if row["price"] is None else _mills(row["price"])
    if "price" in template:
        price = template["price"]
        if price is None or isinstance(price, bool):
            return None if price is None else _UNREADABLE
        return price if isinstance(price, int) else _UNREADABLE
    return _UNREADABLE


def _mills(dollars: Any) -> Any:
    try:
        return int(Decimal(str(dollars)) * 1000)
    except (InvalidOperation, ValueError):
        return _UNREADABLE
