"""The check of windows taken from a run's data interval (the operators' side is tested in real Airflow)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.operators.window import refuse_empty_interval

RUN = datetime(2026, 11, 29, 20, tzinfo=UTC)
NEXT = datetime(2026, 11, 29, 21, tzinfo=UTC)


def test_the_runs_empty_interval_as_the_window_is_refused_naming_the_timetable() -> None:
    context: Any = {"data_interval_start": RUN, "data_interval_end": RUN}

    with pytest.raises(FanslyValidationError, match="CronDataIntervalTimetable"):
        refuse_empty_interval(RUN.isoformat(), RUN.isoformat(), context)


@pytest.mark.parametrize(
    ("since", "until", "interval"),
    [
        (RUN, NEXT, (RUN, NEXT)),  # a real interval
        ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", (RUN, RUN)),  # an explicit empty window
        (None, None, (RUN, RUN)),  # no window at all
        (RUN, RUN, (None, None)),  # a run without a data interval
    ],
)
def test_other_windows_pass(since: Any, until: Any, interval: tuple[Any, Any]) -> None:
    context: Any = {"data_interval_start": interval[0], "data_interval_end": interval[1]}

    refuse_empty_interval(since, until, context)
