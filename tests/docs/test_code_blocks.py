"""Every ``python`` block of README.md and of the docs site runs, against the sandbox.

Each block runs in a fresh namespace, with the Airflow connection ``fansly_default`` pointing at a
fresh sandbox, inside a DAG so that an operator written without one still builds. A block that
defines tasks must build them into a DAG, and a ``test_*`` function it defines is called with the
sandbox fixtures, as pytest would. Blocks that are not Python (shell, output) use another tag.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Any

import pytest

from airflow_provider_apifansly._compat import BaseOperator
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.docs.blocks import Block, python_blocks

BLOCKS = python_blocks()


def test_the_readme_and_the_docs_have_runnable_examples() -> None:
    pages = {block.where.split(":")[0] for block in BLOCKS}
    assert "README.md" in pages
    assert len(BLOCKS) >= 10, [block.where for block in BLOCKS]


@pytest.mark.parametrize("block", BLOCKS, ids=[block.where for block in BLOCKS])
def test_a_python_block_runs(block: Block, fansly_sandbox: FanslySandbox, fansly_connection: str) -> None:
    from airflow.providers.common.compat.sdk import DAG

    namespace: dict[str, Any] = {"__name__": "docs_example"}
    path, line = block.where.rsplit(":", 1)
    code = compile("\n" * int(line) + block.body, path, "exec")  # tracebacks name the page's own lines
    with DAG(dag_id="docs_example", schedule=None, start_date=datetime(2026, 1, 1)) as around:
        exec(code, namespace)

    dags = [around, *(value for value in namespace.values() if isinstance(value, DAG))]
    operators = [value for value in namespace.values() if isinstance(value, BaseOperator)]
    if "Operator" in block.body or "DAG(" in block.body:
        tasks = [task for dag in dags for task in dag.tasks]
        assert tasks, f"{block.where} defines tasks but built none into a DAG"
        assert all(operator.dag is not None for operator in operators)

    fixtures = {"fansly_sandbox": fansly_sandbox, "fansly_connection": fansly_connection}
    for name, value in namespace.items():
        if name.startswith("test_") and callable(value):
            value(**{arg: fixtures[arg] for arg in inspect.signature(value).parameters})
