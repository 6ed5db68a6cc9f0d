"""Earnings Transactions: the row shape, offset paging with ``total``, the window's bounds and its 400s."""

from __future__ import annotations

import time

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox
from tests.sandbox.client import Api, envelope, error_message, response_of

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z in epoch milliseconds
MINUTE = 60_000


def test_a_transaction_row_in_the_documented_shape(api: Api, fansly_sandbox: FanslySandbox) -> None:
    [transaction_id] = fansly_sandbox.seed_transactions([T0], amount=12_500)

    data = envelope(api.transactions(), 200)["data"]

    assert data == {
        "status_code": 200,
        "data": {
            "success": True,
            "response": {
                "total": 1,
                "data": [
                    {
                        "transactionId": transaction_id,
                        "type": 2110,
                        "destination": DEFAULT_CREATOR_ID,
                        "amount": 12_500,
                        "destinationTax": 2_500,
                        "newBalance": 10_000,
                        "createdAt": T0,
                        "status": 1,
                    }
                ],
            },
        },
    }


def test_pages_by_offset_newest_first_with_the_total_of_the_window(
    api: Api, fansly_sandbox: FanslySandbox
) -> None:
    ids = fansly_sandbox.seed_transactions([T0 + n * MINUTE for n in range(250)])

    pages = [response_of(api.transactions(limit=100, offset=offset)) for offset in (0, 100, 200, 250)]

    assert [page["total"] for page in pages] == [250] * 4
    assert [len(page["data"]) for page in pages] == [100, 100, 50, 0]
    assert [row["transactionId"] for page in pages for row in page["data"]] == ids[::-1]


def test_after_and_before_include_their_bounds_by_default(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.seed_transactions([T0 - 1, T0, T0 + MINUTE, T0 + MINUTE + 1])

    page = response_of(api.transactions(after=T0, before=T0 + MINUTE))

    assert [row["createdAt"] for row in page["data"]] == [T0 + MINUTE, T0]


def test_the_exclusive_switch_leaves_rows_on_the_bounds_out(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.transactions_bounds = "exclusive"
    fansly_sandbox.seed_transactions([T0, T0 + 1, T0 + MINUTE])

    page = response_of(api.transactions(after=T0, before=T0 + MINUTE))

    assert page["total"] == 1
    assert [row["createdAt"] for row in page["data"]] == [T0 + 1]


def test_new_balance_is_the_running_net_total_in_time_order(api: Api, fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.seed_transactions([T0 + MINUTE, T0], amount=[5_000, 10_000])

    rows = response_of(api.transactions())["data"]

    assert [(row["createdAt"], row["newBalance"]) for row in rows] == [(T0 + MINUTE, 12_000), (T0, 8_000)]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"before": int(time.time() * 1000) + 3_600_000}, "is in the future"),
        ({"after": T0, "before": T0}, "must be before before"),
        ({"after": T0 + 1, "before": T0}, "must be before before"),
        ({"limit": 101}, "limit must be a whole number from 1 to 100"),
        ({"offset": "-1"}, "offset must be a whole number"),
        ({"cursor": "x"}, "unknown query parameter 'cursor'"),
    ],
)
def test_a_bad_window_or_page_is_a_400(api: Api, params: dict[str, object], error: str) -> None:
    assert error in error_message(api.transactions(**params), 400)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"created_at": [1_767_225_600]}, "13 digits"),
        ({"created_at": [T0, T0], "amount": [1]}, "give one each"),
        ({"created_at": [T0], "amount": -1}, "at least 0"),
    ],
)
def test_seeding_refuses_values_the_api_would_not_send(
    fansly_sandbox: FanslySandbox, kwargs: dict[str, object], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        fansly_sandbox.seed_transactions(**kwargs)  # type: ignore[arg-type]


def test_a_million_transactions_seed_from_a_range(fansly_sandbox: FanslySandbox, api: Api) -> None:
    fansly_sandbox.seed_transactions(range(T0, T0 + 1_000_000))

    assert response_of(api.transactions(limit=1))["total"] == 1_000_000
