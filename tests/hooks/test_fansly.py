"""FanslyHook against the sandbox on a real socket: the contract, retries, permanent errors, secrets."""

from __future__ import annotations

import time
from typing import Any

import pytest

from airflow_provider_apifansly.exceptions import (
    FanslyApiError,
    FanslyAuthError,
    FanslyConnectionError,
    FanslyError,
    FanslyNotFoundError,
    FanslyOutOfCreditsError,
    FanslyRateLimitError,
    FanslyServerError,
    FanslyValidationError,
)
from airflow_provider_apifansly.hooks.fansly import FanslyHook
from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CREATOR_ID,
    Account,
    FanslySandbox,
    Fault,
    SandboxConfig,
)
from tests.helpers import MakeHook, paths

FAN = "723516315247063042"


# -- the contract ---------------------------------------------------------------------------------


def test_the_creator_id_is_resolved_once_per_hook(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    hook = make_hook()
    for offset in range(3):
        hook.create_group_chat(str(int(FAN) + offset))
    assert [e.path.rsplit("/", 1)[1] for e in fansly_sandbox.journal] == ["me", "group", "group", "group"]


def test_a_given_creator_id_skips_the_lookup(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    make_hook().create_group_chat(FAN, creator_id=int(DEFAULT_CREATOR_ID))
    assert paths(fansly_sandbox) == [f"POST /api/fansly/{DEFAULT_ACCOUNT_ID}/group 200"]


def test_a_201_create_is_a_success(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.config.create_status = 201
    assert make_hook().create_group_chat(FAN)["id"].isdigit()


def test_one_session_is_reused_across_calls(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    hook = make_hook()
    session = hook.transport.session
    hook.list_accounts()
    hook.create_group_chat(FAN)
    assert hook.transport.session is session
    assert "x-api-key" not in str(session.headers.get("Content-Type", ""))


def test_gets_carry_no_json_content_type(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    hook = make_hook()
    hook.list_accounts()
    prepared = hook.transport.session.prepare_request(
        __import__("requests").Request("GET", fansly_sandbox.url)
    )
    assert "Content-Type" not in prepared.headers


def test_test_connection_uses_one_request_and_names_the_accounts(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    ok, message = make_hook().test_connection()
    assert ok, message
    assert message == f"Connected to {fansly_sandbox.url}: 1 account(s): {DEFAULT_ACCOUNT_ID}"
    assert paths(fansly_sandbox) == ["GET /api/fansly/accounts 200"]


def test_test_connection_says_what_failed(
    fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json().replace("sandbox-api-key", "nope")
    )
    assert FanslyHook().test_connection() == (
        False,
        "API key rejected (401): check the API Key of this connection. The API said: Invalid or missing API key",
    )
    assert len(fansly_sandbox.journal) == 1
    monkeypatch.setenv(
        "AIRFLOW_CONN_FANSLY_DEFAULT",
        '{"conn_type": "apifansly", "host": "http://127.0.0.1:9", "password": "k"}',
    )
    ok, message = FanslyHook().test_connection()
    assert not ok
    assert "could not connect" in message


# -- transient failures are retried, within bounds --------------------------------------------------


def test_two_429s_are_waited_out_then_the_call_succeeds(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.set_faults(
        Fault(kind="status", status=429, retry_after=1, first_n=2, path_contains="/group")
    )
    hook = make_hook()
    hook.get_creator_id()
    started = time.monotonic()

    hook.create_group_chat(FAN)

    assert time.monotonic() - started >= 2.0  # at least the 1 s asked for, per 429
    assert [e.status for e in fansly_sandbox.journal if e.path.endswith("/group")] == [429, 429, 200]


def test_a_plain_retry_after_is_honoured_too(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.config.rpm = 1
    fansly_sandbox.config.window_seconds = 1.0
    fansly_sandbox.config.send_retry_after = True
    hook = make_hook(rate_limit_rpm=0)  # pacing off: meet the server's limit head-on
    hook.list_accounts()
    hook.list_accounts()
    assert [e.status for e in fansly_sandbox.journal] == [200, 429, 200]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="status", status=503, first_n=1, path_contains="/group"),
        Fault(kind="status", status=500, first_n=1, path_contains="/group"),
        Fault(kind="status", status=502, first_n=1, path_contains="/group"),
        Fault(kind="inner_failure", status=502, first_n=1, path_contains="/group"),
        Fault(kind="drop", first_n=1, path_contains="/group"),
        Fault(kind="drop", processed=True, first_n=1, path_contains="/group"),
        Fault(kind="slow", delay=2.5, first_n=1, path_contains="/group"),
    ],
    ids=["503", "500", "502", "inner-502", "dropped", "dropped-after-create", "timeout-after-create"],
)
def test_a_transient_failure_is_retried_without_duplicating_the_group(
    fault: Fault, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.set_faults(fault)
    hook = make_hook({"timeout": 1})

    group = hook.create_group_chat(FAN)

    assert [g.group_id for g in fansly_sandbox.groups] == [group["id"]]
    deadline = time.monotonic() + 5  # a slow answer enters the journal once it is sent, late
    while sum(e.path.endswith("/group") for e in fansly_sandbox.journal) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sum(e.path.endswith("/group") for e in fansly_sandbox.journal) == 2


def test_retries_are_bounded(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=503, path_contains="/group"))
    hook = make_hook(max_retries=2)
    with pytest.raises(FanslyServerError, match="Server error \\(503\\)"):
        hook.create_group_chat(FAN, creator_id=DEFAULT_CREATOR_ID)
    assert len(fansly_sandbox.journal) == 3


def test_a_retry_after_beyond_the_cap_fails_fast(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    fansly_sandbox.set_faults(Fault(kind="status", status=429, retry_after=120))
    with pytest.raises(FanslyRateLimitError, match=r"asked to wait 120 s.*longer than max_retry_wait=30 s"):
        make_hook(max_retry_wait=30).list_accounts()
    assert len(fansly_sandbox.journal) == 1


def test_a_message_stored_before_the_connection_dropped_is_returned_not_sent_again(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    hook = make_hook()
    group_id = hook.create_group_chat(FAN)["id"]
    fansly_sandbox.set_faults(
        Fault(kind="drop", processed=True, first_n=1, method="POST", path_contains="/messages")
    )

    message = hook.send_message(group_id, "hello")

    (stored,) = fansly_sandbox.messages  # it did arrive: a blind retry would have sent it twice
    assert message == stored.message
    assert [(e.method, e.status) for e in fansly_sandbox.journal if e.path.endswith("/messages")] == [
        ("POST", None),
        ("GET", 200),
    ]


def test_sending_a_message_is_retried_after_a_429(fansly_sandbox: FanslySandbox, make_hook: MakeHook) -> None:
    hook = make_hook()
    group_id = hook.create_group_chat(FAN)["id"]
    fansly_sandbox.set_faults(
        Fault(kind="status", status=429, retry_after=1, first_n=1, path_contains="/messages")
    )
    hook.send_message(group_id, "hello")
    assert len(fansly_sandbox.messages) == 1


def test_pacing_keeps_a_burst_under_the_plan_without_a_single_429(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.rpm = 30
    hook = make_hook(rate_limit_rpm=30)
    for _ in range(30):
        hook.list_accounts()
    assert fansly_sandbox.counters.rate_limited == 0
    assert hook.transport.pacer is not None
    assert hook.transport.pacer.remaining == 0  # the 31st would wait for the window


def test_pacing_adopts_the_servers_count_when_the_key_is_shared(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.config.rpm = 30
    other_worker = make_hook(rate_limit_rpm=30)
    for _ in range(20):
        other_worker.list_accounts()
    hook = make_hook(rate_limit_rpm=30)
    hook.list_accounts()
    assert hook.transport.pacer is not None
    # The other worker's 20 are held as its own: 9 are free, and free slots are claimed whatever one holds.
    assert hook.transport.pacer.remaining == 9


# -- permanent failures fail on the first request, saying what to fix --------------------------------


TWO_KEYS: dict[str, tuple[Account, ...]] = {
    "sandbox-api-key": (Account(DEFAULT_ACCOUNT_ID, DEFAULT_CREATOR_ID),),
    "other-key": (Account("fansly_other", "700000000000000002"),),
}


@pytest.mark.parametrize(
    ("setup", "account_id", "error", "message"),
    [
        ("bad-key", None, FanslyAuthError, "API key rejected \\(401\\): check the API Key of connection"),
        ("two-keys", "fansly_other", FanslyAuthError, "Access denied \\(403\\).*check account_id"),
        ("default", "fansly_unknown", FanslyNotFoundError, "Not found \\(404\\)"),
        (Fault(kind="status", status=400), None, FanslyValidationError, "rejected as invalid \\(400\\)"),
        (
            Fault(kind="status", status=402),
            None,
            FanslyOutOfCreditsError,
            "Out of credits \\(402\\).*used up",
        ),
        (Fault(kind="inner_failure", status=200), None, FanslyApiError, "2xx without success"),
        (Fault(kind="inner_failure", status=403), None, FanslyAuthError, "Access denied \\(403\\)"),
        (Fault(kind="missing_id"), None, FanslyApiError, "succeeded without a group id"),
        (Fault(kind="malformed"), None, FanslyApiError, "without a JSON envelope"),
    ],
    ids=["401", "403", "404", "400", "402", "inner-success-false", "inner-403", "missing-id", "malformed"],
)
def test_a_permanent_error_fails_on_the_first_request(
    setup: Any,
    account_id: str | None,
    error: type[FanslyError],
    message: str,
    fansly_sandbox: FanslySandbox,
    make_hook: MakeHook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook = make_hook()
    if setup == "bad-key":
        monkeypatch.setenv(
            "AIRFLOW_CONN_FANSLY_DEFAULT", fansly_sandbox.connection_json().replace("sandbox-api", "x")
        )
        hook = FanslyHook()
    elif setup == "two-keys":
        fansly_sandbox.config.keys = TWO_KEYS
    elif isinstance(setup, Fault):
        fansly_sandbox.set_faults(setup)

    with pytest.raises(error, match=message):
        hook.create_group_chat(FAN, account_id=account_id, creator_id=DEFAULT_CREATOR_ID)
    assert len(fansly_sandbox.journal) == 1


def test_an_unusable_creator_id_from_me_is_an_api_error(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    fansly_sandbox.set_faults(Fault(kind="missing_id", path_contains="/me"))
    with pytest.raises(FanslyApiError, match="creator id from /me"):
        make_hook().create_group_chat(FAN)


# -- bad input never reaches the network -------------------------------------------------------------


BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"user_id": ""}, "user_id is empty"),
    ({"user_id": None}, "user_id is missing"),
    ({"user_id": "   "}, "user_id is empty"),
    ({"user_id": "12ab"}, "user_id must be a native Fansly id"),
    ({"user_id": "1" * 30}, "user_id must be a native Fansly id"),
    ({"user_id": "-723516315247063042"}, "user_id must be a native Fansly id"),
    ({"user_id": 1.5e17}, "user_id must be a string, got float"),
    ({"user_id": "1.5e17"}, "user_id must be a native Fansly id"),
    ({"user_id": "\u0667\u0662\u0663"}, "ASCII digits"),
    ({"user_id": [FAN]}, "user_id must be a string, got list"),
    ({"user_id": True}, "user_id must be a string, got bool"),
    ({"user_id": f"{FAN}\n"}, "user_id must be a native Fansly id"),
    ({"user_id": DEFAULT_CREATOR_ID}, "is the creator of account"),
    ({"account_id": "fansly_a/b"}, "account_id must be a connected account id"),
    ({"account_id": "fansly_../admin"}, "account_id must be a connected account id"),
    ({"account_id": "fansly_a?x=1"}, "account_id must be a connected account id"),
    ({"account_id": "fansly_a#b"}, "account_id must be a connected account id"),
    ({"account_id": "fansly_a%2Fb"}, "account_id must be a connected account id"),
    ({"account_id": "fansly a"}, "account_id must be a connected account id"),
    ({"account_id": "723516315247063042"}, "looks like a native user id"),
    ({"account_id": ["fansly_sandbox"]}, "account_id must be a string, got list"),
    ({"creator_id": "abc"}, "creator_id must be a native Fansly id"),
    ({"creator_id": 7.0e17}, "creator_id must be a string, got float"),
]


@pytest.mark.parametrize(("arguments", "message"), BAD_INPUTS, ids=[repr(a)[:40] for a, _ in BAD_INPUTS])
def test_bad_input_is_refused_before_any_request(
    arguments: dict[str, Any], message: str, fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    call = {"user_id": FAN, "creator_id": DEFAULT_CREATOR_ID, **arguments}
    with pytest.raises(FanslyValidationError, match=message.replace("(", "\\(")):
        make_hook().create_group_chat(**call)
    assert fansly_sandbox.journal == []


def test_a_missing_account_id_names_the_connection_extra(
    fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_FANSLY_DEFAULT",
        f'{{"conn_type": "apifansly", "host": "{fansly_sandbox.url}", "password": "sandbox-api-key"}}',
    )
    with pytest.raises(
        FanslyValidationError, match="set the 'account_id' extra of connection 'fansly_default'"
    ):
        FanslyHook().create_group_chat(FAN)
    assert fansly_sandbox.journal == []


# -- the key stays secret -------------------------------------------------------------------------


def test_the_key_is_never_in_a_repr_an_error_or_a_log(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-live-UNIQUE-4242"
    config = SandboxConfig(keys={secret: (Account(DEFAULT_ACCOUNT_ID, DEFAULT_CREATOR_ID),)})
    with FanslySandbox(config) as sandbox:
        monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", sandbox.connection_json(max_retries=1))
        hook = FanslyHook()
        errors: list[BaseException] = []
        sandbox.set_faults(
            Fault(kind="status", status=503, first_n=2),
            Fault(kind="status", status=401, message=f"bad key {secret}", first_n=1),
            Fault(kind="malformed", first_n=1),
        )
        for _ in range(3):
            try:
                hook.create_group_chat(FAN, creator_id=DEFAULT_CREATOR_ID)
            except FanslyError as exc:
                errors.append(exc)
    assert len(errors) == 3
    texts = [repr(hook), repr(hook.settings), caplog.text, *map(str, errors), *map(repr, errors)]
    assert all(secret not in text for text in texts)


def test_proxy_settings_from_the_environment_are_honoured(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "")
    with pytest.raises(FanslyConnectionError):
        make_hook(max_retries=0).list_accounts()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert make_hook().list_accounts()[0]["accountId"] == DEFAULT_ACCOUNT_ID


def test_a_uri_connection_from_the_environment_works(
    fansly_sandbox: FanslySandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = fansly_sandbox.url.rsplit(":", 1)[1]
    uri = (
        f"apifansly://:sandbox-api-key@127.0.0.1:{port}/http?account_id={DEFAULT_ACCOUNT_ID}&rate_limit_rpm=0"
    )
    monkeypatch.setenv("AIRFLOW_CONN_FANSLY_DEFAULT", uri)
    hook = FanslyHook()
    assert hook.settings.base_url == fansly_sandbox.url
    assert hook.transport.pacer is None
    assert hook.create_group_chat(FAN)["id"] == fansly_sandbox.groups[0].group_id
