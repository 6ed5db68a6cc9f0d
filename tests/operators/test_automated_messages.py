"""SyncAutomatedMessagesOperator in real Airflow (``dag.test()``) against the sandbox.

The account ends as the list says, a rerun changes nothing, and no try creates a rule twice.
"""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import FanslyValidationError
from airflow_provider_apifansly.operators.automated_messages import SyncAutomatedMessagesOperator
from airflow_provider_apifansly.sandbox import FanslySandbox, Fault
from tests.helpers import load_dag, printed_xcoms, run_dag, run_through_timeouts

DAGS = "fansly_test_dags"
WELCOME = {"trigger_type": "new_subscriber", "content": "Welcome in!", "delay": 30}
RENEWAL = {"trigger_type": "subscriber_renew", "content": "Thanks for renewing", "subscription_streak": 2}
RULES = [WELCOME, RENEWAL]
# The same rules as the API holds them.
WELCOME_BODY = {"triggerType": "new_subscriber", "content": "Welcome in!", "delay": 30, "cooldown": 0}
RENEWAL_BODY = {
    "triggerType": "subscriber_renew",
    "content": "Thanks for renewing",
    "delay": 0,
    "cooldown": 0,
    "subscriptionStreak": 2,
}
OLD_BODY = {"triggerType": "new_follower", "content": "Hi follower"}
PPV_WELCOME = {
    "trigger_type": "new_subscriber",
    "content": "Unlock the welcome set",
    "media_ids": ["810000000000000001"],
    "access_type": ["ppv"],
    "price": 9.99,
}
PPV_BODY = {
    "triggerType": "new_subscriber",
    "content": "Unlock the welcome set",
    "delay": 0,
    "cooldown": 0,
    "mediaIds": ["810000000000000001"],
    "access_type": ["ppv"],
    "price": 9.99,
}


def sync(dag_id: str, rules: list[dict[str, Any]]) -> Any:
    """Run a sync DAG (through a try Airflow stops, on 2.11 too); return the sync task instance."""
    dag_run = run_through_timeouts(load_dag(DAGS, dag_id), {"rules": rules})
    return next(ti for ti in dag_run.get_task_instances() if ti.task_id == "sync")


def live(sandbox: FanslySandbox) -> list[dict[str, Any]]:
    return [record.body for record in sandbox.automated_messages if not record.deleted]


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        ({"trigger_type": "new_like", "content": "x"}, "trigger_type must be one of new_follower"),
        ({"trigger_type": "new_tip"}, r"rules\[0\].content must be a non-empty string"),
        ({"trigger_type": "new_tip", "content": "x", "delay": -1}, "delay must be a whole number of seconds"),
        (
            {"trigger_type": "new_follower", "content": "x", "tip_amount": 5},
            "tip_amount only fits trigger_type new_tip",
        ),
        (
            {"trigger_type": "new_tip", "content": "x", "subscription_streak": 2},
            "subscription_streak only fits",
        ),
    ],
    ids=["unknown-trigger", "no-content", "negative-delay", "tip-on-follow", "streak-on-tip"],
)
def test_a_bad_rule_fails_the_dag_file_when_it_is_parsed(rule: dict[str, Any], error: str) -> None:
    with pytest.raises(FanslyValidationError, match=error):
        SyncAutomatedMessagesOperator(task_id="sync", rules=[rule])


def test_two_equal_rules_are_refused_as_every_fan_would_get_both() -> None:
    with pytest.raises(FanslyValidationError, match=r"rules\[1\] repeats rules\[0\]"):
        SyncAutomatedMessagesOperator(task_id="sync", rules=[WELCOME, {**WELCOME, "cooldown": 0}])


@pytest.mark.integration
@pytest.mark.usefixtures("airflow_db")
class TestInAirflow:
    def test_the_account_ends_as_the_list_says_and_a_rerun_changes_nothing(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        welcome_id, old_id = fansly_sandbox.seed_automated_messages([WELCOME_BODY, OLD_BODY])

        first = sync("test_fansly_sync_rules", RULES)

        assert str(first.state) == "success"
        assert live(fansly_sandbox) == [WELCOME_BODY, RENEWAL_BODY]
        renewal_id = fansly_sandbox.automated_messages[-1].rule_id
        xcoms = printed_xcoms(capfd.readouterr().out)
        assert xcoms["return_value"] == {"created": [renewal_id], "deleted": [old_id], "kept": [welcome_id]}
        assert (xcoms["plan"], xcoms["credits"]) == (
            {
                "create": [RENEWAL_BODY],
                "keep": [{"id": welcome_id, "triggerType": "new_subscriber", "content": "Welcome in!"}],
                "delete": [{"id": old_id, "triggerType": "new_follower", "content": "Hi follower"}],
            },
            3,
        )
        before = len(fansly_sandbox.journal)

        second = sync("test_fansly_sync_rules", RULES)

        assert str(second.state) == "success"
        assert [e.method for e in fansly_sandbox.journal[before:]] == ["GET"]
        xcoms = printed_xcoms(capfd.readouterr().out)
        assert xcoms["return_value"] == {"created": [], "deleted": [], "kept": [welcome_id, renewal_id]}

    def test_a_dry_run_lists_the_plan_and_changes_nothing(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        welcome_id, old_id = fansly_sandbox.seed_automated_messages([WELCOME_BODY, OLD_BODY])

        ti = sync("test_fansly_sync_rules_dry_run", RULES)

        assert str(ti.state) == "success"
        assert live(fansly_sandbox) == [WELCOME_BODY, OLD_BODY]
        assert [e.method for e in fansly_sandbox.journal] == ["GET"]
        out = capfd.readouterr().out
        assert printed_xcoms(out)["return_value"] == {"created": [], "deleted": [], "kept": [welcome_id]}
        assert printed_xcoms(out)["plan"] == {
            "create": [RENEWAL_BODY],
            "keep": [{"id": welcome_id, "triggerType": "new_subscriber", "content": "Welcome in!"}],
            "delete": [{"id": old_id, "triggerType": "new_follower", "content": "Hi follower"}],
        }
        assert "Dry run for account fansly_sandbox: 1 rule(s) to create, 1 to delete, 1 kept" in out
        assert "Create: subscriber_renew (delay 0 s, cooldown 0 s): 'Thanks for renewing'" in out
        assert f"Keep: rule {welcome_id} new_subscriber: 'Welcome in!'" in out
        assert f"Delete: rule {old_id} new_follower: 'Hi follower'" in out

    def test_a_templated_bad_rule_fails_before_any_request(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        ti = sync("test_fansly_sync_rules", [{"trigger_type": "new_tip", "content": "x", "delay": 1.5}])

        assert (str(ti.state), ti.try_number) == ("failed", 1)
        assert fansly_sandbox.journal == []
        assert "rules[0].delay must be a whole number of seconds" in capfd.readouterr().out

    def test_a_try_stopped_by_airflow_after_creating_is_followed_by_one_that_keeps_the_rule(
        self, fansly_sandbox: FanslySandbox, fansly_connection: str, capfd: pytest.CaptureFixture[str]
    ) -> None:
        # The create is stored, then its answer held past the 2 s execution_timeout: Airflow stops the try.
        fansly_sandbox.set_faults(Fault(kind="slow", delay=5.0, first_n=1, method="POST"))

        ti = sync("test_fansly_sync_rules_stopped", [WELCOME])

        assert (str(ti.state), ti.try_number) == ("success", 2)
        assert live(fansly_sandbox) == [WELCOME_BODY]
        # Each try listed the rules; only the first created one (its POST is journaled once answered).
        assert [e.method for e in fansly_sandbox.journal if e.method == "GET"] == ["GET", "GET"]
        (rule,) = fansly_sandbox.automated_messages
        xcoms = printed_xcoms(capfd.readouterr().out)
        assert xcoms["return_value"] == {"created": [], "deleted": [], "kept": [rule.rule_id]}

    @pytest.mark.parametrize("prune", [False, True], ids=["kept", "pruned"])
    @pytest.mark.parametrize(
        ("listing", "template"),
        [("echo", "object"), ("native", "object"), ("native", "json")],
        ids=["echo", "native", "native-json-template"],
    )
    def test_a_second_run_creates_nothing_however_the_api_lists_the_rules(
        self,
        listing: str,
        template: str,
        prune: bool,
        fansly_sandbox: FanslySandbox,
        fansly_connection: str,
        capfd: pytest.CaptureFixture[str],
    ) -> None:
        fansly_sandbox.config.automated_messages_listing = listing  # type: ignore[assignment]
        fansly_sandbox.config.automated_message_template = template  # type: ignore[assignment]
        dag_id = "test_fansly_sync_rules" if prune else "test_fansly_sync_rules_without_pruning"
        (old_id,) = fansly_sandbox.seed_automated_messages([OLD_BODY])

        first = sync(dag_id, [*RULES, PPV_WELCOME])

        assert str(first.state) == "success"
        created = [r.rule_id for r in fansly_sandbox.automated_messages if r.rule_id != old_id]
        assert len(created) == 3
        capfd.readouterr()
        before = len(fansly_sandbox.journal)

        second = sync(dag_id, [*RULES, PPV_WELCOME])

        assert str(second.state) == "success"
        assert [e.method for e in fansly_sandbox.journal[before:]] == ["GET"]
        out = capfd.readouterr().out
        xcoms = printed_xcoms(out)
        assert xcoms["return_value"]["created"] == xcoms["return_value"]["deleted"] == []
        assert sorted(xcoms["return_value"]["kept"]) == sorted(created)
        assert (
            live(fansly_sandbox) == [WELCOME_BODY, RENEWAL_BODY, PPV_BODY]
            if prune
            else [
                OLD_BODY,
                WELCOME_BODY,
                RENEWAL_BODY,
                PPV_BODY,
            ]
        )
        # Fansly's native rule shows the PPV's media by account media id: it may be the rule, never a new one.
        ppv_id = created[-1]
        unsure = f"Keep: rule {ppv_id} new_subscriber: 'Unlock the welcome set', which the list does not show"
        assert (unsure in out) is (listing == "native")


@pytest.mark.integration
@pytest.mark.usefixtures("airflow_db")
def test_the_automations_example_syncs_every_account_and_its_rerun_only_lists(
    fansly_sandbox: FanslySandbox, fansly_connection: str
) -> None:
    fansly_sandbox.seed_automated_messages([OLD_BODY])

    assert run_dag("example_fansly_automations")[0] == "success"
    assert [body["triggerType"] for body in live(fansly_sandbox)] == [
        "new_subscriber",
        "subscriber_renew",
        "new_tip",
    ]
    before = len(fansly_sandbox.journal)
    assert run_dag("example_fansly_automations")[0] == "success"
    assert [e.path.rsplit("/", 1)[-1] for e in fansly_sandbox.journal[before:]] == [
        "accounts",
        "automated-messages",
    ]
