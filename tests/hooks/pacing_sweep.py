"""The pacer on many starts: benchmark scenario 12 and the unending hooks in the simulator, over seeds.

One seed (the tests') can flatter or wrong a pacer change: the simulated latency's jitter moves
which hook wins each race at a window's turn. This prints, for each start, the mean and the worst
429 share and finish over the seeds, and the unending hooks' fairness, in about ten seconds:

    python -m tests.hooks.pacing_sweep [seeds]
"""

from __future__ import annotations

import statistics
import sys

from .pacing_sim import Hook, Server, Simulation

REQUESTS = 1_190  # as bench/shared_key.py: 10 short of five windows of 240
WORKERS = 8
STARTS = {"released together": 0.0, "1 s apart": 1.0, "7 s apart": 7.0}


def workers(apart: float) -> list[Hook]:
    """Eight workers of three threads sharing ``REQUESTS`` calls, started ``apart`` seconds after one another."""
    return [
        Hook(f"worker {n}", start=n * apart, calls=REQUESTS // WORKERS + (n < REQUESTS % WORKERS))
        for n in range(WORKERS)
    ]


def jain(shares: list[int]) -> float:
    """Jain's fairness index: 1 for equal shares, 1/n when one takes all."""
    return sum(shares) ** 2 / (len(shares) * sum(share * share for share in shares))


def main(seeds: int) -> None:
    for label, apart in STARTS.items():
        refused, finish = [], []
        for seed in range(1, seeds + 1):
            sim = Simulation(Server(), workers(apart), seed=seed).run(1500)
            refused.append(sim.refused / (len(sim.admitted) + sim.refused))
            finish.append(sim.finish_ratio(REQUESTS))
        print(
            f"{label:>18}: 429s {statistics.mean(refused):.2%} (worst {max(refused):.2%}), "
            f"finish {statistics.mean(finish):.3f}x (worst {max(finish):.3f}x)"
        )
    fairness = []
    for seed in range(1, seeds + 1):
        hooks = [Hook(f"hook {n}", start=7 * n) for n in range(6)]
        Simulation(Server(), hooks, seed=seed).run(35 + 10 * 60)
        fairness.append(jain([sum(hook.per_minute(35, 35 + 10 * 60)[5:]) for hook in hooks]))
    print(
        f"{'6 unending hooks':>18}: Jain's index over minutes 6-10 {min(fairness):.2f} to {max(fairness):.2f}, "
        f"median {statistics.median(fairness):.2f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 12)
