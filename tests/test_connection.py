"""The connection form and the settings parsed from a connection share one table of fields."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_apifansly.connection import DEFAULT_HOST, EXTRA_FIELDS, ConnectionSettings
from airflow_provider_apifansly.get_provider_info import get_provider_info


def parse(**fields: Any) -> ConnectionSettings:
    base: dict[str, Any] = {"host": None, "schema": None, "port": None, "password": "k-123", "extra": {}}
    return ConnectionSettings.parse("fansly_default", **{**base, **fields})


def test_defaults_suit_the_starter_plan() -> None:
    settings = parse()
    assert settings.base_url == DEFAULT_HOST
    assert (settings.rate_limit_rpm, settings.max_retries, settings.timeout) == (600, 4, 30)
    assert settings.account_id is None


@pytest.mark.parametrize(
    ("host", "schema", "port", "url"),
    [
        ("http://127.0.0.1:8765/", None, None, "http://127.0.0.1:8765"),
        ("127.0.0.1", "http", 8765, "http://127.0.0.1:8765"),
        ("v1.apifansly.com", None, None, "https://v1.apifansly.com"),
    ],
)
def test_host_accepts_a_url_or_a_bare_host(host: str, schema: str | None, port: int | None, url: str) -> None:
    assert parse(host=host, schema=schema, port=port).base_url == url


def test_extras_are_read_with_or_without_the_legacy_prefix() -> None:
    settings = parse(extra={"account_id": "fansly_a", "extra__apifansly__rate_limit_rpm": "1000"})
    assert (settings.account_id, settings.rate_limit_rpm) == ("fansly_a", 1000)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": None}, "has no API key"),
        ({"extra": {"timeout": "soon"}}, "'timeout' must be a whole number"),
        ({"extra": {"max_retries": -1}}, "'max_retries' must be >= 0"),
        ({"host": "ftp://example.com"}, "host must be an http"),
    ],
)
def test_bad_settings_name_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(**fields)


def test_the_key_stays_out_of_the_repr() -> None:
    assert "k-123" not in repr(parse())


@pytest.mark.parametrize("pasted", ["  k-123\n", "\tk-123\r\n", "k-123 "], ids=repr)
def test_whitespace_pasted_around_the_key_is_stripped(pasted: str) -> None:
    assert parse(password=pasted).api_key == "k-123"


@pytest.mark.parametrize("pasted", ["", "   ", "\n\t"], ids=repr)
def test_a_blank_key_is_a_missing_key(pasted: str) -> None:
    with pytest.raises(
        ValueError, match="Connection 'fansly_default' has no API key: set its password \\(API Key\\)"
    ):
        parse(password=pasted)


@pytest.mark.parametrize(
    "key",
    ["k 123", "k-123\nX", "k\t123", "k\x00123", "k-\u00e9", "k-123\u00a0x", "k\x7f123"],
    ids=repr,
)
def test_a_key_with_inner_whitespace_or_control_characters_is_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(ValueError, match=r"^Connection 'fansly_default': the API Key field holds") as err:
        parse(password=f" {key} ")
    message = str(err.value)
    assert key not in message
    assert "k-123" not in message
    assert "123" not in message


def test_provider_info_declares_the_form_for_airflow_3() -> None:
    (conn_type,) = get_provider_info()["connection-types"]
    assert conn_type["connection-type"] == "apifansly"
    assert conn_type["hook-class-name"] == "airflow_provider_apifansly.hooks.fansly.FanslyHook"
    assert conn_type["ui-field-behaviour"]["relabeling"]["password"] == "API Key"
    assert conn_type["ui-field-behaviour"]["placeholders"]["host"] == DEFAULT_HOST
    assert set(conn_type["conn-fields"]) == set(EXTRA_FIELDS)
    assert conn_type["conn-fields"]["rate_limit_rpm"]["schema"] == {
        "type": ["integer", "null"],
        "default": 600,
        "minimum": 0,
    }


def test_airflow_2_form_is_built_from_the_same_fields() -> None:
    pytest.importorskip("wtforms")
    pytest.importorskip("flask_appbuilder")
    from airflow_provider_apifansly.hooks.fansly import FanslyHook

    assert set(FanslyHook.get_connection_form_widgets()) == set(EXTRA_FIELDS)
    assert FanslyHook.get_ui_field_behaviour()["relabeling"]["password"] == "API Key"
