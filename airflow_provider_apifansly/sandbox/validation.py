"""Checks of query parameters and JSON bodies, each failing as the API's 400 naming what is wrong."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from airflow_provider_apifansly.sandbox.envelope import Request, invalid

_NATIVE_ID = re.compile(r"[0-9]{1,20}", re.ASCII)


def parameters(query: str, allowed: tuple[str, ...], route: str) -> dict[str, str]:
    """The query's parameters (the last of a repeated one); an undocumented one is a 400 naming it."""
    found = parse_qs(query, keep_blank_values=True)
    unknown = [name for name in found if name not in allowed]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise invalid(f"unknown query parameter {names} ({route} takes {', '.join(allowed)})")
    return {name: values[-1] for name, values in found.items()}


def choice(parameters: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    """The parameter's value, one of ``choices`` (the first when it is absent)."""
    value = parameters.get(name, choices[0])
    if value not in choices:
        raise invalid(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def limit(parameters: dict[str, str], default: int, maximum: int) -> int:
    """The ``limit`` parameter: a whole number from 1 to ``maximum`` (``default`` when absent)."""
    value = parameters.get("limit", str(default))
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= maximum):
        raise invalid(f"limit must be a whole number from 1 to {maximum}; got {value!r}")
    return int(value)


def json_object(request: Request) -> dict[str, Any]:
    """The request's body, which must be a JSON object."""
    if request.malformed_json:
        raise invalid("the body is not valid JSON")
    if not isinstance(request.body, dict):
        raise invalid("the body must be a JSON object")
    return request.body


def is_native_id(text: str) -> bool:
    """Whether ``text`` is shaped like a native Fansly id: 1 to 20 digits."""
    return _NATIVE_ID.fullmatch(text) is not None


def is_digits(value: Any) -> bool:
    """Whether ``value`` is a string shaped like a native id."""
    return isinstance(value, str) and is_native_id(value)


def is_int(value: Any, expected: int) -> bool:
    """Whether ``value`` is exactly this JSON integer (not a bool, not a float)."""
    return isinstance(value, int) and not isinstance(value, bool) and value == expected


def check_fan_ids(values: Iterable[Any], creator_id: str) -> list[str]:
    """Seeded fan ids as a list, each a native id other than the creator's; else ``ValueError``."""
    fans = list(values)
    for fan_id in fans:
        if not is_digits(fan_id):
            raise ValueError(f"A fan id must be a string of 1 to 20 digits; got {fan_id!r}")
        if fan_id == creator_id:
            raise ValueError(f"Fan id {fan_id} is the creator's own id; a fan must be another user")
    return fans
