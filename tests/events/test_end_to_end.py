"""Webhooks to DAG runs on a real Airflow 3.3: each event reaches the DAG once.

The api-server, a scheduler with LocalExecutor, the dag-processor and the triggerer on SQLite, a real receiver
and a real redis-server.

One stack serves the module's tests (starting it takes about half a minute); each test posts its own events.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_apifansly.sandbox import DEFAULT_CREATOR_ID, FanslySandbox
from airflow_provider_apifansly.webhooks.local_stack import AirflowStack, Receiver, RedisServer, wait_for
from tests.conftest import AIRFLOW_VERSION
from tests.events.bodies import message_received, ppv_purchased
from tests.events.conftest import ACCOUNT

pytestmark = [
    # Not `matrix`: acknowledge mode (what these tests prove) is Airflow 3.3's; older ones say so in the log.
    pytest.mark.integration,
    pytest.mark.skipif(
        AIRFLOW_VERSION.release[:2] < (3, 3),
        reason="needs Airflow 3.3's acknowledge mode for event triggers (shared streams); before 3.3 the "
        "trigger acknowledges on a delay, at least once",
    ),
]

DAG_FILES = [
    Path(__file__).parent / "dags" / "fansly_events_e2e.py",
    *(
        Path(__file__).parents[2] / "example_dags" / f"example_fansly_{name}.py"
        for name in ("on_ppv_purchase", "on_new_subscriber", "messages_to_storage")
    ),
]
STREAM = "apifansly:events:ppv.purchased"
GROUP = "airflow:ppv.purchased:*"
WAIT = 120.0


class Stack:
    """The running parts, and what the tests read from them."""

    def __init__(
        self,
        redis_server: RedisServer,
        receiver: Receiver,
        airflow: AirflowStack,
        sandbox: FanslySandbox,
        messages: Path,
    ) -> None:
        self.redis_server = redis_server
        self.receiver = receiver
        self.airflow = airflow
        self.sandbox = sandbox
        self.messages = messages  # where example_fansly_messages_to_storage writes
        self.redis = redis_server.client()

    def claims(self) -> list[tuple[str, str]]:
        rows = (row.decode().split() for row in self.redis.lrange("e2e:claims", 0, -1))
        return [(key, run_id) for key, run_id in rows]

    def wait_for_claims(self, keys: set[str]) -> list[tuple[str, str]]:
        def all_claimed() -> list[tuple[str, str]] | None:
            claims = self.claims()
            return claims if keys <= {key for key, _ in claims} else None

        try:
            wait_for(f"claims of {len(keys)} events", all_claimed, timeout=WAIT, poll=0.5)
        except TimeoutError:
            pytest.fail(f"not every event was claimed: {self.claims()}\n{self.airflow_logs()}")
        time.sleep(3)  # any late duplicate run would claim (or not) by now
        return self.claims()

    def airflow_logs(self) -> str:
        return "\n".join(
            f"--- {name}\n{self.airflow.log(name).read_text()[-3000:]}" for name in ("scheduler", "triggerer")
        )

    def pending(self) -> int:
        return int(self.redis.xpending(STREAM, GROUP)["pending"])

    def trigger_is_reading(self) -> bool:
        """The triggerer created the trigger's consumer group (it does so when the trigger starts)."""
        return bool(self.redis.exists(STREAM)) and any(
            group["name"].decode() == GROUP for group in self.redis.xinfo_groups(STREAM)
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("events-e2e")
    dags = root / "dags"
    dags.mkdir()
    for source in DAG_FILES:
        (dags / source.name).symlink_to(source)
    redis_server = RedisServer(root / "redis")
    redis_server.start()
    receiver = Receiver(root / "receiver", redis_server.url, ACCOUNT)
    sandbox = FanslySandbox().start()
    environment = {
        "AIRFLOW_CONN_REDIS_DEFAULT": redis_server.url,
        "AIRFLOW_CONN_FANSLY_DEFAULT": sandbox.connection_json(),
        "FANSLY_MESSAGES_BASE": f"file://{root / 'messages'}",
    }
    airflow = AirflowStack(root / "airflow", dags, environment)
    try:
        airflow.start()
        running = Stack(redis_server, receiver, airflow, sandbox, root / "messages")
        wait_for("the trigger's consumer group", running.trigger_is_reading, WAIT)
        yield running
    finally:
        airflow.stop()
        receiver.stop()
        redis_server.stop()
        sandbox.stop()


def post(stack: Stack, order_ids: list[str], fan: str = "723516315247063042") -> set[str]:
    keys = set()
    for order_id in order_ids:
        answer = stack.receiver.post(ppv_purchased(order_id, ACCOUNT, fan_id=fan))
        assert answer.status_code == 200, answer.text
        keys.add(answer.json()["key"])
    return keys


def test_a_burst_of_events_reaches_the_dag_once_each_across_coalesced_runs(stack: Stack) -> None:
    keys = post(stack, [f"burst-{n}" for n in range(8)])

    claims = stack.wait_for_claims(keys)

    mine = [key for key, _ in claims if key in keys]
    assert Counter(mine) == Counter(keys), "each event claimed exactly once"
    assert stack.pending() == 0, "every entry acknowledged once Airflow stored its event"


def test_five_posts_of_one_event_make_one_stream_entry_and_one_claim(stack: Stack) -> None:
    before = stack.redis.xlen(STREAM)
    answers = [stack.receiver.post(ppv_purchased("repeated", ACCOUNT)) for _ in range(5)]
    key = answers[0].json()["key"]
    assert [answer.json()["status"] for answer in answers] == ["stored"] + ["duplicate"] * 4

    claims = stack.wait_for_claims({key})

    assert stack.redis.xlen(STREAM) == before + 1
    assert [claimed for claimed, _ in claims].count(key) == 1


def test_a_triggerer_killed_between_yield_and_store_loses_nothing_and_duplicates_nothing(
    stack: Stack,
) -> None:
    log = stack.airflow.log("triggerer")
    fired_before = log.read_text().count("Trigger fired event")
    first = post(stack, ["kill-0"])
    # SIGKILL the moment the triggerer logs the yield: Airflow stores (and so confirms) about a second later.
    wait_for(
        "the trigger to fire", lambda: log.read_text().count("Trigger fired event") > fired_before, 60, 0.02
    )
    stack.airflow.kill("triggerer")
    assert stack.pending() >= 1, "the yielded entry is still unacknowledged"

    during = post(stack, [f"while-down-{n}" for n in range(3)])
    stack.airflow.start_process("triggerer")

    claims = stack.wait_for_claims(first | during)

    mine = [key for key, _ in claims if key in first | during]
    assert Counter(mine) == Counter(first | during), "each event claimed exactly once"
    wait_for("every entry acknowledged", lambda: stack.pending() == 0, 60)


def sent_by_creator(sandbox: FanslySandbox) -> list[tuple[str, str]]:
    """``(fan id, text)`` of each message the creator sent (the examples' thanks and welcomes)."""
    fan_of = {group.group_id: group.partner_id for group in sandbox.groups}
    return [
        (fan_of[record.group_id], record.message["content"])
        for record in sandbox.messages
        if record.message["senderId"] == DEFAULT_CREATOR_ID
    ]


def thanked_purchases(sandbox: FanslySandbox) -> Counter[str]:
    """Fan id -> purchases the example's thanks covered (a message says "(all N of them)" for N > 1)."""
    counted: Counter[str] = Counter()
    for fan, text in sent_by_creator(sandbox):
        if text.startswith("Thank you"):
            many = re.search(r"\(all (\d+) of them\)", text)
            counted[fan] += int(many.group(1)) if many else 1
    return counted


def test_the_ppv_example_thanks_each_buyer_once_per_purchase(stack: Stack) -> None:
    purchases = {"723516315247100001": 1, "723516315247100002": 2}
    for fan, count in purchases.items():
        post(stack, [f"example-{fan}-{n}" for n in range(count)], fan=fan)

    def all_thanked() -> bool:
        return all(thanked_purchases(stack.sandbox)[fan] >= count for fan, count in purchases.items())

    wait_for("the example's thanks", all_thanked, WAIT, 0.5)
    time.sleep(3)  # any late duplicate would have been sent by now
    thanked = thanked_purchases(stack.sandbox)
    assert {fan: thanked[fan] for fan in purchases} == purchases


def test_the_subscriber_and_storage_examples_welcome_once_and_store_each_message_once(stack: Stack) -> None:
    subscriber = {
        "event": "subscriptions.new",
        "accountId": ACCOUNT,
        "data": {"subscriberId": "723516315247200001"},
    }
    messages = [message_received(f"msg-{n}", ACCOUNT, fan="723516315247200002") for n in range(3)]
    # The subscription is sent twice, as a retrying sender would.
    for body in [subscriber, subscriber, *messages]:
        assert stack.receiver.post(body).status_code == 200

    def stored() -> list[dict[str, object]]:
        files = sorted(stack.messages.rglob("*.jsonl"))
        return [json.loads(line) for path in files for line in path.read_text().splitlines()]

    def welcomed() -> list[str]:
        return [fan for fan, text in sent_by_creator(stack.sandbox) if text.startswith("Welcome")]

    wait_for(
        "the welcome and the stored messages", lambda: bool(welcomed()) and len(stored()) >= 3, WAIT, 0.5
    )
    time.sleep(3)
    assert welcomed() == ["723516315247200001"]
    assert sorted(row["subject_id"] for row in stored()) == ["msg-0", "msg-1", "msg-2"]
    assert {row["content"] for row in stored()} == {"hi! private words"}  # include_content=True
    assert (stack.messages / "2026-07-08" / "18").is_dir()  # the hour the messages were sent (UTC)
