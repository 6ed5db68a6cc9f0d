"""What the hook tests share: a hook on connection ``fansly_default`` to this test's sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_apifansly.hooks.fansly import FanslyHook
from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.helpers import MakeHook


@pytest.fixture
def make_hook(fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch) -> MakeHook:
    """``make_hook(extra=None, **options)``: a hook on the sandbox, with these extras and options.

    ``extra`` sets connection extras (e.g. ``timeout``), keywords the hook's options (``max_credits``,
    ``max_retries``, ``rate_limit_rpm``, ...).
    """

    def make(extra: dict[str, Any] | None = None, **options: Any) -> FanslyHook:
        monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json(**(extra or {})))
        return FanslyHook(**options)

    return make
