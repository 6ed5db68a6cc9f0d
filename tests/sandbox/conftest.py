"""Fixtures the sandbox's contract tests share."""

from __future__ import annotations

import pytest

from airflow_provider_apifansly.sandbox import FanslySandbox
from tests.sandbox.client import FAN_ID, Api


@pytest.fixture
def api(fansly_sandbox: FanslySandbox) -> Api:
    """A client of the sandbox, with the rate limit off so tests may send as many requests as they like."""
    fansly_sandbox.config.rpm = None
    return Api(fansly_sandbox)


@pytest.fixture
def chat_id(fansly_sandbox: FanslySandbox) -> str:
    """A chat with fan ``FAN_ID`` that exists before the test starts."""
    fansly_sandbox.config.rpm = None
    return fansly_sandbox.seed_chats([FAN_ID])[FAN_ID]
