"""Run every benchmark of the provider against the sandbox on 127.0.0.1 and write docs/benchmarks.md.

``make bench`` (or ``.venv/bin/python bench/run_all.py``) takes about eight minutes;
``--quick`` shrinks every scenario to a smoke test of about two minutes. A scenario
with a ``__main__`` (``bench/credits.py``, ``bench/sending.py``) also runs alone,
at the full sizes or with ``--quick``.
Each scenario prints its table as it finishes; the document gathers them all
with the machine they ran on.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from report import Section, credit_section, document, load_average, machine, to_text

REPO = Path(__file__).resolve().parent.parent
LATENCY = 0.05


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
)


def scenarios(sizes: Sizes, scratch: Path) -> list[Callable[[], Section]]:
    """The scenarios in the order they run; imported late, once the Airflow environment is set."""
    from airflow_cost import dag_runs, import_cost
    from credits import credit_smart_bulk
    from overhead import per_call_overhead
    from sandbox_throughput import sandbox_throughput
    from sending import sending_messages
    from throughput import rate_limited_plan, unlimited_plan

    return [
        lambda: sandbox_throughput(sizes.sandbox_requests, rounds=3),
        lambda: unlimited_plan(sizes.creations, sizes.scaled_creations, LATENCY, sizes.concurrencies),
        lambda: rate_limited_plan(sizes.limited_creations, sizes.limit, sizes.window, LATENCY, concurrency=8),
        lambda: per_call_overhead(sizes.overhead_calls, sizes.overhead_rounds),
        lambda: dag_runs(scratch, sizes.dag_fans, LATENCY),
        lambda: import_cost(scratch, sizes.import_runs),
        lambda: credit_smart_bulk(sizes, LATENCY),
        lambda: sending_messages(sizes, LATENCY),
    ]


def quiet_provider_logs() -> None:
    """Retries and progress are counted by the benchmark; their log lines would bury the tables."""
    import airflow_provider_apifansly.hooks.fansly  # noqa: F401  (Airflow sets up logging on import)

    logging.getLogger("airflow_provider_apifansly").setLevel(logging.ERROR)
    # The hook's own lines (e.g. "reached chat ... although the send failed") log under Airflow's hook logger.
    logging.getLogger("airflow.task.hooks.airflow_provider_apifansly").setLevel(logging.ERROR)
    logging.getLogger("bench.quiet").setLevel(logging.ERROR)


def standalone(scenario: Callable[[Sizes], Section]) -> None:
    """Run one scenario on its own (its module's ``__main__``) at the full sizes, or with --quick."""
    parser = argparse.ArgumentParser(description="Run one scenario of bench/run_all.py and print its table")
    parser.add_argument("--quick", action="store_true", help="the --quick sizes of bench/run_all.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="apifansly-bench-") as scratch:
        os.environ["AIRFLOW_HOME"] = str(Path(scratch) / "airflow-home")
        quiet_provider_logs()
        print(to_text(scenario(QUICK if args.quick else FULL)), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: a smoke test, not figures to publish"
    )
    parser.add_argument(
        "--output", type=Path, default=REPO / "docs" / "benchmarks.md", help="the document to write"
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    command = ".venv/bin/python bench/run_all.py --quick" if args.quick else "make bench"
    facts = [*machine(), ("Load average at start (1, 5, 15 min)", load_average())]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="apifansly-bench-") as scratch:
        # The hook reads its connections from the environment; this keeps Airflow off ~/airflow.
        os.environ["AIRFLOW_HOME"] = str(Path(scratch) / "airflow-home")
        quiet_provider_logs()
        sections = []
        for scenario in scenarios(sizes, Path(scratch)):
            sections.append(scenario())
            print(to_text(sections[-1]), end="\n\n", flush=True)
    sections.append(credit_section(sections))
    print(to_text(sections[-1]), flush=True)
    facts += [("Load average at end", load_average()), ("Duration", f"{time.monotonic() - started:.0f} s")]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(document(command, facts, sections))
    print(f"\nWrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
