"""ExportToStorageOperator's OpenLineage facets, with apache-airflow-providers-openlineage installed.

Names as the OpenLineage naming spec builds them from each source's URI
(https://openlineage.io/docs/spec/naming).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_apifansly.operators.export import ExportToStorageOperator
from airflow_provider_apifansly.sandbox import DEFAULT_ACCOUNT_ID, FanslySandbox

pytest.importorskip("airflow.providers.openlineage", reason="the [openlineage] extra is not installed")


@pytest.mark.parametrize(
    ("resource", "status", "route"),
    [
        ("top_supporters", None, "top-supporters"),
        ("transactions", None, "earnings/transactions"),
        ("subscribers", "expired", "subscribers"),
        ("mass_message_stats", "deleted", "mass-messaging/stats/deleted"),
        ("profile_stats", None, "analytics/profilestats"),
    ],
)
def test_the_input_is_the_api_route_under_the_hosts_uri_and_the_file_out_is_its_absolute_path(
    resource: str,
    status: str | None,
    route: str,
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    tmp_path: Path,
) -> None:
    export = ExportToStorageOperator(
        task_id="export", resource=resource, path=f"file://{tmp_path}/out.csv", format="csv", status=status
    )

    lineage = export.get_openlineage_facets_on_complete(None)

    [source] = lineage.inputs
    assert (source.namespace, source.name) == (
        fansly_sandbox.url,
        f"/api/fansly/{DEFAULT_ACCOUNT_ID}/{route}",
    )
    assert fansly_sandbox.url.startswith("http://127.0.0.1:")
    [target] = lineage.outputs
    assert (target.namespace, target.name) == ("file", f"{tmp_path}/out.csv")
    assert target.name.startswith("/")
    assert fansly_sandbox.journal == []


def test_the_live_apis_namespace_is_its_https_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_FANSLY_DEFAULT",
        '{"conn_type": "apifansly", "host": "https://v1.apifansly.com", "password": "key", '
        '"extra": {"account_id": "fansly_1"}}',
    )
    export = ExportToStorageOperator(
        task_id="export", resource="chats", path=f"file://{tmp_path}/chats.jsonl", format="jsonl"
    )

    [source] = export.get_openlineage_facets_on_complete(None).inputs

    assert (source.namespace, source.name) == ("https://v1.apifansly.com", "/api/fansly/fansly_1/chats")
