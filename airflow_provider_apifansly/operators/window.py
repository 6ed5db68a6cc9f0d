"""The one check of a window taken from a run's data interval, shared by the operators that read one."""

from __future__ import annotations

from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.timestamps import to_epoch_ms


def refuse_empty_interval(since: Any, until: Any, context: Context) -> None:
    """Fail before any request if ``[since, until)`` is the run's data interval and it is empty.

    Airflow 3's plain cron schedules give each run an empty interval: a window taken from it
    would succeed with nothing, run after run. A window given explicitly may be empty (then
    it reads nothing and sends no request).
    """
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if None in (since, until, start, end) or since == "" or until == "":
        return
    window = (to_epoch_ms(since, field="since"), to_epoch_ms(until, field="until"))
    interval = (to_epoch_ms(start, field="data_interval_start"), to_epoch_ms(end, field="data_interval_end"))
    if window == interval and window[0] == window[1]:
        raise FanslyValidationError(
            f"the window is the run's data interval, and it is empty ({start}): a run of this "
            "schedule would never find anything. Schedule the DAG with "
            "airflow.timetables.interval.CronDataIntervalTimetable (Airflow 3's plain cron strings "
            "give runs an empty interval), or pass since and until explicitly"
        )
