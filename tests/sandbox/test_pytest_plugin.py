"""The pytest plugin: its fixtures work, and loading it never imports Airflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import requests

from airflow_provider_apifansly.sandbox import DEFAULT_API_KEY, FanslySandbox


def test_fansly_sandbox_fixture_is_running_with_the_default_config(fansly_sandbox: FanslySandbox) -> None:
    response = requests.get(
        f"{fansly_sandbox.url}/api/fansly/accounts", headers={"x-api-key": DEFAULT_API_KEY}, timeout=5
    )

    assert response.status_code == 200
    assert fansly_sandbox.config.plan == "Starter"


def test_fansly_connection_fixture_sets_the_airflow_connection(
    fansly_connection: str, fansly_sandbox: FanslySandbox
) -> None:
    assert fansly_connection == "fansly_default"
    connection = json.loads(os.environ["AIRFLOW_CONN_FANSLY_DEFAULT"])
    assert connection["host"] == fansly_sandbox.url
    assert connection["conn_type"] == "apifansly"


def test_plugin_imports_without_airflow() -> None:
    code = (
        "import sys; import airflow_provider_apifansly.sandbox.pytest_plugin; "
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('airflow', 'requests')))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )

    assert result.stdout.strip() == "[]"
