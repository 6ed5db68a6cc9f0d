"""Side effects once, whatever Airflow does: the one rule every operator that changes something follows.

A try after the first (an Airflow retry, a cleared task) may follow a try that Airflow stopped
mid-request (``execution_timeout``, SIGTERM, a lost worker) after the API had already acted. So,
before any side effect, a later try reads back what an earlier try of this DAG run may have done:
found, it is adopted and nothing is sent; not determinable, the task fails with the operator's typed,
non-retryable "may have been done" error. No later try acts blindly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, final

from airflow_provider_apifansly._compat import Context, run_due_at
from airflow_provider_apifansly.operators.base import FanslyBaseOperator


@dataclass(frozen=True)
class Adopted:
    """What an earlier try did, found by a read-back: the task's return value and the XComs to push."""

    value: Any
    xcoms: Mapping[str, Any] = field(default_factory=dict)


class FanslySideEffectOperator(FanslyBaseOperator):
    """Base of every operator that changes something on the API (sends, broadcasts, uploads, posts,
    automation rules). On a try after the first (``ti.try_number > 1``) it calls ``read_back()`` before
    any side effect: an ``Adopted`` result is pushed and returned with nothing sent; None means the
    read-back proved nothing was done, so ``act()`` runs; an operator that cannot tell raises its typed,
    non-retryable "may have been done" error (an ``AirflowFailException`` subclass) from ``read_back()``.
    """

    @final
    def call_api(self, context: Context) -> Any:
        ti = context["ti"]
        if ti.try_number <= 1:
            return self.act(context, None)
        due = run_due_at(context["dag_run"])
        self.log.info(
            "Try %d: an earlier try may have acted since the run became due (%s); reading back first",
            ti.try_number,
            due.isoformat(),
        )
        since = due.timestamp()
        adopted = self.read_back(context, since)
        if adopted is None:
            return self.act(context, since)
        for key, value in adopted.xcoms.items():
            ti.xcom_push(key=key, value=value)
        self.log.info("Adopted what an earlier try did (%s); nothing sent again", adopted.value)
        return adopted.value

    def read_back(self, context: Context, since: float) -> Adopted | None:
        """What an earlier try did since ``since`` (epoch seconds the DAG run became due): ``Adopted``
        when found, None when it proved nothing was done; raise the typed uncertain error otherwise."""
        raise NotImplementedError

    def act(self, context: Context, since: float | None) -> Any:
        """The side effect; its return value is the task's ``return_value``.

        :param since: None on a first try; on a later try whose ``read_back`` found nothing, the same
            bound, for an operator that reads back item by item as it acts (a batch of chats).
        """
        raise NotImplementedError
