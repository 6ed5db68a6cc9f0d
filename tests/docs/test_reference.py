"""The docs site covers the package.

A how-to page with an example DAG for every operator and trigger Airflow lists, example DAGs included by
markers that exist, and every public class in the API reference.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import airflow_provider_apifansly
from airflow_provider_apifansly._compat import BaseOperator
from airflow_provider_apifansly.get_provider_info import get_provider_info
from tests.docs.blocks import DOCS, Include, includes

HOWTO = DOCS / "howto"


def provider_classes() -> list[type]:
    """The operator and trigger classes defined in the modules ``get_provider_info()`` lists."""
    from airflow.triggers.base import BaseTrigger

    info = get_provider_info()
    modules = [
        m for kind in ("operators", "triggers") for entry in info[kind] for m in entry["python-modules"]
    ]
    return [
        cls
        for module in map(importlib.import_module, modules)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and issubclass(cls, (BaseOperator, BaseTrigger))
    ]


def howto_includes() -> list[Include]:
    return [include for page in sorted(HOWTO.glob("*.md")) for include in includes(page)]


@pytest.mark.parametrize("cls", provider_classes(), ids=lambda cls: cls.__name__)
def test_every_operator_and_trigger_has_a_howto_page_with_an_example_dag(cls: type) -> None:
    from airflow.triggers.base import BaseTrigger

    pages = [page for page in sorted(HOWTO.glob("*.md")) if f"`{cls.__name__}`" in page.read_text()]
    pages += [page for page in sorted(HOWTO.glob("*.md")) if f".{cls.__name__}`" in page.read_text()]
    assert pages, f"no page in docs/howto names {cls.__name__}"
    # An operator's example must use it; a trigger's, an operator deferring to it.
    used = "deferrable=True" if issubclass(cls, BaseTrigger) else cls.__name__
    examples = [
        include.file.name
        for page in pages
        for include in includes(page)
        if include.file.parent.name == "example_dags"
        and include.file.is_file()
        and used in include.file.read_text()
    ]
    assert examples, f"{[p.name for p in pages]} include no example DAG using {used}"


@pytest.mark.parametrize("include", howto_includes(), ids=lambda i: f"{i.page.name}:{i.start_after}")
def test_an_included_example_dag_carries_its_markers(include: Include) -> None:
    assert include.start_after is not None, f"{include.page.name}: include {include.file.name} by its markers"
    assert include.end_before is not None, f"{include.page.name}: include {include.file.name} by its markers"
    assert include.start_after.startswith("[START howto_"), include
    text = include.file.read_text() if include.file.is_file() else ""
    start, end = text.find(include.start_after), text.find(include.end_before)
    assert 0 <= start < end, f"{include.file.name} lacks {include.start_after} ... {include.end_before}"


def public_classes() -> Iterator[str]:
    """``module.Class`` of every public class defined in the package."""
    package = airflow_provider_apifansly
    for module_info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if any(part.startswith("_") for part in module_info.name.split(".")):
            continue
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{module.__name__}.{name}"


@pytest.fixture(scope="module")
def documented(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The Python objects a fresh build of the docs site documents (Sphinx's ``dummy`` builder)."""
    pytest.importorskip("sphinx", reason="the docs extra builds the API reference")
    from sphinx.application import Sphinx

    out = tmp_path_factory.mktemp("docs")
    app = Sphinx(str(DOCS), str(DOCS), str(out / "html"), str(out / "doctrees"), "dummy", status=None)
    app.build(force_all=True)
    objects: dict[str, Any] = app.env.get_domain("py").objects  # type: ignore[attr-defined]
    return objects


def test_the_api_reference_lists_every_public_class(documented: dict[str, Any]) -> None:
    missing = sorted(set(public_classes()) - set(documented))
    assert not missing, f"classes missing from the API reference: {missing}"
    assert "airflow_provider_apifansly.hooks.fansly.FanslyHook" in documented


def test_the_docs_build_needs_no_file_outside_docs_but_the_package_and_examples() -> None:
    # Pages link the example DAGs and the changelog by relative paths: they must exist.
    for page in DOCS.rglob("*.md"):
        for include in includes(page):
            assert include.file.is_file(), f"{page.name} includes a missing {include.file}"
    assert Path(DOCS.parent / "CHANGELOG.md").is_file()
