"""The credit rule (``credits.py``): an upper estimate of what the API bills, read the way that counts higher."""

from __future__ import annotations

from airflow_provider_apifansly.credits import media_credits, response_credits


def test_a_standard_answer_costs_one_credit_per_started_80_000_bytes() -> None:
    sizes = (0, 1, 80_000, 80_001, 160_000, 160_001)
    assert [response_credits(n) for n in sizes] == [1, 1, 1, 2, 2, 3]


def test_media_costs_two_credits_per_started_megabyte_and_at_least_three() -> None:
    # At least 3: the docs' earlier versions bill a flat 3 per media request; MB is 10**6 bytes.
    sizes = (0, 1, 1_000_000, 1_000_001, 1_500_000, 2_000_001, 200_000_000)
    assert [media_credits(n) for n in sizes] == [3, 3, 3, 4, 4, 6, 400]
