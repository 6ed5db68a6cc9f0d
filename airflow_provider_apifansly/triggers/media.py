"""``MediaUploadTrigger``: polls an upload's processing job on the triggerer, holding no worker slot.

No async HTTP client ships with Airflow here (no aiohttp), so each request of a poll is the hook's
own transport (pacing, typed errors, credits) sending one request in a thread; everything else runs
on the event loop: the connection is read and the key masked through Airflow's async calls (a thread
that talks to the triggerer's supervisor can crash it, apache/airflow#64620), and the waits, between
polls and before a retry, are ``asyncio.sleep``. Only ids, times, counts and options are serialized.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

# Not in _compat: common.compat has no trigger names, this path is the same on 2.11 and 3.x, and
# importing it there would add 9 ms to every DAG file parse that uses an operator.
from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_apifansly.credits import STANDARD_CREDITS
from airflow_provider_apifansly.exceptions import FanslyError, FanslyMediaProcessingError

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.endpoints.media import MediaJob
    from airflow_provider_apifansly.hooks.fansly import FanslyHook


class MediaUploadTrigger(BaseTrigger):
    """Fire once an upload's job completes, fails, errs or passes its deadline.

    The event is ``{"status": "completed" | "failed" | "timeout" | "error", "job_id", "credits", ...}``
    with ``media_id`` and ``account_media_id`` when completed, ``reason`` when failed, ``state``
    on a timeout, and ``error`` (the exception's type) and ``message`` on an error. Every exception,
    a missing connection included, becomes an ``error`` event: the task fails, and nothing uploads again.

    Requests keep a schedule: the k-th at ``polled_at + k * poll_interval`` or later, at most one
    per interval, retries included (a retry waits for the next interval). A trigger rebuilt after a
    triggerer restart cannot know what its earlier run spent, so it counts each interval begun since
    ``polled_at`` as one credit spent: an upper estimate, exact when nothing restarted and the
    triggerer started it within one interval.

    :param fansly_conn_id: the ``apifansly`` connection, read on the triggerer.
    :param job_id: the upload's job id.
    :param poll_interval: seconds between polls.
    :param polled_at: epoch seconds (wall clock) of the task's own first poll, before it deferred.
    :param deadline: epoch seconds (wall clock) after which the job counts as timed out.
    :param credits: credits the task spent before deferring (the upload, its first poll); polls add to them.
    :param max_credits: what is left of the task's credit budget for the polls (None: no budget).
    :param hook_options: the task's other hook options (``max_retries``, ``max_retry_wait``, ``rate_limit_rpm``).
    """

    def __init__(
        self,
        *,
        fansly_conn_id: str,
        job_id: str,
        poll_interval: float,
        polled_at: float,
        deadline: float,
        credits: int = 0,
        max_credits: int | None = None,
        hook_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # untyped on Airflow 3.x
        self.fansly_conn_id = fansly_conn_id
        self.job_id = job_id
        self.poll_interval = poll_interval
        self.polled_at = polled_at
        self.deadline = deadline
        self.credits = credits
        self.max_credits = max_credits
        self.hook_options = dict(hook_options or {})

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The classpath and the kwargs the triggerer rebuilds this trigger from (never the key)."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "fansly_conn_id": self.fansly_conn_id,
                "job_id": self.job_id,
                "poll_interval": self.poll_interval,
                "polled_at": self.polled_at,
                "deadline": self.deadline,
                "credits": self.credits,
                "max_credits": self.max_credits,
                "hook_options": self.hook_options,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll the job on its schedule until it ends or the deadline passes; yield one event."""
        step = self._intervals_begun()  # before this run spends any time of its own (imports included)
        from airflow_provider_apifansly.hooks.endpoints.media import finished_ids
        from airflow_provider_apifansly.hooks.fansly import FanslyHook

        event: dict[str, Any] = {"job_id": self.job_id, "credits": self.credits}
        hook: FanslyHook | None = None
        try:
            hook = await FanslyHook.abuild(
                self.fansly_conn_id, pool_size=1, max_credits=self.max_credits, **self.hook_options
            )
            self._count_earlier_polls(hook, step)
            job: MediaJob | None = None
            retry_at, failures = 0.0, 0
            while True:
                step += 1
                poll_at = max(self.polled_at + step * self.poll_interval, retry_at)
                if job is not None and poll_at > self.deadline:
                    event.update(status="timeout", state=job.state)
                    break
                # At least one poll per run, even past the deadline: a job done by then is taken.
                await asyncio.sleep(max(0.0, poll_at - time.time()))
                try:
                    job = await asyncio.to_thread(hook.media_upload_status, self.job_id, retry=False)
                except FanslyError as exc:
                    failures, retry_at = self._retry_at(hook, exc, failures)
                    continue
                finally:
                    step = max(step, self._intervals_begun())  # a poll that outlasted its interval
                failures = 0
                ids = finished_ids(job, self.job_id)
                if ids is not None:
                    event.update(status="completed", **ids)
                    break
        except FanslyMediaProcessingError as exc:
            event.update(status="failed", reason=exc.reason)
        except Exception as exc:  # anything (a missing connection, the comms) fails the task; none uploads
            event.update(status="error", error=type(exc).__name__, message=_without_key(str(exc), hook))
        finally:
            if hook is not None:
                event["credits"] = self.credits + hook.credits_spent
                hook.close()
        yield TriggerEvent(event)  # type: ignore[no-untyped-call]

    def _intervals_begun(self) -> int:
        """Whole poll intervals begun since the task's own poll: the most polls made since, one per interval."""
        return max(0, math.floor((time.time() - self.polled_at) / self.poll_interval))

    def _count_earlier_polls(self, hook: FanslyHook, intervals: int) -> None:
        """Count the polls an earlier run of this trigger may have made (see the class docstring)."""
        if intervals == 0:
            return
        hook.transport.count_unseen(intervals * STANDARD_CREDITS)
        self.log.warning(
            "Job %s: %d poll interval(s) began before this run of the trigger (a triggerer restart, or a "
            "late start); counting the %d poll(s) an earlier run may have made in them as spent",
            self.job_id,
            intervals,
            intervals,
        )

    def _retry_at(self, hook: FanslyHook, exc: FanslyError, failures: int) -> tuple[int, float]:
        """After a failed poll: (failures so far, epoch seconds before which not to poll), or raise.

        The hook's retry rules, but each retry waits for the next interval (or the server's
        ``Retry-After``) on the loop: a wait holds no thread, and no interval has two requests.
        """
        policy = hook.transport.retry_policy
        if failures >= policy.max_retries or not policy.should_retry(exc, idempotent=True):
            raise exc
        self.log.warning("Job %s: poll failed (%s); polling again at the next interval", self.job_id, exc)
        return failures + 1, time.time() + (exc.retry_after or 0.0)


def _without_key(message: str, hook: FanslyHook | None) -> str:
    """An error's text as the event may store it: a foreign exception's text is not ours to trust."""
    if hook is not None and "settings" in hook.__dict__:
        return message.replace(hook.settings.api_key, "***")
    return message
