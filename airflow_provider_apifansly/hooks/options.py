"""``HookOptions``: the per-hook tunables, declared once.

``FanslyHook`` takes them as keywords, and ``FanslyBaseOperator`` builds them for every operator.

Each option left at None falls back to the connection's extra of the same name
(``max_credits`` has no connection default: no budget). Imports neither Airflow
nor ``requests``, so operators can check options while a DAG file is parsed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class HookOptions:
    """Overrides of the connection's settings for one hook; checked when built.

    :param max_retries: retries of a transient failure per request (default: the connection's).
    :param max_retry_wait: longest single retry wait in seconds (default: the connection's).
    :param rate_limit_rpm: requests per minute to stay under, 0 for no pacing (default: the connection's).
    :param max_credits: a hard cap on the credits the hook spends (``credits.py``: pages by their
        size, ``/me``, creates and retries all count): no request is sent once the count leaves no
        room for one more credit, and a read whose answer carries it past the cap fails. None: no cap.
    """

    max_retries: int | None = None
    max_retry_wait: float | None = None
    rate_limit_rpm: int | None = None
    max_credits: int | None = None

    def __post_init__(self) -> None:
        minimums = {"max_retries": 0, "max_retry_wait": 0, "rate_limit_rpm": 0, "max_credits": 1}
        for name, minimum in minimums.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{name} must be a number or None, got {type(value).__name__} {value!r}")
            if name != "max_retry_wait" and not isinstance(value, int):
                raise TypeError(f"{name} must be a whole number or None, got {value!r}")
            if value < minimum:
                raise ValueError(f"{name} must be at least {minimum} or None, got {value!r}")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The option names, as hooks and operators accept them as keyword arguments."""
        return tuple(field.name for field in fields(cls))

    @classmethod
    def pop_from(cls, kwargs: dict[str, Any]) -> HookOptions:
        """Take the options out of ``FanslyHook``'s keyword arguments (the rest go to ``BaseHook``)."""
        return cls(**{name: kwargs.pop(name) for name in cls.names() if name in kwargs})

    def given(self) -> dict[str, Any]:
        """The options that were set, as keyword arguments for ``FanslyHook``."""
        return {name: value for name, value in asdict(self).items() if value is not None}
