"""ListAccountsOperator and an agency's DAG mapped over the key's accounts, in real Airflow against the sandbox."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import printed_xcoms, run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAY_END = datetime(2026, 11, 29, tzinfo=UTC)  # the run's interval: the day before it
END_MS = int(DAY_END.timestamp() * 1000)
DAY_MS = 86_400_000
SHARED_FAN = "723516315247063042"  # subscribed to every account's creator


def test_list_accounts_returns_ids_in_api_order_and_pushes_names_never_emails(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    ids = fansly_sandbox.seed_accounts(3)

    _, tasks = run_dag("fansly_test_dags", dag_id="test_fansly_list_accounts")

    out = capfd.readouterr().out
    xcoms = printed_xcoms(out)
    assert tasks["accounts"] == "success", tasks
    assert xcoms["return_value"] == ids
    assert xcoms["accounts"] == [
        {"account_id": ids[0], "name": "Sandbox Creator"},
        {"account_id": ids[1], "name": "Sandbox Creator 2"},
        {"account_id": ids[2], "name": "Sandbox Creator 3"},
    ]
    assert xcoms["credits"] == 1
    assert "sandbox.invalid" not in out  # the accounts' emails


def test_the_agency_dag_exports_and_welcomes_each_account_with_its_own_creator(
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("EXPORT_FOLDER", str(tmp_path))
    ids = fansly_sandbox.seed_accounts(3)
    creators = {
        account.account_id: account.creator_id
        for account in fansly_sandbox.config.keys[next(iter(fansly_sandbox.config.keys))]
    }
    transactions, new_fans = {}, {}
    for n, account_id in enumerate(ids, start=1):
        # n transactions in the day, one the day before; the shared fan and n - 1 others new today.
        transactions[account_id] = fansly_sandbox.seed_transactions(
            [END_MS - DAY_MS + 1_000 * k for k in range(n)], account_id=account_id
        )
        fansly_sandbox.seed_transactions([END_MS - DAY_MS - 1], account_id=account_id)
        new_fans[account_id] = [SHARED_FAN, *(f"72351631524710{n}{k:03d}" for k in range(n - 1))]
        fansly_sandbox.seed_subscribers(
            new_fans[account_id], created_at=END_MS - 60_000, account_id=account_id
        )
        fansly_sandbox.seed_subscribers(
            ["723516315247000001"], created_at=END_MS - 2 * DAY_MS, account_id=account_id
        )

    state, tasks = run_dag("example_fansly_agency_daily", logical_date=DAY_END)

    out = capfd.readouterr().out
    assert state == "success", tasks
    exported = {
        path.relative_to(tmp_path / "agency").as_posix(): path.read_text().splitlines()
        for path in sorted((tmp_path / "agency").rglob("*.jsonl"))
    }
    assert [name.split("/")[0] for name in exported] == [
        f"account={account_id}" for account_id in sorted(ids)
    ]
    for name, lines in exported.items():
        account_id = name.split("/")[0].removeprefix("account=")
        assert name.endswith("/date=2026-11-28/transactions.jsonl")  # the interval [11-28, 11-29)
        assert sorted(json.loads(line)["transactionId"] for line in lines) == sorted(transactions[account_id])
    # Each chat in its own account, opened by that account's creator, who sent its one welcome.
    for account_id in ids:
        groups = [group for group in fansly_sandbox.groups if group.account_id == account_id]
        assert sorted(group.partner_id for group in groups) == sorted(new_fans[account_id])
        assert all(creators[account_id] in group.user_ids for group in groups)
        welcomes = [record for record in fansly_sandbox.messages if record.account_id == account_id]
        assert Counter(record.message["senderId"] for record in welcomes) == {
            creators[account_id]: len(new_fans[account_id])
        }
    me_reads = Counter(entry.path for entry in fansly_sandbox.journal if entry.path.endswith("/me"))
    assert me_reads == {f"/api/fansly/{account_id}/me": 1 for account_id in ids}
    assert "sandbox.invalid" not in out
