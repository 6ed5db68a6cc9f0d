"""Describing what arrived, for error messages: keys and sizes, never values (which may be personal)."""

from __future__ import annotations

from typing import Any


def shape_of(value: Any) -> str:
    """A short description of what arrived, naming keys but no values."""
    if isinstance(value, dict):
        keys = sorted(map(str, value))
        return f"an object with keys {keys[:12]}" + (" ..." if len(keys) > 12 else "")
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return type(value).__name__
