"""A pay-per-view drop: upload a file produced upstream, then send it locked behind a price.

``UploadMediaOperator`` uploads the file (a local path or an object storage URL such as
``s3://bucket/drop.mp4`` with ``storage_conn_id``) and, being deferrable, waits for Fansly's
processing on the triggerer, so no worker slot is held meanwhile. Its output is the media id,
which ``ppv_messages`` puts in ``media_ids`` of one message per chat; ``SendMessagesOperator``
sends them as ``ppv`` at ``price`` dollars.
Costs: 2 credits per started MB of the file, 1 per status poll, 1 per message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_apifansly.operators.media import UploadMediaOperator
from airflow_provider_apifansly.operators.messages import SendMessagesOperator

with DAG(
    dag_id="example_fansly_ppv_drop",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={
        "path": Param("/tmp/ppv_drop.mp4", type="string", description="The media file, or its storage URL"),
        "chat_ids": Param(["800000000000000001"], type="array", description="Chats to send the drop to"),
        "price": Param(9.99, type="number", minimum=1, maximum=500, description="Dollars"),
    },
    tags=["fansly", "example"],
) as dag:
    # [START howto_upload_media]
    upload = UploadMediaOperator(task_id="upload_media", path="{{ params.path }}", deferrable=True)

    @task
    def ppv_messages(media_id: str, **context: Any) -> list[dict[str, Any]]:
        """One message per chat, each attaching the uploaded media as pay-per-view."""
        params = context["params"]
        return [
            {
                "chat_id": chat_id,
                "content": "New drop, just for you",
                "media_ids": [media_id],
                "access_type": ["ppv"],
                "price": params["price"],
            }
            for chat_id in params["chat_ids"]
        ]

    SendMessagesOperator(task_id="send_ppv", messages=ppv_messages(upload.output))  # type: ignore[arg-type]
    # [END howto_upload_media]
