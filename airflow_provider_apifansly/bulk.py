"""Many API calls through one hook: the whole batch validated first, then a paced thread pool.

A permanent error for one item does not stop the others. An error that no
later call could escape (a rejected key, credits used up, the credit budget
spent) stops the run: calls in flight finish, none starts after it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly.batch_input import parse_messages, parse_user_ids
from airflow_provider_apifansly.exceptions import (
    FanslyAuthError,
    FanslyCreditBudgetError,
    FanslyError,
    FanslyOutOfCreditsError,
    FanslyValidationError,
)
from airflow_provider_apifansly.ids import validate_native_id

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

PROGRESS_SECONDS = 10.0
STOPPING_ERRORS = (FanslyAuthError, FanslyOutOfCreditsError, FanslyCreditBudgetError)


@dataclass
class BulkResult:
    """Per-item outcome of a run: ``done`` (item -> resource id) and ``failed`` (item -> error).

    :param stopped: the error that stopped the run early, if one did; every item it left
        undone is in ``failed`` with that reason.
    """

    total: int
    done: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    stopped: FanslyError | None = None

    def stop_error(self, hook: FanslyHook, noun: str) -> FanslyError:
        """The error that fails the task after a stop, saying why and how many items were left."""
        exc = self.stopped
        if exc is None:
            raise ValueError("stop_error() needs a run that was stopped; this one was not")
        left = f"{len(self.failed)} {noun} not done (see XCom 'failed')"
        if isinstance(exc, FanslyCreditBudgetError):
            spent = f"{hook.requests_sent} requests ({hook.credits_spent} credits)"
            message = f"credit budget of {exc.budget} reached after {spent}; {left}"
            return FanslyCreditBudgetError(message, budget=exc.budget, request=exc.request)
        return type(exc)(
            f"{exc} Stopped: {left}.",
            http_status=exc.http_status,
            api_message=exc.api_message,
            request=exc.request,
        )


@dataclass
class GroupChatsResult(BulkResult):
    """A bulk create: ``listed`` fans found in List Chats, ``done`` fans created (POSTed) in this run."""

    listed: dict[str, str] = field(default_factory=dict)
    fans: list[str] = field(default_factory=list)

    @property
    def groups(self) -> dict[str, str]:
        """Fan -> group id for every fan that has its chat, listed or created, in the input's order."""
        groups = {**self.done, **self.listed}
        return {fan: groups[fan] for fan in self.fans if fan in groups}

    @property
    def new(self) -> dict[str, str]:
        """Fan -> group id for the fans POSTed in this run."""
        return dict(self.done)


def run_batch(
    items: Sequence[str],
    call: Callable[[str], str],
    result: BulkResult,
    *,
    max_concurrency: int,
    progress: _Progress,
) -> None:
    """Run ``call`` on every item on a thread pool, recording each outcome in ``result``."""
    stop = threading.Event()

    def guarded(item: str) -> str:
        if stop.is_set():
            raise CancelledError
        try:
            return call(item)
        except STOPPING_ERRORS:
            stop.set()  # before the main thread hears of it, so no worker starts another call
            raise

    with ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="fansly") as pool:
        futures = {pool.submit(guarded, item): item for item in items}
        for future in as_completed(futures):  # linear in N, unlike repeated wait() calls
            item = futures[future]
            try:
                result.done[item] = future.result()
            except CancelledError:
                continue
            except STOPPING_ERRORS as exc:
                if result.stopped is None:
                    result.stopped = exc
                    for pending in futures:
                        pending.cancel()
                continue
            except FanslyError as exc:
                result.failed[item] = str(exc)
            progress.tick(len(result.failed))
    if result.stopped is not None:
        reason = f"not done: {result.stopped}"
        result.failed.update(
            {item: reason for item in items if item not in result.done and item not in result.failed}
        )
    result.done = {item: result.done[item] for item in items if item in result.done}


def create_group_chats(
    hook: FanslyHook,
    user_ids: Sequence[str | int] | str,
    *,
    account_id: str | None = None,
    creator_id: str | int | None = None,
    skip_existing: bool = False,
    max_concurrency: int = 8,
    progress_every: int = 100,
    log: logging.Logger | Any = None,
) -> GroupChatsResult:
    """Create the chat of every fan, or with ``skip_existing`` first take the chats that List Chats shows.

    The list is a cache, not the truth: a fan it does not show is created, which is safe
    because create is find-or-create.
    """
    log = log or logging.getLogger(__name__)
    fans = parse_user_ids(user_ids)
    account_id = hook.resolve_account_id(account_id)
    given_creator = creator_id is not None and creator_id != ""
    if given_creator:
        creator_id = validate_native_id(creator_id, field="creator_id")
    budget = hook.options.max_credits
    if budget is not None and not skip_existing:
        needed = len(fans) + (0 if given_creator else 1)
        if hook.credits_spent + needed > budget:
            lookup = "" if given_creator else " and one GET /me"
            raise FanslyCreditBudgetError(
                f"this run needs {needed} credits ({len(fans)} fans{lookup}) but max_credits is {budget}; "
                "raise max_credits, or pass fewer fans",
                budget=budget,
            )
    _refuse_creator(creator_id, fans)  # a given creator is checked before any request

    hook.get_conn()  # one session and one pacer, built before the threads share them
    result = GroupChatsResult(total=len(fans), fans=fans)
    started = time.monotonic()
    try:
        if skip_existing:
            chats = hook.existing_chats(account_id)
            result.listed = {fan: chats[fan] for fan in fans if fan in chats}
            log.info(
                "List Chats shows %d chats; %d of %d fans already have one",
                len(chats),
                len(result.listed),
                len(fans),
            )
        to_create = [fan for fan in fans if fan not in result.listed]
        if to_create and not given_creator:  # no GET /me when every fan is listed
            creator_id = hook.get_creator_id(account_id)
    except STOPPING_ERRORS as exc:
        result.stopped = exc
        result.failed = {fan: f"not done: {exc}" for fan in fans if fan not in result.listed}
        return result
    _refuse_creator(creator_id, to_create)
    progress = _Progress(len(to_create), progress_every, log, "chats")

    def create(fan: str) -> str:
        return str(hook.create_group_chat(fan, account_id, creator_id)["id"])

    run_batch(to_create, create, result, max_concurrency=max_concurrency, progress=progress)
    log.info(
        "Fansly chats for account %s: %d listed, %d created, %d failed of %d in %.1f s",
        account_id,
        len(result.listed),
        len(result.done),
        len(result.failed),
        len(fans),
        time.monotonic() - started,
    )
    return result


def _refuse_creator(creator_id: object, fans: list[str]) -> None:
    if creator_id in fans:
        raise FanslyValidationError(f"user_ids contains the creator's own id {creator_id!r}; remove it")


def send_messages(
    hook: FanslyHook,
    messages: Any,
    *,
    account_id: str | None = None,
    sent_since: float | None = None,
    max_concurrency: int = 8,
    progress_every: int = 100,
    log: logging.Logger | Any = None,
) -> BulkResult:
    """Send one message to each chat; ``done`` maps chat id -> message id.

    :param sent_since: on a task's retry, when its earlier tries may have begun sending: see
        ``FanslyHook.deliver``. Each chat is then read once, and a message found is not sent again.
    """
    log = log or logging.getLogger(__name__)
    batch = {message.chat_id: message for message in parse_messages(messages)}
    account_id = hook.resolve_account_id(account_id)
    budget = hook.options.max_credits
    # The least the run can spend: a first try sends each message; a retry reads every chat (and
    # the creator, once), and sends only where no earlier try delivered, which is not known yet.
    # Every request past the budget is refused by the hook anyway.
    needed = len(batch) if sent_since is None else len(batch) + 1
    if budget is not None and hook.credits_spent + needed > budget:
        per = "one per message" if sent_since is None else "a retry reads each chat, and the creator once"
        raise FanslyCreditBudgetError(
            f"this run needs {needed} credits ({per}) but max_credits is {budget}; "
            "raise max_credits, or send fewer messages",
            budget=budget,
        )
    hook.get_conn()
    result = BulkResult(total=len(batch))
    progress = _Progress(len(batch), progress_every, log, "messages")

    def send(chat_id: str) -> str:
        return str(hook.deliver(batch[chat_id], account_id, sent_since=sent_since)["id"])

    run_batch(list(batch), send, result, max_concurrency=max_concurrency, progress=progress)
    log.info(
        "Fansly messages for account %s: %d sent, %d failed of %d in %.1f s",
        account_id,
        len(result.done),
        len(result.failed),
        len(batch),
        progress.elapsed,
    )
    return result


class _Progress:
    """Logs done/total, rate and ETA every ``every`` items or every few seconds."""

    def __init__(self, total: int, every: int, log: Any, noun: str) -> None:
        self.total, self.every, self.log, self.noun = total, max(1, every), log, noun
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
            "Fansly %s: %d/%d done (%d failed), %.1f/s, ETA %.0f s",
            self.noun,
            self.done,
            self.total,
            failed,
            rate,
            eta,
        )
