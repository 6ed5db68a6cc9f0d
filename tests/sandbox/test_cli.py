"""``python -m airflow_provider_apifansly.sandbox``: prints how to connect, serves, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import pytest
import requests

from airflow_provider_apifansly.sandbox import SandboxConfig
from airflow_provider_apifansly.sandbox.__main__ import SEED_FAN_BASE, build_parser, config_from_args
from airflow_provider_apifansly.sandbox.config import SWITCHES
from airflow_provider_apifansly.sandbox.switches import Switch

CHOICES = [setting for setting in SWITCHES if setting.values]


@contextmanager
def serving(*flags: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """The CLI on a free port with these flags; killed at the end if it still runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_apifansly.sandbox", "--port", "0", *flags],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        text=True,
    )
    with process:  # closes its stdout, and waits for it, at the end
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()


@pytest.fixture
def cli() -> Iterator[subprocess.Popen[str]]:
    """The CLI on a free port, unlimited, with its key from the environment and a fault from a flag."""
    fault = '{"kind": "status", "status": 503, "first_n": 1, "path_contains": "/me"}'
    with serving(
        *("--rpm", "unlimited", "--creator-id", "700000000000000042", "--fault", fault),
        env={"FANSLY_SANDBOX_API_KEY": "cli-key", "FANSLY_SANDBOX_CREATE_STATUS": "201"},
    ) as process:
        yield process


class Output:
    """The CLI's stdout, read line by line in a thread so that a silent CLI fails the test, not hangs it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(process.stdout,), daemon=True).start()

    def _pump(self, stdout: IO[str]) -> None:
        for line in stdout:
            self._lines.put(line)

    def line(self) -> str:
        return self._lines.get(timeout=10)


def test_cli_prints_the_export_line_serves_and_stops_on_sigterm(cli: subprocess.Popen[str]) -> None:
    output = Output(cli)
    banner = output.line()
    export, assignment = shlex.split(output.line())
    name, _, value = assignment.partition("=")
    connection = json.loads(value)
    url = connection["host"]

    assert banner.startswith(f"apifansly sandbox serving {url}/api/fansly/ (plan Enterprise)")
    assert (export, name) == ("export", "AIRFLOW_CONN_FANSLY_DEFAULT")
    assert connection["password"] == "cli-key"
    assert connection["extra"] == {"account_id": "fansly_sandbox"}
    me = f"{url}/api/fansly/fansly_sandbox/me"
    headers = {"x-api-key": "cli-key"}
    assert requests.get(me, headers=headers, timeout=5).status_code == 503
    account = requests.get(me, headers=headers, timeout=5).json()["data"]["data"]["response"]["account"]
    assert account["id"] == "700000000000000042"

    cli.send_signal(signal.SIGTERM)

    assert cli.wait(timeout=10) == 0
    assert output.line() == "apifansly sandbox stopped\n"


@pytest.mark.parametrize(
    "flags", [("--create-status", "204"), ("--chats-page-size", "0"), ("--last-page-cursor", "none")]
)
def test_cli_rejects_bad_flags(flags: tuple[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "airflow_provider_apifansly.sandbox", *flags],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert flags[0] in result.stderr


def test_cli_flags_set_the_list_chats_and_messages_switches() -> None:
    flags = ["--chats-page-size", "3", "--last-page-cursor", "empty", "--messages-order", "oldest"]

    config = config_from_args(build_parser(SandboxConfig()).parse_args(flags))

    assert (config.chats_page_size, config.last_page_cursor, config.messages_order) == (3, "empty", "oldest")


def test_cli_flags_set_the_subscribers_and_followers_switches() -> None:
    flags = ["--fans-page-size", "4", "--subscribers-order", "oldest"]

    config = config_from_args(build_parser(SandboxConfig()).parse_args(flags))

    assert (config.fans_page_size, config.subscribers_order) == (4, "oldest")


def test_cli_connects_n_accounts_to_the_key_each_with_its_own_creator() -> None:
    config = config_from_args(build_parser(SandboxConfig()).parse_args(["--accounts", "3"]))

    [accounts] = config.keys.values()
    assert [(a.account_id, a.creator_id) for a in accounts] == [
        ("fansly_sandbox", "700000000000000001"),
        ("fansly_sandbox_2", "700000000000000002"),
        ("fansly_sandbox_3", "700000000000000003"),
    ]


def test_cli_seeds_subscribers_newest_first_and_followers() -> None:
    with serving("--seed-subscribers", "3", "--seed-followers", "2") as process:
        output = Output(process)
        output.line()
        url = json.loads(shlex.split(output.line())[1].partition("=")[2])["host"]
        assert output.line() == f"seeded 3 active subscribers, the newest {SEED_FAN_BASE}\n"
        assert output.line() == f"seeded 2 followers from fan {SEED_FAN_BASE}\n"
        base, headers = f"{url}/api/fansly/fansly_sandbox", {"x-api-key": "sandbox-api-key"}
        subscribers = requests.get(f"{base}/subscribers?status=3", headers=headers, timeout=5).json()
        followers = requests.get(f"{base}/followers", headers=headers, timeout=5).json()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0

    rows = subscribers["data"]["data"]["response"]["subscriptions"]
    assert [row["subscriberId"] for row in rows] == [str(SEED_FAN_BASE + n) for n in range(3)]
    assert [row["followerId"] for row in followers["data"]["data"]["response"]["followers"]] == [
        str(SEED_FAN_BASE + 1),
        str(SEED_FAN_BASE),
    ]


def test_cli_reports_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "airflow_provider_apifansly.sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_cli_seed_chats_starts_with_n_listed_chats_and_prints_their_fans() -> None:
    with serving("--seed-chats", "3") as process:
        output = Output(process)
        output.line()
        url = json.loads(shlex.split(output.line())[1].partition("=")[2])["host"]
        seeded = output.line()
        chats = requests.get(
            f"{url}/api/fansly/fansly_sandbox/chats", headers={"x-api-key": "sandbox-api-key"}, timeout=5
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0

    assert seeded == f"seeded 3 chats with fans {SEED_FAN_BASE} to {SEED_FAN_BASE + 2}\n"
    rows = chats.json()["data"]["data"]["response"]["data"]
    assert sorted(row["partnerAccountId"] for row in rows) == [str(SEED_FAN_BASE + n) for n in range(3)]


def test_cli_refuses_to_seed_a_fan_with_the_creators_id() -> None:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "airflow_provider_apifansly.sandbox", "--port", "0"),
            *("--seed-chats", "1", "--creator-id", str(SEED_FAN_BASE)),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert "cannot seed chats" in result.stderr


@pytest.mark.parametrize("setting", CHOICES, ids=lambda setting: setting.name)
def test_every_choice_has_its_flag(setting: Switch) -> None:
    default = getattr(SandboxConfig(), setting.name)
    other = next(value for value in setting.values if value != default)

    config = config_from_args(build_parser(SandboxConfig()).parse_args([setting.flag, str(other)]))

    assert getattr(config, setting.name) == other
