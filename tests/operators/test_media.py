"""UploadMediaOperator in real Airflow (``dag.test()`` runs the trigger inline) against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_apifansly.credits import media_credits
from airflow_provider_apifansly.sandbox import DEFAULT_API_KEY, FanslySandbox
from tests.helpers import end_deferral_as_airflow_does, load_dag, printed_xcoms, run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

TEST_DAGS = "fansly_test_dags"
FANS = ["723516315247063042", "723516315247063043"]
SIZE = 2_500_000  # three started MB: 6 credits


@pytest.fixture
def media_file(tmp_path: Path) -> str:
    path = tmp_path / "drop.mp4"
    path.write_bytes(b"\x00" * SIZE)
    return str(path)


def uploads(sandbox: FanslySandbox) -> int:
    return sum(entry.path.endswith("/media/upload") for entry in sandbox.journal)


def polls(sandbox: FanslySandbox) -> int:
    return sum(entry.path.endswith("/status") for entry in sandbox.journal)


def test_ppv_drop_sends_the_processed_media_id_as_pay_per_view_to_every_chat(
    fansly_sandbox: FanslySandbox, fansly_connection: str, media_file: str, capfd: pytest.CaptureFixture[str]
) -> None:
    chats = list(fansly_sandbox.seed_chats(FANS).values())
    fansly_sandbox.config.media_polls = (
        0  # processed by the first poll: the example's 5 s interval never waits
    )

    state, tasks = run_dag("example_fansly_ppv_drop", {"path": media_file, "chat_ids": chats, "price": 12.5})

    assert state == "success", tasks
    [job] = fansly_sandbox.media_jobs
    assert (job.filename, job.size, job.polls) == ("drop.mp4", SIZE, 1)
    sent = [record for record in fansly_sandbox.messages if record.body is not None]
    assert sorted(record.group_id for record in sent) == sorted(chats)
    for record in sent:
        assert record.body is not None
        assert record.body["mediaIds"] == [job.media_id]
        assert (record.body["access_type"], record.body["price"]) == (["ppv"], 12.5)
    assert DEFAULT_API_KEY not in capfd.readouterr().out


@pytest.mark.parametrize(
    "dag_id", ["test_fansly_upload_media_deferred", "test_fansly_upload_media_in_worker"]
)
@pytest.mark.matrix
def test_upload_returns_both_ids_and_counts_the_upload_and_every_poll_in_credits(
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    media_file: str,
    capfd: pytest.CaptureFixture[str],
    dag_id: str,
) -> None:
    fansly_sandbox.config.media_polls = 1

    _, tasks = run_dag(TEST_DAGS, {"path": media_file}, dag_id=dag_id)

    assert tasks["upload"] == "success", tasks
    [job] = fansly_sandbox.media_jobs
    out = capfd.readouterr().out
    assert ("waiting on the triggerer" in out) == dag_id.endswith("deferred")
    xcoms = printed_xcoms(out)
    assert (xcoms["return_value"], xcoms["account_media_id"]) == (job.media_id, job.account_media_id)
    assert xcoms["job_id"] == job.job_id
    assert polls(fansly_sandbox) == 2  # waiting (the worker's first poll), completed
    assert xcoms["credits"] == media_credits(SIZE) + 2 == fansly_sandbox.credits_spent()


@pytest.mark.matrix
def test_a_failed_job_fails_the_task_with_its_reason_and_uploads_once(
    fansly_sandbox: FanslySandbox, fansly_connection: str, media_file: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.media_fail_reason = "unsupported codec"

    _, tasks = run_dag(TEST_DAGS, {"path": media_file}, dag_id="test_fansly_upload_media_deferred")

    assert tasks["upload"] == "failed"
    assert uploads(fansly_sandbox) == 1
    out = capfd.readouterr().out
    assert "failed: unsupported codec" in out
    assert printed_xcoms(out)["credits"] == media_credits(SIZE) + 2


def test_a_job_still_processing_at_the_timeout_fails_the_task_without_reuploading(
    fansly_sandbox: FanslySandbox, fansly_connection: str, media_file: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.media_polls = 1000

    _, tasks = run_dag(TEST_DAGS, {"path": media_file}, dag_id="test_fansly_upload_media_timeout")

    assert tasks["upload"] == "failed"
    assert uploads(fansly_sandbox) == 1
    assert polls(fansly_sandbox) == 2  # the worker's, then the trigger's at 1 s; the next is past 1.5 s
    out = capfd.readouterr().out
    assert "was still active after 1.5 s" in out
    assert printed_xcoms(out)["credits"] == fansly_sandbox.credits_spent()


def test_a_defer_timeout_fails_the_task_without_a_retry_or_a_second_upload(
    fansly_sandbox: FanslySandbox, fansly_connection: str, media_file: str, capfd: pytest.CaptureFixture[str]
) -> None:
    dag_id = "test_fansly_upload_media_deferred"
    run_dag(TEST_DAGS, {"path": media_file}, dag_id=dag_id)
    capfd.readouterr()

    # The scheduler's move when the task's defer timeout passes; the task has retries=1 left.
    state = end_deferral_as_airflow_does(load_dag(TEST_DAGS, dag_id), "upload", "Trigger timeout")

    assert state == "failed"
    assert uploads(fansly_sandbox) == 1
    out = capfd.readouterr().out
    assert f"The wait for media job {fansly_sandbox.media_jobs[0].job_id} ended without" in out
    assert "is not uploaded again" in out


def test_a_file_over_the_size_limit_fails_on_413_and_is_not_retried(
    fansly_sandbox: FanslySandbox, fansly_connection: str, media_file: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.media_max_bytes = 1_000_000

    _, tasks = run_dag(TEST_DAGS, {"path": media_file}, dag_id="test_fansly_upload_media_in_worker")

    assert tasks["upload"] == "failed"
    assert [entry.status for entry in fansly_sandbox.journal] == [413]
    assert "too large (413)" in capfd.readouterr().out
