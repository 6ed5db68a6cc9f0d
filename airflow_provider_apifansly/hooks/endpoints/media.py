"""Media: upload a file, then wait for its processing job (docs: "Media").

The upload is a streamed multipart form, charged by size (``media_credits``); the job is
polled at ``GET /media/upload/{jobId}/status``, a route without an account id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from airflow_provider_apifansly.credits import STANDARD_CREDITS, media_credits
from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyConnectionError,
    FanslyError,
    FanslyMediaProcessingError,
    FanslyMediaTimeoutError,
    FanslyServerError,
    FanslyUploadUncertainError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, label, may_have_sent
from airflow_provider_apifansly.hooks.multipart import MultipartUpload, media_source
from airflow_provider_apifansly.ids import validate_opaque_id
from airflow_provider_apifansly.shapes import shape_of


class MediaEndpoints(EndpointGroup):
    """``POST /{account_id}/media/upload`` and ``GET /media/upload/{jobId}/status``."""

    def upload_media(
        self, path: Any, account_id: str | None = None, *, storage_conn_id: str | None = None
    ) -> str:
        """Upload a file as the multipart field ``file``, streamed; return the processing job's id.

        Costs ``media_credits(size)``, checked against ``max_credits`` before sending with a credit
        to spare for the job's first status poll (an upload nobody can poll is money lost). Not
        idempotent (a repeat makes a second job and is charged again): retried only when it
        cannot have reached the server (a 429, a refused connection).

        :param path: a local path, or an ``ObjectStoragePath`` or URL (``s3://...``, ``file://...``).
        :param storage_conn_id: the Airflow connection the object storage URL is read with.
        """
        account_id = self.resolve_account_id(account_id)
        source = media_source(path, storage_conn_id)
        route = f"/{account_id}/media/upload"
        upload = MultipartUpload(source)
        try:
            job_id: str = self.transport.request(
                "POST",
                route,
                upload_job,
                idempotent=False,
                body=upload.stream,
                headers=upload.headers,
                media_credits=media_credits(source.size),
                reserve=STANDARD_CREDITS,
            )
        except (FanslyServerError, FanslyConnectionError) as exc:
            if not may_have_sent(exc):  # a refused connection, or a call the circuit breaker refused
                raise
            raise FanslyUploadUncertainError(
                f"{label('POST', route)} of {source.name} may have reached the API ({exc}); not repeated, "
                "as a repeat would start a second job and be charged again. Check the account's media "
                "before uploading it again.",
                request=exc.request,
            ) from exc
        finally:
            upload.close()
        self.log.info("Uploaded %s (%d bytes): processing job %s", source.name, source.size, job_id)
        return job_id

    def media_upload_status(self, job_id: str, *, retry: bool = True) -> MediaJob:
        """One status poll of an upload's processing job (1 credit): its state, and its ids once completed.

        :param retry: False sends exactly one request (the trigger retries on its own schedule).
        """
        job_id = validate_job_id(job_id)
        return self.transport.request(
            "GET", f"/media/upload/{job_id}/status", media_job, idempotent=True, retry=retry
        )

    def wait_for_media(
        self, job_id: str, *, poll_interval: float = 5, timeout: float = 600
    ) -> dict[str, str]:
        """Poll the job until it ends, in this thread; return ``{"media_id", "account_media_id"}``.

        Raises ``FanslyMediaProcessingError`` (with the job's reason) when it fails, and
        ``FanslyMediaTimeoutError`` when ``timeout`` seconds pass first. Each poll costs 1 credit.
        """
        job_id = validate_job_id(job_id)
        check_wait(poll_interval, timeout)
        deadline = time.monotonic() + timeout
        while True:
            job = self.media_upload_status(job_id)
            ids = finished_ids(job, job_id)
            if ids is not None:
                return ids
            if time.monotonic() + poll_interval > deadline:
                raise media_timeout(job_id, timeout, job.state)
            time.sleep(poll_interval)


def validate_job_id(job_id: Any) -> str:
    """A job id as the API gave it, refused before any request if it cannot be a path segment."""
    return validate_opaque_id(job_id, field="job_id")


def check_wait(poll_interval: float, timeout: float) -> None:
    """Both must be positive numbers of seconds."""
    for name, value in (("poll_interval", poll_interval), ("timeout", timeout)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise FanslyValidationError(f"{name} must be a positive number of seconds; got {value!r}")


def finished_ids(job: MediaJob, job_id: str) -> dict[str, str] | None:
    """The ids of a completed job; None while it is processing; a failed job raises with its reason."""
    if job.state == "failed":
        reason = job.reason or "the API gave no reason"
        raise FanslyMediaProcessingError(
            f"Media processing job {job_id} failed: {reason}", job_id=job_id, reason=reason
        )
    if job.state != "completed":
        return None
    if job.media_id is None or job.account_media_id is None:  # media_job refuses such answers
        raise FanslyApiError(f"Media processing job {job_id} completed without its media ids")
    return {"media_id": job.media_id, "account_media_id": job.account_media_id}


def media_timeout(job_id: str, timeout: float, state: str) -> FanslyError:
    """The error for a job still ``state`` after ``timeout`` seconds."""
    return FanslyMediaTimeoutError(
        f"Media processing job {job_id} was still {state} after {timeout:g} s; not uploaded again "
        "(that would be charged again). Raise timeout, or poll the job later with media_upload_status.",
        job_id=job_id,
        state=state,
    )


def upload_job(data: Any, request: str, connection: str) -> str:
    """The job id of a media upload, which is not nested: ``data = {"jobId": ...}``."""
    job_id = data.get("jobId") if isinstance(data, dict) else None
    if isinstance(job_id, int) and not isinstance(job_id, bool):
        job_id = str(job_id)
    if not isinstance(job_id, str) or not job_id:
        raise FanslyApiError(f"{request} returned no 'jobId': got {shape_of(data)}", request=request)
    return job_id


MEDIA_JOB_STATES = ("waiting", "active", "completed", "failed")


@dataclass(frozen=True)
class MediaJob:
    """A media processing job's state; a completed one carries its ids, a failed one its reason."""

    state: str
    progress: Any = None
    media_id: str | None = None
    account_media_id: str | None = None
    reason: str | None = None


def media_job(data: Any, request: str, connection: str) -> MediaJob:
    """A job status, not nested: ``data = {"state", "progress", "result": {"mediaId", "accountMedia": [{"id"}]}}``."""
    state = data.get("state") if isinstance(data, dict) else None
    if state not in MEDIA_JOB_STATES:
        detail = f"state {state!r:.40}" if isinstance(data, dict) else shape_of(data)
        raise FanslyApiError(
            f"{request} returned no known job state ({', '.join(MEDIA_JOB_STATES)}): got {detail}",
            request=request,
        )
    if state == "failed":
        said = next((data[k] for k in ("failedReason", "error", "message") if data.get(k)), None)
        return MediaJob(
            state, data.get("progress"), reason=str(said)[: envelope.MAX_MESSAGE] if said else None
        )
    if state != "completed":
        return MediaJob(state, data.get("progress"))
    result = data.get("result")
    media_id = result.get("mediaId") if isinstance(result, dict) else None
    account_media = result.get("accountMedia") if isinstance(result, dict) else None
    first = account_media[0] if isinstance(account_media, list) and account_media else None
    account_media_id = first.get("id") if isinstance(first, dict) else None
    for name, value in (("result.mediaId", media_id), ("result.accountMedia[0].id", account_media_id)):
        if not isinstance(value, str) or not value:
            raise FanslyApiError(
                f"{request} says the job completed without {name}: got {shape_of(result)}", request=request
            )
    return MediaJob(state, data.get("progress"), media_id=media_id, account_media_id=account_media_id)
