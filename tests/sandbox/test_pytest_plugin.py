"""The pytest plugin: its fixtures work, and loading it imports neither Airflow nor the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_plugin_imports_neither_airflow_nor_the_sandbox_server() -> None:
    code = (
        "import sys; import airflow_provider_apifansly.pytest_plugin; "
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('airflow', 'requests', 'h11')"
        " or name.startswith('airflow_provider_apifansly.sandbox.server')))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )

    assert result.stdout.strip() == "[]"


def test_without_the_sandbox_extra_a_fixture_fails_its_test_saying_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "from airflow_provider_apifansly import pytest_plugin\n"
        "pytest_plugin.sandbox_available = lambda: False  # as if h11 were not installed\n"
    )
    (tmp_path / "test_uses_it.py").write_text(
        "def test_needs_it(fansly_sandbox):\n    pass\n\ndef test_other():\n    pass\n"
    )

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )

    assert "1 passed, 1 error" in result.stdout, result.stdout[-2000:]
    assert "pip install 'airflow-provider-apifansly[sandbox]'" in result.stdout
