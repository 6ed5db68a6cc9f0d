"""Creating many chats concurrently through one hook: validation first, then a paced thread pool."""

from __future__ import annotations

import ast
import json
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly.exceptions import FanslyAuthError, FanslyError, FanslyValidationError
from airflow_provider_apifansly.ids import validate_native_id

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

PROGRESS_SECONDS = 10.0


@dataclass
class BulkResult:
    """Per-fan outcome of a bulk run: ``groups`` (fan -> group id) and ``failed`` (fan -> error)."""

    total: int
    groups: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def parse_user_ids(user_ids: Sequence[str | int] | str) -> list[str]:
    """Validate every fan id before any request; drop duplicates, keep order.

    A string is read as the rendering of a list (a template without native rendering).
    """
    if isinstance(user_ids, str):
        user_ids = _parse_rendered_list(user_ids)
    if not isinstance(user_ids, Sequence) or isinstance(user_ids, str | bytes):
        raise FanslyValidationError(f"user_ids must be a list of fan ids, got {type(user_ids).__name__}")
    ids = [validate_native_id(value, field=f"user_ids[{index}]") for index, value in enumerate(user_ids)]
    return list(dict.fromkeys(ids))


def _parse_rendered_list(text: str) -> Any:
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError):
            continue
    raise FanslyValidationError(f"user_ids must render to a list of fan ids, got {text[:100]!r}")


def create_group_chats(
    hook: FanslyHook,
    user_ids: Sequence[str | int] | str,
    *,
    account_id: str | None = None,
    creator_id: str | int | None = None,
    max_concurrency: int = 8,
    progress_every: int = 100,
    log: logging.Logger | Any = None,
) -> BulkResult:
    """Create the chat of every fan; a permanent error for one fan does not stop the others.

    An auth error (401/403) cancels what has not started and is raised: no other call could succeed.
    """
    log = log or logging.getLogger(__name__)
    fans = parse_user_ids(user_ids)
    account_id = hook.resolve_account_id(account_id)
    if creator_id is not None and creator_id != "":
        creator_id = validate_native_id(creator_id, field="creator_id")
    else:
        creator_id = hook.get_creator_id(account_id)
    if creator_id in fans:
        raise FanslyValidationError(f"user_ids contains the creator's own id {creator_id!r}; remove it")

    hook.get_conn()  # one session and one pacer, built before the threads share them
    result = BulkResult(total=len(fans))
    progress = _Progress(len(fans), progress_every, log)
    with ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="fansly") as pool:
        futures: dict[Future[dict[str, Any]], str] = {
            pool.submit(hook.create_group_chat, fan, account_id, creator_id): fan for fan in fans
        }
        try:
            for future in as_completed(futures):  # linear in N, unlike repeated wait() calls
                fan = futures[future]
                try:
                    result.groups[fan] = str(future.result()["id"])
                except FanslyAuthError:
                    raise
                except FanslyError as exc:
                    result.failed[fan] = str(exc)
                progress.tick(len(result.failed))
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    result.groups = {fan: result.groups[fan] for fan in fans if fan in result.groups}
    log.info(
        "Fansly chats for account %s: %d ready, %d failed of %d in %.1f s",
        account_id,
        len(result.groups),
        len(result.failed),
        len(fans),
        progress.elapsed,
    )
    return result


class _Progress:
    """Logs done/total, rate and ETA every ``every`` chats or every few seconds."""

    def __init__(self, total: int, every: int, log: Any) -> None:
        self.total, self.every, self.log = total, max(1, every), log
        self.done = 0
        self.started = self.last_log = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def tick(self, failed: int) -> None:
        self.done += 1
        now = time.monotonic()
        if self.done % self.every and now - self.last_log < PROGRESS_SECONDS:
            return
        self.last_log = now
        rate = self.done / max(self.elapsed, 1e-9)
        eta = (self.total - self.done) / rate if rate else float("inf")
        self.log.info(
            "Fansly chats: %d/%d done (%d failed), %.1f/s, ETA %.0f s",
            self.done,
            self.total,
            failed,
            rate,
            eta,
        )
