"""Media: the upload and its job's status.

``POST {account_id}/media/upload`` (multipart, field ``file``) and ``GET media/upload/{job_id}/status`` (no
account id).

Neither answer is nested: the upload answers 202 with ``{"jobId"}``, the status
``{"state", "progress", "result": {"mediaId", "accountMedia": [{"id"}]}}``. A job is
``waiting``, then ``active`` for ``config.media_polls`` polls (or ``media_seconds``),
then ``completed``, or ``failed`` with ``failedReason`` when ``media_fail_reason`` was set
at upload. An upload is billed by the file's size (``billing.media_bill``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from airflow_provider_apifansly.sandbox.billing import ADMISSION_CREDITS, media_bill
from airflow_provider_apifansly.sandbox.envelope import ApiError, Reply, invalid
from airflow_provider_apifansly.sandbox.resources import Resource, Sandbox
from airflow_provider_apifansly.sandbox.routing import Call, Route
from airflow_provider_apifansly.sandbox.switches import switch
from airflow_provider_apifansly.sandbox.validation import parameters
from airflow_provider_apifansly.sandbox.world import Store


@dataclass
class MediaSwitches:
    """How uploads and their processing jobs behave."""

    media_polls: int = switch(
        1,
        "status polls of an upload's job answered waiting, then active, before it ends (0: it has "
        "ended by the first poll)",
        minimum=0,
    )
    media_seconds: float | None = switch(
        None, "the job ends this many seconds after its upload instead, whatever the polls"
    )
    media_fail_reason: str | None = switch(
        None, "jobs uploaded while this is set end failed with this failedReason"
    )
    media_max_bytes: int | None = switch(None, "uploads with a larger body are answered 413 (none: no limit)")


@dataclass(frozen=True)
class MediaJobRecord:
    """One upload and its processing job, as the sandbox holds it.

    :param uploaded: ``time.monotonic()`` at the upload.
    :param polls: status polls answered so far.
    :param fail_reason: the job ends failed with this reason (None: it completes).
    """

    job_id: str
    account_id: str
    key: str = field(repr=False)  # never printed: tests print records
    filename: str
    size: int
    uploaded: float
    media_id: str
    account_media_id: str
    fail_reason: str | None = None
    polls: int = 0


class MediaStore(Store):
    """Every upload's job, by job id."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._jobs: dict[str, MediaJobRecord] = {}
        self._account_media_ids: dict[str, str] = {}  # media id -> its account media id

    def add(self, account_id: str, key: str, filename: str, size: int, fail_reason: str | None) -> str:
        """Start a job for an upload; return its id."""
        with self.world.lock:
            job_id, media_id = self.world.next_id(), self.world.next_id()
            self._jobs[job_id] = MediaJobRecord(
                job_id,
                account_id,
                key,
                filename,
                size,
                time.monotonic(),
                media_id=media_id,
                account_media_id=self.account_media_id(media_id),
                fail_reason=fail_reason,
            )
            return job_id

    def account_media_id(self, media_id: str) -> str:
        """The account media id of a media id: its upload's, or one given on first use and kept after."""
        with self.world.lock:
            found = self._account_media_ids.get(media_id)
            if found is None:
                found = self._account_media_ids[media_id] = self.world.next_id()
            return found

    def poll(self, job_id: str, key: str) -> MediaJobRecord | None:
        """Count a poll of a job of this key and return the job as of it (None: no such job for the key)."""
        with self.world.lock:
            job = self._jobs.get(job_id)
            if job is None or job.key != key:
                return None
            job = self._jobs[job_id] = replace(job, polls=job.polls + 1)
            return job

    def jobs(self) -> list[MediaJobRecord]:
        """A snapshot of every upload job, oldest first."""
        with self.world.lock:
            return list(self._jobs.values())


def upload(call: Call) -> Reply:
    """Upload Media: a multipart form with the field ``file``; 202 with the job id."""
    account = call.account()
    parameters(call.request.query, (), "media/upload")
    config = call.switches(MediaSwitches)
    if call.request.form is None:
        raise invalid("the body must be multipart/form-data with the field 'file'")
    content_type, body = call.request.form
    if config.media_max_bytes is not None and len(body) > config.media_max_bytes:
        raise ApiError(413, f"Payload too large: the limit is {config.media_max_bytes} bytes")
    filename, size = file_part(content_type, body)
    key = call.request.key
    assert key is not None  # only authenticated requests reach a route
    call.world.charge(key, media_bill(size) - ADMISSION_CREDITS)
    job_id = call.world.store(MediaStore).add(
        account.account_id, key, filename, size, config.media_fail_reason
    )
    return Reply(202, "Accepted", {"jobId": job_id})


def status(call: Call) -> Reply:
    """Upload Status: the job's state; its ids once completed, its reason once failed."""
    parameters(call.request.query, (), "media/upload/{jobId}/status")
    assert call.request.key is not None
    job = call.world.store(MediaStore).poll(call.path["job_id"], call.request.key)
    if job is None:
        raise ApiError(404, "Upload job not found")
    config = call.switches(MediaSwitches)
    if config.media_seconds is not None:
        elapsed = time.monotonic() - job.uploaded
        done, progress = elapsed >= config.media_seconds, elapsed / max(config.media_seconds, 1e-9)
    else:
        done, progress = job.polls > config.media_polls, (job.polls - 1) / max(1, config.media_polls)
    if not done:
        state = "waiting" if job.polls == 1 else "active"
        return Reply(200, "Success", {"state": state, "progress": int(100 * min(progress, 0.99))})
    if job.fail_reason is not None:
        return Reply(200, "Success", {"state": "failed", "progress": 0, "failedReason": job.fail_reason})
    result = {"mediaId": job.media_id, "accountMedia": [{"id": job.account_media_id}]}
    return Reply(200, "Success", {"state": "completed", "progress": 100, "result": result})


def file_part(content_type: str, body: bytes) -> tuple[str, int]:
    """The filename and size of the form's ``file`` part; a 400 when there is none."""
    _, found, boundary = content_type.partition("boundary=")
    boundary = boundary.split(";")[0].strip().strip('"')
    if not found or not boundary:
        raise invalid("the multipart Content-Type names no boundary")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    position = body.find(b"--" + boundary.encode("latin-1"))
    while position >= 0:
        head_end = body.find(b"\r\n\r\n", position)
        if head_end < 0:
            break
        head = body[position:head_end].decode("latin-1")
        end = body.find(delimiter, head_end + 4)
        if end < 0:
            break
        if 'name="file"' in head and 'filename="' in head:
            filename = head.split('filename="', 1)[-1].split('"', 1)[0]
            return filename, end - (head_end + 4)
        position = end + 2
    raise invalid("the form has no 'file' part")


def media_jobs(sandbox: Sandbox) -> list[MediaJobRecord]:
    """A snapshot of every upload's processing job, in the order they were uploaded."""
    return sandbox.store(MediaStore).jobs()


RESOURCE = Resource(
    routes=(
        Route("POST", "{account_id}/media/upload", upload),
        Route("GET", "media/upload/{job_id}/status", status),
    ),
    switches=MediaSwitches,
    properties=(media_jobs,),
)
