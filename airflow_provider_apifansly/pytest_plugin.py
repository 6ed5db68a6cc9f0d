"""pytest fixtures serving the apifansly sandbox, registered as the ``apifansly_sandbox`` plugin.

pytest loads it in every run of every project that installs the provider, so it imports
nothing at load time: the sandbox (and its HTTP parser, h11, from the ``sandbox`` extra) is
imported only when a test asks for a fixture. Without the extra the fixtures fail that test
with a message saying what to install; every other test, and ``pytest --version``, never notice.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from airflow_provider_apifansly.sandbox.server import FanslySandbox

MISSING_EXTRA = (
    "the apifansly sandbox needs its server dependencies: pip install 'airflow-provider-apifansly[sandbox]'"
)


def sandbox_available() -> bool:
    """Whether the ``sandbox`` extra's dependencies are installed (checked without importing them)."""
    return importlib.util.find_spec("h11") is not None


@pytest.fixture
def fansly_sandbox() -> Iterator[FanslySandbox]:
    """A running sandbox with the default config, fresh for each test; change its config as needed."""
    if not sandbox_available():
        pytest.fail(MISSING_EXTRA, pytrace=False)
    from airflow_provider_apifansly.sandbox.server import FanslySandbox

    with FanslySandbox() as sandbox:
        yield sandbox


@pytest.fixture
def fansly_connection(fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """The id of an Airflow connection (set through the environment) to ``fansly_sandbox``."""
    from airflow_provider_apifansly.connection import DEFAULT_CONN_ID

    monkeypatch.setenv(f"AIRFLOW_CONN_{DEFAULT_CONN_ID.upper()}", fansly_sandbox.connection_json())
    return DEFAULT_CONN_ID
