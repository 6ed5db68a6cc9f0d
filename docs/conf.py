"""Sphinx configuration of the docs site (``make docs``: warnings and broken references fail the build).

Pages are MyST Markdown; the API reference is autodoc over the installed package, so the build's
environment needs Airflow and the provider (``make install`` gives both).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from airflow_provider_apifansly import __version__

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "airflow-provider-apifansly"
author = "The airflow-provider-apifansly authors"
copyright = "2026, The airflow-provider-apifansly authors"
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "sandbox_switches",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_ext"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autosummary_generate = True
# Each class documented where it is defined, not again where a package re-exports it (``__all__``).
autodoc_default_options = {
    "members": True,
    "undoc-members": True,
    "show-inheritance": True,
    "ignore-module-all": True,
}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_class_signature = "separated"

# Every reference must resolve (nitpicky), except to what lives outside this package: the build is
# offline (no intersphinx), so the standard library, Airflow and third-party types stay plain text,
# as do our type variables and private helpers named in signatures.
nitpicky = True
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(collections\.abc|typing|datetime|pathlib|logging|array|socketserver|decimal|subprocess|threading)(\..*)?",
    ),
    (r"py:.*", r"(airflow|requests|pytest|urllib3|fsspec|pyarrow|redis|starlette|uvicorn)(\..*)?"),
    # Airflow's and redis' names as our signatures and docstrings spell them (imported under TYPE_CHECKING).
    (r"py:.*", r"Context|TaskInstanceKey|Asset|Redis|TriggerEvent|SharedStreamProducer|AdvanceOutcome"),
    (r"py:.*", r"Instant|Taken|Parser"),  # our type aliases (timestamps, read_back, envelope)
    (r"py:meth", r"get_advance_lane|render_template_fields|open_shared_stream"),
    (r"py:.*", r"airflow_provider_apifansly\..*\.(T|StoreT|Row|_\w+)"),
]

html_theme = "alabaster"
html_title = f"airflow-provider-apifansly {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Apache Airflow provider for the apifansly REST API",
    "github_user": "apifansly",
    "github_repo": "airflow-provider-apifansly",
}


class _AllowEmptyGlob(logging.Filter):
    """Let a toctree glob match nothing: pages written on other branches are listed before they land."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "subtype", None) != "empty_glob"


def setup(app: Any) -> None:
    """Register the filter on the logger of Sphinx's toctree directive."""
    logging.getLogger("sphinx.sphinx.directives.other").addFilter(_AllowEmptyGlob())
