"""Side effects once, whatever Airflow does: a later try acts on what this task instance itself did.

Before each side effect a try records what it is about to do and when (``try_record.TryRecord``: a
Variable per task instance, since a try's XComs are cleared when it starts); after the answer, what
came of it. A later try (an Airflow retry, a cleared task) decides per side effect from that record:

- done: adopt its id and push the same XComs; nothing is sent or read;
- not sent (a 429, a refused connection, a refusal before anything was done), or no record of this very
  request: act;
- pending or unknown (a kill, a timeout or drop after sending, a 5xx): read back from that attempt's own
  start (less the clock skew) and adopt the one match no other task instance claims; none: act, where the
  operator's read-back proves absence; several, or no read-back (posts, uploads): fail with the operator's
  typed, non-retryable error, saying what to check.

What one task instance created or adopted is claimed (``try_record.Claims``), so no other ever adopts it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, final

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.exceptions import FanslyAmbiguousSendError, FanslyError
from airflow_provider_apifansly.operators.base import FanslyBaseOperator
from airflow_provider_apifansly.operators.try_record import (
    DONE,
    MAY_HAVE_ACTED,
    NOT_SENT,
    UNKNOWN,
    Attempt,
    Claims,
    TryRecord,
)

# A read-back: the ids of what may be this side effect, done since the epoch ms given.
ReadBack = Callable[[int], list[str]]


def outcome_of(exc: BaseException) -> str:
    """What a failed side effect's error says of it: not sent only when it cannot have been done."""
    from airflow_provider_apifansly.hooks.endpoints.base import may_have_sent

    if isinstance(exc, FanslyAmbiguousSendError) or (isinstance(exc, FanslyError) and may_have_sent(exc)):
        return UNKNOWN
    return NOT_SENT if isinstance(exc, FanslyError) else UNKNOWN  # anything else: Airflow stopped it mid-way


class FanslySideEffectOperator(FanslyBaseOperator):
    """Base of every operator that changes something on the API (sends, broadcasts, uploads, posts, automation rules).

    ``act`` does the work with the task instance's record; ``once`` runs one side effect by the rule
    above.

    :cvar claim_kind: what the ids this operator creates are (claims are per account and kind); None
        for an operator that never reads back, whose ids therefore nobody could adopt.
    """

    claim_kind: str | None = None

    @final
    def call_api(self, context: Context) -> Any:
        """Run ``act`` with this try's record (final: the one rule of what a later try does is ``once``)."""
        return self.act(context, TryRecord(context))

    def act(self, context: Context, record: TryRecord) -> Any:
        """The operator's work; its return value is the task's ``return_value``."""
        raise NotImplementedError

    def uncertain(self, context: Context, earlier: Attempt, why: str) -> FanslyError:
        """The operator's typed, non-retryable error when an earlier try may have acted and no read-back can tell.

        ``why`` says what is known, the error says what to check.
        """
        raise NotImplementedError

    def claims(self, record: TryRecord, account_id: str) -> Claims | None:
        """The claims on what this operator creates in the account; None when it reads nothing back."""
        return None if self.claim_kind is None else Claims(record, account_id, self.claim_kind)

    def once(
        self,
        context: Context,
        record: TryRecord,
        *,
        request: Mapping[str, Any],
        account_id: str,
        do: Callable[[Claims | None], str | None],
        read_back: ReadBack | None = None,
        item: str = "",
    ) -> tuple[str | None, bool]:
        """Do one side effect at most once across the tries of this task instance, by the record.

        :param request: the whole request (what makes it this side effect), as JSON-able values.
        :param do: the side effect, given the claims (to keep what others own out of its own
            read-backs); returns the resource's id.
        :param read_back: see ``ReadBack``; None where nothing can be read back (the operator's
            ``uncertain`` error then ends a try after one that may have acted).
        :returns: the id, and whether it was adopted from an earlier try.
        """
        claims = self.claims(record, account_id)
        earlier = record.earlier(item, request)
        if earlier is not None and earlier.outcome == DONE:
            self.log.info(
                "Try %d of this task instance did it already (%s); adopted, nothing sent",
                earlier.try_number,
                earlier.resource_id,
            )
            if claims is not None and earlier.resource_id is not None:
                claims.claim([earlier.resource_id])  # again: the try that made it may have failed to
            return earlier.resource_id, True
        if earlier is not None and earlier.outcome in MAY_HAVE_ACTED:
            found = self._read_back(context, record, earlier, claims, read_back)
            if found is not None:
                record.adopt(item, request, found, earlier.started_ms)
                record.save()
                if claims is not None:
                    claims.claim([found])
                return found, True
        # Past a read-back that found nothing, absence is proven up to now: this attempt starts afresh.
        return self.attempt(record, item, request, lambda: do(claims), claims), False

    def _read_back(
        self,
        context: Context,
        record: TryRecord,
        earlier: Attempt,
        claims: Claims | None,
        read_back: ReadBack | None,
    ) -> str | None:
        """The one unclaimed match of an earlier attempt that may have acted.

        None when the read-back found none; raises ``uncertain`` when none can be read back or several
        match.
        """
        from airflow_provider_apifansly.hooks.read_back import CLOCK_SKEW_MS
        from airflow_provider_apifansly.timestamps import iso

        way_out = f"once checked, delete Variable {record.key} (this task instance's record) to let a try act"
        why = f"try {earlier.try_number} may have done it, its outcome being {earlier.outcome}; {way_out}"
        if read_back is None:
            raise self.uncertain(context, earlier, why)
        since_ms = earlier.started_ms - CLOCK_SKEW_MS
        self.log.info(
            "Try %d may have done it (%s); reading back from its start less the clock skew (%s)",
            earlier.try_number,
            earlier.outcome,
            iso(since_ms),
        )
        candidates = read_back(since_ms)
        found = [rid for rid in candidates if claims is None or not claims.taken(rid)]
        if len(found) > 1:
            look_alikes = f"{len(found)} look-alikes since {iso(since_ms)}: {', '.join(found)}"
            raise self.uncertain(context, earlier, f"{look_alikes}; {why}")
        if not found:
            skipped = len(candidates)
            self.log.info(
                "Nothing of try %d found%s; acting",
                earlier.try_number,
                f" ({skipped} look-alike(s) owned by other task instances)" if skipped else "",
            )
            return None
        self.log.warning(
            "Adopted %s, done by try %d of this task instance; nothing sent again",
            found[0],
            earlier.try_number,
        )
        return found[0]

    def attempt(
        self,
        record: TryRecord,
        item: str,
        request: Mapping[str, Any],
        do: Callable[[], str | None],
        claims: Claims | None,
    ) -> str | None:
        """Record the side effect as pending, do it, then record what came of it and claim what it made.

        The pending record is written before any request: a try that cannot write it does not act.
        """
        record.begin({item: request})
        try:
            resource_id = do()
        except BaseException as exc:
            record.settle(item, outcome_of(exc))
            self.save_after_failure(record)
            raise
        record.settle(item, DONE, resource_id)
        record.save()
        if claims is not None and resource_id is not None:
            claims.claim([resource_id])
        return resource_id

    def save_after_failure(self, record: TryRecord) -> None:
        """Save the outcome of a failed attempt.

        A failure to save is logged, never masks the first (the record then still says pending, which
        a later try treats as may-have-acted).
        """
        try:
            record.save()
        except FanslyError as exc:
            self.log.error("%s", exc)
