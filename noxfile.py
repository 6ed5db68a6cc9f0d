"""The compatibility matrix and quality gates: ``nox -s tests-2.11 lint typecheck build``.

Every session gets a fresh uv-backed venv, so it installs in seconds and tests
exactly what it resolves. ``nox -l`` lists the sessions; extra pytest arguments
go after ``--``, e.g. ``nox -s tests-2.11 -- -m integration``.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tarfile
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.error_on_external_run = True
nox.options.sessions = ["lint", "typecheck", "tests-3.3"]

REPO = Path(__file__).resolve().parent
PROVIDER_PACKAGE = "airflow-provider-apifansly"
EXAMPLE_DAG_IDS = {
    "example_fansly_automations",
    "example_fansly_agency_daily",
    "example_fansly_analytics_export",
    "example_fansly_bulk_group_chats",
    "example_fansly_content_calendar",
    "example_fansly_create_group_chat",
    "example_fansly_expiring_offer",
    "example_fansly_export_earnings",
    "example_fansly_load_earnings",
    "example_fansly_mapped_group_chats",
    "example_fansly_ppv_drop",
    "example_fansly_reengage_expired",
    "example_fansly_top_supporters_thanks",
    "example_fansly_welcome_pipeline",
}
# Scheduled on webhook events through asset watchers, which Airflow 2 lacks: there these files define no DAG.
EVENT_EXAMPLE_DAG_IDS = {
    "example_fansly_messages_to_storage",
    "example_fansly_on_new_subscriber",
    "example_fansly_on_ppv_purchase",
}

# The latest patch of each supported minor that resolves and passes here.
AIRFLOW_PINS = {
    "2.11": "apache-airflow==2.11.*",  # tests-2.11 resolves lowest-direct: 2.11.0; build's check: 2.11.2
    "3.0": "apache-airflow==3.0.6",
    "3.1": "apache-airflow==3.1.8",
    "3.2": "apache-airflow==3.2.2",
    "3.3": "apache-airflow==3.3.2",
}
# Airflow pins its dependencies only in constraints files (fetched from GitHub, out of
# reach here); these caps hold what 3.0.6 and 3.2.2 were released against. Without them
# dag.test() fails every task: FastAPI >= 0.137 answers the task SDK's requests (sent
# without a Content-Type) with HTTP 422 on PATCH task-instances/{id}/run; cadwyn >= 8
# needs that newer FastAPI; and on 3.2.2 svcs 26 leaves the execution API without its
# registry ("'State' object has no attribute 'svcs_registry'").
AIRFLOW_CONSTRAINTS = {
    # Airflow 2.11's and 3.0's ObjectStoragePath refuse every URL under universal-pathlib 0.3
    # ("detected protocol file which is incompatible"); their own constraints files pin 0.2.x.
    # With cryptography 51 a configured Fernet key (airflow.cfg has one) makes every connection with a
    # password "not defined" on 2.11 and 3.0 (MultiFernet has no is_encrypted): `airflow tasks test` needs it.
    "2.11": ["universal-pathlib<0.3", "cryptography<51"],
    "3.0": ["fastapi<0.118", "cadwyn<6", "universal-pathlib<0.3", "cryptography<51"],
    "3.2": ["fastapi<0.137", "cadwyn<8", "svcs<26"],
}
# Airflow 2.11 is the declared floor, so it installs every direct dependency at
# its minimum from pyproject.toml: a minimum that no longer works fails here.
LOWEST_DIRECT = {"2.11"}

# Prints the resolved versions that matter, so a failure names them.
SHOW_VERSIONS = (
    "import importlib.metadata as m; names = {'apache-airflow', 'apache-airflow-providers-common-compat', "
    "'requests', 'tenacity', 'pytest'}; print('resolved:', ', '.join(sorted(f'{d.name}=={d.version}' "
    "for d in m.distributions() if d.name in names)))"
)


def _dev_requirements(*names: str) -> list[str]:
    """The ``dev`` extra's requirement for each tool, so nox and ``make install`` agree on versions."""
    dev = nox.project.load_toml(REPO / "pyproject.toml")["project"]["optional-dependencies"]["dev"]
    found = {name: [req for req in dev if re.match(rf"{re.escape(name)}\b(?!-)", req)] for name in names}
    missing = [name for name, reqs in found.items() if len(reqs) != 1]
    if missing:
        raise ValueError(f"pyproject.toml's dev extra must list each of {missing} exactly once")
    return [reqs[0] for reqs in found.values()]


def _airflow_env(home: Path) -> dict[str, str]:
    """A throwaway AIRFLOW_HOME (SQLite) with the example DAGs as the DAGs folder."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "example_dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }


def _show_versions(session: nox.Session, python: str = "python") -> None:
    """Print the resolved versions of Airflow and the direct dependencies."""
    session.run(python, "-c", SHOW_VERSIONS, external=python != "python")


def _register_tests_session(minor: str, pin: str) -> None:
    """Define ``tests-<minor>``: the project with its test extra on that Airflow minor, then pytest."""

    @nox.session(name=f"tests-{minor}")
    def tests(session: nox.Session) -> None:
        options = ["--resolution", "lowest-direct"] if minor in LOWEST_DIRECT else []
        if minor in AIRFLOW_CONSTRAINTS:
            constraints = Path(session.create_tmp()).resolve() / "constraints.txt"
            constraints.write_text("\n".join(AIRFLOW_CONSTRAINTS[minor]) + "\n")
            options += ["--constraint", str(constraints)]
        session.install(*options, "-e", ".[test]", pin)
        _show_versions(session)
        session.run("pytest", *session.posargs)

    how = f"{pin}, lowest-direct" if minor in LOWEST_DIRECT else pin
    tests.__doc__ = f"Run the test suite on Airflow {minor} ({how})."


for _minor, _pin in AIRFLOW_PINS.items():
    _register_tests_session(_minor, _pin)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check, the same gates as pre-commit."""
    session.install(*_dev_requirements("ruff"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Strict mypy on the package (config in pyproject.toml), against the newest Airflow."""
    # The test extra too: the bundled pytest plugin needs pytest's types.
    session.install("-e", ".[test]", *_dev_requirements("mypy", "types-requests"), AIRFLOW_PINS["3.3"])
    session.run("mypy")


@nox.session
def build(session: nox.Session) -> None:
    """Build wheel and sdist, check them, then prove the wheel works in clean Airflow 2.11 and 3.3 venvs."""
    session.install("uv", "twine")
    tmp = Path(session.create_tmp()).resolve()
    dist = tmp / "dist"
    shutil.rmtree(dist, ignore_errors=True)  # a reused venv keeps earlier builds
    session.run("uv", "build", "--quiet", "--out-dir", str(dist), str(REPO))
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    session.run("twine", "check", "--strict", str(wheel), str(sdist))
    with tarfile.open(sdist) as archive:
        members = {Path(name).relative_to(Path(name).parts[0]).as_posix() for name in archive.getnames()}
    missing_files = {"CHANGELOG.md", "README.md", "tests/conftest.py"} - members
    # A file may hold several DAGs (the earnings export and its downstream load): check files, not ids.
    missing_files |= {f"example_dags/{path.name}" for path in (REPO / "example_dags").glob("*.py")} - members
    if missing_files:
        session.error(f"{sdist.name} lacks {sorted(missing_files)}")

    session.chdir(tmp)  # away from the checkout, so only the installed wheel can be imported
    for minor in ("2.11", "3.3"):
        _check_wheel(session, wheel, tmp / f"clean-{minor}", AIRFLOW_PINS[minor])


def _check_wheel(session: nox.Session, wheel: Path, venv: Path, airflow_pin: str) -> None:
    """Install the wheel and Airflow alone into ``venv``; Airflow must list the provider and parse the DAGs."""
    session.run("uv", "venv", "--quiet", "--clear", "--python", sys.executable, str(venv))
    python, airflow = str(venv / "bin" / "python"), str(venv / "bin" / "airflow")
    session.run("uv", "pip", "install", "--quiet", "--python", python, str(wheel), airflow_pin)
    _show_versions(session, python)
    env = _airflow_env(venv / "airflow-home")

    def airflow_json(*args: str) -> list[dict[str, str]]:
        output = session.run(airflow, *args, "-o", "json", env=env, external=True, silent=True)
        return _json_rows(session, output)

    location = session.run(
        python, "-c", "import airflow_provider_apifansly as p; print(p.__file__)", external=True, silent=True
    )
    if not isinstance(location, str) or str(venv) not in location:
        session.error(f"the provider was not imported from the installed wheel: {location}")

    providers = {row["package_name"] for row in airflow_json("providers", "list")}
    if PROVIDER_PACKAGE not in providers:
        session.error(f"`airflow providers list` does not show {PROVIDER_PACKAGE}: {sorted(providers)}")

    # Airflow 3 reads import errors from the metadata DB, so parse the DAGs into it first.
    session.run(airflow, "db", "migrate", env=env, external=True, silent=True)
    session.run(airflow, "dags", "reserialize", env=env, external=True, silent=True)
    import_errors = airflow_json("dags", "list-import-errors")
    if import_errors:
        session.error(f"example DAGs failed to import: {json.dumps(import_errors, indent=2)}")
    expected = EXAMPLE_DAG_IDS | (
        set() if airflow_pin.startswith("apache-airflow==2.") else EVENT_EXAMPLE_DAG_IDS
    )
    missing_dags = expected - {row["dag_id"] for row in airflow_json("dags", "list")}
    if missing_dags:
        session.error(f"example DAGs missing from `airflow dags list`: {sorted(missing_dags)}")
    session.log(f"{airflow_pin}: {PROVIDER_PACKAGE} registered; {len(expected)} example DAGs parse")


def _json_rows(session: nox.Session, output: str | bool | None) -> list[dict[str, str]]:
    """The rows of the JSON table an ``airflow ... -o json`` command printed among its log lines."""
    for line in reversed(output.splitlines() if isinstance(output, str) else []):
        if line.startswith("["):
            try:
                rows: list[dict[str, str]] = json.loads(line)
            except json.JSONDecodeError:
                continue
            return rows
    session.error(f"no JSON table in the Airflow CLI output:\n{output}")
