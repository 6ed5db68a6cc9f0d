"""What every scenario shares: the sizes it runs at, the sandbox's latency, and the runner for its ``__main__``.

This module imports no scenario, so ``run_all`` -> scenarios -> this module stays a tree.
A scenario is a function taking the ``Sizes`` and returning a ``report.Section`` (``Scenario``).
To add one: write ``bench/<name>.py`` with ``def <name>(sizes: Sizes) -> Section``, give ``Sizes``
the fields it needs (in ``FULL`` and ``QUICK``), import and list it in ``run_all.scenarios``, and end
the module with ``if __name__ == "__main__": standalone(<name>)`` so it also runs alone.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from report import Section, to_text

LATENCY = 0.05  # seconds the sandbox waits before each answer, in every scenario that sets one


@dataclass(frozen=True)
class Sizes:
    """How big each scenario is."""

    sandbox_requests: int  # scenario 0, per measurement
    creations: int  # scenario 1, per run
    scaled_creations: int  # scenario 1, once more at the widest concurrency
    concurrencies: tuple[int, ...]
    limited_creations: int  # scenario 2: more than one window's worth, or pacing never starts
    limit: int  # requests per window
    window: float  # seconds; the hook's pacer uses 60
    overhead_calls: int  # scenario 3, per client and round
    overhead_rounds: int
    dag_fans: int  # scenario 4
    import_runs: int  # scenario 5
    rerun_fans: int  # scenario 6: a bulk create run again over fans who mostly have their chat
    rerun_existing: int  # of those fans, how many have a (listed) chat before the run
    first_run_fans: int  # scenario 6: an account with no chats yet
    messages: int  # scenario 7, per run
    send_concurrencies: tuple[int, ...]
    limited_messages: int  # scenario 7 under the plan's limit: more than one window's worth
    subscribers: int  # scenario 8: the account's subscriptions
    new_subscribers: int  # of those, how many began in the hour read
    export_rows: int  # scenario 9: earnings transactions exported to file://
    media_processing: float  # scenario 10: seconds the sandbox takes to process an upload
    media_mb: int  # scenario 10: the file whose upload throughput and memory are measured
    broadcast_fans: int  # scenario 11: expired subscribers re-engaged, by one broadcast or a message each
    retry_chats: int  # scenario 11: a batch whose first try fails part-way, then its retry
    shared_key_requests: (
        int  # scenario 12: spread over eight worker processes on one key; not a multiple of the limit
    )
    shared_key_limit: int  # scenario 12: requests per window (240 per minute, or per quick window)
    shared_key_window: float  # scenario 12: seconds
    segment_subscribers: int  # scenario 13: active subscriptions read for the expiring segment
    supporters: tuple[int, ...]  # scenario 13: fans who spent in the top supporters' window
    event_posts: int  # scenario 14: webhooks posted to the receiver (and bare XADDs), one at a time
    event_runs: int  # scenario 14: events posted one by one to a running Airflow, each its own run
    thrift_subscribers: int  # scenario 15: active subscriptions of the expiring segment, pages of 100 and 50
    thrift_spenders: int  # scenario 15: fans ranked for the top 20
    thrift_chats: int  # scenario 15: listed chats of the account the examples open ~20 chats on


Scenario = Callable[[Sizes], Section]

FULL = Sizes(
    sandbox_requests=5000,
    creations=1000,
    scaled_creations=5000,
    concurrencies=(8, 16, 32),
    limited_creations=1500,
    limit=1200,
    window=60.0,
    overhead_calls=3000,
    overhead_rounds=5,
    dag_fans=200,
    import_runs=5,
    rerun_fans=5000,
    rerun_existing=4950,
    first_run_fans=1000,
    messages=1000,
    send_concurrencies=(8, 16),
    limited_messages=1500,
    subscribers=5000,
    new_subscribers=30,
    export_rows=1_000_000,
    media_processing=20.0,
    media_mb=200,
    broadcast_fans=3000,
    retry_chats=1000,
    shared_key_requests=1190,
    shared_key_limit=240,
    shared_key_window=60.0,
    segment_subscribers=5000,
    supporters=(50, 500, 5000),
    event_posts=2000,
    event_runs=5,
    thrift_subscribers=20_000,
    thrift_spenders=2_000,
    thrift_chats=30_000,
)
# 200 per 10 s is the full run's 1,200 per minute on a sixth of the window, so pacing shows in seconds.
QUICK = Sizes(
    sandbox_requests=1000,
    creations=200,
    scaled_creations=1000,
    concurrencies=(8, 16, 32),
    limited_creations=250,
    limit=200,
    window=10.0,
    overhead_calls=1000,
    overhead_rounds=3,
    dag_fans=50,
    import_runs=3,
    rerun_fans=1000,
    rerun_existing=990,
    first_run_fans=200,
    messages=200,
    send_concurrencies=(8, 16),
    limited_messages=250,
    subscribers=1000,
    new_subscribers=30,
    export_rows=50_000,
    media_processing=3.0,
    media_mb=20,
    broadcast_fans=300,
    retry_chats=200,
    shared_key_requests=1190,
    shared_key_limit=240,
    shared_key_window=15.0,
    segment_subscribers=1000,
    supporters=(50, 500, 1000),
    event_posts=300,
    event_runs=2,
    thrift_subscribers=2_000,
    thrift_spenders=2_000,
    thrift_chats=3_000,
)


def quiet_provider_logs() -> None:
    """Retries and progress are counted by the benchmark; their log lines would bury the tables."""
    import airflow_provider_apifansly.hooks.fansly  # noqa: F401  (Airflow sets up logging on import)

    logging.getLogger("airflow_provider_apifansly").setLevel(logging.ERROR)
    # The hook's own lines (e.g. "reached chat ... in an earlier attempt or try") log under Airflow's hook logger.
    logging.getLogger("airflow.task.hooks.airflow_provider_apifansly").setLevel(logging.ERROR)
    logging.getLogger("bench.quiet").setLevel(logging.ERROR)


def standalone(scenario: Scenario) -> None:
    """Run one scenario on its own (its module's ``__main__``) at the full sizes, or with --quick."""
    parser = argparse.ArgumentParser(description="Run one scenario of bench/run_all.py and print its table")
    parser.add_argument("--quick", action="store_true", help="the --quick sizes of bench/run_all.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="apifansly-bench-") as scratch:
        os.environ["AIRFLOW_HOME"] = str(Path(scratch) / "airflow-home")
        quiet_provider_logs()
        print(to_text(scenario(QUICK if args.quick else FULL)), flush=True)
