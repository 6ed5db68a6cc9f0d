"""ExportToStorageOperator in real Airflow (``dag.test()``) against the sandbox, to ``file://`` and ``memory://``."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fsspec.implementations.memory import MemoryFileSystem

from airflow_provider_apifansly._compat import AirflowFailException, Asset
from airflow_provider_apifansly.exceptions import FanslyStoragePermissionError
from airflow_provider_apifansly.export_formats import COLUMNS
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import AIRFLOW_3, airflow_cli, load_dag, printed_xcoms, run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAY_MS = 86_400_000
DAY1 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)
DAY2, DAY3 = DAY1 + DAY_MS, DAY1 + 2 * DAY_MS
FANS = [f"72351631524706{n:04d}" for n in range(3)]
FILES = [
    "day1.jsonl",
    "day2.jsonl",
    "day1.csv",
    "day1.parquet",
    "current.jsonl",
    "empty.jsonl",
    "subscribers.parquet",
    "followers.csv",
    "chats.jsonl",
]


def iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat()


def seed(sandbox: FanslySandbox) -> dict[str, list[str]]:
    """Transactions of two days (one exactly on their boundary), one of the last hour; fans of each kind."""
    now = int(time.time() * 1000)
    sandbox.config.rpm = None
    day1 = sandbox.seed_transactions([DAY1 + n * 60_000 for n in range(250)], amount=9_990)
    day2 = sandbox.seed_transactions([DAY2, DAY2 + 1, DAY3 - 1])
    sandbox.seed_transactions([DAY3])  # the next day's: in no export
    current = sandbox.seed_transactions([now - 60_000])
    sandbox.seed_subscribers(FANS, created_at=DAY1 + 1)
    sandbox.seed_followers(FANS)
    sandbox.seed_chats(FANS)
    return {"day1": day1, "day2": day2, "current": current}


def conf(folder: str) -> dict[str, str]:
    now = int(time.time() * 1000)
    days = {"day1": iso(DAY1), "day2": iso(DAY2), "day3": iso(DAY3)}
    return {"folder": folder, **days, "recent": iso(now - 3_600_000), "future": iso(now + DAY_MS)}


def jsonl_rows(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode().splitlines()]


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["transactionId"] for row in rows]


def test_file_exports_split_intervals_clamp_the_current_one_and_rerun_to_identical_bytes(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    seeded = seed(fansly_sandbox)
    folder = f"file://{tmp_path}"

    state, tasks = run_dag("fansly_export_test_dags", conf(folder), dag_id="test_fansly_export")
    first = {name: (tmp_path / name).read_bytes() for name in FILES}
    xcoms = printed_xcoms(capfd.readouterr().out)
    run_dag("fansly_export_test_dags", conf(folder), dag_id="test_fansly_export")
    again = {name: (tmp_path / name).read_bytes() for name in FILES}

    assert state == "success", tasks
    day1, day2 = jsonl_rows(first["day1.jsonl"]), jsonl_rows(first["day2.jsonl"])
    # The row stamped exactly on DAY2 is in day 2 only; DAY3's in neither.
    assert sorted(ids(day1)) == sorted(seeded["day1"])
    assert sorted(ids(day2)) == sorted(seeded["day2"])
    assert day1[0]["amount"] == 9_990  # base units, as the API sent them
    assert xcoms["day1.return_value"] == {"path": f"{folder}/day1.jsonl", "rows": 250}
    assert xcoms["day1.credits"] == 3  # ceil(250 / 100) pages
    # The current interval ends now: the API got no future `before` (no 400) and the row is there.
    assert ids(jsonl_rows(first["current.jsonl"])) == seeded["current"]
    assert {entry.status for entry in fansly_sandbox.journal} == {200}
    # An empty interval: an empty object, and no request.
    assert first["empty.jsonl"] == b""
    assert (xcoms["empty.return_value"], xcoms["empty.credits"]) == (
        {"path": f"{folder}/empty.jsonl", "rows": 0},
        0,
    )
    # csv and parquet hold the same rows, flat, in the documented column order.
    table = list(csv.reader(io.StringIO(first["day1.csv"].decode())))
    assert table[0] == list(COLUMNS["transactions"])
    assert table[1:] == [[str(row[name]) for name in COLUMNS["transactions"]] for row in day1]
    assert pq.read_table(tmp_path / "day1.parquet").to_pylist() == day1
    # Snapshots and subscribers.
    assert (
        sorted(row["subscriberId"] for row in pq.read_table(tmp_path / "subscribers.parquet").to_pylist())
        == FANS
    )
    assert sorted(row[1] for row in csv.reader(io.StringIO(first["followers.csv"].decode()))) == [
        *FANS,
        "followerId",
    ]
    assert sorted(row["partnerAccountId"] for row in jsonl_rows(first["chats.jsonl"])) == FANS
    # A re-run replaces every object with the same bytes, and leaves nothing else behind.
    assert again == first
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(FILES)


@pytest.mark.matrix
def test_memory_exports_write_the_same_rows(fansly_sandbox: FanslySandbox, fansly_connection: str) -> None:
    seeded = seed(fansly_sandbox)
    folder = f"memory://exports/{time.time_ns()}"

    state, tasks = run_dag("fansly_export_test_dags", conf(folder), dag_id="test_fansly_export")

    assert state == "success", tasks
    memory = MemoryFileSystem()
    assert sorted(ids(jsonl_rows(memory.cat(f"{folder}/day1.jsonl")))) == sorted(seeded["day1"])
    assert memory.cat(f"{folder}/empty.jsonl") == b""


def test_a_failure_mid_export_leaves_the_previous_object_untouched(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path
) -> None:
    seed(fansly_sandbox)
    target = tmp_path / "day1.jsonl"
    target.write_bytes(b"the previous run's rows\n")

    _, tasks = run_dag(
        "fansly_export_test_dags",
        {"path": f"file://{target}", "since": iso(DAY1), "until": iso(DAY2)},
        dag_id="test_fansly_export_failure",
    )

    assert tasks["export"] == "failed"  # max_credits=2 stops it after two of three pages
    assert len(fansly_sandbox.journal) == 2
    assert target.read_bytes() == b"the previous run's rows\n"
    assert [path.name for path in tmp_path.iterdir()] == ["day1.jsonl"]


def test_an_upload_dropped_half_way_leaves_the_previous_object_whole(
    fansly_sandbox: FanslySandbox, fansly_connection: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(fansly_sandbox)
    folder = f"/exports/{time.time_ns()}"
    memory = MemoryFileSystem()  # flaky:// keeps its objects in the memory store
    memory.pipe(f"{folder}/day2.jsonl", b"the previous run's rows\n")
    monkeypatch.setenv("FLAKY_STORE_FAIL_AFTER_BYTES", "100")  # the export's three rows are longer

    _, tasks = run_dag(
        "fansly_export_test_dags",
        {"path": f"flaky://{folder}/day2.jsonl", "since": iso(DAY2), "until": iso(DAY3)},
        dag_id="test_fansly_export_failure",
    )

    assert tasks["export"] == "failed"
    assert len(fansly_sandbox.journal) == 1
    assert memory.cat(f"{folder}/day2.jsonl") == b"the previous run's rows\n"
    assert memory.ls(folder, detail=False) == [f"{folder}/day2.jsonl"]  # no staging object left behind


def test_a_storage_refusing_writes_fails_before_any_request_and_is_not_retried(
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    seed(fansly_sandbox)
    monkeypatch.setenv("FLAKY_STORE_READONLY", "1")

    _, tasks = run_dag(
        "fansly_export_test_dags",
        {"path": f"flaky:///exports/{time.time_ns()}/day2.jsonl", "since": iso(DAY2), "until": iso(DAY3)},
        dag_id="test_fansly_export_failure",
    )

    assert tasks["export"] == "failed"
    assert fansly_sandbox.journal == []  # found before a page was paid for
    output = capfd.readouterr().out
    assert "FanslyStoragePermissionError" in output
    assert "retrying cannot help" in output
    assert printed_xcoms(output)["export.credits"] == 0
    assert issubclass(FanslyStoragePermissionError, AirflowFailException)  # Airflow spends no retry on it


def test_a_window_taken_from_an_empty_data_interval_fails_before_any_request(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    _, tasks = run_dag(
        "fansly_export_test_dags", {"folder": f"file://{tmp_path}"}, dag_id="test_fansly_interval_windows"
    )

    assert (tasks["export"], tasks["fans"]) == ("failed", "failed")  # a manual run's interval is empty
    assert fansly_sandbox.journal == []
    assert capfd.readouterr().out.count("CronDataIntervalTimetable") >= 2
    assert list(tmp_path.iterdir()) == []


def test_out_of_credits_mid_export_writes_nothing(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    seed(fansly_sandbox)
    fansly_sandbox.config.credits = 1

    _, tasks = run_dag(
        "fansly_export_test_dags",
        {"path": f"file://{tmp_path}/day1.jsonl", "since": iso(DAY1), "until": iso(DAY2)},
        dag_id="test_fansly_export_failure",
    )

    assert tasks["export"] == "failed"
    assert [entry.status for entry in fansly_sandbox.journal] == [200, 402]
    assert list(tmp_path.iterdir()) == []
    assert printed_xcoms(capfd.readouterr().out)["export.credits"] == 2


# -- arguments, checked when the DAG file is parsed ------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        (
            {"resource": "payouts"},
            "resource must be one of transactions, subscribers, followers, chats, top_",
        ),
        ({"format": "xlsx"}, "format must be one of jsonl, csv, parquet"),
        ({"resource": "followers", "since": "2026-11-01"}, "followers are a snapshot"),
        ({"status": "all"}, "status applies to subscribers and mass_message_stats only"),
        ({"path": ""}, "path must be a non-empty URL string"),
    ],
)
def test_bad_arguments_fail_when_the_dag_is_parsed(kwargs: dict[str, Any], error: str) -> None:
    from airflow_provider_apifansly.operators.export import ExportToStorageOperator

    arguments = {"task_id": "export", "resource": "transactions", "path": "file:///tmp/x.jsonl", **kwargs}
    with pytest.raises(ValueError, match=error):
        ExportToStorageOperator(**arguments)


def test_parquet_without_pyarrow_fails_when_the_dag_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_apifansly.operators.export import ExportToStorageOperator

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    with pytest.raises(ValueError, match=r"pip install 'airflow-provider-apifansly\[parquet\]'"):
        ExportToStorageOperator(task_id="export", resource="followers", path="file:///x", format="parquet")


@pytest.mark.matrix
def test_the_example_exports_a_day_and_its_downstream_loads_it(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORT_FOLDER", str(tmp_path))
    # The asset's URI names the folder: serialize it again so Airflow (3.0 checks) knows it active.
    reserialized = airflow_cli("dags", "reserialize")
    assert reserialized.returncode == 0, reserialized.stderr[-2000:]
    fansly_sandbox.config.rpm = None
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    midnight = int(today.timestamp() * 1000)
    # Two days back to today: whichever day the run's interval is, it holds one row.
    fansly_sandbox.seed_transactions([midnight - 2 * DAY_MS + 1, midnight - DAY_MS + 1], amount=12_340)

    export_state, export_tasks = run_dag("example_fansly_export_earnings")
    load_state, load_tasks = run_dag("example_fansly_export_earnings", dag_id="example_fansly_load_earnings")

    assert (export_state, load_state) == ("success", "success"), (export_tasks, load_tasks)
    [day] = (tmp_path / "earnings").glob("*.jsonl")
    assert [row["amount"] for row in jsonl_rows(day.read_bytes())] == [12_340]
    # The export's asset event names its object; the load reads that object, not the newest file.
    [event] = [event for event in asset_events() if str(tmp_path) in event.extra.get("path", "")]
    assert event.extra == {"path": f"file://{day}", "rows": 1}
    (tmp_path / "earnings" / "9999-12-31.jsonl").write_text('{"amount": 1000000}\n')  # a newer file
    load = load_dag("example_fansly_export_earnings", "example_fansly_load_earnings")
    earnings = Asset(f"file://{tmp_path}/earnings/")
    triggered = (
        {"triggering_asset_events": EventsByAsset(earnings.uri, [event])}
        if AIRFLOW_3
        else {"triggering_dataset_events": {earnings.uri: [event]}}
    )
    assert load.task_dict["total_earned"].python_callable(**triggered) == 12.34


class EventsByAsset:
    """A run's ``triggering_asset_events`` as Airflow 3 hands it over.

    Looked up by asset, matched by URI (an Asset is not hashable on 3.0 and 3.1, so a dict keyed by one
    cannot stand in for it).
    """

    def __init__(self, uri: str, events: list[Any]) -> None:
        self.uri, self.events = uri, events

    def get(self, asset: Any, default: Any = ()) -> Any:
        return self.events if asset.uri == self.uri else default


def asset_events() -> list[Any]:
    """Every asset (dataset on 2.11) event in the metadata DB."""
    from airflow.utils.session import create_session
    from sqlalchemy import select

    try:
        from airflow.models.asset import AssetEvent as Event
    except ImportError:  # Airflow 2.11
        from airflow.models.dataset import DatasetEvent as Event  # type: ignore[no-redef]
    with create_session() as session:
        events = list(session.scalars(select(Event)))
        session.expunge_all()
    return events


def test_pages_past_80_kb_cost_their_size_and_a_budget_they_pass_stops_the_export(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.chats_page_size = 250  # a page of 250 chats is about 94,000 bytes: 2 credits
    fansly_sandbox.seed_chats(f"7235163152471{n:05d}" for n in range(500))

    _, tasks = run_dag(
        "fansly_export_test_dags", {"folder": f"file://{tmp_path}"}, dag_id="test_fansly_export_big_pages"
    )

    out = capfd.readouterr().out
    xcoms = printed_xcoms(out)
    assert (tasks["chats"], tasks["chats_budget"]) == ("success", "failed")
    assert xcoms["chats.return_value"]["rows"] == 500
    # Two pages of 2 credits each, as the sandbox charges them (the two tasks read the same pages).
    assert xcoms["chats.credits"] == 4
    assert fansly_sandbox.credits_spent() == 8
    assert re.search(r"4 credits spent \(2 requests, 1\d\d,?\d\d\d response bytes\)", out)
    # The budget of 3 let page 2 go (one credit left), whose 2 credits passed it: the task fails
    # naming the budget, and nothing is written.
    assert xcoms["chats_budget.credits"] == 4
    assert "credit budget of 3 passed" in out
    assert sorted(path.name for path in tmp_path.iterdir()) == ["chats.jsonl"]


# -- the analytics resources ------------------------------------------------------------------------


def test_analytics_exports_write_supporters_summed_broadcast_stats_months_and_buckets(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from airflow_provider_apifansly.hooks.fansly import FanslyHook
    from airflow_provider_apifansly.sandbox.resources.analytics import bucket_views

    fansly_sandbox.config.rpm = None
    now = int(time.time() * 1000)
    since, until = now - 10 * DAY_MS, now - DAY_MS
    # 150 fans: the window's answer is cut and split; fan 0 spends in two parts.
    supporters = [f"72351631524710{n:04d}" for n in range(150)]
    fansly_sandbox.seed_supporters(
        supporters, spent_at=[since + n * 3_600_000 for n in range(150)], gross=2_000
    )
    fansly_sandbox.seed_supporters([supporters[0]], spent_at=until - 1, gross=500)
    fansly_sandbox.seed_transactions([now - 40 * DAY_MS, now - 2 * DAY_MS], amount=[10_000, 5_000])
    for content in ("first broadcast", "second broadcast"):
        FanslyHook().send_mass_message(content, include_followers=True)
    sent = len(fansly_sandbox.journal)

    state, tasks = run_dag(
        "fansly_export_test_dags",
        {"folder": f"file://{tmp_path}", "since": iso(since), "until": iso(until)},
        dag_id="test_fansly_export_analytics",
    )

    assert state == "success", tasks
    xcoms = printed_xcoms(capfd.readouterr().out)
    top = list(csv.DictReader(io.StringIO((tmp_path / "top_supporters.csv").read_text())))
    assert list(top[0]) == list(COLUMNS["top_supporters"])
    assert len({row["fanId"] for row in top}) == len(top) == 150
    assert top[0] == {
        "fanId": supporters[0],
        "totalGross": "2500",
        "totalNet": "2000",
        "moneyScale": "thousandths of a dollar",
        "windowStart": str(since),
        "windowEnd": str(until),
    }
    broadcasts = jsonl_rows((tmp_path / "mass_message_stats.jsonl").read_bytes())
    assert [row["content"] for row in broadcasts] == ["second broadcast", "first broadcast"]
    months = list(csv.DictReader(io.StringIO((tmp_path / "earnings_monthly.csv").read_text())))
    assert [row["rolling30Days"] for row in months] == ["true"] + ["false"] * (len(months) - 1)
    assert months[0]["totalGross"] == "5000"  # only the last 30 days
    assert sum(int(row["totalGross"]) for row in months[1:]) == 15_000
    series = pq.read_table(tmp_path / "profile_stats.parquet").to_pylist()
    buckets = [row for row in series if row["series"] == "datapoints"]
    assert [row["timestamp"] for row in buckets] == list(range(since, until, 3_600_000))  # 216: 3 requests
    assert {row["series"] for row in series} == {
        "datapoints",
        "profileDatapoints",
        "topFypTags",
        "topFypMediaOffers",
    }
    assert json.loads(buckets[5]["stats"])[0]["views"] == bucket_views(since + 5 * 3_600_000, 3_600_000)
    assert xcoms["profile_stats.credits"] == 3
    assert xcoms["earnings_monthly.credits"] == 1
    top_requests = [entry for entry in fansly_sandbox.journal[sent:] if "/top-supporters" in entry.path]
    assert xcoms["top_supporters.credits"] == len(top_requests) + 1 > 2  # the windows, and /me


def utc_ms(year: int, month: int, day: int, hour: int = 0) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("setting", "october"), [("clipped", "4000"), ("whole", "6000")])
def test_monthly_earnings_of_a_window_are_asked_for_it_and_each_month_says_if_it_is_partial(
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    setting: Any,
    october: str,
) -> None:
    fansly_sandbox.config.earnings_monthly_window = setting
    fansly_sandbox.seed_transactions(
        [utc_ms(2026, 10, 5), utc_ms(2026, 10, 20), utc_ms(2026, 11, 3)], amount=[2_000, 4_000, 8_000]
    )
    since, until = utc_ms(2026, 10, 15), utc_ms(2026, 12, 1)

    state, tasks = run_dag(
        "fansly_export_test_dags",
        {"folder": f"file://{tmp_path}", "since": str(since), "until": str(until)},
        dag_id="test_fansly_export_monthly_window",
    )

    assert state == "success", tasks
    months = list(csv.DictReader(io.StringIO((tmp_path / "earnings_monthly.csv").read_text())))
    assert list(months[0])[:5] == ["year", "month", "rolling30Days", "partial", "totalGross"]
    assert [(row["month"], row["partial"], row["totalGross"]) for row in months[1:]] == [
        ("11", "false", "8000"),
        ("10", "true", october),
    ]
    assert printed_xcoms(capfd.readouterr().out)["earnings_monthly.credits"] == 1


def test_the_analytics_example_exports_the_month_so_far_and_every_stats_series(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORT_FOLDER", str(tmp_path))
    fansly_sandbox.seed_transactions(
        [utc_ms(2026, 9, 30), utc_ms(2026, 10, 5), utc_ms(2026, 10, 20, 12)], amount=[1_000, 2_000, 4_000]
    )

    state, tasks = run_dag("example_fansly_analytics_export", logical_date=datetime(2026, 10, 21, tzinfo=UTC))

    assert state == "success", tasks
    (monthly,) = (tmp_path / "earnings_monthly").iterdir()
    months = list(csv.DictReader(io.StringIO(monthly.read_text())))
    assert [(row["month"], row["partial"], row["totalGross"]) for row in months[1:]] == [
        ("10", "true", "6000")
    ]
    assert {(row["after"], row["before"]) for row in months} == {
        (str(utc_ms(2026, 10, 1)), str(utc_ms(2026, 10, 21) - 1))
    }
    (stats,) = (tmp_path / "profile_stats").iterdir()
    series = Counter(row["series"] for row in csv.DictReader(io.StringIO(stats.read_text())))
    assert (series["datapoints"], series["profileDatapoints"]) == (24, 24)
    assert series["topFypTags"] == series["topFypMediaOffers"] == 2


@pytest.mark.parametrize(
    ("setting", "first", "partial"),
    [("after_date", 9, False), ("utc_days", 0, True)],
)
def test_a_daily_stats_export_in_another_time_zone_keeps_the_buckets_the_api_aligns_to_utc(
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    tmp_path: Path,
    setting: Any,
    first: int,
    partial: bool,
) -> None:
    fansly_sandbox.config.stats_buckets = setting
    since = utc_ms(2026, 10, 1, 9)  # midnight in UTC-9
    until = since + DAY_MS

    state, tasks = run_dag(
        "fansly_export_test_dags",
        {"folder": f"file://{tmp_path}", "since": str(since), "until": str(until)},
        dag_id="test_fansly_export_monthly_window",
    )

    assert state == "success", tasks
    rows = jsonl_rows((tmp_path / "profile_stats.jsonl").read_bytes())
    for name in ("datapoints", "profileDatapoints"):
        buckets = [row for row in rows if row["series"] == name]
        assert buckets, name  # never dropped for their alignment
        assert buckets[0]["timestamp"] == utc_ms(2026, 10, 1, first)
        assert all(row["partial"] is partial for row in buckets)
    tops = [row for row in rows if row["series"] in ("topFypTags", "topFypMediaOffers")]
    assert {(row["windowStart"], row["windowEnd"]) for row in tops} == {(since, until)}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"resource": "mass_message_stats", "status": "active"}, "must be one of sent, deleted"),
        ({"resource": "earnings_monthly", "since": "2026-11-01"}, "earnings_monthly take a window of both"),
        ({"resource": "followers", "since": "2026-11-01"}, "followers are a snapshot"),
        (
            {"resource": "top_supporters", "status": "sent"},
            "status applies to subscribers and mass_message_stats",
        ),
        ({"resource": "top_supporters", "period": 3_600_000}, "period applies to profile_stats only"),
        ({"resource": "profile_stats", "period": 10}, "at least one second"),
    ],
)
def test_bad_analytics_arguments_fail_when_the_dag_is_parsed(kwargs: dict[str, Any], error: str) -> None:
    from airflow_provider_apifansly.operators.export import ExportToStorageOperator

    with pytest.raises(ValueError, match=error):
        ExportToStorageOperator(task_id="export", path="file:///tmp/x.jsonl", **kwargs)
