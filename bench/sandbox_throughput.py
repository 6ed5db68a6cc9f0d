"""How many requests per second the sandbox answers over one keep-alive ``requests.Session``.

Run it with ``python bench/sandbox_throughput.py [--requests N]``. It measures
``GET /accounts`` and ``POST /group`` (a new fan each time, so every request
creates a group) against the sandbox (no latency, unlimited plan), and the same
requests against a bare ``http.server`` baseline that returns a fixed tiny JSON
(tuned as well as ``http.server`` allows: Nagle off, one send per response), so
the ratio shows what the sandbox's faithfulness costs beyond the client's own time.
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_CREATOR_ID,
    FanslySandbox,
    SandboxConfig,
)

GOAL_PER_SECOND = 2000
WARMUP = 200


class _BaselineHandler(BaseHTTPRequestHandler):
    """Reads the request and answers a fixed tiny JSON: the floor any Python HTTP server stands on."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    _BODY = b'{"statusCode":200,"message":"Success","data":null}'
    _RESPONSE = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(_BODY)
        + _BODY
    )

    def do_GET(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.wfile.write(self._RESPONSE)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Stay silent, like the sandbox."""


@contextmanager
def baseline_server() -> Iterator[str]:
    """Serve the baseline on a free port; yield its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BaselineHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def rate(send: Callable[[], requests.Response], count: int) -> float:
    """Requests per second over ``count`` calls, after a warm-up; every answer must be a 2xx."""
    for _ in range(WARMUP):
        send().raise_for_status()
    started = time.perf_counter()
    for _ in range(count):
        send().raise_for_status()
    return count / (time.perf_counter() - started)


def group_body(fan: int) -> dict[str, object]:
    """A Create Group Chat body for a fan of its own, so that every request creates a group."""
    users = [
        {"userId": DEFAULT_CREATOR_ID, "permissionFlags": 0},
        {"userId": str(710_000_000_000_000_000 + fan), "permissionFlags": 0},
    ]
    return {"users": users, "type": 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="requests per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each; the best one counts")
    parser.add_argument(
        "--no-trust-env",
        action="store_true",
        help="skip requests' per-request scan of proxy variables (client time, not the server's)",
    )
    args = parser.parse_args()
    session = requests.Session()
    session.trust_env = not args.no_trust_env
    session.headers["x-api-key"] = DEFAULT_API_KEY
    with FanslySandbox(SandboxConfig(rpm=None)) as sandbox, baseline_server() as baseline:
        api = f"{sandbox.url}/api/fansly"
        fans = itertools.count()
        routes: dict[str, tuple[Callable[[], requests.Response], Callable[[], requests.Response]]] = {
            "GET /accounts": (
                lambda: session.get(f"{api}/accounts"),
                lambda: session.get(f"{baseline}/api/fansly/accounts"),
            ),
            "POST /group": (
                lambda: session.post(f"{api}/{DEFAULT_ACCOUNT_ID}/group", json=group_body(next(fans))),
                lambda: session.post(f"{baseline}/api/fansly/group", json=group_body(next(fans))),
            ),
        }
        # Rounds alternate sandbox and baseline, so a burst of load elsewhere hits both alike.
        best: dict[tuple[str, int], float] = {}
        for _ in range(args.rounds):
            for route, senders in routes.items():
                for which, send in enumerate(senders):
                    best[route, which] = max(best.get((route, which), 0.0), rate(send, args.requests))
        assert sandbox.counters.groups_created == args.rounds * (args.requests + WARMUP)
    print(
        f"{args.requests} requests per measurement over one keep-alive requests.Session, best of {args.rounds}"
    )
    print(f"{'route':<15}{'sandbox req/s':>15}{'baseline req/s':>16}{'ratio':>8}")
    for route in routes:
        sandbox_rate, baseline_rate = best[route, 0], best[route, 1]
        verdict = "ok" if sandbox_rate >= GOAL_PER_SECOND else f"below the {GOAL_PER_SECOND} req/s goal"
        print(
            f"{route:<15}{sandbox_rate:>15,.0f}{baseline_rate:>16,.0f}{sandbox_rate / baseline_rate:>8.2f}  {verdict}"
        )


if __name__ == "__main__":
    main()
