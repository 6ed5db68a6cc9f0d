"""``get_provider_info()`` is valid for Airflow and names only modules that exist."""

from __future__ import annotations

import importlib
import json
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from airflow_provider_apifansly.get_provider_info import get_provider_info

MODULE_SECTIONS = ("operators", "hooks", "triggers")


def listed_modules() -> list[str]:
    info = get_provider_info()
    return [
        module for section in MODULE_SECTIONS for entry in info[section] for module in entry["python-modules"]
    ]


def test_provider_info_matches_airflows_schema() -> None:
    # The schema Airflow's ProvidersManager validates every provider's info against when it loads it.
    schema: dict[str, Any] = json.loads((files("airflow") / "provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)


def test_modules_are_listed_under_a_declared_integration() -> None:
    info = get_provider_info()
    integrations = {integration["integration-name"] for integration in info["integrations"]}
    assert integrations == {"Fansly (apifansly)"}
    assert all(
        entry["integration-name"] in integrations for section in MODULE_SECTIONS for entry in info[section]
    )


def test_operators_and_hooks_are_listed() -> None:
    assert set(listed_modules()) >= {
        "airflow_provider_apifansly.operators.accounts",
        "airflow_provider_apifansly.operators.group_chat",
        "airflow_provider_apifansly.operators.messages",
        "airflow_provider_apifansly.hooks.fansly",
    }


@pytest.mark.parametrize("module", listed_modules())
def test_every_listed_module_imports(module: str) -> None:
    importlib.import_module(module)
