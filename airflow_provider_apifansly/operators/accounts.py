"""``ListAccountsOperator``: the API key's connected accounts, as the source of an agency's mapped tasks."""

from __future__ import annotations

from collections.abc import Sequence

from airflow_provider_apifansly._compat import Context
from airflow_provider_apifansly.hooks.endpoints.account import account_summary
from airflow_provider_apifansly.operators.base import FanslyBaseOperator


class ListAccountsOperator(FanslyBaseOperator):
    """List the Fansly accounts connected to the connection's API key (``GET /accounts``, one request).

    ``return_value`` is their ids (``fansly_...``) in the API's order, ready for
    ``SomeOperator.partial(...).expand(account_id=accounts.output)``. XCom ``accounts`` holds
    ``[{"account_id", "name"}]`` (``name``: the label given when the account was connected);
    the accounts' email addresses are never pushed or logged. All accounts of a key share its
    rate limit and its credits. Connection and hook options are ``FanslyBaseOperator``'s.
    """

    template_fields: Sequence[str] = ("fansly_conn_id",)

    def call_api(self, context: Context) -> list[str]:
        """List the accounts; push XCom ``accounts`` and return their ids."""
        rows = self.hook.list_accounts()
        accounts = [account_summary(row, position) for position, row in enumerate(rows, start=1)]
        context["ti"].xcom_push(key="accounts", value=accounts)
        ids = [account["account_id"] for account in accounts]
        self.log.info("%d connected accounts: %s", len(ids), ", ".join(ids) or "none")
        return ids
