"""What a scenario reports (a table, its goals, notes) and how it is printed and written as Markdown."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Goal:
    """A target from the issue and whether this run met it."""

    name: str
    target: str
    measured: str
    met: bool


@dataclass(frozen=True)
class Credits:
    """Requests the server counted for a run, to compare with the chats (or messages) it produced.

    :param chats: what the run produced: chats (created or found), or messages delivered.
    :param unit: what ``chats`` counts, ``"chat"`` or ``"message"``.
    :param allowance: requests beyond one per item that the run may spend, e.g. its one ``GET /me``.
    :param allowance_note: what the allowance pays for, as the goal's target names it.
    """

    run: str
    chats: int
    requests: int
    rate_limited: int
    credits: int  # as the server billed them, by sandbox/billing.py (a 429 costs none)
    unit: str = "chat"
    allowance: int = 1
    allowance_note: str = "one /me per run"

    @property
    def per_chat(self) -> float:
        return self.requests / self.chats

    @property
    def charged_per_chat(self) -> float:
        """Credits per chat, as the server charged them."""
        return self.credits / self.chats


@dataclass
class Section:
    """One scenario's results: a table (first row is the header), goals and notes."""

    title: str
    setup: str
    rows: list[list[str]]
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    credits: list[Credits] = field(default_factory=list)


def ratio(value: float) -> str:
    return f"{value:.2f}x"


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def machine() -> list[tuple[str, str]]:
    """The facts a reader needs to compare these figures with theirs."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return [
        ("Date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", model),
        ("Cores", str(os.cpu_count())),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("Airflow", version("apache-airflow")),
        ("requests", version("requests")),
        ("Code", code_version()),
    ]


def code_version() -> str:
    """The commit measured, and whether the package or example DAGs differ from it."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "airflow_provider_apifansly", "example_dags")
    return f"{commit} (with uncommitted changes to the package)" if dirty else commit


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: how busy the shared machine was."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def text_table(rows: list[list[str]]) -> str:
    """A fixed-width table for the terminal: first column left-aligned, the others right-aligned."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]

    def line(row: list[str]) -> str:
        cells = [
            row[0].ljust(widths[0]),
            *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)),
        ]
        return "  ".join(cells)

    return "\n".join([line(rows[0]), "  ".join("-" * width for width in widths), *map(line, rows[1:])])


def markdown_table(rows: list[list[str]]) -> str:
    header, *body = rows
    align = ["---", *("---:" for _ in header[1:])]
    return "\n".join("| " + " | ".join(row) + " |" for row in [header, align, *body])


def goal_rows(goals: list[Goal]) -> list[list[str]]:
    return [["Goal", "Target", "Measured", "Met"]] + [
        [goal.name, goal.target, goal.measured, "yes" if goal.met else "**no**"] for goal in goals
    ]


def credit_section(sections: list[Section]) -> Section:
    """The last scenario: requests (and credits) per chat or message, gathered from every other scenario."""
    rows = [["Run", "Chats or messages", "Requests", "429s", "Requests/item", "Credits/item"]]
    goals = []
    for section in sections:
        scenario = section.title.split(".")[0]
        for credits in section.credits:
            run = f"{scenario}. {credits.run}"
            rows.append(
                [
                    run,
                    f"{credits.chats:,} {credits.unit}s",
                    str(credits.requests),
                    str(credits.rate_limited),
                    f"{credits.per_chat:.3f}",
                    f"{credits.charged_per_chat:.3f}",
                ]
            )
            target = f"1 per {credits.unit}" + (f" + {credits.allowance_note}" if credits.allowance else "")
            goals.append(
                Goal(
                    f"Credits/{credits.unit}, {run}",
                    target,
                    f"{credits.charged_per_chat:.3f}",
                    credits.credits <= credits.chats + credits.allowance,
                )
            )
    return Section(
        f"{len(sections)}. Credits: requests per chat or message",
        "Counted by the sandbox (server side), which bills by its own reading of the contract "
        "(sandbox/billing.py, written apart from the hook's credits.py): each answer 1 "
        "credit per started 80,000 bytes (every answer here is far smaller, so 1), an upload 2 per "
        "started MB (at least 3); a 429 is refused before that, so it costs a request but no credit. "
        "An item is a chat the run created or found, or a message it delivered.",
        rows,
        goals,
    )


def to_text(section: Section) -> str:
    parts = [f"== {section.title} ==", section.setup, "", text_table(section.rows)]
    if section.goals:
        parts += ["", text_table(goal_rows(section.goals))]
    parts += [f"* {note}" for note in section.notes]
    return "\n".join(parts)


def to_markdown(section: Section) -> str:
    parts = [f"## {section.title}", "", section.setup, "", markdown_table(section.rows)]
    if section.goals:
        parts += ["", markdown_table(goal_rows(section.goals))]
    if section.notes:
        parts += ["", *(f"- {note}" for note in section.notes)]
    return "\n".join(parts)


def document(command: str, facts: list[tuple[str, str]], sections: list[Section]) -> str:
    """The whole ``docs/benchmarks.md``; ``facts`` describe the machine and the run."""
    goals = [goal for section in sections for goal in section.goals]
    met = sum(goal.met for goal in goals)
    return "\n".join(
        [
            "# Benchmarks",
            "",
            f"<!-- Generated by `{command}` (bench/run_all.py). Do not edit by hand: run it again. -->",
            f"Generated by `{command}`: every figure below comes from one run of `bench/run_all.py` "
            "against the bundled sandbox on 127.0.0.1, and every ratio compares figures "
            "measured in that same run. The machine is shared and noisy, so read the ratios, "
            "not the absolute times.",
            "",
            "## Machine",
            "",
            markdown_table([["", ""], *([name, value] for name, value in facts)]),
            "",
            f"## Goals: {met} of {len(goals)} met",
            "",
            markdown_table(goal_rows(goals)),
            "",
            *(to_markdown(section) + "\n" for section in sections),
        ]
    )
