"""What a Fansly connection holds: its form in the Airflow UI and its parsed settings.

This module is the single source of truth for the connection's fields. It imports
neither Airflow nor ``requests``, so ``get_provider_info()`` can read the form
cheaply (it runs while Airflow loads its configuration, so it must not import
Airflow), and the hook builds both the Airflow 2.11 widgets and its runtime
settings from the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

CONN_TYPE = "apifansly"
DEFAULT_CONN_ID = "fansly_default"
HOOK_NAME = "Fansly (apifansly)"
HOOK_CLASS = "airflow_provider_apifansly.hooks.fansly.FanslyHook"
DEFAULT_HOST = "https://v1.apifansly.com"
# Every route sits below this path of the host.
API_PREFIX = "/api/fansly"


@dataclass(frozen=True)
class ExtraField:
    """One optional field of the connection's ``extra``, shown in the UI form."""

    label: str
    type: str  # JSON-schema type: "string" or "integer"
    description: str
    default: int | None = None
    minimum: int | None = None

    def json_schema(self) -> dict[str, Any]:
        """The field's JSON schema, as Airflow 3's connection form reads ``conn-fields``."""
        schema: dict[str, Any] = {"type": [self.type, "null"]}
        if self.default is not None:
            schema["default"] = self.default
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        return schema


EXTRA_FIELDS: dict[str, ExtraField] = {
    "account_id": ExtraField(
        "Default account ID",
        "string",
        "Connected account (fansly_...) used when an operator gives none.",
    ),
    "timeout": ExtraField("Read timeout (s)", "integer", "Seconds to wait for a response.", 30, 1),
    "connect_timeout": ExtraField(
        "Connect timeout (s)", "integer", "Seconds to wait for a connection.", 10, 1
    ),
    "rate_limit_rpm": ExtraField(
        "Plan rate limit (requests/min)",
        "integer",
        "Your plan's limit: Starter 600, Pro 1000, 0 for Enterprise (unlimited). Requests are paced under it.",
        600,
        0,
    ),
    "max_retries": ExtraField(
        "Max retries", "integer", "Retries of a transient failure (429, 5xx, network) per request.", 4, 0
    ),
    "max_retry_wait": ExtraField(
        "Max retry wait (s)",
        "integer",
        "Longest single wait before a retry; a longer Retry-After from the server fails the request.",
        60,
        0,
    ),
}

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["schema", "port", "login", "extra"],
    "relabeling": {"host": "API base URL", "password": "API Key"},
    "placeholders": {"host": DEFAULT_HOST, "password": "your apifansly API key"},
}


def _extra_value(extra: dict[str, Any], name: str) -> Any:
    """Read an extra field as saved by Airflow 3 (``name``) or older 2.x forms (prefixed)."""
    value = extra.get(name)
    if value in (None, ""):
        value = extra.get(f"extra__{CONN_TYPE}__{name}")
    return None if value == "" else value


@dataclass(frozen=True)
class ConnectionSettings:
    """The parsed, validated settings of a Fansly connection (the key is kept out of the repr)."""

    conn_id: str
    base_url: str
    api_key: str
    account_id: str | None
    timeout: int
    connect_timeout: int
    rate_limit_rpm: int
    max_retries: int
    max_retry_wait: int

    def __repr__(self) -> str:
        return f"ConnectionSettings(conn_id={self.conn_id!r}, base_url={self.base_url!r}, api_key='***')"

    @classmethod
    def parse(
        cls,
        conn_id: str,
        *,
        host: str | None,
        schema: str | None,
        port: int | None,
        password: str | None,
        extra: dict[str, Any],
        label: str | None = None,
    ) -> ConnectionSettings:
        """Build settings from a connection's fields; raise ``ValueError`` naming the bad field.

        :param label: how errors name the connection (default ``Connection '<conn_id>'``).
        """
        label = label or f"Connection {conn_id!r}"
        api_key = _api_key(label, password)
        integers: dict[str, int] = {}
        for name, field in EXTRA_FIELDS.items():
            if field.type != "integer":
                continue
            raw = _extra_value(extra, name)
            try:
                value = field.default if raw is None else int(raw)
            except (TypeError, ValueError):
                raise ValueError(f"{label}: extra {name!r} must be a whole number") from None
            if value is None or (field.minimum is not None and value < field.minimum):
                raise ValueError(f"{label}: extra {name!r} must be >= {field.minimum}")
            integers[name] = value
        account_id = _extra_value(extra, "account_id")
        return cls(
            conn_id=conn_id,
            base_url=_base_url(label, host, schema, port),
            api_key=api_key,
            account_id=None if account_id is None else str(account_id),
            **integers,
        )


def _api_key(label: str, password: str | None) -> str:
    """The key without the whitespace that pasting leaves around it; never echoed in an error."""
    key = (password or "").strip()
    if not key:
        raise ValueError(f"{label} has no API key: set its password (API Key) field.")
    if not all("!" <= char <= "~" for char in key):
        raise ValueError(
            f"{label}: the API Key field holds spaces, control or non-ASCII characters "
            "inside the key; paste the key alone, on one line."
        )
    return key


def _base_url(label: str, host: str | None, schema: str | None, port: int | None) -> str:
    """Accept a full URL in ``host`` or a bare host name (then ``schema`` or https, and ``port``)."""
    if not host:
        return DEFAULT_HOST
    url = host.strip().rstrip("/")
    if "://" not in url:
        url = f"{schema or 'https'}://{url}" + (f":{port}" if port else "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{label}: host must be an http(s) URL such as {DEFAULT_HOST}, got {host!r}")
    return url
