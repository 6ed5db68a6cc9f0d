"""A content calendar: a CSV in object storage becomes scheduled posts, one task per post.

Each row names a media file (relative to the CSV, or a URL), its caption, when to publish (ISO
time with an offset: a naive time is refused) and the walls to post on (ids separated by ``;``,
empty for the main wall). Every row is checked before anything is uploaded. Then one mapped
``UploadMediaOperator`` per row uploads its file and waits for processing on the triggerer, and
one mapped ``CreatePostOperator`` per row schedules its post: a retry touches only its own post,
and a post that may exist is never created again. For S3, point ``calendar`` at
``s3://bucket/calendar.csv`` and set ``storage_conn_id`` on the upload. Costs: 2 credits per
started MB of each file, 1 per status poll, 1 per post, and 1 more for a row without walls (its
post goes to the main wall, read first: a post always names one).

    file,caption,publish_at,walls
    monday.jpg,New week new set,2026-12-07T18:00:00+00:00,
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly._compat import ObjectStoragePath
from airflow_provider_apifansly.ids import validate_native_id
from airflow_provider_apifansly.operators.media import UploadMediaOperator
from airflow_provider_apifansly.operators.posts import CreatePostOperator
from airflow_provider_apifansly.timestamps import future_epoch_ms


def upload_path(row: dict[str, Any]) -> str:
    """The file of one calendar row."""
    return str(row["path"])


with DAG(
    dag_id="example_fansly_content_calendar",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={
        "calendar": Param(
            "file:///tmp/fansly_calendar/calendar.csv", type="string", description="The calendar CSV's URL"
        )
    },
    tags=["fansly", "example"],
) as dag:

    @task
    def read_calendar(**context: Any) -> list[dict[str, Any]]:
        """The calendar's rows, each checked (time zone, future, wall ids) before any upload."""
        calendar = ObjectStoragePath(context["params"]["calendar"])
        rows = []
        for line, row in enumerate(csv.DictReader(io.StringIO(calendar.read_text())), start=2):
            where = f"{calendar} line {line}"
            future_epoch_ms(row["publish_at"], field=f"{where}: publish_at", aware=True)
            walls = [
                validate_native_id(w.strip(), field=f"{where}: walls")
                for w in row["walls"].split(";")
                if w.strip()
            ]
            path = row["file"] if "://" in row["file"] else str(calendar.parent / row["file"])
            rows.append(
                {"path": path, "caption": row["caption"], "publish_at": row["publish_at"], "wall_ids": walls}
            )
        return rows

    # [START howto_create_post_from_calendar]
    @task
    def posts(rows: list[dict[str, Any]], media_ids: list[str]) -> list[dict[str, Any]]:
        """One post's arguments per row: its caption, walls and time, and its uploaded media (in row order)."""
        return [
            {
                "content": row["caption"] or None,
                "media_ids": [media_id],
                "wall_ids": row["wall_ids"] or None,
                "scheduled_for": row["publish_at"],
            }
            for row, media_id in zip(rows, media_ids, strict=True)
        ]

    calendar = read_calendar()
    uploads = UploadMediaOperator.partial(task_id="upload_media", deferrable=True).expand(
        path=calendar.map(upload_path)
    )
    # A task between, not calendar.zip(uploads.output): Airflow 2 refuses a mapped task's single
    # values as the source of a later expansion.
    CreatePostOperator.partial(task_id="create_post").expand_kwargs(posts(calendar, uploads.output))
    # [END howto_create_post_from_calendar]
