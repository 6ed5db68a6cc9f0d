"""Automated messages: list, create (never twice) and delete an account's rules (docs: "Automated Messages")."""

from __future__ import annotations

from typing import Any

from airflow_provider_apifansly.exceptions import FanslyApiError, FanslyError
from airflow_provider_apifansly.hooks import envelope
from airflow_provider_apifansly.hooks.endpoints.base import EndpointGroup, label, may_have_sent
from airflow_provider_apifansly.ids import validate_opaque_id
from airflow_provider_apifansly.models.automated_message import AutomatedRule, automated_message_id


class AutomatedMessageEndpoints(EndpointGroup):
    """``GET``, ``POST`` and ``DELETE /{account_id}/automated-messages[/{id}]``."""

    def list_automated_messages(self, account_id: str | None = None) -> list[dict[str, Any]]:
        """Every automated message of the account, as the API sends them (one request).

        The shape is not documented: rules are read from ``response`` as a list, or under
        ``response.automatedMessages``, each with an id (``id``, else ``automatedMessageId``;
        ``automated_message_id`` reads it); anything else raises.
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/automated-messages"
        rows: list[dict[str, Any]] = self._account_call("GET", path, automated_messages)
        return rows

    def create_automated_message(
        self, trigger_type: str, content: str, account_id: str | None = None, **options: Any
    ) -> dict[str, Any]:
        """Create one rule and return it (with its id); every field is checked before any request.

        :param options: ``delay``, ``cooldown``, ``subscription_streak``, ``tip_amount``, ``keywords``,
            ``media_ids``, ``access_type``, ``price`` (see ``AutomatedRule``).
        """
        rule = AutomatedRule.parse({"trigger_type": trigger_type, "content": content, **options})
        return self.create_rule(rule, account_id)

    def create_rule(self, rule: AutomatedRule, account_id: str | None = None) -> dict[str, Any]:
        """Create a validated rule once; return the API's answer, or the listed rule when it lacks the id.

        A create is not idempotent (two rules message every fan twice), so it is retried only when it
        cannot have arrived (a 429, a refused connection). After a failure that may have created it,
        and after a success that names no id, the rules are read back (one request) and an equal
        rule is taken for this one; an equal rule that already existed would have been a duplicate
        anyway. Not found after a failure: the failure is raised, never a blind second create.
        """
        account_id = self.resolve_account_id(account_id)
        path = f"/{account_id}/automated-messages"
        request = label("POST", path)
        try:
            created: dict[str, Any] = self._account_call("POST", path, json=rule.body(), idempotent=False)
        except FanslyError as exc:
            if not may_have_sent(exc):
                raise
            found = self._find_rule(rule, account_id)
            if found is None:
                raise
            self.log.warning("%s failed (%s), but the rule is there: %s", request, exc, rule.describe())
            return found
        try:
            automated_message_id(created, request)
        except FanslyApiError:
            found = self._find_rule(rule, account_id)
            if found is None:
                raise FanslyApiError(
                    f"{request} succeeded without a rule id, and no such rule is listed: check the "
                    f"account's automated messages for {rule.describe()} before creating it again",
                    request=request,
                ) from None
            return found
        return created

    def delete_automated_message(
        self, automated_message_id: str | int, account_id: str | None = None, *, maybe_gone: bool = False
    ) -> None:
        """Delete one rule; a 404 means there is no such rule, unless an earlier attempt may have deleted it.

        :param maybe_gone: an earlier try may have deleted it already: a 404 then means done.
        """
        account_id = self.resolve_account_id(account_id)
        rule_id = validate_opaque_id(automated_message_id, field="automated_message_id")
        self._remove("DELETE", f"/{account_id}/automated-messages/{rule_id}", maybe_gone=maybe_gone)

    def _find_rule(self, rule: AutomatedRule, account_id: str) -> dict[str, Any] | None:
        """The account's rule equal to ``rule``, if any (one request)."""
        return next((row for row in self.list_automated_messages(account_id) if rule.matches(row)), None)


def automated_messages(data: Any, request: str, connection: str) -> list[dict[str, Any]]:
    """The rules of List Automated Messages, whose shape is undocumented.

    ``response`` as a list, or under ``response.automatedMessages``; each with its id (see
    ``automated_message_id``).
    """
    response = envelope.nested_success(data, request, connection)
    rows = (
        envelope.rows_of({"response": response}, "response", request) if isinstance(response, list) else None
    )
    if rows is None:
        rows = envelope.rows_of(response, "automatedMessages", request)
    for row in rows:
        automated_message_id(row, request)
    return rows
