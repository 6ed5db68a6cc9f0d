"""Fixtures for the browser tests: a real ``airflow api-server``, the sandbox, headless Chromium.

The API server runs in a subprocess with its own throwaway AIRFLOW_HOME (SQLite), the
simple auth manager with a known admin, and connection testing enabled. The sandbox runs
in this process on 127.0.0.1, so the server's Test button reaches it and its journal shows
what arrived. Chromium is Debian's (``scripts/install-ui-deps.sh``): Playwright's own
browser downloads are not used.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_apifansly.sandbox import FanslySandbox, SandboxConfig

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Route

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-ui-test"  # written to the passwords file, so no generated password is needed
VIEWPORT = {"width": 1280, "height": 900}
SERVER_START_TIMEOUT_S = 90
SCREENSHOTS_ENV = "APIFANSLY_SCREENSHOTS"
SCREENSHOT_DIR = REPO / "docs" / "img"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's Chromium; without it the UI tests skip locally, but fail under CI."""
    if not CHROMIUM.exists():
        hint = f"{CHROMIUM} is not installed: run scripts/install-ui-deps.sh (as root)"
        if _in_ci():
            pytest.fail(f"CI is set and the UI tests must run, but {hint}")
        pytest.skip(hint)
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright(chromium_executable: Path) -> Iterator[Playwright]:
    """Playwright's driver (a Python dependency; it never downloads a browser here)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if _in_ci():
            raise
        pytest.skip("playwright is not installed: run scripts/install-ui-deps.sh")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_executable: Path) -> Iterator[Browser]:
    """Headless Chromium, with background networking off so it only talks to 127.0.0.1."""
    chromium = playwright.chromium.launch(
        executable_path=str(chromium_executable), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[FanslySandbox]:
    """The apifansly sandbox (default key and account) that the Test button must reach."""
    with FanslySandbox(SandboxConfig()) as running:
        yield running


@dataclass
class AirflowServer:
    """A running ``airflow api-server``: where it listens and where its log goes."""

    url: str
    home: Path
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _server_env(home: Path, port: int) -> dict[str, str]:
    """The parent's environment without its Airflow settings, plus a self-contained test setup."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_"))
    }
    passwords = home / "simple_auth_manager_passwords.json"
    passwords.write_text(json.dumps({ADMIN_USER: ADMIN_PASSWORD}))
    (home / "dags").mkdir()
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            # The hook must reach the sandbox directly even where a proxy is configured.
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    return env


def _wait_until_healthy(server: AirflowServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"airflow api-server exited with {process.returncode}:\n{server.log_tail()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{server.url}/api/v2/monitor/health", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    pytest.fail(f"airflow api-server not healthy after {SERVER_START_TIMEOUT_S} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's own process group (the server and the workers it forked)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.fixture(scope="module")
def airflow_server(chromium_executable: Path, sandbox: FanslySandbox) -> Iterator[AirflowServer]:
    """``airflow api-server`` on a free 127.0.0.1 port, with a migrated SQLite DB, once it is healthy."""
    home = Path(tempfile.mkdtemp(prefix="apifansly-ui-airflow-"))
    port = _free_port()
    env = _server_env(home, port)
    airflow = str(Path(sys.executable).with_name("airflow"))
    migrated = subprocess.run(
        [airflow, "db", "migrate"], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    server = AirflowServer(url=f"http://127.0.0.1:{port}", home=home, log_path=home / "api-server.log")
    with server.log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                airflow,
                "api-server",
                "--apps",
                "core",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_healthy(server, process)
        yield server
    finally:
        _stop(process)


@dataclass
class PortlessTestWorkaround:
    """Works around apache/airflow#73298 where the installed Airflow still has that bug.

    Airflow 3.3.1 and 3.3.2 answer the Test button of any connection without a port with
    ``400 The host or port to test differs from the stored connection``: the UI sends
    ``port: 0`` for a NULL port and the API treats 0 as a different port. That happens
    before any hook runs, whatever the provider. Only when the server answers exactly that,
    the request is sent again with ``port: null``, which is what the fixed API does.
    """

    used: int = 0

    def __call__(self, route: Route) -> None:
        response = route.fetch()
        body: dict[str, Any] = route.request.post_data_json or {}
        if (
            response.status == 400
            and body.get("port") == 0
            and "differs from the stored connection" in response.text()
        ):
            self.used += 1
            response = route.fetch(post_data=json.dumps({**body, "port": None}))
        route.fulfill(response=response)


@pytest.fixture(scope="module")
def portless_test_workaround() -> Iterator[PortlessTestWorkaround]:
    workaround = PortlessTestWorkaround()
    yield workaround
    if workaround.used:
        warnings.warn(
            f"The installed Airflow rejects Test on a connection without a port (apache/airflow#73298); "
            f"{workaround.used} Test request(s) were re-sent with port null.",
            stacklevel=1,
        )


@pytest.fixture(scope="module")
def page(
    browser: Browser, airflow_server: AirflowServer, portless_test_workaround: PortlessTestWorkaround
) -> Iterator[Page]:
    """A browser tab signed in to the Airflow UI as the admin, through the login form."""
    context = browser.new_context(viewport=VIEWPORT, base_url=airflow_server.url)
    context.set_default_timeout(15_000)
    context.route("**/api/v2/connections/test", portless_test_workaround)
    tab = context.new_page()
    tab.goto("/connections")
    tab.get_by_label("Username").fill(ADMIN_USER)
    tab.get_by_label("Password").fill(ADMIN_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/connections")
    # Airflow 3.1 may still be finishing the post-login navigation; a goto now would abort it.
    tab.wait_for_load_state("load")
    tab.get_by_role("button", name="Add Connection").wait_for()
    yield tab
    context.close()


@dataclass
class Screenshots:
    """Collects screenshots and, when ``APIFANSLY_SCREENSHOTS=1``, writes them to ``docs/img``.

    Several shots named alike are laid out on one image (side by side or stacked), drawn
    by the browser itself so no imaging library is needed.
    """

    browser: Browser
    enabled: bool
    shots: dict[str, list[bytes]] = field(default_factory=dict)

    def add(self, name: str, png: bytes) -> None:
        if self.enabled:
            self.shots.setdefault(name, []).append(png)

    def write(self, name: str, *, direction: str) -> Path | None:
        images = self.shots.get(name)
        if not images:
            return None
        tags = "".join(
            f'<img style="display:block;border:1px solid #d0d5dd" '
            f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            for png in images
        )
        html = (
            f'<body style="margin:0;padding:12px;background:#f4f6f8;display:inline-flex;'
            f'flex-direction:{direction};gap:12px;align-items:flex-start">{tags}</body>'
        )
        sheet = self.browser.new_page(viewport={"width": 400, "height": 300}, device_scale_factor=1)
        try:
            sheet.set_content(html)
            body = sheet.locator("body")
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOT_DIR / f"{name}.png"
            body.screenshot(path=str(path))
            return path
        finally:
            sheet.close()


@pytest.fixture(scope="module")
def screenshots(browser: Browser) -> Iterator[Screenshots]:
    """The docs' screenshots: the filled form side by side, the Test results stacked."""
    collector = Screenshots(browser, enabled=os.environ.get(SCREENSHOTS_ENV) == "1")
    yield collector
    collector.write("connection-form", direction="row")
    collector.write("connection-test", direction="column")
