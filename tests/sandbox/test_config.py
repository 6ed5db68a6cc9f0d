"""SandboxConfig from the environment, and its derived plan name."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    Account,
    Fault,
    SandboxConfig,
)
from airflow_provider_apifansly.sandbox.config import SWITCHES
from airflow_provider_apifansly.sandbox.switches import Switch

CHOICES = [setting for setting in SWITCHES if setting.values]


def test_defaults_are_one_key_one_account_on_the_starter_plan() -> None:
    config = SandboxConfig()

    assert config.keys == {DEFAULT_API_KEY: (Account(DEFAULT_ACCOUNT_ID, DEFAULT_CREATOR_ID),)}
    assert (config.rpm, config.plan, config.window_seconds) == (600, "Starter", 60.0)
    assert (config.host, config.port, config.create_status, config.find_or_create) == (
        "127.0.0.1",
        0,
        200,
        True,
    )
    assert len(DEFAULT_CREATOR_ID) == 18


def test_from_env_reads_every_setting() -> None:
    config = SandboxConfig.from_env(
        {
            "FANSLY_SANDBOX_API_KEY": "k",
            "FANSLY_SANDBOX_ACCOUNT_ID": "fansly_env",
            "FANSLY_SANDBOX_CREATOR_ID": "700000000000000009",
            "FANSLY_SANDBOX_RPM": "1000",
            "FANSLY_SANDBOX_WINDOW_SECONDS": "2.5",
            "FANSLY_SANDBOX_CREDITS": "50",
            "FANSLY_SANDBOX_LATENCY": "0.05",
            "FANSLY_SANDBOX_LATENCY_JITTER": "0.01",
            "FANSLY_SANDBOX_SEED": "3",
            "FANSLY_SANDBOX_CREATE_STATUS": "201",
            "FANSLY_SANDBOX_FIND_OR_CREATE": "false",
            "FANSLY_SANDBOX_CHATS_PAGE_SIZE": "5",
            "FANSLY_SANDBOX_LAST_PAGE_CURSOR": "absent",
            "FANSLY_SANDBOX_MESSAGES_ORDER": "oldest",
            "FANSLY_SANDBOX_FANS_PAGE_SIZE": "7",
            "FANSLY_SANDBOX_SUBSCRIBERS_ORDER": "oldest",
            "FANSLY_SANDBOX_SEND_RETRY_AFTER": "yes",
            "FANSLY_SANDBOX_HOST": "0.0.0.0",
            "FANSLY_SANDBOX_PORT": "8765",
            "FANSLY_SANDBOX_JOURNAL_SIZE": "10",
            "FANSLY_SANDBOX_FAULTS": '[{"kind": "status", "status": 503, "first_n": 2}]',
        }
    )

    assert config.keys == {"k": (Account("fansly_env", "700000000000000009"),)}
    assert (config.rpm, config.plan, config.window_seconds, config.credits) == (1000, "Pro", 2.5, 50)
    assert (config.latency, config.latency_jitter, config.seed) == (0.05, 0.01, 3)
    assert (config.create_status, config.find_or_create, config.send_retry_after) == (201, False, True)
    assert (config.host, config.port, config.journal_size) == ("0.0.0.0", 8765, 10)
    assert (config.chats_page_size, config.last_page_cursor, config.messages_order) == (5, "absent", "oldest")
    assert (config.fans_page_size, config.subscribers_order) == (7, "oldest")
    [fault] = config.faults
    assert (fault.kind, fault.status, fault.first_n) == ("status", 503, 2)


def test_chats_and_messages_defaults() -> None:
    config = SandboxConfig()

    assert (config.chats_page_size, config.last_page_cursor, config.messages_order) == (20, "null", "newest")


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"chats_page_size": 0}, "chats_page_size must be at least 1"),
        ({"last_page_cursor": "missing"}, "last_page_cursor must be one of null, absent, empty"),
        ({"messages_order": "random"}, "messages_order must be one of newest, oldest"),
        ({"fans_page_size": 0}, "fans_page_size must be at least 1"),
        ({"subscribers_order": "random"}, "subscribers_order must be one of newest, oldest, active_first"),
        ({"subscriber_status": "both"}, "subscriber_status must be one of codes, words"),
        ({"expired_status_code": 6}, "expired_status_code must be 4 or 5"),
    ],
)
def test_bad_config_values_are_named(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SandboxConfig(**fields)


def test_from_env_without_variables_is_the_default() -> None:
    assert SandboxConfig.from_env({}) == SandboxConfig()


@pytest.mark.parametrize("value", ["unlimited", "none", ""])
def test_unlimited_rpm_is_the_enterprise_plan(value: str) -> None:
    config = SandboxConfig.from_env({"FANSLY_SANDBOX_RPM": value})

    assert config.rpm is None
    assert config.plan == "Enterprise"


@pytest.mark.parametrize(
    ("environ", "match"),
    [
        ({"FANSLY_SANDBOX_FIND_OR_CREATE": "maybe"}, "FANSLY_SANDBOX_FIND_OR_CREATE"),
        ({"FANSLY_SANDBOX_CHATS_PAGE_SIZE": "0"}, "chats_page_size must be at least 1"),
        ({"FANSLY_SANDBOX_LAST_PAGE_CURSOR": "none"}, "FANSLY_SANDBOX_LAST_PAGE_CURSOR must be one of"),
        ({"FANSLY_SANDBOX_MESSAGES_ORDER": "random"}, "FANSLY_SANDBOX_MESSAGES_ORDER must be one of"),
        ({"FANSLY_SANDBOX_SUBSCRIBERS_ORDER": "random"}, "FANSLY_SANDBOX_SUBSCRIBERS_ORDER must be one of"),
        ({"FANSLY_SANDBOX_RPM": "lots"}, "invalid literal"),
        ({"FANSLY_SANDBOX_FAULTS": '{"kind": "drop"}'}, "JSON list"),
        ({"FANSLY_SANDBOX_FAULTS": '[{"kind": "boom"}]'}, "Fault kind"),
        ({"FANSLY_SANDBOX_FAULTS": '[{"kind": "drop", "when": "never"}]'}, "Not a Fault"),
    ],
)
def test_bad_environment_values_are_named(environ: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SandboxConfig.from_env(environ)


def test_fault_from_json() -> None:
    fault = Fault.from_json('{"kind": "slow", "delay": 2, "path_contains": "/group"}')

    assert (fault.kind, fault.delay, fault.path_contains) == ("slow", 2, "/group")
    with pytest.raises(ValueError, match="JSON object"):
        Fault.from_json("[]")


@pytest.mark.parametrize("setting", CHOICES, ids=lambda setting: setting.name)
def test_every_choice_reads_its_variable_and_refuses_other_values(setting: Switch) -> None:
    default = getattr(SandboxConfig(), setting.name)
    other = next(value for value in setting.values if value != default)

    config = SandboxConfig.from_env({setting.variable: str(other)})

    assert getattr(config, setting.name) == other
    with pytest.raises(ValueError, match=f"{setting.variable} must be {setting.allowed}"):
        SandboxConfig.from_env({setting.variable: "neither"})
    with pytest.raises(ValueError, match=f"{setting.name} must be {setting.allowed}"):
        SandboxConfig(**{setting.name: "neither"})
