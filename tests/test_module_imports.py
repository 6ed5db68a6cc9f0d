"""What the modules that check values at DAG-parse time import: their docstrings say so, this keeps it true."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Each says it imports no ``requests`` and no hook (Airflow only through ``exceptions``).
PARSE_TIME_MODULES = ["automated_message", "mass_message", "export_formats", "money", "timestamps", "post"]
# Each says it imports neither Airflow nor ``requests``.
AIRFLOW_FREE_MODULES = ["connection", "credits", "hooks.options", "pytest_plugin"]


def imported_by(module: str) -> set[str]:
    """The top-level packages among airflow, requests, pyarrow and our hooks a fresh interpreter imports."""
    code = (
        f"import sys, airflow_provider_apifansly.{module}; "
        "print(' '.join(n for n in sys.modules if n in ('airflow', 'requests', 'pyarrow', "
        "'airflow_provider_apifansly.hooks.fansly')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", PARSE_TIME_MODULES)
def test_a_parse_time_module_imports_no_requests_no_hook_and_no_pyarrow(module: str) -> None:
    assert imported_by(module) <= {"airflow"}


@pytest.mark.parametrize("module", AIRFLOW_FREE_MODULES)
def test_a_module_that_says_it_imports_no_airflow_does_not(module: str) -> None:
    assert imported_by(module) == set()
