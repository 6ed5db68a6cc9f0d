"""FanslyHook's media endpoints against the sandbox.

Streamed upload charged by size, retried only when it cannot have arrived, strict job shapes, and waits that
end in ids, a reason or a timeout.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_apifansly.credits import media_credits
from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyCreditBudgetError,
    FanslyMediaProcessingError,
    FanslyMediaTimeoutError,
    FanslyUploadUncertainError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks.endpoints import media
from airflow_provider_apifansly.hooks.multipart import MediaSource, MultipartUpload
from airflow_provider_apifansly.sandbox import FanslySandbox, Fault
from tests.helpers import MakeHook

UPLOAD = "POST /api/fansly/x/media/upload"


@pytest.fixture
def make_hook(make_hook: MakeHook) -> MakeHook:
    """Hooks whose retry waits stay short (the 429 tests)."""
    return functools.partial(make_hook, max_retry_wait=1)


@pytest.fixture
def media_file(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(range(256)) * 10_000)  # 2.56 MB: 6 credits
    return path


def test_upload_sends_the_file_whole_as_the_form_field_file_and_is_charged_by_size(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, media_file: Path
) -> None:
    hook = make_hook()

    job_id = hook.upload_media(str(media_file))

    [job] = fansly_sandbox.media_jobs
    assert (job.job_id, job.filename, job.size) == (job_id, "clip.mp4", media_file.stat().st_size)
    assert (hook.requests_sent, hook.credits_spent) == (1, 6)
    assert fansly_sandbox.credits_spent() == 6


def test_an_object_storage_url_is_read_through_airflow_object_storage(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, media_file: Path
) -> None:
    make_hook().upload_media(media_file.as_uri())

    assert fansly_sandbox.media_jobs[0].size == media_file.stat().st_size


def test_a_url_that_object_storage_cannot_read_is_refused_before_any_request(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox
) -> None:
    with pytest.raises(FanslyValidationError, match="cannot be read as an ObjectStoragePath"):
        make_hook().upload_media("nosuchscheme://bucket/clip.mp4")

    assert fansly_sandbox.journal == []


def test_the_stream_reads_the_file_in_chunks_and_rebuilds_for_each_attempt(media_file: Path) -> None:
    source = MediaSource("clip.mp4", media_file.stat().st_size, lambda: media_file.open("rb"))
    upload = MultipartUpload(source)
    first, second = upload.stream(), upload.stream()

    chunks = list(iter(lambda: first.read(65_536), b""))

    assert max(map(len, chunks)) == 65_536
    assert b"".join(chunks) == upload.head + media_file.read_bytes() + upload.tail
    assert len(first) == len(b"".join(chunks))
    assert second.read(10) == upload.head[:10]
    upload.close()


@pytest.mark.parametrize(
    ("path", "error"),
    [("/no/such/file.mp4", "does not exist"), (None, "local path or an object storage URL")],
)
def test_a_missing_file_is_refused_before_any_request(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, path: Any, error: str
) -> None:
    with pytest.raises(FanslyValidationError, match=error):
        make_hook().upload_media(path)

    assert fansly_sandbox.journal == []


def test_an_empty_file_is_refused_before_any_request(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, tmp_path: Path
) -> None:
    (tmp_path / "empty.mp4").touch()

    with pytest.raises(FanslyValidationError, match="is empty"):
        make_hook().upload_media(tmp_path / "empty.mp4")

    assert fansly_sandbox.journal == []


@pytest.mark.parametrize("budget", [5, 6])
def test_max_credits_refuses_an_upload_that_leaves_no_credit_for_its_first_poll(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, media_file: Path, budget: int
) -> None:
    with pytest.raises(FanslyCreditBudgetError, match=r"it costs 6 credit\(s\) and needs 1 more after it"):
        make_hook(max_credits=budget).upload_media(str(media_file))

    assert fansly_sandbox.journal == []


def test_an_upload_with_a_credit_left_for_its_first_poll_is_sent_and_polled(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, media_file: Path
) -> None:
    fansly_sandbox.config.media_polls = 0
    hook = make_hook(max_credits=7)

    job = hook.media_upload_status(hook.upload_media(str(media_file)))

    assert job.state == "completed"
    assert hook.credits_spent == 7


def test_a_429_is_retried_as_it_never_reached_processing(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, media_file: Path
) -> None:
    fansly_sandbox.set_faults(Fault("status", status=429, retry_after=0, first_n=1))

    make_hook().upload_media(str(media_file))

    assert [entry.status for entry in fansly_sandbox.journal] == [429, 202]
    assert len(fansly_sandbox.media_jobs) == 1


@pytest.mark.parametrize(
    "fault", [Fault("status", status=502, processed=True), Fault("drop", processed=True)]
)
def test_an_upload_that_may_have_arrived_is_not_repeated_and_says_so(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, media_file: Path, fault: Fault
) -> None:
    fansly_sandbox.set_faults(fault)

    hook = make_hook()
    with pytest.raises(FanslyUploadUncertainError, match=r"may have reached the API .* not repeated"):
        hook.upload_media(str(media_file))

    assert len(fansly_sandbox.journal) == 1
    assert hook.credits_spent == media_credits(media_file.stat().st_size)  # its price, as if it arrived


def test_wait_returns_both_ids_after_polling_through_waiting_and_active(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, media_file: Path
) -> None:
    fansly_sandbox.config.media_polls = 2
    hook = make_hook()
    job_id = hook.upload_media(str(media_file))

    ids = hook.wait_for_media(job_id, poll_interval=0.01)

    [job] = fansly_sandbox.media_jobs
    assert ids == {"media_id": job.media_id, "account_media_id": job.account_media_id}
    assert [e.path for e in fansly_sandbox.journal][1:] == [f"/api/fansly/media/upload/{job_id}/status"] * 3
    assert hook.credits_spent == 6 + 3


def test_a_failed_job_raises_with_its_reason(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, media_file: Path
) -> None:
    fansly_sandbox.config.media_fail_reason = "file is corrupt"
    hook = make_hook()
    job_id = hook.upload_media(str(media_file))

    with pytest.raises(FanslyMediaProcessingError, match="failed: file is corrupt") as raised:
        hook.wait_for_media(job_id, poll_interval=0.01)

    assert (raised.value.job_id, raised.value.reason) == (job_id, "file is corrupt")


def test_a_job_processing_past_the_timeout_raises(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, media_file: Path
) -> None:
    fansly_sandbox.config.media_seconds = 60
    hook = make_hook()
    job_id = hook.upload_media(str(media_file))

    with pytest.raises(FanslyMediaTimeoutError, match=r"still (waiting|active) after 0\.1 s"):
        hook.wait_for_media(job_id, poll_interval=0.04, timeout=0.1)


@pytest.mark.parametrize(
    ("job_id", "poll_interval"), [("../accounts", 5), ("", 5), ("800000000000000001", 0)]
)
def test_bad_wait_arguments_are_refused_before_any_request(
    make_hook: MakeHook, fansly_sandbox: FanslySandbox, job_id: str, poll_interval: float
) -> None:
    with pytest.raises(FanslyValidationError):
        make_hook().wait_for_media(job_id, poll_interval=poll_interval)

    assert fansly_sandbox.journal == []


@pytest.mark.parametrize("data", [None, {}, {"jobId": ""}, {"jobId": None}, {"data": {"jobId": "1"}}])
def test_an_upload_answer_without_a_job_id_is_an_error(data: Any) -> None:
    with pytest.raises(FanslyApiError, match="no 'jobId'"):
        media.upload_job(data, UPLOAD, "connection 'x'")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"state": "done"}, "no known job state"),
        ({"data": {"state": "completed"}}, "no known job state"),
        ({"state": "completed", "result": {"accountMedia": [{"id": "2"}]}}, "without result.mediaId"),
        ({"state": "completed", "result": {"mediaId": "1", "accountMedia": []}}, "accountMedia"),
    ],
)
def test_a_job_status_of_unknown_shape_is_an_error(data: Any, error: str) -> None:
    with pytest.raises(FanslyApiError, match=error):
        media.media_job(data, "GET /api/fansly/media/upload/1/status", "connection 'x'")


@pytest.mark.parametrize("job_id", [".", ".."])
def test_a_dot_segment_job_id_is_refused_before_any_request(
    job_id: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    # A URL resolves "/media/upload/../status" to "/media/status": the poll would go to another route.
    with pytest.raises(FanslyValidationError, match=r"not \. or \.\."):
        make_hook().media_upload_status(job_id)
    assert fansly_sandbox.journal == []
