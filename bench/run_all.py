"""Run every benchmark of the provider against the sandbox on 127.0.0.1 and write docs/benchmarks.md.

``make bench`` (or ``.venv/bin/python bench/run_all.py``) takes about eight minutes;
``--quick`` shrinks every scenario to a smoke test of about two minutes. A scenario
with a ``__main__`` (``bench/credits.py``, ``bench/sending.py``, ``bench/shared_key.py``) also runs alone,
at the full sizes or with ``--quick``.
Each scenario prints its table as it finishes; the document gathers them all
with the machine they ran on.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from report import credit_section, document, load_average, machine, to_text
from scenario import FULL, LATENCY, QUICK, Scenario, quiet_provider_logs

REPO = Path(__file__).resolve().parent.parent


def scenarios(scratch: Path) -> list[Scenario]:
    """The scenarios in the order they run; imported late, once the Airflow environment is set.

    A new scenario is one module with a function of the sizes, imported and listed here;
    the older ones taking their own arguments are adapted by a lambda.
    """
    from airflow_cost import dag_runs, import_cost
    from broadcasts import broadcasts
    from credits import credit_smart_bulk
    from events import events
    from export import export_to_storage
    from fans import fans_paging
    from media import media_uploads
    from overhead import per_call_overhead
    from sandbox_throughput import sandbox_throughput
    from segments import segments
    from sending import sending_messages
    from shared_key import shared_key
    from thrift import thrift
    from throughput import rate_limited_plan, unlimited_plan

    return [
        lambda sizes: sandbox_throughput(sizes.sandbox_requests, rounds=3),
        lambda sizes: unlimited_plan(sizes.creations, sizes.scaled_creations, LATENCY, sizes.concurrencies),
        lambda sizes: rate_limited_plan(
            sizes.limited_creations, sizes.limit, sizes.window, LATENCY, concurrency=8
        ),
        lambda sizes: per_call_overhead(sizes.overhead_calls, sizes.overhead_rounds),
        lambda sizes: dag_runs(scratch, sizes.dag_fans, LATENCY),
        lambda sizes: import_cost(scratch, sizes.import_runs),
        credit_smart_bulk,
        sending_messages,
        fans_paging,
        export_to_storage,
        media_uploads,
        broadcasts,
        shared_key,
        segments,
        events,
        thrift,
    ]


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
        for scenario in scenarios(Path(scratch)):
            sections.append(scenario(sizes))
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
