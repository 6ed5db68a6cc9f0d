"""Instants as users give them: ISO-8601 text (with ``Z`` on every supported Python), datetimes, epoch ms."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_apifansly import timestamps
from airflow_provider_apifansly.timestamps import to_epoch_ms

MOMENT = int(datetime(2026, 11, 29, 20, tzinfo=UTC).timestamp() * 1000)


class Python310Datetime(datetime):
    """``datetime`` as Python 3.10 has it: its ``fromisoformat`` refuses a ``Z`` suffix."""

    @classmethod
    def fromisoformat(cls, text: str) -> Any:
        if text.endswith(("Z", "z")):
            raise ValueError(f"Invalid isoformat string: {text!r}")
        return super().fromisoformat(text)


@pytest.mark.parametrize(
    "text", ["2026-11-29T20:00:00Z", "2026-11-29T20:00:00.000z", "2026-11-29T20:00:00+00:00"]
)
def test_iso_text_ending_in_z_is_utc_even_where_fromisoformat_refuses_it(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timestamps, "datetime", Python310Datetime)

    assert to_epoch_ms(text, field="since") == MOMENT


@pytest.mark.parametrize(
    ("stamp", "epoch_ms"),
    [
        (1_783_533_902, 1_783_533_902_000),  # seconds, as messages and broadcasts are stamped
        (1_783_533_902.804, 1_783_533_902_804),  # seconds with a fraction (the live webhook's)
        (1_783_533_902_804, 1_783_533_902_804),  # milliseconds
        (99_999_999_999, 99_999_999_999_000),  # just under 1e11: seconds (the year 5138)
        (100_000_000_000, 100_000_000_000),  # 1e11 and above: milliseconds (1973)
    ],
)
def test_a_rows_stamp_is_read_as_seconds_below_1e11_and_as_milliseconds_from_it(
    stamp: float, epoch_ms: int
) -> None:
    assert timestamps.stamp_ms(stamp) == pytest.approx(epoch_ms)
