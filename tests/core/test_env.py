"""core.env: the environment read in one place; core's switches parsed once, a bad one named in one line."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from emulator import cli
from emulator.config import Settings, SettingsError, tls_dir
from emulator.core import contract, gcpolicy, pagecache, resources, schemadir
from emulator.core.env import CACHE_ENV, SCHEMAS_ENV, VERIFY_ENV, Switches, switches
from tests.conftest import Switch

ROOT = Path(__file__).resolve().parents[2]


def test_the_defaults(switch: Switch) -> None:
    for name in (CACHE_ENV, SCHEMAS_ENV, VERIFY_ENV):
        switch(name, None)
    assert switches() == Switches(cache=Path.home() / ".cache" / "lms-emulator", schemas=None, verify_pages=False)
    assert schemadir.root() == resources.shipped("schemas") and not pagecache.verifying()


def test_each_switch_reaches_its_reader(switch: Switch, tmp_path: Path) -> None:
    switch(CACHE_ENV, str(tmp_path))
    switch(SCHEMAS_ENV, str(ROOT / "schemas"))
    switch(VERIFY_ENV, "1")
    assert tls_dir() == tmp_path / "tls"
    assert schemadir.root() == (ROOT / "schemas").resolve() and "absorb" in contract.vendors()
    assert pagecache.verifying() and pagecache.PageCache().verify


def test_an_empty_variable_means_unset(switch: Switch) -> None:
    for name in (CACHE_ENV, SCHEMAS_ENV, VERIFY_ENV):
        switch(name, "")
    assert switches() == Switches(cache=Path.home() / ".cache" / "lms-emulator", schemas=None, verify_pages=False)


@pytest.mark.parametrize("text", ["1", "true", "YES", "on"])
def test_verify_pages_takes_the_settings_booleans(switch: Switch, text: str) -> None:
    switch(VERIFY_ENV, text)
    assert switches().verify_pages


def test_the_reading_is_kept_until_cleared(switch: Switch, monkeypatch: pytest.MonkeyPatch) -> None:
    switch(VERIFY_ENV, "0")
    assert not switches().verify_pages
    monkeypatch.setenv(VERIFY_ENV, "1")  # once per process: a change after the first read is not seen
    assert not switches().verify_pages
    switches.cache_clear()
    assert switches().verify_pages


@pytest.mark.parametrize(("name", "value", "message"), [
    (VERIFY_ENV, "maybe", "LMS_EMULATOR_VERIFY_PAGES: 'maybe' is not a boolean (1/0, true/false, yes/no, on/off)"),
    (SCHEMAS_ENV, "/no/such/place", "LMS_EMULATOR_SCHEMAS: '/no/such/place' is not a directory"),
])
def test_a_bad_switch_is_one_line_naming_it(switch: Switch, name: str, value: str, message: str) -> None:
    switch(name, value)
    with pytest.raises(SettingsError) as raised:
        switches()
    assert str(raised.value) == message
    with pytest.raises(SettingsError):  # so a start stops before serving anything
        Settings.load()


def test_serve_stops_on_a_bad_switch_with_status_2(switch: Switch, capsys: pytest.CaptureFixture[str]) -> None:
    switch(VERIFY_ENV, "sometimes")
    assert cli.main(["serve", "--port", "0"]) == 2
    assert capsys.readouterr().err == \
        "lms-emulator: LMS_EMULATOR_VERIFY_PAGES: 'sometimes' is not a boolean (1/0, true/false, yes/no, on/off)\n"


def test_the_package_reads_the_environment_in_one_module() -> None:
    """``os.environ`` is read in core.env only; the rest write it (gunicorn's hooks, granian's start) or copy it
    for a child process (emulator.testing)."""
    found = subprocess.run(["grep", "-rn", "--include=*.py", r"os\.environ\.get\|getenv", str(ROOT / "emulator")],
                           capture_output=True, text=True, check=False).stdout.splitlines()
    assert [line.split(":")[0] for line in found] == [str(ROOT / "emulator" / "core" / "env.py")]


def test_a_start_stopped_while_building_the_app_leaves_the_collector_as_it_was(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_EMULATOR_RATE_LIMIT", "ispring")  # refused by create_app, after the policy is on
    assert cli.main(["serve", "--port", "0"]) == 2
    assert not gcpolicy.enabled()
