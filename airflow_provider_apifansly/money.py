"""Money as the API counts it, converted in this one place.

Earnings, top supporters and broadcast sales are integer **thousandths of a dollar**
("base units: divide by 1000"); message and broadcast ``price`` are dollars; a
subscription's ``price`` is of disputed scale (cents or thousandths) and is never
converted. Amounts stay integers in their scale; Decimal only where a user gives dollars.
Imports no hook and no HTTP client (Airflow only for the typed errors of ``exceptions``), so
operators check values cheaply while a DAG is parsed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from airflow_provider_apifansly.exceptions import FanslyValidationError

THOUSANDTHS_PER_DOLLAR = 1000
# How exports and XComs name the scale of the amounts they carry.
THOUSANDTHS = "thousandths of a dollar"


def dollars_to_thousandths(value: object, *, field: str) -> int:
    """A non-negative dollar amount (int, float, Decimal or numeric text) as whole thousandths of a dollar."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise FanslyValidationError(f"{field} must be a number of dollars; got {value!r:.40}")
    try:
        # str() first, so a float such as 0.1 means 0.1 dollars, not its binary approximation.
        dollars = Decimal(str(value).strip())
    except InvalidOperation:
        raise FanslyValidationError(f"{field} must be a number of dollars; got {value!r:.40}") from None
    if not dollars.is_finite() or dollars < 0:
        raise FanslyValidationError(
            f"{field} must be a finite number of dollars, at least 0; got {value!r:.40}"
        )
    thousandths = dollars * THOUSANDTHS_PER_DOLLAR
    if thousandths != thousandths.to_integral_value():
        raise FanslyValidationError(
            f"{field} has more precision than the API's thousandths of a dollar: {value!r}"
        )
    return int(thousandths)
