"""FanslyHook's automated messages against the sandbox: every list shape and id field; a create never made twice."""

from __future__ import annotations

import pytest

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyServerError
from airflow_provider_apifansly.sandbox import FanslySandbox, Fault
from tests.helpers import MakeHook

WELCOME = {"triggerType": "new_subscriber", "content": "Welcome!", "delay": 0, "cooldown": 0}


@pytest.mark.parametrize("listing", ["echo", "native"])
@pytest.mark.parametrize("shape", ["list", "keyed"])
@pytest.mark.parametrize("id_field", ["id", "automatedMessageId"])
def test_rules_are_listed_with_their_ids_in_every_undocumented_shape(
    listing: str, shape: str, id_field: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.automated_messages_listing = listing  # type: ignore[assignment]
    fansly_sandbox.config.automated_messages_shape = shape  # type: ignore[assignment]
    fansly_sandbox.config.automated_message_id_field = id_field  # type: ignore[assignment]
    (rule_id,) = fansly_sandbox.seed_automated_messages([WELCOME])

    (row,) = make_hook().list_automated_messages()

    assert row[id_field] == rule_id
    if listing == "echo":
        assert row == {id_field: rule_id, **WELCOME}
    else:
        assert (row["triggerType"], row["messageTemplate"]) == ("new_subscriber", {"content": "Welcome!"})
    assert len(fansly_sandbox.journal) == 1


def test_a_list_without_rules_or_ids_raises_rather_than_returning_nothing(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_apifansly.hooks.endpoints.automated_messages import automated_messages

    hook = make_hook()
    with pytest.raises(FanslyApiError, match="no 'automatedMessages' list of objects"):
        automated_messages(
            {"status_code": 200, "data": {"success": True, "response": {"rules": []}}}, "GET x", "c"
        )
    fansly_sandbox.seed_automated_messages([WELCOME])
    monkeypatch.setattr(fansly_sandbox.config, "automated_message_id_field", "ruleId")
    with pytest.raises(FanslyApiError, match="without an id \\('id' or 'automatedMessageId'\\)"):
        hook.list_automated_messages()


def test_a_rule_is_created_with_the_documented_body_and_deleted(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    hook = make_hook()

    created = hook.create_automated_message(
        "subscriber_renew", "Thanks for staying!", delay=60, cooldown=3600, subscription_streak=3
    )
    hook.delete_automated_message(created["id"])

    (record,) = fansly_sandbox.automated_messages
    assert record.body == {
        "triggerType": "subscriber_renew",
        "content": "Thanks for staying!",
        "delay": 60,
        "cooldown": 3600,
        "subscriptionStreak": 3,
    }
    assert (record.rule_id, record.deleted) == (created["id"], True)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="drop", processed=True, method="POST"),
        Fault(kind="status", status=504, processed=True, method="POST"),
        Fault(kind="missing_id", method="POST"),
    ],
    ids=["stored-then-dropped", "5xx-after-storing", "answer-without-id"],
)
def test_a_create_that_may_have_stored_the_rule_reads_back_and_adopts_it(
    fault: Fault, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.set_faults(fault)

    created = make_hook().create_automated_message("new_follower", "Thanks for the follow")

    (record,) = fansly_sandbox.automated_messages
    assert created["id"] == record.rule_id
    assert [(e.method, e.status) for e in fansly_sandbox.journal][1:] == [("GET", 200)]


def test_a_failed_create_not_found_on_reading_back_is_not_repeated(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=503, method="POST"))

    with pytest.raises(FanslyServerError, match="503"):
        make_hook().create_automated_message("new_follower", "Thanks for the follow")

    assert [e.method for e in fansly_sandbox.journal] == ["POST", "GET"]
    assert fansly_sandbox.automated_messages == []


def test_a_delete_whose_answer_was_lost_is_done_when_its_repeat_finds_nothing(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    (rule_id,) = fansly_sandbox.seed_automated_messages([WELCOME])
    fansly_sandbox.set_faults(Fault(kind="drop", processed=True, first_n=1))

    make_hook(max_retry_wait=1).delete_automated_message(rule_id)

    assert [e.status for e in fansly_sandbox.journal] == [None, 404]
    assert fansly_sandbox.automated_messages[0].deleted
