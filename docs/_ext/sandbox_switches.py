"""The ``sandbox-switches`` directive: a table of every ``SandboxConfig`` switch, read from the code.

Each switch is declared once, with its meaning, by ``switch()`` in its resource module (or the core
config); this renders that declaration (values, default, environment variable, CLI flag), so the
page cannot drift.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive

from airflow_provider_apifansly.sandbox.config import SWITCHES

COLUMNS = ("Switch", "Values (default first)", "Environment / CLI", "Meaning")


def _literal(text: str) -> nodes.Node:
    return nodes.literal(text, text)


def _row(cells: list[list[nodes.Node]]) -> nodes.row:
    row = nodes.row()
    for content in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", *content)
        row += entry
    return row


class SandboxSwitches(Directive):
    """Render the table; takes no arguments or content."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """The table, one row per switch."""
        table, group = nodes.table(), nodes.tgroup(cols=len(COLUMNS))
        table += group
        group += [nodes.colspec(colwidth=width) for width in (18, 20, 22, 40)]
        head, body = nodes.thead(), nodes.tbody()
        head += _row([[nodes.Text(title)] for title in COLUMNS])
        for switch in SWITCHES:
            values = [switch.default, *(value for value in switch.values if value != switch.default)]
            shown: list[nodes.Node] = []
            for index, value in enumerate(values):
                shown += [nodes.Text(", ")] if index else []
                shown.append(_literal(str(value)))
            if not switch.values:  # a number, text or true/false: its default, then what it takes
                shown.append(nodes.Text(f" ({switch.allowed})"))
            where = [_literal(switch.variable), nodes.Text(" "), _literal(switch.flag)]
            body += _row([[_literal(switch.name)], shown, where, [nodes.Text(switch.help)]])
        group += [head, body]
        return [table]


def setup(app: Any) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("sandbox-switches", SandboxSwitches)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
