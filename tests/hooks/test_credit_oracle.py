"""The hook's credit count (``credits.py``) held against the sandbox's bill (``sandbox/billing.py``), written apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_apifansly.exceptions import FanslyError
from airflow_provider_apifansly.sandbox import FanslySandbox, Fault
from airflow_provider_apifansly.sandbox.billing import answer_bill
from tests.helpers import MakeHook
from tests.hooks.test_transport import big_pages  # List Chats pages past 80 KB


def test_the_sandbox_bills_a_big_list_page_by_the_bytes_it_wrote(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook
) -> None:
    big_pages(fansly_sandbox, 1)
    hook = make_hook()

    list(hook.list_chats())

    assert fansly_sandbox.credits_spent() == answer_bill(b"x" * hook.response_bytes) == 2


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"x" * 2_500_000)
    return media


def test_the_hooks_count_equals_the_sandboxs_bill_where_the_contract_prices_the_answer(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, clip: Path
) -> None:
    big_pages(fansly_sandbox, 2)
    fansly_sandbox.set_faults(Fault(kind="status", status=503, first_n=1, path_contains="/me"))
    hook = make_hook(max_retry_wait=1)

    hook.get_creator_id()  # a 503, retried: 1 + 1
    list(hook.list_chats())  # two pages past 80 KB, 2 credits each: 4
    hook.upload_media(str(clip))  # 2.5 MB: 6

    assert hook.credits_spent == fansly_sandbox.credits_spent() == 2 + 4 + 6


def test_the_hooks_count_stays_above_the_bill_where_the_contract_leaves_it_open(
    fansly_sandbox: FanslySandbox, make_hook: MakeHook, clip: Path
) -> None:
    # The hook counts a 429 at 1 and a refused upload at its media price; the sandbox bills neither.
    fansly_sandbox.set_faults(Fault(kind="status", status=429, retry_after=1, first_n=1))
    fansly_sandbox.config.media_max_bytes = 1_000
    hook = make_hook(max_retry_wait=1)

    hook.list_accounts()
    with pytest.raises(FanslyError, match="413"):
        hook.upload_media(str(clip))

    assert (hook.credits_spent, fansly_sandbox.credits_spent()) == (1 + 1 + 6, 1 + 1)
