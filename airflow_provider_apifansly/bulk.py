"""Many API calls through one hook: the whole batch validated first, then a paced thread pool.

A permanent error for one item does not stop the others. An error that no
later call could escape (a rejected key, credits used up, the credit budget
spent, the API failing, a rate-limit wait longer than the task accepts) stops the run: calls in
flight finish, none starts after it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_apifansly.exceptions import (
    FanslyAmbiguousSendError,
    FanslyApiFailingError,
    FanslyAuthError,
    FanslyCreditBudgetError,
    FanslyError,
    FanslyOutOfCreditsError,
    FanslyRateLimitWaitError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks.endpoints.base import may_have_sent
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.models.batch_input import parse_messages, parse_user_ids

if TYPE_CHECKING:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook
    from airflow_provider_apifansly.hooks.read_back import Taken
    from airflow_provider_apifansly.timestamps import Instant

PROGRESS_SECONDS = 10.0
STOPPING_ERRORS = (
    FanslyAuthError,
    FanslyOutOfCreditsError,
    FanslyCreditBudgetError,
    FanslyApiFailingError,
    FanslyRateLimitWaitError,
)


@dataclass
class BulkResult:
    """Per-item outcome of a run: ``done`` (item -> resource id) and ``failed`` (item -> error).

    :param stopped: the error that stopped the run early, if one did; every item it left
        undone is in ``failed`` with that reason.
    :param uncertain: the failed items that may have been done all the same (a failure after sending,
        or in flight when Airflow stopped the task); every other failed item was not.
    """

    total: int
    done: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    stopped: FanslyError | None = None
    uncertain: set[str] = field(default_factory=set)

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
    stop: threading.Event | None = None,
) -> None:
    """Run ``call`` on every item on a thread pool, recording each outcome in ``result``.

    No call starts once ``stop`` is set (the operator's ``on_kill``) or the main thread is interrupted
    (Airflow's ``execution_timeout`` raises there): the calls not started are cancelled and put in
    ``failed`` as not sent, those in flight in ``failed`` and ``uncertain``; then the interruption goes on.
    """
    stop = stop or threading.Event()
    started: set[str] = set()
    starting = threading.Lock()  # an item is either started or never will be, once stop is set

    def guarded(item: str) -> str:
        with starting:
            if stop.is_set():
                raise CancelledError
            started.add(item)
        try:
            return call(item)
        except STOPPING_ERRORS:
            stop.set()  # before the main thread hears of it, so no worker starts another call
            raise

    pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="fansly")
    futures: dict[Future[str], str] = {}
    try:
        futures = {pool.submit(guarded, item): item for item in items}
        for future in as_completed(futures):  # linear in N, unlike repeated wait() calls
            item = futures[future]
            try:
                _settle(result, item, future)
            except STOPPING_ERRORS as exc:
                if may_have_sent(exc):  # the failure that opened the circuit breaker reached the server
                    result.uncertain.add(item)
                if result.stopped is None:
                    result.stopped = exc
                    for pending in futures:
                        pending.cancel()
                continue
            progress.tick(len(result.failed))
    except BaseException:
        with starting:
            stop.set()
        pool.shutdown(wait=False, cancel_futures=True)  # never drain the queue after Airflow said stop
        _settle_interrupted(result, futures, started)
        raise
    pool.shutdown(wait=True)
    if result.stopped is not None:
        reason = f"not done: {result.stopped}"
        result.failed.update(
            {item: reason for item in items if item not in result.done and item not in result.failed}
        )
    result.done = {item: result.done[item] for item in items if item in result.done}


def _settle(result: BulkResult, item: str, future: Future[str]) -> None:
    """Record a finished item; a stopping error and a cancellation are the caller's."""
    try:
        result.done[item] = future.result()
    except CancelledError:
        return
    except STOPPING_ERRORS:
        raise
    except FanslyError as exc:
        result.failed[item] = str(exc)
        if may_have_sent(exc) or isinstance(exc, FanslyAmbiguousSendError):
            result.uncertain.add(item)


def _settle_interrupted(result: BulkResult, futures: dict[Future[str], str], started: set[str]) -> None:
    """Record a batch that Airflow stopped: what finished, what was in flight, what never started.

    What finished is recorded as it went, what is in flight as uncertain, what never started as not sent.
    """
    for future, item in futures.items():
        if item in result.done or item in result.failed:
            continue
        if future.done() and not future.cancelled():
            with contextlib.suppress(CancelledError, *STOPPING_ERRORS):
                _settle(result, item, future)
            if item in result.done or item in result.failed:
                continue
        if item in started:
            result.failed[item] = "in flight when the task was stopped: it may have been sent"
            result.uncertain.add(item)
        else:
            result.failed[item] = "not started: the task was stopped"


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
    stop: threading.Event | None = None,
) -> GroupChatsResult:
    """Create the chat of every fan, or with ``skip_existing`` first take the chats that List Chats shows.

    The list is a cache, not the truth: a fan it does not show is created, which is safe
    because create is find-or-create. Setting ``stop`` (``on_kill``) starts no more creates.
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

    run_batch(to_create, create, result, max_concurrency=max_concurrency, progress=progress, stop=stop)
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
    sent_since: Instant | Mapping[str, Instant] | None = None,
    taken: Taken | None = None,
    max_concurrency: int = 8,
    progress_every: int = 100,
    log: logging.Logger | Any = None,
    stop: threading.Event | None = None,
    result: BulkResult | None = None,
) -> BulkResult:
    """Send one message to each chat; ``done`` maps chat id -> message id.

    :param sent_since: when an earlier attempt that may have sent them began (see ``FanslyHook.deliver``),
        for every chat or per chat id (a chat not in the mapping: nothing may have been sent). Each
        such chat is read once first, and a message found there is not sent again.
    :param taken: messages other task instances own, never taken for one of these.
    :param stop: set it (``on_kill``) to start no more sends.
    :param result: filled as the sends finish, so a caller interrupted mid-run still has it.
    """
    log = log or logging.getLogger(__name__)
    batch = {message.chat_id: message for message in parse_messages(messages)}
    account_id = hook.resolve_account_id(account_id)
    if isinstance(sent_since, Mapping):
        since_of: Mapping[str, Instant] = sent_since
    else:
        since_of = {} if sent_since is None else dict.fromkeys(batch, sent_since)
    looked = sum(chat_id in since_of for chat_id in batch)
    budget = hook.options.max_credits
    # The least the run can spend: one request per chat (a send, or the read of a chat an earlier attempt
    # may have sent into, which is sent only where nothing was delivered, not known yet), and the creator
    # once when any is read. Every request past the budget is refused by the hook anyway.
    needed = len(batch) + (1 if looked else 0)
    if budget is not None and hook.credits_spent + needed > budget:
        per = "one per message" if not looked else f"{looked} chats read first, and the creator once"
        raise FanslyCreditBudgetError(
            f"this run needs {needed} credits ({per}) but max_credits is {budget}; "
            "raise max_credits, or send fewer messages",
            budget=budget,
        )
    hook.get_conn()
    result = result if result is not None else BulkResult(total=len(batch))
    result.total = len(batch)
    progress = _Progress(len(batch), progress_every, log, "messages")

    def send(chat_id: str) -> str:
        message = batch[chat_id]
        return str(hook.deliver(message, account_id, sent_since=since_of.get(chat_id), taken=taken)["id"])

    run_batch(list(batch), send, result, max_concurrency=max_concurrency, progress=progress, stop=stop)
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
