"""Provider metadata read by Airflow through the ``apache_airflow_provider`` entry point.

Plain data built from ``connection.py``, so the Airflow 3 UI can draw the
connection form without importing the hook.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_apifansly import __version__
from airflow_provider_apifansly.connection import (
    CONN_TYPE,
    EXTRA_FIELDS,
    HOOK_CLASS,
    HOOK_NAME,
    UI_FIELD_BEHAVIOUR,
)

INTEGRATION_NAME = "Fansly (apifansly)"
# One line per module: Airflow lists operators, hooks and triggers by integration from these.
OPERATOR_MODULES = [
    "airflow_provider_apifansly.operators.accounts",
    "airflow_provider_apifansly.operators.fans",
    "airflow_provider_apifansly.operators.group_chat",
    "airflow_provider_apifansly.operators.messages",
    "airflow_provider_apifansly.operators.export",
    "airflow_provider_apifansly.operators.media",
    "airflow_provider_apifansly.operators.mass_messaging",
    "airflow_provider_apifansly.operators.automated_messages",
    "airflow_provider_apifansly.operators.posts",
]
HOOK_MODULES = [
    "airflow_provider_apifansly.hooks.fansly",
]
TRIGGER_MODULES: list[str] = [
    "airflow_provider_apifansly.triggers.media",
]


def _under_integration(modules: list[str]) -> list[dict[str, Any]]:
    """One entry naming the integration, or none while there are no modules (the schema allows [])."""
    return [{"integration-name": INTEGRATION_NAME, "python-modules": list(modules)}] if modules else []


def get_provider_info() -> dict[str, Any]:
    """Describe the package, its integration and modules, its connection type and form, and its extra link."""
    return {
        "package-name": "airflow-provider-apifansly",
        "name": "Fansly (apifansly)",
        "description": "Hook and operators for the apifansly REST API in front of the Fansly creator platform.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": INTEGRATION_NAME,
                "external-doc-url": "https://docs.apifansly.com",
                "tags": ["service"],
            }
        ],
        "operators": _under_integration(OPERATOR_MODULES),
        "hooks": _under_integration(HOOK_MODULES),
        "triggers": _under_integration(TRIGGER_MODULES),
        "connection-types": [
            {
                "connection-type": CONN_TYPE,
                "hook-class-name": HOOK_CLASS,
                "hook-name": HOOK_NAME,
                "ui-field-behaviour": UI_FIELD_BEHAVIOUR,
                "conn-fields": {
                    name: {"label": f.label, "schema": f.json_schema(), "description": f.description}
                    for name, f in EXTRA_FIELDS.items()
                },
            }
        ],
        "extra-links": ["airflow_provider_apifansly.links.FanslyChatLink"],
    }
