"""The pacer keeps requests under the plan's sliding-window limit."""

from __future__ import annotations

import threading
import time

import pytest

from airflow_provider_apifansly.hooks.pacing import (
    POLL_SECONDS,
    SLOT_GRACE_SECONDS,
    SlidingWindowPacer,
)


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


def send(pacer: SlidingWindowPacer) -> float:
    """One request, answered without rate-limit headers; the seconds it waited to start."""
    waited = pacer.acquire()
    pacer.observe({})
    return waited


def test_requests_within_the_limit_start_at_once() -> None:
    pacer, clock = make_pacer(3)
    assert [send(pacer) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert clock.slept == []
    assert pacer.remaining == 0


def test_the_next_request_waits_until_the_oldest_leaves_the_window() -> None:
    pacer, clock = make_pacer(2, window=60)
    send(pacer)
    clock.now += 10
    send(pacer)
    assert send(pacer) == 50.0  # the first left the window at t0 + 60
    assert send(pacer) == 10.0  # the second at t0 + 70


def test_the_window_slides_rather_than_resetting_each_minute() -> None:
    pacer, clock = make_pacer(2, window=60)
    send(pacer)
    clock.now += 59
    send(pacer)
    clock.now += 2  # the first has left; the second has not
    assert pacer.remaining == 1


def answer(remaining: int, limit: int = 10) -> dict[str, str]:
    """The rate-limit headers of a 2xx answer."""
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining)}


def refused(retry_after: int, header: str = "X-RateLimit-Retry-After") -> dict[str, str]:
    """The headers of a 429."""
    return {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", header: str(retry_after)}


def test_the_first_request_goes_alone_until_an_answer_says_what_the_key_has_left() -> None:
    pacer, _ = make_pacer(10)
    pacer.acquire()
    assert pacer.remaining == 9
    waiter = threading.Thread(target=pacer.acquire)
    waiter.start()
    waiter.join(timeout=0.05)
    assert waiter.is_alive()  # polling on the fake clock until the first answer
    pacer.observe(answer(remaining=9))
    waiter.join()


def test_the_others_requests_in_the_servers_count_slow_us_down_when_the_key_is_shared() -> None:
    pacer, clock = make_pacer(10)
    pacer.acquire()
    pacer.observe(answer(remaining=2))  # someone else used 7 of this window's requests
    assert pacer.remaining == 2  # the free ones are ours to claim, however few we hold
    for remaining in (1, 0):
        pacer.acquire()
        pacer.observe(answer(remaining))
    # The key is full: the next request takes our own slot again, when it leaves the window.
    pacer.acquire()
    assert clock.now == pytest.approx(1060.0, abs=2 * POLL_SECONDS)


def test_a_server_count_behind_ours_changes_nothing() -> None:
    pacer, _ = make_pacer(10)
    for answered in (answer(remaining=9), answer(remaining=9), None):  # answers lag; one never came
        pacer.acquire()
        pacer.observe(answered)
    assert pacer.remaining == 7


class InFlight:
    """A request of ours on its own thread (the pacer ties a request to its thread): started now, answered later."""

    def __init__(self, pacer: SlidingWindowPacer, clock: FakeClock) -> None:
        self._pacer = pacer
        self._started, self._answer = threading.Event(), threading.Event()
        self._headers: dict[str, str] | None = None
        self._thread = threading.Thread(target=self._run)
        self._thread.start()
        self._started.wait()
        clock.now += 0.01  # the next request starts later

    def _run(self) -> None:
        self._pacer.acquire()
        self._started.set()
        self._answer.wait()
        self._pacer.observe(self._headers)

    def answered(self, headers: dict[str, str] | None) -> None:
        self._headers = headers
        self._answer.set()
        self._thread.join()


def test_answers_out_of_order_are_not_mistaken_for_the_others_requests() -> None:
    pacer, clock = make_pacer(10)
    send(pacer)
    first, second = InFlight(pacer, clock), InFlight(pacer, clock)
    second.answered(answer(remaining=7))  # the later request is answered first, counting both
    first.answered(answer(remaining=8))
    assert pacer.remaining == 7


def test_our_later_request_that_arrives_first_is_the_others_only_until_it_is_answered() -> None:
    pacer, clock = make_pacer(10)
    send(pacer)
    first, second = InFlight(pacer, clock), InFlight(pacer, clock)
    first.answered(answer(remaining=7))  # counting the second, which reached the server first
    # Ours or someone else's? Until the second is answered, held as someone else's: 6 free.
    assert pacer.remaining == 6
    second.answered(answer(remaining=8))  # it arrived before the first: the count was ours
    assert pacer.remaining == 7


def test_whichever_of_our_later_requests_arrived_first_explains_the_count() -> None:
    pacer, clock = make_pacer(10)
    send(pacer)
    first, second, third = InFlight(pacer, clock), InFlight(pacer, clock), InFlight(pacer, clock)
    first.answered(answer(remaining=7))  # counting one more: the second or the third?
    third.answered(answer(remaining=6))  # not the third: it arrived after the first
    second.answered(answer(remaining=8))  # the second, which arrived before the first
    assert pacer.remaining == 6


def test_what_an_earlier_answer_counted_stays_the_others_if_our_later_request_came_after() -> None:
    pacer, clock = make_pacer(10)
    send(pacer)
    first, second = InFlight(pacer, clock), InFlight(pacer, clock)
    first.answered(answer(remaining=7))  # someone else's request, not the second, came in between
    second.answered(answer(remaining=6))  # the second counts it too
    assert pacer.remaining == 6  # 10 less our 3 and the others' 1


def test_a_count_our_later_request_never_explains_stays_the_others() -> None:
    pacer, clock = make_pacer(10)
    send(pacer)
    first, second = InFlight(pacer, clock), InFlight(pacer, clock)
    first.answered(answer(remaining=7))
    second.answered(None)  # e.g. a connection error: whether it arrived first, no answer tells
    assert pacer.remaining == 6  # as in the test above: one request held as someone else's


def test_a_lower_limit_from_the_server_wins() -> None:
    pacer, _ = make_pacer(10)
    pacer.acquire()
    pacer.observe(answer(remaining=2, limit=3))  # the plan is smaller than the connection says
    assert pacer.remaining == 2


def test_our_slot_that_leaves_the_window_is_ours_again_while_the_others_hold_theirs() -> None:
    pacer, clock = make_pacer(4)
    pacer.acquire()
    pacer.observe(answer(remaining=3, limit=4))
    clock.now += 1
    pacer.acquire()
    pacer.observe(answer(remaining=0, limit=4))  # the others took the last two
    clock.now += 59  # our first request leaves the window
    assert pacer.remaining == 1
    assert pacer.acquire() == 0.0
    pacer.observe(answer(remaining=0, limit=4))
    clock.now += 1 + SLOT_GRACE_SECONDS  # our second has left; by our clock the others' have too
    assert pacer.remaining == 0  # but only the server can say when theirs left


def test_the_others_slots_stay_theirs_for_a_window_after_an_answer_first_showed_them() -> None:
    pacer, clock = make_pacer(100)
    pacer.acquire()
    pacer.observe(answer(remaining=95, limit=100))  # the others hold 4
    clock.now += 1
    pacer.acquire()
    pacer.observe(answer(remaining=97, limit=100))  # 3 with our two: three of theirs left the server's window
    # They started no later than our first answer showed them, so their owners reuse those slots first.
    assert pacer.remaining == 94  # 100 - our 2 - their 4
    clock.now += 60.5 + SLOT_GRACE_SECONDS - 1  # a window and the grace since we first saw them
    pacer.acquire()  # reuses our first slot
    pacer.observe(answer(remaining=98, limit=100))  # our two, none of theirs
    assert pacer.remaining == 98


def test_a_count_older_than_the_window_is_forgotten_and_the_next_request_probes() -> None:
    pacer, clock = make_pacer(10)
    pacer.acquire()
    pacer.observe(answer(remaining=1))  # the others hold 8
    clock.now += 61  # no answer since: the others may all be gone, or not
    assert pacer.remaining == 10
    pacer.acquire()
    waiter = threading.Thread(target=pacer.acquire)
    waiter.start()
    waiter.join(timeout=0.05)
    assert waiter.is_alive()  # one request at a time until an answer says what the key has left
    pacer.observe(answer(remaining=9))
    waiter.join()


def test_the_others_in_flight_are_read_from_how_fast_their_count_grew() -> None:
    pacer, clock = make_pacer(100)
    pacer.acquire()
    pacer.observe(answer(remaining=89, limit=100))  # 10 of the others' with our one
    clock.now += 0.5
    pacer.acquire()
    pacer.observe(answer(remaining=69, limit=100))  # 29 of theirs: 38 a second
    # 69 free less what they started since that count, at that rate: 38 x (0 s + our latency 0 s)...
    assert pacer.remaining == 69
    clock.now += 0.5  # ...and half a second later, 19 more of theirs no answer shows yet
    assert pacer.remaining == 50


def test_the_others_in_flight_are_not_reckoned_from_our_own_concurrency() -> None:
    pacer, clock = make_pacer(240)
    pacer.acquire()
    pacer.observe(answer(remaining=131, limit=240))  # a joiner on a key 109/240 busy
    first, second, third = InFlight(pacer, clock), InFlight(pacer, clock), InFlight(pacer, clock)
    for remaining, request in zip((130, 129, 128), (first, second, third), strict=True):
        request.answered(answer(remaining, limit=240))
    assert pacer.remaining == 240 - 108 - 4  # every free slot, at once


def test_free_slots_are_claimed_whatever_we_already_hold() -> None:
    pacer, _clock = make_pacer(100)
    pacer.acquire()
    pacer.observe(answer(remaining=5, limit=100))  # the others hold 94
    assert pacer.remaining == 5  # not 5 x 1/95, as a share proportional to what we hold would give


def test_a_429_holds_every_thread_until_the_window_frees() -> None:
    pacer, _ = make_pacer(10)
    pacer.acquire()
    pacer.observe(refused(retry_after=5), rate_limited=True)
    assert pacer.remaining == 0
    waited = []
    other_thread = threading.Thread(target=lambda: waited.append(pacer.acquire()))
    other_thread.start()
    other_thread.join()
    assert waited == [5.0]


def test_a_plain_retry_after_holds_the_pacer_too() -> None:
    pacer, _ = make_pacer(10)
    pacer.acquire()
    pacer.observe(refused(retry_after=3, header="Retry-After"), rate_limited=True)
    assert pacer.acquire() == 3.0


def test_a_refused_request_is_not_counted_in_our_window() -> None:
    pacer, clock = make_pacer(2)
    pacer.acquire()
    pacer.observe(refused(retry_after=1), rate_limited=True)  # a probe refused: it teaches no limit
    clock.now += 1
    assert pacer.remaining == 2  # the refused one never took a slot


def test_concurrent_threads_never_exceed_the_limit() -> None:
    pacer = SlidingWindowPacer(20, window=0.5)
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            send(pacer)
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


def test_one_429_against_a_count_that_left_room_holds_for_its_wait_and_teaches_no_lower_limit() -> None:
    pacer, clock = make_pacer(100)
    pacer.acquire()
    pacer.observe(answer(remaining=95, limit=100))  # the others hold 4
    pacer.acquire()
    pacer.observe(
        {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Retry-After": "1"},
        rate_limited=True,
    )  # a passing fault, or a Remaining that missed the others: the wait says when the key frees
    assert pacer.remaining == 0
    clock.now += 1
    assert pacer.remaining >= 1  # the wait is over
    clock.now += 60
    assert pacer.remaining == 100  # a window later the whole limit again: no lower limit was learned
