"""Serve the sandbox from a shell: ``python -m airflow_provider_apifansly.sandbox --port 8765``.

Flags default to the ``FANSLY_SANDBOX_*`` environment variables; every resource's switch has
its flag ``--<name>``. It prints the URL and an ``export AIRFLOW_CONN_...`` line, then serves
until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from airflow_provider_apifansly.connection import DEFAULT_CONN_ID
from airflow_provider_apifansly.sandbox.config import (
    SWITCHES,
    Fault,
    SandboxConfig,
    connected_accounts,
    single_key,
)
from airflow_provider_apifansly.sandbox.server import FanslySandbox
from airflow_provider_apifansly.sandbox.switches import Switch, parse_limit

# A fixed port keeps the printed export line valid from run to run; in-process sandboxes take a free one.
CLI_PORT = 8765
PORT_VARIABLE = "FANSLY_SANDBOX_PORT"
# ``--seed-chats N`` (and the other --seed-* flags) use fans SEED_FAN_BASE, SEED_FAN_BASE + 1, ...
SEED_FAN_BASE = 720_000_000_000_000_001
# ``--seed-subscribers N`` spreads the subscriptions' createdAt over the hour before start.
SEED_SPREAD_MS = 3_600_000


def build_parser(defaults: SandboxConfig) -> argparse.ArgumentParser:
    """The CLI's flags, each defaulting to the value read from the environment."""
    api_key, accounts = next(iter(defaults.keys.items()))
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_apifansly.sandbox",
        description="Serve an offline apifansly API (defaults come from FANSLY_SANDBOX_* variables).",
    )
    add = parser.add_argument
    add("--host", default=defaults.host, help="interface to listen on (default %(default)s)")
    port = defaults.port if PORT_VARIABLE in os.environ else CLI_PORT
    add("--port", type=int, default=port, help="port to listen on, 0 for a free one (default %(default)s)")
    add("--rpm", type=parse_limit, default=defaults.rpm, help="requests/min per key, or 'unlimited'")
    add("--window-seconds", type=float, default=defaults.window_seconds, help="rate window length")
    add("--credits", type=parse_limit, default=defaults.credits, help="credits per key, or 'unlimited'")
    add("--latency", type=float, default=defaults.latency, help="seconds added to every response")
    add("--jitter", type=float, default=defaults.latency_jitter, help="up to this many more seconds")
    add("--seed", type=int, default=defaults.seed, help="seed of jitter and fault probabilities")
    add("--api-key", default=api_key, help="the API key clients must send")
    add("--account-id", default=accounts[0].account_id, help="the connected account id (fansly_...)")
    add("--creator-id", default=accounts[0].creator_id, help="the creator's native Fansly id")
    add(
        "--accounts",
        type=_positive_int,
        default=1,
        metavar="N",
        help="connect N accounts to the key (an agency's), each with its own creator: the account id "
        "and creator id above, then {account id}_2 with creator id + 1, ... (default %(default)s)",
    )
    add(
        "--retry-after-header",
        action=argparse.BooleanOptionalAction,
        default=defaults.send_retry_after,
        help="also send a plain Retry-After on 429s",
    )
    add(
        "--fault",
        type=Fault.from_json,
        action="append",
        default=list(defaults.faults),
        metavar="JSON",
        help='a fault to inject, e.g. \'{"kind": "status", "status": 503, "first_n": 2}\' (repeatable)',
    )
    add(
        "--seed-chats",
        type=_positive_int,
        default=None,
        metavar="N",
        help=f"start with N listed chats, with fans {SEED_FAN_BASE}, {SEED_FAN_BASE + 1}, ... (printed)",
    )
    add(
        "--seed-subscribers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="start with N active subscribers (the same fans), subscribed over the last hour",
    )
    add(
        "--seed-followers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="start with N followers (the same fans)",
    )
    for setting in SWITCHES:
        default = getattr(defaults, setting.name)
        help = f"{setting.help} (default %(default)s)"
        if setting.kind is bool:
            add(setting.flag, action=argparse.BooleanOptionalAction, default=default, help=help)
        elif setting.values:
            add(setting.flag, type=setting.kind, choices=setting.values, default=default, help=help)
        else:
            add(setting.flag, type=_switch_value(setting), default=default, help=help)
    add("--conn-id", default=DEFAULT_CONN_ID, help="the Airflow connection id of the export line")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _switch_value(setting: Switch) -> Callable[[str], Any]:
    """The argparse ``type`` of a switch's flag: its value, read and checked as its variable's is."""

    def value(text: str) -> Any:
        try:
            found = setting.parse(text)
            setting.check(found)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return found

    value.__name__ = setting.name  # argparse names the type in its errors
    return value


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """The ``SandboxConfig`` the command line asks for, over the ``FANSLY_SANDBOX_*`` variables."""
    [first] = single_key(args.api_key, args.account_id, args.creator_id)[args.api_key]
    return SandboxConfig(
        keys={args.api_key: connected_accounts(first, args.accounts)},
        rpm=args.rpm,
        window_seconds=args.window_seconds,
        credits=args.credits,
        latency=args.latency,
        latency_jitter=args.jitter,
        seed=args.seed,
        faults=args.fault,
        send_retry_after=args.retry_after_header,
        host=args.host,
        port=args.port,
        **{setting.name: getattr(args, setting.name) for setting in SWITCHES},
    )


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds the serving loop, which stops the sandbox cleanly


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM and exit 0; exit 1 when the port cannot be had, 2 on bad seeding."""
    defaults = SandboxConfig.from_env()
    args = build_parser(defaults).parse_args(argv)
    config = config_from_args(args)
    config.journal_size = defaults.journal_size
    sandbox = FanslySandbox(config)
    fans = [str(SEED_FAN_BASE + n) for n in range(args.seed_chats or 0)]
    subscribers = [str(SEED_FAN_BASE + n) for n in range(args.seed_subscribers or 0)]
    now_ms = int(time.time() * 1000)
    step = SEED_SPREAD_MS // max(1, len(subscribers))
    account_ids = [account.account_id for account in config.keys[args.api_key]]
    what = "chats"
    try:  # before serving, so no client sees the accounts without them; each account gets the same fans
        for account_id in account_ids:
            what = "chats"
            sandbox.seed_chats(fans, account_id=account_id)
            what = "subscribers"
            created_at = [now_ms - n * step for n in range(len(subscribers))]
            sandbox.seed_subscribers(subscribers, created_at=created_at, account_id=account_id)
            what = "followers"
            followers = (str(SEED_FAN_BASE + n) for n in range(args.seed_followers or 0))
            sandbox.seed_followers(followers, account_id=account_id)
    except ValueError as error:
        print(f"apifansly sandbox cannot seed {what}: {error}", file=sys.stderr)
        return 2
    try:
        sandbox.start()
    except OSError as error:
        print(
            f"apifansly sandbox cannot listen on {config.host}:{config.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1
    signal.signal(signal.SIGTERM, _stop)
    try:
        print(f"apifansly sandbox serving {sandbox.url}/api/fansly/ (plan {config.plan}); Ctrl-C stops it")
        connection = shlex.quote(sandbox.connection_json(args.conn_id))
        print(f"export AIRFLOW_CONN_{args.conn_id.upper()}={connection}", flush=True)
        if len(account_ids) > 1:
            print(f"{len(account_ids)} connected accounts: {', '.join(account_ids)}", flush=True)
        if fans:  # in every account
            print(f"seeded {len(fans)} chats with fans {fans[0]} to {fans[-1]}", flush=True)
        if subscribers:
            print(f"seeded {len(subscribers)} active subscribers, the newest {subscribers[0]}", flush=True)
        if args.seed_followers:
            print(f"seeded {args.seed_followers} followers from fan {SEED_FAN_BASE}", flush=True)
        while True:
            time.sleep(3600)  # signals interrupt the sleep; the server runs in its own thread
    except KeyboardInterrupt:
        print("apifansly sandbox stopped", flush=True)
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
