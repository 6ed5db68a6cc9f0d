"""pytest fixtures serving the apifansly sandbox, registered as the ``apifansly_sandbox`` plugin.

It imports the sandbox only (the standard library and h11), never Airflow, so
every pytest run can load it for free.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_apifansly.connection import DEFAULT_CONN_ID
from airflow_provider_apifansly.sandbox.server import FanslySandbox


@pytest.fixture
def fansly_sandbox() -> Iterator[FanslySandbox]:
    """A running sandbox with the default config, fresh for each test; change its config as needed."""
    with FanslySandbox() as sandbox:
        yield sandbox


@pytest.fixture
def fansly_connection(fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """The id of an Airflow connection (set through the environment) to ``fansly_sandbox``."""
    monkeypatch.setenv(f"AIRFLOW_CONN_{DEFAULT_CONN_ID.upper()}", fansly_sandbox.connection_json())
    return DEFAULT_CONN_ID
