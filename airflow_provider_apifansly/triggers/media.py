"""``MediaUploadTrigger``: polls an upload's processing job on the triggerer, holding no worker slot.

No async HTTP client ships with Airflow here (no aiohttp), so each poll is the hook's own
``media_upload_status`` run in a thread (``asyncio.to_thread``): the same transport rules
(retries, pacing, typed errors, credits). The waits between polls are ``asyncio.sleep`` on the
event loop; a thread is busy only during a request. The connection, and so the key, is read
on the triggerer, in that thread; only ids, times and counts are serialized.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

# Not in _compat: common.compat has no trigger names, this path is the same on 2.11 and 3.x, and
# importing it there would add 9 ms to every DAG file parse that uses an operator.
from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_apifansly.exceptions import FanslyError, FanslyMediaProcessingError

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook


class MediaUploadTrigger(BaseTrigger):
    """Fire once an upload's job completes, fails, errs or passes its deadline.

    The event is ``{"status": "completed" | "failed" | "timeout" | "error", "job_id", "credits", ...}``
    with ``media_id`` and ``account_media_id`` when completed, ``reason`` when failed, ``state``
    on a timeout and ``message`` on an error.

    :param fansly_conn_id: the ``apifansly`` connection, read on the triggerer.
    :param job_id: the upload's job id.
    :param poll_interval: seconds between polls.
    :param deadline: epoch seconds (wall clock) after which the job counts as timed out.
    :param credits: credits the task spent before deferring (the upload); polls add to them.
    :param max_credits: what is left of the task's credit budget for the polls (None: no budget).
    """

    def __init__(
        self,
        *,
        fansly_conn_id: str,
        job_id: str,
        poll_interval: float,
        deadline: float,
        credits: int = 0,
        max_credits: int | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # untyped on Airflow 3.x
        self.fansly_conn_id = fansly_conn_id
        self.job_id = job_id
        self.poll_interval = poll_interval
        self.deadline = deadline
        self.credits = credits
        self.max_credits = max_credits

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "fansly_conn_id": self.fansly_conn_id,
                "job_id": self.job_id,
                "poll_interval": self.poll_interval,
                "deadline": self.deadline,
                "credits": self.credits,
                "max_credits": self.max_credits,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from airflow_provider_apifansly.hooks.endpoints.media import finished_ids
        from airflow_provider_apifansly.hooks.fansly import FanslyHook

        event: dict[str, Any] = {"job_id": self.job_id, "credits": self.credits}
        hook: FanslyHook | None = None
        try:
            hook = FanslyHook(self.fansly_conn_id, pool_size=1, **self._budget())
            while True:
                job = await asyncio.to_thread(hook.media_upload_status, self.job_id)
                ids = finished_ids(job, self.job_id)
                if ids is not None:
                    event.update(status="completed", **ids)
                    break
                if time.time() + self.poll_interval > self.deadline:
                    event.update(status="timeout", state=job.state)
                    break
                await asyncio.sleep(self.poll_interval)
        except FanslyMediaProcessingError as exc:
            event.update(status="failed", reason=exc.reason)
        except FanslyError as exc:  # our messages never carry the key
            event.update(status="error", message=str(exc), error=type(exc).__name__)
        finally:
            if hook is not None:
                event["credits"] = self.credits + hook.credits_spent
                hook.close()
        yield TriggerEvent(event)  # type: ignore[no-untyped-call]

    def _budget(self) -> dict[str, int]:
        """The hook's ``max_credits``: what the upload left of the task's budget (the operator checks it is >= 1)."""
        return {} if self.max_credits is None else {"max_credits": self.max_credits}
