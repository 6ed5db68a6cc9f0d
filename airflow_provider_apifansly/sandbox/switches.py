"""Switches: the settings a resource declares, each with its default and meaning, read from its type.

A resource module declares its switches as fields of a small dataclass, each made with
``switch(default, help)``; ``SandboxConfig`` gathers every resource's. From each declaration
come its environment variable ``FANSLY_SANDBOX_<NAME>``, its CLI flag ``--<name>``, how their
text is read (a ``Literal`` type lists the values a choice takes) and how a value is checked.
"""

from __future__ import annotations

import types
from dataclasses import Field, dataclass, field, fields
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

ENV_PREFIX = "FANSLY_SANDBOX_"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_NONE = ("", "none", "unlimited")


def switch(default: Any, help: str, *, minimum: int | None = None) -> Any:
    """Declare a switch: a field of a resource's switches dataclass (or of the core config).

    Its type says what it takes: ``Literal[...]`` one of those values (a choice, where the contract
    is silent or its sources disagree), ``bool``, ``int``, ``float``, or one of these or ``str``
    ``| None``. ``help`` says what it means, in the CLI's ``--help`` too.

    :param minimum: the least number it takes (a page size of at least 1, say).
    """
    return field(default=default, metadata={"help": help, "minimum": minimum})


@dataclass(frozen=True)
class Switch:
    """A declared switch: its field's name, default, meaning and type, and what is derived from them.

    :param kind: the type of its values (``str``, ``int``, ``float`` or ``bool``).
    :param values: the values a choice takes (empty: any value of ``kind``).
    :param optional: it also takes None (given as ``none``, ``unlimited`` or empty text).
    """

    name: str
    default: Any
    help: str
    kind: type
    values: tuple[Any, ...] = ()
    optional: bool = False
    minimum: int | None = None

    @property
    def variable(self) -> str:
        """Its environment variable, e.g. ``FANSLY_SANDBOX_MESSAGES_ORDER``."""
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        """Its CLI flag, e.g. ``--messages-order``."""
        return "--" + self.name.replace("_", "-")

    @property
    def allowed(self) -> str:
        """What it takes, as an error message says it: ``one of newest, oldest``, ``4 or 5``, ``true or false``."""
        if self.values and all(isinstance(value, str) for value in self.values):
            return "one of " + ", ".join(self.values)
        if self.values:
            return " or ".join(str(value) for value in self.values)
        if self.kind is bool:
            return "true or false"
        described = {int: "a whole number", float: "a number", str: "text"}[self.kind]
        return f"{described} or none" if self.optional else described

    def parse(self, text: str) -> Any:
        """The value a variable's or a flag's text names (a choice's numbers as digits); else ``ValueError``."""
        if self.optional and text.strip().lower() in _NONE:
            return None
        if self.values:
            for value in self.values:
                if text == str(value):
                    return value
        elif self.kind is bool:
            if (found := _as_bool(text)) is not None:
                return found
        elif self.kind is str:
            return text
        else:
            try:
                return self.kind(text)
            except ValueError:
                pass
        raise ValueError(f"must be {self.allowed}; got {text!r}")

    def check(self, value: Any) -> None:
        """Raise ``ValueError`` naming the switch when the sandbox cannot serve ``value``."""
        if self.values and value not in self.values:
            raise ValueError(f"{self.name} must be {self.allowed}; got {value!r}")
        if self.minimum is not None and value is not None and value < self.minimum:
            raise ValueError(f"{self.name} must be at least {self.minimum}; got {value}")


def switches_of(cls: type) -> tuple[Switch, ...]:
    """Every switch a dataclass declares (its fields made with ``switch()``), in field order."""
    hints = get_type_hints(cls)
    return tuple(
        _switch(declared, hints[declared.name]) for declared in fields(cls) if "help" in declared.metadata
    )


def _switch(declared: Field[Any], hint: Any) -> Switch:
    """The switch a field made with ``switch()`` declares, its type hint resolved."""
    values: tuple[Any, ...] = ()
    args = get_args(hint)
    optional = get_origin(hint) in (Union, types.UnionType) and type(None) in args
    if optional:
        [hint] = [arg for arg in args if arg is not type(None)]
    if get_origin(hint) is Literal:
        values = get_args(hint)
        hint = type(values[0])
    if hint not in (str, int, float, bool):
        raise TypeError(f"switch {declared.name} has a type no variable can give: {hint!r}")
    metadata = declared.metadata
    return Switch(
        declared.name, declared.default, metadata["help"], hint, values, optional, metadata["minimum"]
    )


def parse_limit(raw: str) -> int | None:
    """A whole number, or None for ``none``, ``unlimited`` or an empty string."""
    value = raw.strip().lower()
    if value in _NONE:
        return None
    return int(value)


def parse_bool(name: str, raw: str) -> bool:
    """1/0, true/false, yes/no or on/off; else ``ValueError`` naming the variable ``name``."""
    found = _as_bool(raw)
    if found is None:
        raise ValueError(f"{name} must be true or false; got {raw!r}")
    return found


def _as_bool(raw: str) -> bool | None:
    value = raw.strip().lower()
    return True if value in _TRUE else False if value in _FALSE else None
