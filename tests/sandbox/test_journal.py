"""What tests inspect: the journal (never the key in clear), counters, snapshots, reset."""

from __future__ import annotations

import itertools
import json

import pytest
import requests

from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    Counters,
    FanslySandbox,
    Fault,
    fingerprint,
)

FAN_ID = "723516315247063042"
GROUP_BODY = {
    "users": [{"userId": DEFAULT_CREATOR_ID, "permissionFlags": 0}, {"userId": FAN_ID, "permissionFlags": 0}],
    "type": 1,
}


def exercise(sandbox: FanslySandbox) -> None:
    """A mix of successes, refusals and faults, with the right key and a wrong one."""
    base = f"{sandbox.url}/api/fansly"
    headers = {"x-api-key": DEFAULT_API_KEY}
    requests.get(f"{base}/accounts", headers=headers, timeout=5)
    requests.get(f"{base}/accounts", headers={"x-api-key": "wrong-key-in-clear"}, timeout=5)
    requests.get(f"{base}/accounts", timeout=5)
    requests.post(f"{base}/{DEFAULT_ACCOUNT_ID}/group", json=GROUP_BODY, headers=headers, timeout=5)
    requests.post(f"{base}/{DEFAULT_ACCOUNT_ID}/group", data=b"not json", headers=headers, timeout=5)
    sandbox.set_faults(Fault("status", status=503, first_n=1))
    requests.get(f"{base}/{DEFAULT_ACCOUNT_ID}/me", headers=headers, timeout=5)


def test_journal_records_every_request_in_order(fansly_sandbox: FanslySandbox) -> None:
    exercise(fansly_sandbox)

    journal = fansly_sandbox.journal

    assert [(entry.method, entry.path, entry.status, entry.fault) for entry in journal] == [
        ("GET", "/api/fansly/accounts", 200, None),
        ("GET", "/api/fansly/accounts", 401, None),
        ("GET", "/api/fansly/accounts", 401, None),
        ("POST", f"/api/fansly/{DEFAULT_ACCOUNT_ID}/group", 200, None),
        ("POST", f"/api/fansly/{DEFAULT_ACCOUNT_ID}/group", 400, None),
        ("GET", f"/api/fansly/{DEFAULT_ACCOUNT_ID}/me", 503, "status"),
    ]
    assert journal[0].key == fingerprint(DEFAULT_API_KEY)
    assert journal[1].key == fingerprint("wrong-key-in-clear")
    assert journal[2].key is None
    assert journal[3].body == GROUP_BODY
    assert journal[4].body == "not json"
    assert journal[0].body is None
    assert all(entry.started <= later.started for entry, later in itertools.pairwise(journal))
    assert all(entry.duration_s >= 0 for entry in journal)


def test_journal_never_holds_a_key_in_clear(fansly_sandbox: FanslySandbox) -> None:
    exercise(fansly_sandbox)

    dump = " ".join(f"{entry!s} {entry!r} {vars(entry)}" for entry in fansly_sandbox.journal)

    assert DEFAULT_API_KEY not in dump
    assert "wrong-key-in-clear" not in dump
    assert fingerprint(DEFAULT_API_KEY).startswith("key:")
    assert len(fingerprint(DEFAULT_API_KEY)) == len("key:") + 8


def test_counters_add_up(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.rpm = 5
    exercise(fansly_sandbox)
    for _ in range(3):
        requests.get(
            f"{fansly_sandbox.url}/api/fansly/accounts", headers={"x-api-key": DEFAULT_API_KEY}, timeout=5
        )

    # Credits: every admitted request (a 401 or 429 is not), each answer far under 80,000 bytes.
    assert fansly_sandbox.counters == Counters(
        requests=9, rate_limited=2, credits=5, groups_created=1, messages_sent=0, faults_injected=1
    )


def test_journal_keeps_the_most_recent_entries(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.journal_size = 2
    fansly_sandbox.reset()

    exercise(fansly_sandbox)

    assert [entry.status for entry in fansly_sandbox.journal] == [400, 503]
    assert fansly_sandbox.counters.requests == 6


def test_snapshots_do_not_change_under_the_reader(fansly_sandbox: FanslySandbox) -> None:
    exercise(fansly_sandbox)
    groups, journal = fansly_sandbox.groups, fansly_sandbox.journal

    groups[0].group["id"] = "tampered"
    exercise(fansly_sandbox)

    assert fansly_sandbox.groups[0].group["id"] != "tampered"
    assert len(journal) == 6


def test_reset_forgets_everything_but_keeps_ids_unique(fansly_sandbox: FanslySandbox) -> None:
    fansly_sandbox.config.rpm = 6
    exercise(fansly_sandbox)
    first_id = fansly_sandbox.groups[0].group_id

    fansly_sandbox.reset()

    assert fansly_sandbox.journal == []
    assert fansly_sandbox.groups == []
    assert fansly_sandbox.messages == []
    assert fansly_sandbox.counters == Counters()
    exercise(fansly_sandbox)  # the window and the fault's first_n were reset too
    assert [entry.status for entry in fansly_sandbox.journal][-1] == 503
    assert int(fansly_sandbox.groups[0].group_id) > int(first_id)


def test_connection_json_points_airflow_at_the_sandbox(fansly_sandbox: FanslySandbox) -> None:
    connection = json.loads(fansly_sandbox.connection_json("fansly_test", rate_limit_rpm=0))

    assert connection == {
        "conn_type": "apifansly",
        "description": "apifansly sandbox (fansly_test)",
        "host": fansly_sandbox.url,
        "password": DEFAULT_API_KEY,
        "extra": {"account_id": DEFAULT_ACCOUNT_ID, "rate_limit_rpm": 0},
    }


def test_start_and_stop_without_a_with_block() -> None:
    sandbox = FanslySandbox().start()
    url = sandbox.url
    session = requests.Session()
    assert session.get(f"{url}/api/fansly/accounts", timeout=5).status_code == 401

    sandbox.stop()
    sandbox.stop()

    assert repr(sandbox) == "FanslySandbox(stopped, plan='Starter')"
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(f"{url}/api/fansly/accounts", timeout=1)
    session.close()
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.url
