"""Each month, thank last month's 20 biggest spenders with a message.

``ListFansOperator(source="top_supporters")`` ranks the fans by gross spend over the run's
data interval (last month), largest first. The API answers at most 100 rows, ranked: for the
top 20, that one answer is enough, however many fans spent (without ``top``, a cut answer is
split until no part is, and each fan's spend added up across the parts). XCom ``spend`` holds
each fan's gross in thousandths of a dollar. Each run thanks its month's fans once: the send
never repeats a message across Airflow retries. The chats are opened without ``skip_existing``:
20 creates (each finds an existing chat) cost less than reading every page of List Chats.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param, task
from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_apifansly.operators.fans import ListFansOperator
from airflow_provider_apifansly.operators.group_chat import CreateGroupChatsOperator
from airflow_provider_apifansly.operators.messages import SendMessagesOperator

with DAG(
    dag_id="example_fansly_top_supporters_thanks",
    # A month-long data interval on Airflow 2 and 3 alike: the run on the 1st covers last month.
    schedule=CronDataIntervalTimetable("@monthly", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"thanks": Param("Thank you for your support last month!", type="string")},
    tags=["fansly", "example"],
) as dag:
    # [START howto_list_fans_top_supporters]
    top_supporters = ListFansOperator(task_id="top_supporters", source="top_supporters", top=20)
    # [END howto_list_fans_top_supporters]

    # No skip_existing: 20 creates (each finds an existing chat) cost less than every List Chats page.
    chats = CreateGroupChatsOperator(
        task_id="open_chats", user_ids=top_supporters.output, fail_policy="continue"
    )

    @task
    def thanks(chats: dict[str, str], text: str) -> dict[str, str]:
        """One thank-you per top supporter's chat: ``{group: text}``."""
        print(f"{len(chats)} top supporters to thank")
        return {group_id: text for group_id in chats.values()}

    SendMessagesOperator(task_id="send_thanks", messages=thanks(chats.output, "{{ params.thanks }}"))
