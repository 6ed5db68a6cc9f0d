"""One endpoint, one file: a resource module declares its routes, switches and seeders, and the core finds them.

The end-to-end tests copy the package, drop one module into the copy's ``sandbox/resources/``
and run the copy in a child process: no other file is touched, yet the route answers, the
switch has its field, variable and flag, and the seeder and snapshot are ``FanslySandbox``'s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import airflow_provider_apifansly
from airflow_provider_apifansly.sandbox import FanslySandbox, SandboxConfig
from airflow_provider_apifansly.sandbox.__main__ import build_parser, config_from_args
from airflow_provider_apifansly.sandbox.config import SWITCHES
from airflow_provider_apifansly.sandbox.envelope import Reply
from airflow_provider_apifansly.sandbox.resources import discover
from airflow_provider_apifansly.sandbox.routing import Call, Route, Router
from airflow_provider_apifansly.sandbox.switches import Switch

DOCS = Path(__file__).parents[2] / "docs" / "sandbox-structure.md"
CAPTION = ":caption: sandbox/resources/user_lists.py\n"


def documented_module() -> str:
    """The example resource module of ``docs/sandbox-structure.md``, as its reader would save it."""
    text = DOCS.read_text()
    return text[text.index(CAPTION) + len(CAPTION) :].split("```", 1)[0]


CHILD = """
import json, sys, urllib.request
import airflow_provider_apifansly
from airflow_provider_apifansly.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_API_KEY, FanslySandbox, SandboxConfig
from airflow_provider_apifansly.sandbox.__main__ import build_parser, config_from_args

def get(sandbox, path):
    request = urllib.request.Request(f"{sandbox.url}/api/fansly/{path}", headers={"x-api-key": DEFAULT_API_KEY})
    with urllib.request.urlopen(request) as response:
        return json.load(response)["data"]

from_env = SandboxConfig.from_env({"FANSLY_SANDBOX_USER_LIST_ID_FIELD": "listId"})
from_flag = config_from_args(build_parser(SandboxConfig()).parse_args(["--user-list-id-field", "listId"]))
with FanslySandbox(SandboxConfig(user_list_id_field="listId", rpm=None)) as sandbox:
    ids = sandbox.seed_user_lists(["VIPs", "Whales"])
    answer = get(sandbox, f"{DEFAULT_ACCOUNT_ID}/lists")
    accounts = get(sandbox, "accounts")
    snapshot = sandbox.user_lists
json.dump(
    {
        "package": airflow_provider_apifansly.__file__,
        "default": SandboxConfig().user_list_id_field,
        "from_env": from_env.user_list_id_field,
        "from_flag": from_flag.user_list_id_field,
        "ids": ids,
        "answer": answer["data"]["response"],
        "accounts": accounts["count"],
        "snapshot": snapshot,
        "doc": FanslySandbox.seed_user_lists.__doc__,
    },
    sys.stdout,
)
"""


def run_with_resource(tmp_path: Path, name: str, source: str) -> subprocess.CompletedProcess[str]:
    """Run ``CHILD`` on a copy of the package whose ``sandbox/resources/`` gains one module, ``name``."""
    package = Path(airflow_provider_apifansly.__file__).parent
    copy = tmp_path / "airflow_provider_apifansly"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "sandbox" / "resources" / f"{name}.py").write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-c", CHILD],
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,  # python -c puts its working directory first on sys.path
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_documented_module_dropped_into_resources_serves_its_route_switch_and_seeder(
    tmp_path: Path,
) -> None:
    result = run_with_resource(tmp_path, "user_lists", documented_module())

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["package"].startswith(str(tmp_path))
    assert (found["default"], found["from_env"], found["from_flag"]) == ("id", "listId", "listId")
    vips, whales = found["ids"]
    assert found["answer"] == [{"listId": vips, "label": "VIPs"}, {"listId": whales, "label": "Whales"}]
    assert found["accounts"] == 1  # the other resources still serve
    assert found["snapshot"] == {"fansly_sandbox": ["VIPs", "Whales"]}
    assert found["doc"] == "Give the account user lists before the test starts; return their ids."


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        (
            "chats_page_size: int = switch(5, 'mine')",
            "switch chats_page_size of clash is already a field of chats",
        ),
        ("rpm: int = switch(5, 'mine')", "switch rpm of clash is already a field of the core config"),
        (
            "mine: int = switch(5, 'mine'); check = lambda self: None",
            "the switches of clash shadow the core config's check",
        ),
    ],
)
def test_a_switch_declared_twice_or_a_core_method_redefined_stops_the_import(
    tmp_path: Path, declaration: str, message: str
) -> None:
    source = f"""
        from dataclasses import dataclass
        from airflow_provider_apifansly.sandbox.resources import Resource
        from airflow_provider_apifansly.sandbox.switches import switch

        @dataclass
        class ClashSwitches:
            {declaration}

        RESOURCE = Resource(routes=(), switches=ClashSwitches)
    """

    result = run_with_resource(tmp_path, "clash", source)

    assert result.returncode != 0
    assert message in result.stderr


def test_a_member_the_sandbox_already_has_stops_the_import(tmp_path: Path) -> None:
    source = """
        from airflow_provider_apifansly.sandbox.resources import Resource

        def seed_chats(sandbox):
            '''Another resource's seeder, under the same name.'''

        RESOURCE = Resource(routes=(), methods=(seed_chats,))
    """

    result = run_with_resource(tmp_path, "clash", source)

    assert result.returncode != 0
    assert "resource clash declares seed_chats, which FanslySandbox already has" in result.stderr


def _answer(call: Call) -> Reply:
    return Reply(200, "Success", None)


def test_routes_of_two_resources_that_match_one_request_are_refused() -> None:
    one = Route("GET", "{account_id}/posts/walls", _answer)
    other = Route("GET", "{account_id}/posts/{post_id}", _answer)

    Router({"posts": [one, other]})  # within a module, the first declared wins
    with pytest.raises(ValueError, match="overlaps"):
        Router({"posts": [other], "walls": [one]})


def test_every_resource_module_declares_a_resource() -> None:
    assert set(discover()) >= {
        "accounts",
        "chats",
        "chat_messages",
        "fans",
        "media",
        "posts",
        "top_supporters",
    }


def _other_text(setting: Switch) -> str:
    """A value of the switch, as text, that is not its default."""
    if setting.values:
        return str(next(value for value in setting.values if value != setting.default))
    if setting.kind is bool:
        return str(not setting.default).lower()
    if setting.kind is str:
        return "another"
    return str((setting.default or 0) + 2)


@pytest.mark.parametrize("setting", SWITCHES, ids=lambda setting: setting.name)
def test_every_switch_has_its_field_variable_and_flag(setting: Switch) -> None:
    text = _other_text(setting)
    value = setting.parse(text)
    flag = (
        [setting.flag, text]
        if setting.kind is not bool
        else [setting.flag if value else f"--no-{setting.flag[2:]}"]
    )

    from_env = SandboxConfig.from_env({setting.variable: text})
    from_flag = config_from_args(build_parser(SandboxConfig()).parse_args(flag))

    assert getattr(SandboxConfig(), setting.name) == setting.default != value
    assert getattr(from_env, setting.name) == getattr(from_flag, setting.name) == value
    assert getattr(SandboxConfig(**{setting.name: value}), setting.name) == value


@pytest.mark.parametrize("setting", [s for s in SWITCHES if s.minimum is not None], ids=lambda s: s.name)
def test_a_switch_below_its_minimum_is_refused_by_field_variable_and_flag(setting: Switch) -> None:
    low = setting.minimum - 1  # type: ignore[operator]

    with pytest.raises(ValueError, match=f"{setting.name} must be at least {setting.minimum}"):
        SandboxConfig(**{setting.name: low})
    with pytest.raises(ValueError, match=f"{setting.name} must be at least {setting.minimum}"):
        SandboxConfig.from_env({setting.variable: str(low)})
    with pytest.raises(SystemExit):
        build_parser(SandboxConfig()).parse_args([setting.flag, str(low)])


def test_a_resources_seeder_and_snapshot_are_sandbox_members_with_their_docs() -> None:
    assert "fan id -> group id" in (FanslySandbox.seed_chats.__doc__ or "")
    assert isinstance(FanslySandbox.__dict__["groups"], property)
