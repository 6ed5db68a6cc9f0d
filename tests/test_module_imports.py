"""What the modules that check values at DAG-parse time import: their docstrings say so, this keeps it true.

The payload models import nothing of the hooks package, so the hook's endpoints can import them without a loop.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

# Each says it imports no hook and no HTTP client: Airflow only, through ``exceptions`` -> ``_compat``.
PARSE_TIME_MODULES = [
    "models.automated_message",
    "models.mass_message",
    "models.message",
    "models.post",
    "models.batch_input",
    "export_formats",
    "money",
    "timestamps",
]
# Each says it imports neither Airflow nor ``requests``.
AIRFLOW_FREE_MODULES = ["connection", "credits", "hooks.options", "pytest_plugin"]
HOOK_MODULES = ("hooks.fansly", "hooks.endpoints", "hooks.envelope", "hooks.transport")
WATCHED = ("airflow", "requests", "pyarrow", *(f"airflow_provider_apifansly.{name}" for name in HOOK_MODULES))


def imported_by(module: str) -> set[str]:
    """Which of ``WATCHED`` a fresh interpreter has imported after importing ``module`` of the package."""
    code = (
        f"import sys, airflow_provider_apifansly.{module}; "
        f"print(' '.join(name for name in {WATCHED!r} if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return set(result.stdout.split())


@pytest.fixture(scope="module")
def airflow_alone() -> set[str]:
    """What importing Airflow's exception classes brings (Airflow 2.11 imports ``requests`` itself)."""
    return imported_by("_compat")


@pytest.mark.parametrize("module", PARSE_TIME_MODULES)
def test_a_parse_time_module_imports_no_more_than_airflows_exceptions_bring(
    module: str, airflow_alone: set[str]
) -> None:
    assert "pyarrow" not in airflow_alone
    assert imported_by(module) <= airflow_alone


@pytest.mark.parametrize("module", AIRFLOW_FREE_MODULES)
def test_a_module_that_says_it_imports_no_airflow_does_not(module: str) -> None:
    assert imported_by(module) == set()
