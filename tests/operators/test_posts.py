"""CreatePostOperator and CancelScheduledPostOperator in real Airflow (``dag.test()``) against the sandbox.

A post is created once whatever Airflow does, and a cancel bears a repeat.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.operators.posts import CancelScheduledPostOperator, CreatePostOperator
from airflow_provider_apifansly.sandbox import FanslySandbox, Fault
from tests.helpers import load_dag, printed_xcoms, run_dag, run_through_timeouts

DAGS = "fansly_test_dags"
# Held well past the 2 s execution_timeout of the "_stopped" test DAGs.
HELD = 5.0
MEDIA = "810000000000000001"


def in_days(days: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)


def run(dag_id: str, task_id: str, **conf: Any) -> Any:
    """Run a DAG of the test DAGs (through a try Airflow stops, on 2.11 too); return the tested task instance."""
    dag_run = run_through_timeouts(load_dag(DAGS, dag_id), conf)
    return next(ti for ti in dag_run.get_task_instances() if ti.task_id == task_id)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, "needs content, media_ids or both"),
        ({"content": "x", "scheduled_for": datetime(2030, 1, 1)}, "has no time zone"),
        (
            {"content": "x", "scheduled_for": in_days(2), "expires_at": in_days(1)},
            "must be after scheduled_for",
        ),
        ({"content": "x", "wall_ids": "810000000000000009"}, "wall_ids must be a list"),
    ],
    ids=["empty", "naive", "expires-first", "wall-ids-text"],
)
def test_a_bad_post_fails_the_dag_file_when_it_is_parsed(kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(FanslyValidationError, match=error):
        CreatePostOperator(task_id="post", **kwargs)


def test_a_fixed_past_date_is_left_for_the_run_so_the_dag_file_does_not_break_once_it_passes() -> None:
    CreatePostOperator(task_id="post", content="x", scheduled_for=datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(FanslyValidationError, match="post_id must be a native"):
        CancelScheduledPostOperator(task_id="cancel", post_id="post-1")


@pytest.mark.integration
@pytest.mark.usefixtures("airflow_db")
class TestInAirflow:
    @pytest.mark.parametrize("walls", ["required", "optional"])
    def test_a_scheduled_post_is_created_with_its_media_on_the_main_wall_and_its_id_returned(
        self,
        walls: str,
        fansly_sandbox: FanslySandbox,
        fansly_connection: str,
        capfd: pytest.CaptureFixture[str],
    ) -> None:
        fansly_sandbox.config.post_walls = walls  # type: ignore[assignment]
        when = in_days(1)

        ti = run("test_fansly_create_post", "post", media_ids=[MEDIA], scheduled_for=when.isoformat())

        assert str(ti.state) == "success"
        (record,) = fansly_sandbox.posts
        assert record.body == {
            "content": "New set",
            "mediaIds": [MEDIA],
            "wallIds": [fansly_sandbox.walls()[0]["id"]],
            "scheduledFor": int(when.timestamp() * 1000),
            "expiresAt": 0,
        }
        xcoms = printed_xcoms(capfd.readouterr().out)
        assert xcoms == {"return_value": record.post["id"], "credits": 2}  # the walls, then the post

    def test_a_templated_past_schedule_fails_before_any_request(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        ti = run("test_fansly_create_post", "post", scheduled_for="2020-01-01T00:00:00+00:00")

        assert (str(ti.state), ti.try_number) == ("failed", 1)
        assert fansly_sandbox.journal == []
        assert "scheduled_for must be in the future" in capfd.readouterr().out

    @pytest.mark.parametrize(
        ("dag_id", "fault", "tries"),
        [
            # Stored, then its answer held past the 2 s execution_timeout: Airflow stops the try and retries.
            ("test_fansly_create_post_stopped", Fault(kind="slow", delay=HELD, first_n=1, method="POST"), 2),
            # Stored, then the connection dropped: the hook knows it may exist, and Airflow does not retry.
            ("test_fansly_create_post", Fault(kind="drop", processed=True, first_n=1, method="POST"), 1),
        ],
        ids=["try-stopped-by-airflow", "dropped-after-storing"],
    )
    def test_a_post_that_may_exist_is_never_created_again_and_the_task_says_where_to_look(
        self,
        dag_id: str,
        fault: Fault,
        tries: int,
        fansly_sandbox: FanslySandbox,
        fansly_connection: str,
        capfd: pytest.CaptureFixture[str],
    ) -> None:
        fansly_sandbox.set_faults(fault)

        ti = run(dag_id, "post", scheduled_for=in_days(1).isoformat())

        assert (str(ti.state), ti.try_number) == ("failed", tries)
        assert len(fansly_sandbox.posts) == 1
        out = capfd.readouterr().out
        assert "FanslyPostUncertainError" in out
        assert "The API cannot list posts: look in Fansly for account fansly_sandbox" in out

    def test_a_cancel_whose_first_try_airflow_stopped_is_done_by_the_retry(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        from airflow_provider_apifansly.hooks.fansly import FanslyHook

        post_id = FanslyHook().create_post("Soon", scheduled_for=in_days(1))["id"]
        fansly_sandbox.set_faults(Fault(kind="slow", delay=HELD, first_n=1, path_contains="/cancel"))

        ti = run("test_fansly_cancel_post_stopped", "cancel", post_id=post_id)

        assert (str(ti.state), ti.try_number) == ("success", 2)
        assert fansly_sandbox.posts[0].state == "cancelled"
        assert printed_xcoms(capfd.readouterr().out)["return_value"] == post_id


@pytest.mark.integration
@pytest.mark.usefixtures("airflow_db")
def test_the_content_calendar_uploads_each_row_and_schedules_its_post(
    fansly_sandbox: FanslySandbox, fansly_connection: str, tmp_path: Path
) -> None:
    fansly_sandbox.config.media_polls = 0  # processed by the first poll: no 5 s wait
    wall = fansly_sandbox.walls()[1]["id"]
    monday, tuesday = in_days(3), in_days(4)
    (tmp_path / "monday.jpg").write_bytes(b"\x01" * 1000)
    (tmp_path / "tuesday.mp4").write_bytes(b"\x02" * 2000)
    (tmp_path / "calendar.csv").write_text(
        "file,caption,publish_at,walls\n"
        f"monday.jpg,New week new set,{monday.isoformat()},\n"
        f"tuesday.mp4,,{tuesday.isoformat()},{wall}\n"
    )

    state, tasks = run_dag("example_fansly_content_calendar", {"calendar": f"file://{tmp_path}/calendar.csv"})

    assert state == "success", tasks
    jobs = {job.filename: job.media_id for job in fansly_sandbox.media_jobs}
    bodies = sorted((record.body for record in fansly_sandbox.posts), key=lambda body: body["scheduledFor"])
    assert bodies == [
        {
            "content": "New week new set",
            "mediaIds": [jobs["monday.jpg"]],
            "wallIds": [
                fansly_sandbox.walls()[0]["id"]
            ],  # no wall given: the main one, as walls are required
            "scheduledFor": int(monday.timestamp() * 1000),
            "expiresAt": 0,
        },
        {
            "content": "",
            "mediaIds": [jobs["tuesday.mp4"]],
            "wallIds": [wall],
            "scheduledFor": int(tuesday.timestamp() * 1000),
            "expiresAt": 0,
        },
    ]
