"""The Fansly connection in the real Airflow 3 UI: its form, and its Test button against the sandbox.

Run with ``pytest -m ui``; ``APIFANSLY_SCREENSHOTS=1`` also rewrites the screenshots in
``docs/img``. The expected labels below are the spec a user sees, written out on purpose
rather than read from ``connection.py``, so a renamed field fails here until it is reviewed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from airflow_provider_apifansly.connection import CONN_TYPE, EXTRA_FIELDS
from airflow_provider_apifansly.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    FanslySandbox,
    JournalEntry,
    fingerprint,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.ui.conftest import Screenshots

pytestmark = pytest.mark.ui

HOOK_NAME = "Fansly (apifansly)"
HOST_LABEL = "API base URL"
HOST_PLACEHOLDER = "https://v1.apifansly.com"
KEY_LABEL = "API Key"
EXTRA_LABELS = {
    "account_id": "Default account ID",
    "timeout": "Read timeout (s)",
    "connect_timeout": "Connect timeout (s)",
    "rate_limit_rpm": "Plan rate limit (requests/min)",
    "max_retries": "Max retries",
    "max_retry_wait": "Max retry wait (s)",
}
HIDDEN_STANDARD_FIELDS = ("schema", "port", "login")
WRONG_KEY = "not-the-sandbox-key"
ACCOUNTS_PATH = "/api/fansly/accounts"


@pytest.fixture(autouse=True)
def fresh_journal(sandbox: FanslySandbox) -> None:
    """Each test reads only the requests it caused."""
    sandbox.reset()


def open_add_form(page: Page) -> Locator:
    """Admin > Connections > Add Connection, as a user gets there; return the dialog."""
    page.goto("/")
    page.get_by_role("button", name="Admin").click()
    page.get_by_role("menuitem", name="Connections").click()
    page.get_by_role("button", name="Add Connection").click()
    return page.get_by_role("dialog")


def choose_fansly_type(page: Page, dialog: Locator) -> None:
    """Pick the connection type from the searchable list, failing fast if it is not offered."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    dialog.get_by_role("combobox").fill("Fansly")
    try:
        page.get_by_role("option", name=HOOK_NAME, exact=True).click(timeout=5_000)
        return
    except PlaywrightTimeoutError:
        offered = page.get_by_role("option").all_inner_texts()
    pytest.fail(f"Connection type {HOOK_NAME!r} is not offered (options matching 'Fansly': {offered})")


def extra_field(dialog: Locator, name: str) -> Locator:
    """The form row (label, input, help text) of one extra field, found by its input's name."""
    return dialog.locator('[data-scope="field"][data-part="root"]').filter(
        has=dialog.page.locator(f'input[name="element_{name}"]')
    )


def add_connection(
    page: Page, conn_id: str, *, host: str, api_key: str, account_id: str, shots: Screenshots | None = None
) -> None:
    """Fill in and save the Add Connection form; the saved row must show the ``apifansly`` type."""
    dialog = open_add_form(page)
    dialog.locator('input[name="connection_id"]').fill(conn_id)
    choose_fansly_type(page, dialog)
    dialog.get_by_label(HOST_LABEL, exact=True).fill(host)
    dialog.get_by_label(KEY_LABEL, exact=True).fill(api_key)
    if shots is not None:
        shots.add("connection-form", _whole_dialog_screenshot(page, dialog))
    dialog.get_by_role("button", name="Extra Fields", exact=True).click()
    extra_field(dialog, "account_id").locator("input").fill(account_id)
    if shots is not None:
        shots.add("connection-form", _whole_dialog_screenshot(page, dialog))
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    assert connection_row(page, conn_id).get_by_role("cell", name=CONN_TYPE, exact=True).count() == 1


def connection_row(page: Page, conn_id: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=conn_id, exact=True))


def press_test(page: Page, conn_id: str, *, shots: Screenshots | None = None) -> tuple[str, str, str]:
    """Press the row's Test button; return the result toast's type, title and message."""
    page.goto("/connections")  # a fresh list, without the toasts of earlier saves
    page.set_viewport_size({"width": 1280, "height": 480})  # keeps the toast close to the rows
    try:
        with page.expect_response("**/api/v2/connections/test"):
            connection_row(page, conn_id).get_by_role("button", name="Test Connection").click()
        toast = page.locator('[data-scope="toast"][data-part="root"]').filter(has_text="Test Connection")
        toast.wait_for(state="visible")  # it stays for 2 s: read it at once
        kind = toast.get_attribute("data-type") or ""
        title = toast.locator('[data-part="title"]').inner_text()
        message = toast.locator('[data-part="description"]').inner_text()
        if shots is not None:
            page.wait_for_timeout(300)  # let it finish sliding in
            shots.add("connection-test", page.screenshot())
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    return kind, title, message


def accounts_requests(sandbox: FanslySandbox) -> list[JournalEntry]:
    """The ``GET /accounts`` requests the sandbox saw (the journal is written before it answers)."""
    return [e for e in sandbox.journal if e.method == "GET" and e.path == ACCOUNTS_PATH]


def _whole_dialog_screenshot(page: Page, dialog: Locator) -> bytes:
    """The dialog at its full height, however long the open section makes it."""
    page.set_viewport_size({"width": 1280, "height": 1400})
    try:
        page.wait_for_timeout(300)  # let the accordion finish its animation
        return dialog.screenshot()
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_fansly_type_shows_a_labelled_form_without_irrelevant_fields(page: Page) -> None:
    dialog = open_add_form(page)
    choose_fansly_type(page, dialog)

    host = dialog.get_by_label(HOST_LABEL, exact=True)
    assert host.get_attribute("name") == "host"
    assert host.get_attribute("placeholder") == HOST_PLACEHOLDER
    key = dialog.get_by_label(KEY_LABEL, exact=True)
    assert (key.get_attribute("name"), key.get_attribute("type")) == ("password", "password")
    for name in HIDDEN_STANDARD_FIELDS:
        assert dialog.locator(f'[name="{name}"]').count() == 0, f"{name} should be hidden"
    labels = {text.replace("*", "").strip() for text in dialog.locator("label").all_inner_texts()}
    assert not labels & {"Host", "Schema", "Port", "Login", "Password", "Extra"}, labels

    assert set(EXTRA_LABELS) == set(EXTRA_FIELDS), "a field was added or removed: update this spec"
    dialog.get_by_role("button", name="Extra Fields", exact=True).click()
    for name, label in EXTRA_LABELS.items():
        row = extra_field(dialog, name)
        assert row.locator("label").inner_text().strip() == label
        assert EXTRA_FIELDS[name].description in row.inner_text(), f"{name}: help text missing"
        default = EXTRA_FIELDS[name].default
        assert row.locator("input").input_value() == ("" if default is None else str(default))
    # Airflow 3.3 cannot hide the raw JSON editor (hidden-fields covers the standard fields
    # only); it stays folded away under its own section.
    raw_json = dialog.get_by_role("button", name="Extra Fields JSON", exact=True)
    assert raw_json.get_attribute("aria-expanded") == "false"


def test_test_button_on_a_saved_connection_reports_the_sandbox_accounts(
    page: Page, sandbox: FanslySandbox, screenshots: Screenshots
) -> None:
    add_connection(
        page,
        "fansly_ui_ok",
        host=sandbox.url,
        api_key=DEFAULT_API_KEY,
        account_id=DEFAULT_ACCOUNT_ID,
        shots=screenshots,
    )

    kind, title, message = press_test(page, "fansly_ui_ok", shots=screenshots)

    assert (kind, title) == ("success", "Test Connection Successful"), message
    assert message == f"Connected to {sandbox.url}: 1 account(s): {DEFAULT_ACCOUNT_ID}"
    requests = accounts_requests(sandbox)
    assert [(e.status, e.key) for e in requests] == [(200, fingerprint(DEFAULT_API_KEY))]


def test_test_button_after_changing_to_a_wrong_key_reports_the_rejected_key(
    page: Page, sandbox: FanslySandbox, screenshots: Screenshots
) -> None:
    add_connection(
        page, "fansly_ui_bad", host=sandbox.url, api_key=DEFAULT_API_KEY, account_id=DEFAULT_ACCOUNT_ID
    )
    connection_row(page, "fansly_ui_bad").get_by_role("button", name="Edit Connection").click()
    dialog = page.get_by_role("dialog")
    key = dialog.get_by_label(KEY_LABEL, exact=True)
    assert key.input_value() == "***", "the stored key must not be sent back to the browser"
    key.fill(WRONG_KEY)
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")

    kind, title, message = press_test(page, "fansly_ui_bad", shots=screenshots)

    assert (kind, title) == ("error", "Test Connection Failed"), message
    assert message.startswith("API key rejected (401)"), message
    assert WRONG_KEY not in message
    assert DEFAULT_API_KEY not in message
    requests = accounts_requests(sandbox)
    assert [(e.status, e.key) for e in requests] == [(401, fingerprint(WRONG_KEY))]
