"""The sandbox's bill (``sandbox/billing.py``): its own reading of the contract, apart from ``credits.py``."""

from __future__ import annotations

from airflow_provider_apifansly.sandbox.billing import answer_bill, media_bill


def test_an_answer_is_billed_one_credit_per_started_80_kb_of_its_body() -> None:
    sizes = (0, 1, 80_000, 80_001, 160_000, 160_001)
    assert [answer_bill(b"x" * n) for n in sizes] == [1, 1, 1, 2, 2, 3]


def test_an_upload_is_billed_two_credits_per_started_mb_and_never_less_than_the_flat_three() -> None:
    sizes = (0, 1_000_000, 1_000_001, 1_500_000, 2_000_001, 200_000_000)
    assert [media_bill(n) for n in sizes] == [3, 3, 4, 4, 6, 400]
