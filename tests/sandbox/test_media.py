"""The sandbox's media routes and their switches.

Multipart upload answered 202 ``{"jobId"}`` (not nested) and charged by size, job status without an account
id, and the switches for processing, failure and size.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from airflow_provider_apifansly.sandbox import DEFAULT_ACCOUNT_ID, FanslySandbox, SandboxConfig
from airflow_provider_apifansly.sandbox.__main__ import build_parser, config_from_args
from tests.sandbox.client import HEADERS, envelope, error_message

FILE = b"\x89PNG" + b"\x00" * 1_500_000  # two started MB: 4 credits


def upload(sandbox: FanslySandbox, **kwargs: Any) -> requests.Response:
    files = kwargs.pop("files", {"file": ("drop.png", FILE, "image/png")})
    return requests.post(
        f"{sandbox.url}/api/fansly/{DEFAULT_ACCOUNT_ID}/media/upload", files=files, headers=HEADERS, **kwargs
    )


def status(sandbox: FanslySandbox, job_id: str) -> requests.Response:
    return requests.get(f"{sandbox.url}/api/fansly/media/upload/{job_id}/status", headers=HEADERS)


def test_an_upload_answers_202_with_its_job_id_not_nested_and_costs_two_credits_per_started_mb(
    fansly_sandbox: FanslySandbox,
) -> None:
    data = envelope(upload(fansly_sandbox), 202)["data"]

    [job] = fansly_sandbox.media_jobs
    assert data == {"jobId": job.job_id}
    assert (job.filename, job.size) == ("drop.png", len(FILE))
    assert fansly_sandbox.credits_spent() == 4
    assert fansly_sandbox.journal[0].body is None  # a file is never journaled as text


def test_a_job_is_waiting_then_active_then_completed_with_its_ids(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.media_polls = 2
    job_id = envelope(upload(fansly_sandbox), 202)["data"]["jobId"]

    states = [envelope(status(fansly_sandbox, job_id), 200)["data"] for _ in range(3)]

    [job] = fansly_sandbox.media_jobs
    assert [s["state"] for s in states] == ["waiting", "active", "completed"]
    assert states[2]["result"] == {"mediaId": job.media_id, "accountMedia": [{"id": job.account_media_id}]}


def test_media_seconds_decides_when_a_job_completes_whatever_the_polls(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.media_seconds = 0.0
    job_id = envelope(upload(fansly_sandbox), 202)["data"]["jobId"]

    assert envelope(status(fansly_sandbox, job_id), 200)["data"]["state"] == "completed"


def test_a_job_uploaded_while_a_fail_reason_is_set_fails_with_it(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.media_polls = 0
    fansly_sandbox.config.media_fail_reason = "unsupported codec"
    job_id = envelope(upload(fansly_sandbox), 202)["data"]["jobId"]

    data = envelope(status(fansly_sandbox, job_id), 200)["data"]

    assert (data["state"], data["failedReason"]) == ("failed", "unsupported codec")


def test_an_upload_over_the_size_limit_is_answered_413_and_starts_no_job(
    fansly_sandbox: FanslySandbox,
) -> None:
    fansly_sandbox.config.media_max_bytes = 1_000_000

    assert "too large" in error_message(upload(fansly_sandbox), 413)
    assert fansly_sandbox.media_jobs == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"files": {"other": ("a.png", b"x")}}, "no 'file' part"),
        ({"files": None, "json": {"file": "a"}}, "multipart/form-data"),
    ],
)
def test_an_upload_without_a_file_part_is_a_400(
    fansly_sandbox: FanslySandbox, kwargs: dict[str, Any], error: str
) -> None:
    assert error in error_message(upload(fansly_sandbox, **kwargs), 400)


def test_an_unknown_job_or_another_keys_job_is_a_404(fansly_sandbox: FanslySandbox) -> None:
    job_id = envelope(upload(fansly_sandbox), 202)["data"]["jobId"]
    fansly_sandbox.config.keys["other-key"] = ()
    other = requests.get(
        f"{fansly_sandbox.url}/api/fansly/media/upload/{job_id}/status", headers={"x-api-key": "other-key"}
    )

    assert "not found" in error_message(status(fansly_sandbox, "1"), 404)
    assert "not found" in error_message(other, 404)


def test_the_media_switches_come_from_the_environment_and_the_cli() -> None:
    env = SandboxConfig.from_env(
        {
            "FANSLY_SANDBOX_MEDIA_POLLS": "3",
            "FANSLY_SANDBOX_MEDIA_SECONDS": "1.5",
            "FANSLY_SANDBOX_MEDIA_FAIL_REASON": "bad file",
            "FANSLY_SANDBOX_MEDIA_MAX_BYTES": "100",
        }
    )
    flags = [
        "--media-polls",
        "4",
        "--media-seconds",
        "2",
        "--media-fail-reason",
        "x",
        "--media-max-bytes",
        "9",
    ]
    cli = config_from_args(build_parser(SandboxConfig()).parse_args(flags))

    assert (env.media_polls, env.media_seconds, env.media_fail_reason, env.media_max_bytes) == (
        3,
        1.5,
        "bad file",
        100,
    )
    assert (cli.media_polls, cli.media_seconds, cli.media_fail_reason, cli.media_max_bytes) == (
        4,
        2.0,
        "x",
        9,
    )
