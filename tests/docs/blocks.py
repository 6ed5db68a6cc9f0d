"""The documentation's ``python`` code blocks and ``literalinclude`` directives, read from its Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
GENERATED = ("_build", "_api")

_FENCE = re.compile(r"^(?P<fence>```+)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
_OPTION = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*)$", re.M)


@dataclass(frozen=True)
class Block:
    """One fenced block: where it starts (``path:line``), its language or directive, and its text."""

    where: str
    info: str
    body: str


def markdown_files() -> list[Path]:
    """README.md and every hand-written page of the docs site."""
    pages = (p for p in sorted(DOCS.rglob("*.md")) if not set(p.relative_to(DOCS).parts) & set(GENERATED))
    return [REPO / "README.md", *pages]


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, in order."""
    text = path.read_text()
    return [
        Block(
            f"{path.relative_to(REPO)}:{text.count(chr(10), 0, match.start()) + 1}",
            match["info"].strip(),
            match["body"],
        )
        for match in _FENCE.finditer(text)
    ]


def python_blocks() -> list[Block]:
    """The blocks tagged ``python``: each is a runnable example."""
    return [block for path in markdown_files() for block in fenced_blocks(path) if block.info == "python"]


@dataclass(frozen=True)
class Include:
    """A ``literalinclude`` of an example DAG: the page, the file it names, and its markers."""

    page: Path
    file: Path
    start_after: str | None
    end_before: str | None


def includes(path: Path) -> list[Include]:
    """The ``{literalinclude}`` directives of a page, with their start and end markers."""
    found = []
    for block in fenced_blocks(path):
        if not block.info.startswith("{literalinclude}"):
            continue
        target = block.info.removeprefix("{literalinclude}").strip()
        options = {m["name"]: m["value"].strip().strip('"') for m in _OPTION.finditer(block.body)}
        found.append(
            Include(
                path, (path.parent / target).resolve(), options.get("start-after"), options.get("end-before")
            )
        )
    return found
