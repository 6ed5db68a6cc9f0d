"""Instants as users give them: ISO-8601 text (with ``Z`` on every supported Python), datetimes, epoch ms."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from airflow_provider_apifansly import timestamps
from airflow_provider_apifansly.timestamps import to_epoch_ms

MOMENT = int(datetime(2026, 11, 29, 20, tzinfo=timezone.utc).timestamp() * 1000)


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
