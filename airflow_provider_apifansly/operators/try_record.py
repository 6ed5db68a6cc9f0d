"""What each try of a task instance did, kept where the next try can read it, and who owns what it made.

A task instance's XComs are cleared when a try starts, so the record is an Airflow Variable, one per
task instance (``apifansly.once.<hash>``; the value names the task instance), holding per side effect
(per item of a batch): the whole request, when the attempt began (epoch ms) and its outcome. Claims are
Variables too (``apifansly.claim.<hash>``), one per resource id a task instance created or adopted,
naming it, so no other task instance ever adopts that id. Neither is removed by Airflow: ``prune``
(``python -m airflow_provider_apifansly.operators.try_record --older-than-days N``) deletes those not
written for N days. Reads and writes go through ``_compat`` (the task SDK on 3.x, the database on 2.11).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from airflow_provider_apifansly._compat import Context, read_variable, write_variable
from airflow_provider_apifansly.exceptions import FanslyRecordError

RECORD_PREFIX = "apifansly.once."
CLAIM_PREFIX = "apifansly.claim."

# Outcomes of an attempt.
PENDING = "pending"  # about to act, or acting: written before the request; a kill leaves it
DONE = "done"  # the API answered with the resource (its id)
NOT_SENT = "not_sent"  # never reached the API, or refused with nothing done (429, refused connection, 4xx)
UNKNOWN = "unknown"  # may have acted: a timeout or drop after sending, a 5xx, the task stopped mid-request
MAY_HAVE_ACTED = (PENDING, UNKNOWN)


# One Variable call at a time per process: a batch's threads look up claims, and the task SDK's channel to
# its supervisor takes one request at a time before Airflow 3.1.
_ONE_AT_A_TIME = threading.Lock()


def _read(key: str) -> Any:
    with _ONE_AT_A_TIME:
        return read_variable(key)


def _write(key: str, value: Any, description: str) -> None:
    with _ONE_AT_A_TIME:
        write_variable(key, value, description)


def now_ms() -> int:
    """Now, in epoch milliseconds."""
    return int(time.time() * 1000)


def digest(text: str) -> str:
    """A short, stable name for text too long for a key.

    Variable keys hold at most 250 characters, and dag, run and task ids may each be that long.
    """
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def task_instance_name(context: Context) -> str:
    """``dag_id/run_id/task_id/map_index``: the same for every try of a task instance."""
    ti = context["ti"]
    return f"{ti.dag_id}/{ti.run_id}/{ti.task_id}/{ti.map_index}"


@dataclass
class Attempt:
    """One side effect of one try: the whole request, when the try began it, and what came of it."""

    request: dict[str, Any]
    started_ms: int
    try_number: int
    outcome: str = PENDING
    resource_id: str | None = None


class TryRecord:
    """The record of one task instance: item -> its latest ``Attempt``, saved as one JSON Variable.

    A try that cannot write it does not act: ``save`` raises ``FanslyRecordError`` (retryable: nothing
    was sent).
    """

    def __init__(self, context: Context) -> None:
        self.owner = task_instance_name(context)
        self.try_number = int(context["ti"].try_number)
        self.key = RECORD_PREFIX + digest(self.owner)
        self.started_ms = now_ms()
        try:
            stored = _read(self.key)
        except Exception as exc:
            raise FanslyRecordError(
                f"cannot read this task instance's record (Variable {self.key}): {exc}; nothing was sent"
            ) from exc
        items = (stored or {}).get("items", {})
        self.items: dict[str, Attempt] = {item: Attempt(**fields) for item, fields in items.items()}

    def earlier(self, item: str, request: Mapping[str, Any]) -> Attempt | None:
        """What an earlier try did for ``item``, if it was this very request.

        A request since changed, by a new parameter or template, is a new side effect: what was done for
        the old one says nothing.
        """
        attempt = self.items.get(item)
        if attempt is None or attempt.request != _canonical(request):
            return None
        return attempt

    def begin(
        self, requests: Mapping[str, Mapping[str, Any]], started: Mapping[str, int] | None = None
    ) -> None:
        """Record that this try is about to act on each item, and save: before any request.

        :param started: per item, an earlier start to keep (an item read back only as it is acted on).
        """
        for item, request in requests.items():
            began = (started or {}).get(item, self.started_ms)
            self.items[item] = Attempt(_canonical(request), began, self.try_number)
        self.save()

    def settle(self, item: str, outcome: str, resource_id: str | None = None) -> None:
        """What came of an item's attempt (saved by the next ``save``)."""
        attempt = self.items[item]
        attempt.outcome, attempt.resource_id = outcome, resource_id

    def adopt(self, item: str, request: Mapping[str, Any], resource_id: str, started_ms: int) -> None:
        """Record an item as done by an earlier attempt (that began at ``started_ms``)."""
        self.items[item] = Attempt(_canonical(request), started_ms, self.try_number, DONE, resource_id)

    def save(self) -> None:
        """Write the record to its Variable; a failure to write is ``FanslyRecordError``."""
        value = {
            "task_instance": self.owner,
            "updated_ms": now_ms(),
            "items": {item: asdict(attempt) for item, attempt in self.items.items()},
        }
        try:
            _write(self.key, value, f"apifansly: what the tries of {self.owner:.150} did")
        except Exception as exc:
            raise FanslyRecordError(
                f"cannot write this task instance's record (Variable {self.key}): {exc}; a try that "
                "cannot record what it does does not act"
            ) from exc


class Claims:
    """Which task instance owns each resource id (one Variable per id, naming it).

    An id one task instance created or adopted is never adopted by another (a mapped sibling, another
    task, another run).
    """

    def __init__(self, record: TryRecord, account_id: str, kind: str) -> None:
        self.owner, self.account_id, self.kind = record.owner, account_id, kind

    def _key(self, resource_id: str) -> str:
        return CLAIM_PREFIX + digest(f"{self.account_id}/{self.kind}/{resource_id}")

    def taken(self, resource_id: str) -> bool:
        """Whether another task instance owns ``resource_id``."""
        claim = _read(self._key(resource_id))
        return claim is not None and claim.get("task_instance") != self.owner

    def claim(self, resource_ids: Iterable[str]) -> None:
        """Mark each id as this task instance's, so no other instance adopts it."""
        for resource_id in resource_ids:
            value = {
                "task_instance": self.owner,
                "account_id": self.account_id,
                "kind": self.kind,
                "id": resource_id,
                "updated_ms": now_ms(),
            }
            try:
                _write(self._key(resource_id), value, f"apifansly: {self.kind} {resource_id} is ours")
            except Exception as exc:
                raise FanslyRecordError(
                    f"{self.kind} {resource_id} was done, but its claim could not be written ({exc}); "
                    "the task instance's record holds it, so a later try adopts it"
                ) from exc


def _canonical(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request as it reads back from JSON, so a stored request compares equal to a new one."""
    loaded: dict[str, Any] = json.loads(json.dumps(request, sort_keys=True, default=str))
    return loaded


def prune(older_than: timedelta) -> int:
    """Delete the records and claims not written for ``older_than``; return how many.

    Run it where the metadata database is reachable (the scheduler's or the API server's machine), not in
    a task: a run cleared after its records are gone acts as a first try would.
    """
    from airflow.models.variable import Variable as VariableRow
    from airflow.utils.session import create_session
    from sqlalchemy import or_, select

    cutoff = now_ms() - older_than / timedelta(milliseconds=1)
    removed = 0
    with create_session() as session:
        rows = session.scalars(
            select(VariableRow).where(
                or_(VariableRow.key.startswith(RECORD_PREFIX), VariableRow.key.startswith(CLAIM_PREFIX))
            )
        )
        for row in rows:
            try:
                updated = json.loads(row.val).get("updated_ms", 0)
            except (TypeError, ValueError, AttributeError):
                updated = 0
            if updated < cutoff:
                session.delete(row)
                removed += 1
    return removed


def main(argv: list[str] | None = None) -> None:
    """Delete the records and claims older than ``--older-than-days`` (a maintenance command)."""
    parser = argparse.ArgumentParser(description="Delete apifansly once-records and claims older than N days")
    parser.add_argument("--older-than-days", type=float, required=True)
    args = parser.parse_args(argv)
    print(f"Deleted {prune(timedelta(days=args.older_than_days))} apifansly records and claims")


if __name__ == "__main__":
    main()
