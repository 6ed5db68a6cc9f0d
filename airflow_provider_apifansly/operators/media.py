"""``UploadMediaOperator``: upload a file, then wait for its processing, on the triggerer if deferrable."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from airflow_provider_apifansly._compat import Context, conf
from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyCreditBudgetError,
    FanslyError,
    FanslyMediaProcessingError,
    FanslyUploadUncertainError,
)
from airflow_provider_apifansly.operators.once import FanslySideEffectOperator
from airflow_provider_apifansly.operators.try_record import Attempt, TryRecord

# The trigger fires by its own deadline; Airflow's defer timeout is a backstop a little later.
_DEFER_MARGIN_SECONDS = 60


class UploadMediaOperator(FanslySideEffectOperator):
    """Upload a media file and wait until Fansly has processed it; returns the media id.

    ``return_value`` is the ``mediaId`` that Send Message and mass messages take in
    ``media_ids``; XCom ``account_media_id`` is the purchase reference. XCom ``credits``
    counts the upload (2 per started MB) and every status poll (1 each), the trigger's
    too. A failed job fails the task with its reason and is never uploaded again. A later try
    (an Airflow retry, a cleared task) goes by the task instance's record (``operators/once.py``):
    it waits for the job an earlier try uploaded, uploads when the earlier try provably sent nothing
    (a 429, a refused connection), and, there being no list of uploads to read back, fails with
    ``FanslyUploadUncertainError`` after one that may have uploaded, unless ``reupload_on_retry``.
    Connection and hook options (``max_credits`` among them) are ``FanslyBaseOperator``'s.

    :param path: a local path, or an object storage URL / ``ObjectStoragePath``. Templated.
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    :param deferrable: wait on the triggerer (no worker slot held) rather than polling in the
        worker; default Airflow's ``[operators] default_deferrable``.
    :param poll_interval: seconds between status polls.
    :param timeout: seconds to wait for processing before failing.
    :param storage_conn_id: the Airflow connection an object storage URL is read with. Templated.
    :param reupload_on_retry: let a later try upload (and pay for) the file again, though an
        earlier try may have uploaded it already (default False: refuse).
    """

    template_fields: Sequence[str] = ("path", "account_id", "storage_conn_id", "fansly_conn_id")

    def __init__(
        self,
        *,
        path: Any,
        account_id: str | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poll_interval: float = 5,
        timeout: float = 600,
        storage_conn_id: str | None = None,
        reupload_on_retry: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        from airflow_provider_apifansly.hooks.endpoints.media import check_wait

        check_wait(poll_interval, timeout)
        self.path = path
        self.account_id = account_id
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.storage_conn_id = storage_conn_id
        self.reupload_on_retry = reupload_on_retry

    def act(self, context: Context, record: TryRecord) -> str:
        """Upload the file, poll once, then wait here or defer to the trigger."""
        from airflow_provider_apifansly.hooks.endpoints.media import finished_ids

        account_id = self.hook.resolve_account_id(self.account_id)
        request = {
            "operator": "upload_media",
            "account_id": account_id,
            "path": str(self.path),
            "storage_conn_id": self.storage_conn_id,
        }
        job_id, adopted = self.once(
            context,
            record,
            request=request,
            account_id=account_id,
            do=lambda claims: self.hook.upload_media(
                self.path, account_id, storage_conn_id=self.storage_conn_id
            ),
            # No list of uploads exists: after a try that may have uploaded, only the user's leave uploads again.
            read_back=self._reupload if self.reupload_on_retry else None,
        )
        if job_id is None:  # an upload always answers its job id (the hook refuses an answer without)
            raise FanslyApiError(f"The upload of {self.path} returned no job id; nothing to wait for")
        if adopted:
            self.log.info("Waiting for job %s, which an earlier try uploaded; not uploading again", job_id)
        context["ti"].xcom_push(key="job_id", value=job_id)
        if not self.deferrable:
            ids = self.hook.wait_for_media(job_id, poll_interval=self.poll_interval, timeout=self.timeout)
            return self._push_ids(context, ids)
        # The first poll (the one the upload kept a credit for) is the worker's: a job done by then
        # never defers, and the trigger's polls keep a schedule from here (MediaUploadTrigger).
        polled_at = time.time()
        first = finished_ids(self.hook.media_upload_status(job_id), job_id)
        if first is not None:
            return self._push_ids(context, first)
        self._defer(job_id, polled_at)
        raise AssertionError("defer() raises TaskDeferred")  # pragma: no cover

    def _reupload(self, since_ms: int) -> list[str]:
        self.log.warning("An earlier try may have uploaded the file; uploading again (reupload_on_retry)")
        return []

    def uncertain(self, context: Context, earlier: Attempt, why: str) -> FanslyError:
        """``FanslyUploadUncertainError``: the file may have been uploaded (and paid for); where to look."""
        from airflow_provider_apifansly.credits import media_credits
        from airflow_provider_apifansly.hooks.multipart import media_source

        source = media_source(self.path, self.storage_conn_id)
        return FanslyUploadUncertainError(
            f"Try {context['ti'].try_number}: an earlier try of this task may have uploaded {source.name} "
            f"already and spent {media_credits(source.size)} credits on it (2 per started MB, at least 3), plus 1 per "
            "status poll; no list of uploads exists to check, so it is not uploaded again. Look for the media "
            f"in the account's vault on Fansly; to upload anyway, set reupload_on_retry=True ({why})."
        )

    def _defer(self, job_id: str, polled_at: float) -> None:
        from airflow_provider_apifansly.triggers.media import MediaUploadTrigger

        spent = self.hook.credits_spent
        budget = self.hook_options.max_credits
        left = None if budget is None else budget - spent
        if budget is not None and budget - spent < 1:
            raise FanslyCreditBudgetError(
                f"credit budget of {budget} spent by the upload and its first poll (job {job_id}); "
                "no credit left to poll it again. Not uploaded again: poll it with media_upload_status.",
                budget=budget,
            )
        options = {name: value for name, value in self.hook_options.given().items() if name != "max_credits"}
        trigger = MediaUploadTrigger(
            fansly_conn_id=self.fansly_conn_id,
            job_id=job_id,
            poll_interval=self.poll_interval,
            polled_at=polled_at,
            deadline=polled_at + self.timeout,
            credits=spent,
            max_credits=left,
            hook_options=options,
        )
        self.log.info("Job %s: waiting on the triggerer, polling every %g s", job_id, self.poll_interval)
        self.defer(
            trigger=trigger,
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout + _DEFER_MARGIN_SECONDS),
        )

    def resume_execution(self, next_method: str, next_kwargs: dict[str, Any] | None, context: Context) -> Any:
        """Resume after the trigger.

        When Airflow ended the wait itself (its defer timeout, a trigger that could not run), fail
        without Airflow's retries: a retry would upload, and pay, again.
        """
        if next_method == "execute_complete":
            return super().resume_execution(next_method, next_kwargs, context)
        try:  # "__fail__", Airflow's signal on 2.11 and 3.x: its resume_execution logs why and raises
            return super().resume_execution(next_method, next_kwargs, context)
        except Exception as exc:
            ti = context["ti"]
            job_id = ti.xcom_pull(task_ids=ti.task_id, key="job_id", map_indexes=ti.map_index)
            raise FanslyApiError(
                f"The wait for media job {job_id} ended without the trigger's answer "
                f"({type(exc).__name__}: {exc}). The file was uploaded and is not uploaded again (that "
                "would be charged again); check the job with media_upload_status."
            ) from exc

    def execute_complete(self, context: Context, event: dict[str, Any]) -> str:
        """Resume after the trigger: push the ids and credits, or fail with the job's reason; never upload."""
        from airflow_provider_apifansly.hooks.endpoints.media import media_timeout

        context["ti"].xcom_push(key="credits", value=event.get("credits"))
        self.log.info("%s credits spent (upload and polls)", event.get("credits"))
        job_id = str(event.get("job_id"))
        status = event.get("status")
        if status == "completed":
            return self._push_ids(context, event)
        if status == "failed":
            reason = str(event.get("reason") or "the API gave no reason")
            raise FanslyMediaProcessingError(
                f"Media processing job {job_id} failed: {reason}", job_id=job_id, reason=reason
            )
        if status == "timeout":
            raise media_timeout(job_id, self.timeout, str(event.get("state")))
        # Permanent for Airflow: a task retry would upload (and pay for) the file again.
        raise FanslyApiError(
            f"Polling media job {job_id} failed ({event.get('error')}: {event.get('message')}). The file "
            "was uploaded and is not uploaded again (that would be charged again); check the job with "
            "media_upload_status."
        )

    def _push_ids(self, context: Context, ids: dict[str, Any]) -> str:
        context["ti"].xcom_push(key="account_media_id", value=str(ids["account_media_id"]))
        self.log.info("Media %s ready (account media %s)", ids["media_id"], ids["account_media_id"])
        return str(ids["media_id"])
