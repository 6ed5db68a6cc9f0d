"""``SyncAutomatedMessagesOperator``: an account's automated messages kept as code.

Welcome, renewal thanks, tip thanks: reviewed in git and the same for every creator.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.exceptions import FanslyAmbiguousSendError
from airflow_provider_apifansly.hooks.endpoints.base import label
from airflow_provider_apifansly.models.automated_message import (
    AutomatedRule,
    automated_message_id,
    parse_rules,
    plan_sync,
)
from airflow_provider_apifansly.models.batch_input import pending_template
from airflow_provider_apifansly.operators.once import FanslySideEffectOperator
from airflow_provider_apifansly.operators.try_record import DONE, MAY_HAVE_ACTED, TryRecord


class SyncAutomatedMessagesOperator(FanslySideEffectOperator):
    """Make the account's automated messages match ``rules``; a second identical run changes nothing.

    A rule is present when an existing one has the same trigger, text, delay, cooldown and options,
    compared as the contract documents them, whichever way the list shows them (the create body, or
    Fansly's native rule: text in ``messageTemplate``, price in thousandths, media as attachments).
    Missing rules are created, and with ``prune=True`` every other rule is deleted (the list is then
    the whole truth). A listed rule that does not show a field a missing rule sets may be that rule:
    it is kept, never deleted, the rule is not created, and a warning names it. It costs one request
    to list the rules, plus one per change.
    A create is never repeated blindly (two rules message every fan twice): after a failure that
    may have created it, the rules are read back first (see ``FanslyHook.create_rule``). A later try
    of the task lists them and goes by the task instance's record (``operators/once.py``): a listed
    rule is kept; one an earlier try created is not created again, nor one it may have created that
    the list does not show (yet), which fails the task with ``FanslyAmbiguousSendError``.
    XCom ``return_value`` is ``{"created", "deleted", "kept"}`` (rule ids); ``plan`` holds what
    was (or, with ``dry_run``, would be) created (the bodies), kept and deleted (each ``{"id",
    "triggerType", "content"}``, plus ``unknown``: the fields a rule kept unsure did not show).

    :param rules: a list of dicts with ``trigger_type`` (``new_follower``, ``new_subscriber``,
        ``new_gift_link_subscriber``, ``subscriber_renew``, ``new_gift_link_subscriber_renew``,
        ``new_tip``, ``disabled``) and ``content``, and optionally ``delay`` and ``cooldown``
        (seconds), ``subscription_streak`` (renewal triggers), ``tip_amount`` and ``keywords``
        (``new_tip``; passed through as given, as their unit and type are not documented),
        ``media_ids``, ``access_type`` and ``price`` (as Send Message takes them). Checked when the
        DAG is parsed, or before any request when it comes from a template. Templated.
    :param prune: delete every rule of the account that is not in ``rules``.
    :param dry_run: log the plan and change nothing (the rules are still listed: one request).
    :param account_id: the connected account (``fansly_...``); defaults to the connection's. Templated.
    """

    template_fields: Sequence[str] = ("rules", "account_id", "fansly_conn_id")

    def __init__(
        self,
        *,
        rules: list[dict[str, Any]] | str,
        prune: bool = False,
        dry_run: bool = False,
        account_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for name, value in (("prune", prune), ("dry_run", dry_run)):
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be True or False, got {value!r}")
        if not pending_template(rules):
            parse_rules(rules)  # a bad rule fails the DAG file's parse
        self.rules = rules
        self.prune = prune
        self.plan_only = (
            dry_run  # not self.dry_run: that is BaseOperator's method (airflow tasks test --dry-run)
        )
        self.account_id = account_id

    def act(self, context: Context, record: TryRecord) -> dict[str, list[str]]:
        """Plan the sync from the listed rules, then delete and create as planned (or only log, with ``dry_run``)."""
        rules = parse_rules(self.rules)
        account_id = self.hook.resolve_account_id(self.account_id)
        existing = self.hook.list_automated_messages(account_id)
        plan = plan_sync(
            rules, existing, prune=self.prune, request=label("GET", f"/{account_id}/automated-messages")
        )
        context["ti"].xcom_push(key="plan", value=plan.as_dict())
        self.log.info(
            "%s account %s: %d rule(s) to create, %d to delete, %d kept",
            "Dry run for" if self.plan_only else "Syncing",
            account_id,
            len(plan.create),
            len(plan.delete),
            len(plan.keep) + len(plan.unsure),
        )
        for rule in plan.create:
            self.log.info("Create: %s", rule.describe())
        for row in plan.keep:
            self.log.info("Keep: %s", row.describe())
        for row in plan.unsure:
            self.log.warning(
                "Keep: %s, which the list does not show fully (%s): it may be a wanted rule, so that rule "
                "is not created and this one not deleted; check it in Fansly",
                row.describe(),
                ", ".join(row.unknown),
            )
        for row in plan.delete:
            self.log.info("Delete: %s", row.describe())
        kept = [row.rule_id for row in (*plan.keep, *plan.unsure)]
        if self.plan_only:
            return {"created": [], "deleted": [], "kept": kept}
        creates = self._creates(record, account_id, plan.create)  # decided before any change
        # Deletes first: were the run to stop half-way, fans would miss a changed rule's message until
        # the next run rather than get both its old and new versions.
        deleted = [row.rule_id for row in plan.delete]
        for rule_id in deleted:
            self._delete(record, account_id, rule_id)
        created = [
            rule_id
            if rule is None
            else self.attempt(record, item, body, partial(self._create, rule, account_id), None)
            for item, body, rule, rule_id in creates
        ]
        return {"created": [str(rule_id) for rule_id in created], "deleted": deleted, "kept": kept}

    def _creates(
        self, record: TryRecord, account_id: str, rules: Sequence[AutomatedRule]
    ) -> list[tuple[str, dict[str, Any], AutomatedRule | None, str | None]]:
        """Each rule to create, or the id an earlier try created it under, by this try's record.

        ``(item, request, rule, None)`` to create it, or ``(item, request, None, id)`` for one an
        earlier try created that the list does not show (yet). A rule an earlier try may have created
        is not in the list (else the plan keeps it), and the list may lag behind a create: it is not
        created again.
        """
        creates: list[tuple[str, dict[str, Any], AutomatedRule | None, str | None]] = []
        seen: Counter[str] = Counter()
        for rule in rules:
            body = {"operator": "create_automated_message", "account_id": account_id, **rule.body()}
            text = json.dumps(rule.body(), sort_keys=True, default=str)
            seen[text] += 1
            item = f"create {seen[text]} {text}"  # equal rules asked for twice are two items
            earlier = record.earlier(item, body)
            if earlier is not None and earlier.outcome == DONE:
                self.log.warning(
                    "Rule %s was created by try %d, though not listed (yet): not created again",
                    earlier.resource_id,
                    earlier.try_number,
                )
                creates.append((item, body, None, earlier.resource_id))
            elif earlier is not None and earlier.outcome in MAY_HAVE_ACTED:
                raise FanslyAmbiguousSendError(
                    f"Try {earlier.try_number} may have created the rule {rule.describe()} (its outcome: "
                    f"{earlier.outcome}), and the list does not show it (yet): it is not created again "
                    "(every fan would get the message twice). Check the account's automated messages in "
                    f"Fansly; once checked, delete Variable {record.key} (this task instance's record) and "
                    "clear the task."
                )
            else:
                creates.append((item, body, rule, None))
        return creates

    def _create(self, rule: AutomatedRule, account_id: str) -> str:
        created = self.hook.create_rule(rule, account_id)
        return automated_message_id(created, label("POST", f"/{account_id}/automated-messages"))

    def _delete(self, record: TryRecord, account_id: str, rule_id: str) -> None:
        """Delete a rule; a 404 means done only when an earlier try of this task instance may have deleted it."""
        request = {"operator": "delete_automated_message", "account_id": account_id, "rule_id": rule_id}
        item = f"delete {rule_id}"
        earlier = record.earlier(item, request)
        maybe_gone = earlier is not None and earlier.outcome in (DONE, *MAY_HAVE_ACTED)

        def delete() -> str:
            self.hook.delete_automated_message(rule_id, account_id, maybe_gone=maybe_gone)
            return rule_id

        self.attempt(record, item, request, delete, None)
