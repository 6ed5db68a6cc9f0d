"""ExportToStorageOperator's OpenLineage facets, with apache-airflow-providers-openlineage installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_apifansly.operators.export import ExportToStorageOperator
from airflow_provider_apifansly.sandbox import DEFAULT_ACCOUNT_ID, FanslySandbox

pytest.importorskip("airflow.providers.openlineage", reason="the [openlineage] extra is not installed")


def test_lineage_names_the_api_resource_in_and_the_object_out_without_a_request(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path
) -> None:
    export = ExportToStorageOperator(
        task_id="export", resource="top_supporters", path=f"file://{tmp_path}/top.csv", format="csv"
    )

    lineage = export.get_openlineage_facets_on_complete(None)

    [source] = lineage.inputs
    host = fansly_sandbox.url.removeprefix("http://")
    assert (source.namespace, source.name) == (f"apifansly://{host}", f"{DEFAULT_ACCOUNT_ID}/top_supporters")
    [target] = lineage.outputs
    assert (target.namespace, target.name) == ("file", f"{str(tmp_path).lstrip('/')}/top.csv")
    assert fansly_sandbox.journal == []
