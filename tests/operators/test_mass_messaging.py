"""SendMassMessageOperator in real Airflow (``dag.test()``) against the sandbox: one broadcast, never two."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import FanslySandbox, Fault
from tests.helpers import load_dag, printed_xcoms

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAGS = "fansly_test_dags"
TIER, LIST, OTHER_LIST, FAN, MEDIA = (f"71000000000000000{n}" for n in range(2, 7))


def broadcast(dag_id: str = "test_fansly_mass_message", **conf: Any) -> Any:
    """Run a mass message DAG; return the broadcast task instance."""
    dag_run = load_dag(DAGS, dag_id).test(run_conf=conf)
    return next(ti for ti in dag_run.get_task_instances() if ti.task_id == "broadcast")


def test_the_body_maps_every_audience_and_the_schedule_is_sent_in_ms(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    when = datetime.fromtimestamp(time.time() + 7 * 86_400, UTC).replace(microsecond=0)

    ti = broadcast(
        content="come back",
        tier_id=TIER,
        include_list_ids=[LIST],
        exclude_list_ids=[OTHER_LIST],
        exclude_user_ids=[FAN],
        media_ids=[MEDIA],
        access_type=["ppv"],
        price=9,
        scheduled_for=when.isoformat(),
    )

    assert str(ti.state) == "success"
    (record,) = fansly_sandbox.mass_messages
    assert record.body == {
        "content": "come back",
        "includeFollowers": False,
        "includeSubscribersAutoRenewOn": True,  # include_subscribers sets both halves
        "includeSubscribersAutoRenewOff": True,
        "includeExpiredSubscribers": True,
        "excludeCreators": True,
        "excludeOfflineUsers": True,
        "includeSubscriptionTierId": TIER,
        "includeListIds": [LIST],
        "excludeListIds": [OTHER_LIST],
        "excludeUserIds": [FAN],
        "mediaIds": [MEDIA],
        "access_type": ["ppv"],
        "price": 9,
        "scheduledFor": int(when.timestamp() * 1000),
    }
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert xcoms == {"return_value": record.mass_message["id"], "credits": 1}


def test_an_audience_of_ids_alone_sends_no_audience_flag(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    ti = broadcast("test_fansly_mass_message_by_ids", content="tier news", tier_id=TIER)

    assert str(ti.state) == "success"
    (record,) = fansly_sandbox.mass_messages
    assert record.body["includeSubscriptionTierId"] == TIER
    assert not any(value is True for value in record.body.values())


@pytest.mark.parametrize(
    ("dag_id", "conf", "error"),
    [
        ("test_fansly_mass_message_by_ids", {}, "the broadcast has no audience"),
        ("test_fansly_mass_message", {"content": " "}, "content must be a non-empty string"),
        (
            "test_fansly_mass_message",
            {"price": 9},
            "price is only allowed on a pay-per-view message with media",
        ),
        (
            "test_fansly_mass_message",
            {"price": 501, "media_ids": [MEDIA], "access_type": ["ppv"]},
            "price must be from 1 to 500",
        ),
        (
            "test_fansly_mass_message",
            {"exclude_user_ids": ["fan-1"]},
            r"exclude_user_ids\[0\] must be a native",
        ),
        ("test_fansly_mass_message", {"tier_id": "gold"}, "tier_id must be"),
        ("test_fansly_mass_message", {"scheduled_for": "2020-01-01T00:00:00+00:00"}, "must be in the future"),
    ],
    ids=["no-audience", "empty-content", "price-without-ppv", "price-over-500", "user-id", "tier-id", "past"],
)
def test_bad_input_fails_the_task_before_any_request(
    dag_id: str,
    conf: dict[str, Any],
    error: str,
    fansly_sandbox: FanslySandbox,
    fansly_connection: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    ti = broadcast(dag_id, **conf)

    assert (str(ti.state), ti.try_number) == ("failed", 1)
    assert fansly_sandbox.journal == []
    assert re.search(error, capfd.readouterr().out)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="drop", processed=True, path_contains="/mass-messaging"),
        Fault(kind="status", status=503, processed=True, path_contains="/mass-messaging"),
        Fault(kind="inner_failure", processed=True, path_contains="/mass-messaging"),
    ],
    ids=["stored-then-dropped", "5xx-after-storing", "inner-failure"],
)
@pytest.mark.matrix
def test_an_ambiguous_failure_leaves_one_broadcast_and_fails_without_airflow_retries(
    fault: Fault, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.set_faults(fault)

    ti = broadcast(content="we miss you")

    assert (str(ti.state), ti.try_number) == ("failed", 1)  # retries=2, none spent
    assert len(fansly_sandbox.mass_messages) == 1
    assert len(fansly_sandbox.journal) == 1
    out = capfd.readouterr().out
    assert "FanslyAmbiguousSendError" in out
    assert "The broadcast MAY HAVE BEEN SENT" in out
    assert "/mass-messaging/stats/sent" in out


def test_a_429_before_storing_is_retried_and_sends_exactly_once(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=429, retry_after=0, first_n=1))

    ti = broadcast(content="we miss you")

    assert (str(ti.state), ti.try_number) == ("success", 1)
    (record,) = fansly_sandbox.mass_messages
    assert [entry.status for entry in fansly_sandbox.journal] == [429, 200]
    xcoms = printed_xcoms(capfd.readouterr().out)
    assert xcoms == {"return_value": record.mass_message["id"], "credits": 2}


def test_out_of_credits_fails_the_task_at_once_with_nothing_sent(
    fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fansly_sandbox.config.credits = 0

    ti = broadcast(content="we miss you")

    assert (str(ti.state), ti.try_number) == ("failed", 1)
    assert fansly_sandbox.mass_messages == []
    assert [entry.status for entry in fansly_sandbox.journal] == [402]
    assert "Out of credits (402)" in capfd.readouterr().out
