"""The pacer keeps requests under the plan's sliding-window limit."""

from __future__ import annotations

import threading
import time

from airflow_provider_apifansly.hooks.pacing import SlidingWindowPacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def make_pacer(limit: int, window: float = 60.0) -> tuple[SlidingWindowPacer, FakeClock]:
    clock = FakeClock()
    return SlidingWindowPacer(limit, window, clock=clock, sleep=clock.sleep), clock


def test_requests_within_the_limit_start_at_once() -> None:
    pacer, clock = make_pacer(3)
    assert [pacer.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert clock.slept == []
    assert pacer.remaining == 0


def test_the_next_request_waits_until_the_oldest_leaves_the_window() -> None:
    pacer, clock = make_pacer(2, window=60)
    pacer.acquire()
    clock.now += 10
    pacer.acquire()
    assert pacer.acquire() == 50.0  # the first left the window at t0 + 60
    assert pacer.acquire() == 10.0  # the second at t0 + 70


def test_the_window_slides_rather_than_resetting_each_minute() -> None:
    pacer, clock = make_pacer(2, window=60)
    pacer.acquire()
    clock.now += 59
    pacer.acquire()
    clock.now += 2  # the first has left; the second has not
    assert pacer.remaining == 1


def test_the_servers_remaining_count_slows_us_down_when_the_key_is_shared() -> None:
    pacer, _ = make_pacer(10)
    pacer.acquire()
    pacer.observe(remaining=2)  # someone else used 7 of this minute's requests
    assert pacer.remaining == 2
    pacer.acquire()
    pacer.acquire()
    assert pacer.acquire() == 60.0


def test_a_server_count_behind_ours_changes_nothing() -> None:
    pacer, _ = make_pacer(10)
    for _ in range(3):
        pacer.acquire()
    pacer.observe(remaining=9)  # responses lag behind requests in flight
    pacer.observe(remaining=None)
    assert pacer.remaining == 7


def test_concurrent_threads_never_exceed_the_limit() -> None:
    pacer = SlidingWindowPacer(20, window=0.5)
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            pacer.acquire()
            with lock:
                starts.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts.sort()
    assert len(starts) == 40
    # Any 21 consecutive starts span at least one window (less scheduling slack).
    assert min(later - earlier for earlier, later in zip(starts, starts[20:], strict=False)) > 0.45
