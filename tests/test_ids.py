"""Ids are checked before they reach a URL or a request body."""

from __future__ import annotations

import pytest

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.ids import validate_account_id, validate_native_id


@pytest.mark.parametrize("value", ["723516315247063042", "1", "18446744073709551615", 723516315247063042])
def test_native_ids_are_returned_as_digit_strings(value: object) -> None:
    assert validate_native_id(value, field="user_id") == str(value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "missing"),
        ("", "empty"),
        ("   ", "empty"),
        ("12a", "1 to 20 ASCII digits"),
        ("-5", "1 to 20 ASCII digits"),
        ("0", "no leading zero"),
        ("1" * 30, "1 to 20 ASCII digits"),
        ("1.5e17", "1 to 20 ASCII digits"),
        (1.5e17, "must be a string, got float"),
        (True, "must be a string, got bool"),
        (["723516315247063042"], "must be a string, got list"),
        ("\u0661\u0662\u0663", "ASCII digits"),  # Arabic-Indic digits pass str.isdigit()
        (" 723516315247063042", "ASCII digits"),
    ],
)
def test_bad_native_ids_name_the_field_and_the_problem(value: object, problem: str) -> None:
    with pytest.raises(FanslyValidationError, match="user_id") as err:
        validate_native_id(value, field="user_id")
    assert problem in str(err.value)


@pytest.mark.parametrize(
    "value",
    [
        "fansly_../x",
        "fansly_a/b",
        "fansly_a?b=1",
        "fansly_a#b",
        "fansly_a%2Fb",
        "fansly_a b",
        "other_123",
        "fansly_",
    ],
)
def test_account_ids_that_could_escape_the_path_are_rejected(value: str) -> None:
    with pytest.raises(FanslyValidationError, match="connected account id"):
        validate_account_id(value)


def test_a_native_id_given_as_account_id_gets_a_hint() -> None:
    with pytest.raises(FanslyValidationError, match="looks like a native user id"):
        validate_account_id("723516315247063042")


def test_validation_errors_do_not_use_up_airflow_task_retries() -> None:
    from airflow_provider_apifansly._compat import AirflowFailException

    assert issubclass(FanslyValidationError, AirflowFailException)
    assert issubclass(FanslyValidationError, ValueError)
