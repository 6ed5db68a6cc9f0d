"""Pacers sharing one key, on a virtual clock against the reference server (``pacing_sim``).

One test per failure issue 33 measured. The figures are exact (a deterministic simulation, no
real time), so each assertion states what the rules achieve with a stated margin, and the
figure the pacer of 0560e28 gave in the same simulation.
"""

from __future__ import annotations

import pytest

from airflow_provider_apifansly.exceptions import FanslyRateLimitWaitError
from airflow_provider_apifansly.hooks.pacing import SlidingWindowPacer

from . import pacing_sweep
from .pacing_sim import Hook, Server, Simulation

WORK = 1200  # 8 workers x 150 calls: five windows of 240


def workers(apart: float) -> list[Hook]:
    """Eight workers of three threads, 150 calls each, started ``apart`` seconds after one another."""
    return [Hook(f"worker {n}", start=n * apart, calls=WORK // 8) for n in range(8)]


def test_a_hook_alone_on_a_key_uses_the_whole_of_every_window_without_a_429() -> None:
    sim = Simulation(Server(), [Hook("alone", calls=WORK)]).run(600)

    assert sim.refused == 0
    assert sim.slots_per_window() == [240] * 5
    assert sim.finish_ratio(WORK) <= 1.03  # 1.021: the last window's 240 take a second to send


def test_a_worker_joining_a_key_109_of_240_busy_gets_its_calls_at_unloaded_speed() -> None:
    busy = Hook("others", paced=False, threads=1, interval=60 / 109)  # 109 requests a minute
    joiner = Hook("joiner", start=90, threads=1, calls=10)  # 10 calls one after another

    sim = Simulation(Server(), [busy, joiner]).run(300)

    durations = [ended - began for began, ended in joiner.calls_done]
    assert len(durations) == 10
    assert max(durations) <= 2 * joiner.latency  # was 60.5 s a call from the second on
    assert sim.refused == 0


def test_eight_workers_released_together_fill_every_window() -> None:
    sim = Simulation(Server(), workers(apart=0)).run(900)

    assert sim.slots_per_window() == [240] * 5
    assert sim.finish_ratio(WORK) <= 1.05  # 1.028 (was 1.257)
    # 28 refusals (2.3%; was 1), at windows' turns: see docs/rate-limits.md.
    assert sim.refused <= 0.03 * WORK


@pytest.mark.parametrize(("apart", "before"), [(1.0, 1.514), (7.0, 1.971)])
def test_eight_workers_started_apart_finish_sooner_than_before(apart: float, before: float) -> None:
    sim = Simulation(Server(), workers(apart)).run(900)

    assert len(sim.admitted) == WORK
    assert sim.finish_ratio(WORK) <= 1.30 < before  # 1.260 (1 s) and 1.267 (7 s)
    assert sim.refused <= 0.04 * WORK  # 16 and 38
    assert all(not hook.failed for hook in sim.hooks)


@pytest.mark.parametrize("seed", range(1, 9))
def test_six_unending_hooks_started_seven_seconds_apart_all_get_a_share(seed: int) -> None:
    hooks = [Hook(f"hook {n}", start=7 * n) for n in range(6)]
    Simulation(Server(), hooks, seed=seed).run(35 + 10 * 60)

    minutes = [hook.per_minute(35, 35 + 10 * 60) for hook in hooks]  # was 235 / 1 / 1 / 1 / 1 / 1 each minute
    assert sum(counts[-1] for counts in minutes) >= 235  # the key stays full
    assert min(min(counts[1:]) for counts in minutes) >= 3  # from the second minute no hook is starved
    # Shares in minutes 6 to 10, by Jain's index (1: equal; 1/6: one hook takes all). Measured over
    # seeds 1 to 24: 0.56 to 0.996, 0.90 at the median; the split before issue 33 scored 0.33.
    # Equal shares are not reached from every start: see docs/rate-limits.md.
    late = [sum(counts[5:]) for counts in minutes]
    assert sum(late) ** 2 / (len(late) * sum(count * count for count in late)) >= 0.5


def test_a_long_retry_after_stops_the_hook_at_once_and_nothing_is_sent_during_the_wait() -> None:
    busy = Hook("others", calls=240)
    bulk = Hook("bulk", start=10, calls=6, max_retry_wait=60)

    sim = Simulation(Server(retry_after=600), [busy, bulk]).run(900)

    assert bulk.refused == 1  # the probe's 429 asked for 600 s
    assert bulk.stopped is not None
    assert "600 s" in str(bulk.stopped)
    assert bulk.sent_during_stop == 0
    assert len(bulk.failed) == 3  # the three threads' calls; the other three were never started
    assert sim.now == 900
    assert not bulk.admitted


def test_a_silent_server_teaches_the_limit_so_few_429s_and_no_failed_items() -> None:
    # No X-RateLimit-* headers, 429s without a wait; the hook believes the plan allows 600.
    server = Server(rate_headers=False, retry_header=False)
    hook = Hook("silent", threads=8, calls=600, rpm=600)

    sim = Simulation(server, [hook]).run(3000)

    assert len(hook.admitted) == 600
    assert not hook.failed
    assert sim.refused <= 20  # 15 (was 597)
    assert sim.finish_ratio(600) <= 1.05  # 1.030


def test_retry_after_zero_does_not_hammer_the_server() -> None:
    full = Hook("others", paced=False, threads=8, interval=60 / 240, account="others")  # keeps the key full
    hook = Hook("ours", start=70, threads=1, calls=1, max_retry_wait=3600)

    Simulation(Server(retry_after=0), [full, hook]).run(300)

    # Refused at +0, +7.6 and +22.8 s (holds of 7.5 s, then 15 s), admitted at +53 s after 30 s more:
    # never milliseconds apart (the pacer of 0560e28 sent five in 20 ms).
    assert hook.refused == 3
    assert len(hook.calls_done) == 1
    assert not hook.failed
    assert 70 + 7.5 + 15 + 30 <= hook.admitted[0] <= 70 + 7.5 + 15 + 30 + 1


def test_a_remaining_counting_only_this_account_is_survived_by_honouring_the_429s_waits() -> None:
    server = Server(per_account=True)
    hooks = [Hook("account a", account="a", calls=600), Hook("account b", account="b", start=3, calls=600)]

    sim = Simulation(server, hooks).run(3000)

    assert len(sim.admitted) == 1200
    assert all(not hook.failed for hook in hooks)
    # 42 refusals (3.4%, as before), each holding its hook until the window frees; none is taken for a
    # lower limit, since a server that counts says when the key frees, so the run ends at full speed.
    assert sim.refused <= 0.04 * 1200
    assert sim.finish_ratio(1200) <= 1.05  # 1.021


def virtual_pacer(now: list[float], max_hold: float | None = None) -> SlidingWindowPacer:
    """A pacer of 10 a minute on the clock ``now[0]``, whose sleeps move that clock."""
    return SlidingWindowPacer(
        10,
        60,
        clock=lambda: now[0],
        sleep=lambda seconds: now.__setitem__(0, now[0] + seconds),
        max_hold=max_hold,
    )


def test_a_hold_longer_than_max_hold_refuses_at_once() -> None:
    now = [1000.0]
    pacer = virtual_pacer(now, max_hold=30)
    pacer.acquire()
    pacer.observe({"X-RateLimit-Retry-After": "120"}, rate_limited=True)

    with pytest.raises(
        FanslyRateLimitWaitError, match=r"wait 120 s more \(until .* UTC\).*max_retry_wait=30 s"
    ):
        pacer.acquire()
    assert now == [1000.0]  # refused at once, not after sleeping
    now[0] += 95
    assert pacer.acquire() == 25.0  # what is left of the wait is within max_hold: waited, then sent


def test_a_hold_the_pacer_guessed_is_cut_to_max_hold_and_does_not_stop_the_hook() -> None:
    now = [1000.0]
    pacer = virtual_pacer(now, max_hold=1)
    pacer.acquire()
    pacer.observe({}, rate_limited=True)  # no wait given: an eighth of the window, cut to 1 s

    assert pacer.acquire() == 1.0


def test_429s_without_a_wait_hold_an_eighth_of_the_window_doubling_until_an_answer() -> None:
    now = [1000.0]
    pacer = virtual_pacer(now)
    waits = []
    for _ in range(5):
        waits.append(pacer.acquire())
        pacer.observe(
            {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "Retry-After": "0"}, rate_limited=True
        )
    waits.append(pacer.acquire())
    pacer.observe({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9"})  # an answer ends the run of 429s
    waits.append(pacer.acquire())

    assert waits == [0.0, 7.5, 15.0, 30.0, 60.0, 60.0, 0.0]


def test_the_sweep_over_seeds_prints_each_start_and_the_unending_hooks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pacing_sweep.main(seeds=1)

    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0].strip() for line in lines] == [*pacing_sweep.STARTS, "6 unending hooks"]
    assert "finish 1.0" in lines[0]  # released together: one seed as the tests run it
