"""``example_fansly_cancel_scheduled_post`` in real Airflow against the sandbox: the scheduled post is cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airflow_provider_apifansly.hooks.fansly import FanslyHook
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import run_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]


@pytest.mark.matrix
def test_the_example_cancels_the_scheduled_post_it_is_given(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    post = FanslyHook(fansly_connection).create_post(
        "Next week's set", scheduled_for=datetime.now(UTC) + timedelta(days=7)
    )

    state, tasks = run_dag("example_fansly_cancel_scheduled_post", {"post_id": post["id"]})

    assert (state, tasks) == ("success", {"cancel_scheduled_post": "success"})
    (record,) = fansly_sandbox.posts
    assert (record.post["id"], record.state) == (post["id"], "cancelled")
