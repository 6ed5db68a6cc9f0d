"""A connection stored in Airflow's metadata DB reads back under a Fernet key, as in every deployment.

Airflow 2.11.2's ``get_fernet()`` fails under cryptography 51, and a connection with a password then
reads as "not defined"; the 2.11 lane caps cryptography as Airflow 2.11's constraints do.
"""

from __future__ import annotations

import json
import os

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_API_KEY, FanslySandbox
from tests.helpers import airflow_cli

pytestmark = [pytest.mark.integration, pytest.mark.matrix, pytest.mark.usefixtures("airflow_db")]


def test_a_stored_connection_with_a_key_is_encrypted_and_the_hook_reads_it_back(
    fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert os.environ.get("AIRFLOW__CORE__FERNET_KEY"), "tests/conftest.py sets a Fernet key"
    added = airflow_cli(
        "connections", "add", "fansly_fernet", "--conn-type", "apifansly",
        "--conn-host", fansly_sandbox.url, "--conn-password", DEFAULT_API_KEY,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr[-2000:]

    stored = airflow_cli("connections", "get", "fansly_fernet", "-o", "json")
    (row,) = json.loads(stored.stdout[stored.stdout.index("[{") :])
    assert (row["is_encrypted"], row["password"]) == ("True", DEFAULT_API_KEY)

    monkeypatch.setenv("AIRFLOW__CORE__TEST_CONNECTION", "Enabled")
    tested = airflow_cli("connections", "test", "fansly_fernet")
    assert "Connection success!" in tested.stdout, tested.stdout[-2000:] + tested.stderr[-2000:]
    assert fansly_sandbox.counters.requests == 1
