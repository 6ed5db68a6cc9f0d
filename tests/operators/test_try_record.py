"""The task instance's record: a try that cannot write it does not act, and a changed request is new."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import FanslyRecordError
from airflow_provider_apifansly.operators import try_record
from airflow_provider_apifansly.operators.posts import CreatePostOperator
from airflow_provider_apifansly.operators.try_record import DONE, TryRecord


def context() -> Any:
    ti = SimpleNamespace(dag_id="d", run_id="r", task_id="t", map_index=-1, try_number=2)
    return {"ti": ti}


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Variables in a dict: this tests the record's rule, not Airflow's storage."""
    variables: dict[str, Any] = {}
    monkeypatch.setattr(try_record, "read_variable", variables.get)
    monkeypatch.setattr(
        try_record, "write_variable", lambda key, value, description: variables.update({key: value})
    )
    return variables


def test_a_try_that_cannot_write_its_record_does_not_act(
    store: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(key: str, value: Any, description: str) -> None:
        raise OSError("the execution API is unreachable")

    monkeypatch.setattr(try_record, "write_variable", refuse)
    acted: list[str] = []
    operator = CreatePostOperator(task_id="post", content="hi")

    with pytest.raises(FanslyRecordError, match="a try that cannot record what it does does not act"):
        operator.attempt(
            TryRecord(context()), "", {"content": "hi"}, lambda: acted.append("posted") or "1", None
        )

    assert acted == []


def test_what_was_done_for_another_request_says_nothing_of_this_one(store: dict[str, Any]) -> None:
    record = TryRecord(context())
    record.begin({"": {"content": "old caption"}})
    record.settle("", DONE, "800000000000000001")
    record.save()

    again = TryRecord(context())

    assert again.earlier("", {"content": "old caption"}) is not None
    assert again.earlier("", {"content": "new caption"}) is None


def test_the_record_key_fits_a_variable_key_however_long_the_ids() -> None:
    long = SimpleNamespace(dag_id="d" * 250, run_id="r" * 250, task_id="t" * 250, map_index=3, try_number=1)
    key = try_record.RECORD_PREFIX + try_record.digest(try_record.task_instance_name({"ti": long}))  # type: ignore[arg-type]

    assert len(key) <= 250
