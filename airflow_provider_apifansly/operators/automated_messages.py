"""``SyncAutomatedMessagesOperator``: an account's automated messages (welcome, renewal thanks, tip thanks)
kept as code, reviewed in git and the same for every creator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.automated_message import parse_rules, plan_sync
from airflow_provider_apifansly.batch_input import pending_template
from airflow_provider_apifansly.hooks.endpoints.base import label
from airflow_provider_apifansly.hooks.envelope import automated_message_id
from airflow_provider_apifansly.operators.once import Adopted, FanslySideEffectOperator


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
    may have created it, the rules are read back first (see ``FanslyHook.create_rule``), and a
    later try of the task starts by listing them, so what an earlier try did is kept, not redone.
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

    def read_back(self, context: Context, since: float) -> Adopted | None:
        # The sync is its own read-back: it lists the rules before any change, so a rule an earlier
        # try created is matched and kept (a rule it deleted is simply absent). Nothing is done blindly.
        self.log.info(
            "The sync lists the account's rules first, so what an earlier try did is not done again"
        )
        return None

    def act(self, context: Context, since: float | None) -> dict[str, list[str]]:
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
        # Deletes first: were the run to stop half-way, fans would miss a changed rule's message until
        # the next run rather than get both its old and new versions.
        deleted = [row.rule_id for row in plan.delete]
        for rule_id in deleted:
            self.hook.delete_automated_message(rule_id, account_id, maybe_gone=since is not None)
        request = label("POST", f"/{account_id}/automated-messages")
        created = [
            automated_message_id(self.hook.create_rule(rule, account_id), request) for rule in plan.create
        ]
        return {"created": created, "deleted": deleted, "kept": kept}
