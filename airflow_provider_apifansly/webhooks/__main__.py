"""Serve the webhook receiver.

``python -m airflow_provider_apifansly.webhooks --redis-url URL --token-file PATH --accounts
fansly_A[,fansly_B] [--host H] [--port P]``.

Each flag defaults to its ``FANSLY_WEBHOOKS_*`` variable (``FANSLY_WEBHOOKS_REDIS_URL``, ``..._TOKEN_FILE``,
``..._ACCOUNTS``, ``..._HOST``, ``..._PORT``). uvicorn's access log stays off: the path holds the token.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

ENV_PREFIX = "FANSLY_WEBHOOKS_"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8780


def build_parser() -> argparse.ArgumentParser:
    """The CLI's flags, each defaulting to its ``FANSLY_WEBHOOKS_*`` variable."""
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_apifansly.webhooks",
        description="Receive apifansly webhooks into Redis streams (flags default to FANSLY_WEBHOOKS_*).",
    )
    add = parser.add_argument
    add("--redis-url", default=env(ENV_PREFIX + "REDIS_URL"), help="e.g. redis://127.0.0.1:6379/0")
    add("--token-file", default=env(ENV_PREFIX + "TOKEN_FILE"), help="file holding the 32+ character token")
    add("--accounts", default=env(ENV_PREFIX + "ACCOUNTS"), help="fansly_A[,fansly_B]: accounts accepted")
    add("--host", default=env(ENV_PREFIX + "HOST", DEFAULT_HOST), help="interface (default %(default)s)")
    add("--port", type=int, default=int(env(ENV_PREFIX + "PORT", DEFAULT_PORT)), help="(default %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the receiver until interrupted; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    missing = [flag for flag in ("redis_url", "token_file", "accounts") if not getattr(args, flag)]
    if missing:
        flags = ", ".join(f"--{name.replace('_', '-')} (or {ENV_PREFIX}{name.upper()})" for name in missing)
        parser.error(f"missing {flags}")
    try:
        token = Path(args.token_file).read_text()
    except OSError as exc:
        parser.error(f"cannot read the token file {args.token_file}: {exc.strerror}")
    accounts = [account.strip() for account in args.accounts.split(",") if account.strip()]

    import uvicorn

    from airflow_provider_apifansly.webhooks.receiver import create_app

    try:
        app = create_app(args.redis_url, token, accounts)
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
