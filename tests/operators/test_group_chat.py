"""The operators in real Airflow (``dag.test()`` on SQLite) against the sandbox on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_apifansly.sandbox import (
    DEFAULT_CREATOR_ID,
    FanslySandbox,
    Fault,
    SandboxConfig,
    single_key,
)
from tests.helpers import printed_xcoms, run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

FAN = "723516315247063042"


@pytest.mark.matrix
def test_the_group_id_reaches_the_downstream_task_through_xcom(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    state, _ = run_dag("example_fansly_create_group_chat", {"user_id": FAN})

    assert state == "success"
    (group,) = fansly_sandbox.groups
    assert group.user_ids == {DEFAULT_CREATOR_ID, FAN}
    assert f"Chat {group.group_id} is ready" in capfd.readouterr().out
    assert fansly_sandbox.messages == []  # creating a chat never messages the fan


def test_ids_are_templated_from_dag_run_conf(fansly_sandbox: FanslySandbox, fansly_connection: str) -> None:
    for fan in ("723516315247063100", "723516315247063101"):
        state, _ = run_dag("example_fansly_create_group_chat", {"user_id": fan})
        assert state == "success"
    assert [g.partner_id for g in fansly_sandbox.groups] == ["723516315247063100", "723516315247063101"]


def test_a_repeated_run_finds_the_existing_chat_and_sends_nothing(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    run_dag("example_fansly_create_group_chat", {"user_id": FAN})
    run_dag("example_fansly_create_group_chat", {"user_id": FAN})
    assert len(fansly_sandbox.groups) == 1
    assert fansly_sandbox.messages == []


@pytest.mark.matrix
def test_a_mapped_run_creates_one_chat_per_fan(fansly_sandbox: FanslySandbox, fansly_connection: str) -> None:
    fans = ["723516315247063201", "723516315247063202", "723516315247063203", "723516315247063204"]
    state, tasks = run_dag("example_fansly_mapped_group_chats", {"user_ids": fans})

    assert state == "success"
    assert sorted(g.partner_id for g in fansly_sandbox.groups) == fans
    assert fansly_sandbox.counters.requests == 1 + len(fans)  # the creator is looked up once
    assert [t for t in tasks if t.startswith("create_group_chat[")] == [
        f"create_group_chat[{i}]" for i in range(4)
    ]


def test_the_bulk_operator_returns_every_fans_group(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    state, _ = run_dag("example_fansly_bulk_group_chats", {"fan_count": 60})

    assert state == "success"
    assert fansly_sandbox.counters.groups_created == 60
    assert fansly_sandbox.counters.requests == 61  # one /me, then exactly one request per chat
    assert "60 chats ready, 0 failed" in capfd.readouterr().out


@pytest.mark.parametrize("bad_id", ["12ab", "-5", "1" * 30, "1.5e17", " ", DEFAULT_CREATOR_ID])
@pytest.mark.matrix
def test_a_bad_id_fails_the_task_without_any_request(
    bad_id: str, fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    conf = {"user_id": bad_id}
    state, tasks = run_dag("example_fansly_create_group_chat", conf)

    assert state == "failed"
    assert tasks["create_group_chat"] == "failed"
    requests_to_create = [e for e in fansly_sandbox.journal if e.path.endswith("/group")]
    assert requests_to_create == []
    # The creator's own id needs one GET /me to be recognised, and nothing else.
    assert len(fansly_sandbox.journal) == (1 if bad_id == DEFAULT_CREATOR_ID else 0)


def test_a_rejected_key_fails_fast_with_what_to_fix(
    fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_FANSLY_DEFAULT",
        fansly_sandbox.connection_json().replace("sandbox-api-key", "wrong-key"),
    )
    state, _ = run_dag("example_fansly_create_group_chat", {"user_id": FAN})

    assert state == "failed"
    assert len(fansly_sandbox.journal) == 1  # no retries of a 401
    assert (
        "API key rejected (401): check the API Key of connection 'fansly_default'" in capfd.readouterr().out
    )


SECRET = "sk-live-7Q9zSECRETdistinctive"


@pytest.mark.matrix
def test_the_api_key_appears_in_no_output_or_log_on_any_path(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    with FanslySandbox(SandboxConfig(keys=single_key(SECRET))) as sandbox:
        monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", sandbox.connection_json(max_retries=1))
        runs = [run_dag("example_fansly_create_group_chat", {"user_id": FAN})]
        runs.append(run_dag("example_fansly_create_group_chat", {"user_id": "not-an-id"}))
        sandbox.set_faults(Fault(kind="status", status=503))
        runs.append(run_dag("example_fansly_create_group_chat", {"user_id": "723516315247063999"}))
        sandbox.set_faults(Fault(kind="status", status=401, message=f"Invalid API key {SECRET}"))
        runs.append(run_dag("example_fansly_create_group_chat", {"user_id": "723516315247063998"}))
        journal = sandbox.journal

    assert [state for state, _ in runs] == ["success", "failed", "failed", "failed"]
    output = capfd.readouterr()
    assert SECRET not in output.out + output.err
    assert all(SECRET not in repr(entry) for entry in journal)
    for log_file in Path(__import__("os").environ["AIRFLOW_HOME"]).rglob("*.log"):
        assert SECRET not in log_file.read_text(errors="replace"), log_file


def test_a_failed_fan_is_reported_downstream_when_the_policy_is_continue(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=404, first_n=1, path_contains="/group"))
    state, _ = run_dag("example_fansly_bulk_group_chats", {"fan_count": 10})

    assert state == "success"
    assert "9 chats ready, 1 failed" in capfd.readouterr().out


def post_count(sandbox: FanslySandbox) -> int:
    return sum(entry.method == "POST" for entry in sandbox.journal)


def test_running_out_of_credits_stops_the_bulk_run_whatever_the_fail_policy(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.credits = 60  # the example's fail_policy is "continue"

    state, tasks = run_dag("example_fansly_bulk_group_chats", {"fan_count": 300})

    assert state == "failed"
    assert tasks["create_group_chats"] == "failed"
    statuses = [entry.status for entry in fansly_sandbox.journal]
    assert len(statuses) - statuses.index(402) - 1 <= 2 * 8  # max_concurrency=8 in the example
    assert fansly_sandbox.counters.groups_created == 59  # 60 credits: one GET /me, then 59 chats
    out = capfd.readouterr().out
    assert "Out of credits (402)" in out
    assert "241 fans not done" in out


SEEDED = [f"72351631524706{n:04d}" for n in range(10)]
NEW = [f"72351631524707{n:04d}" for n in range(5)]


def test_a_budget_reached_mid_run_fails_the_task_naming_it(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fans = [f"72351631524708{n:04d}" for n in range(40)]

    _, tasks = run_dag("fansly_test_dags", {"fans": fans}, dag_id="test_fansly_budget_mid_run")

    assert tasks["chats"] == "failed"
    assert len(fansly_sandbox.journal) == 20  # /me, one page, 18 creates: request 21 is never sent
    out = capfd.readouterr().out
    assert "credit budget of 20 reached after 20 requests (20 credits); 22 fans not done" in out
    xcoms = printed_xcoms(out)
    assert xcoms["credits"] == 20
    assert len(xcoms["new"]) == len(xcoms["return_value"]) == 18
    assert len(xcoms["failed"]) == 22


def test_a_budget_too_small_for_the_run_is_refused_before_any_request(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fans = [f"72351631524708{n:04d}" for n in range(25)]

    _, tasks = run_dag("fansly_test_dags", {"fans": fans}, dag_id="test_fansly_budget_up_front")

    assert tasks["chats"] == "failed"
    assert fansly_sandbox.journal == []
    out = capfd.readouterr().out
    assert "this run needs 26 credits (25 fans and one GET /me) but max_credits is 20" in out
    assert printed_xcoms(out)["credits"] == 0


def test_under_fail_policy_fail_one_failed_fan_fails_the_task_after_all_were_tried(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=404, first_n=1, path_contains="/group"))

    _, tasks = run_dag("fansly_test_dags", {"fans": NEW}, dag_id="test_fansly_fail_policy")

    assert tasks["chats"] == "failed"
    assert fansly_sandbox.counters.groups_created == 4
    out = capfd.readouterr().out
    assert "1 of 5 fans failed (see XCom 'failed')" in out
    xcoms = printed_xcoms(out)
    assert len(xcoms["failed"]) == 1
    assert len(xcoms["return_value"]) == 4
    assert xcoms["credits"] == len(fansly_sandbox.journal) == 6
