"""The command line's conventions: one clear line and status 2 for bad input, --version, help, start-up output."""
from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

import pytest

from emulator import __version__, cli, startup
from emulator.app import create_app
from emulator.config import Settings, SettingsError
from emulator.core.http import BODY_DEADLINE


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        status = cli.main(argv)
    except SystemExit as exc:  # argparse's own exits (--help, --version, usage errors)
        status = int(exc.code or 0)
    return status, capsys.readouterr().err


@pytest.mark.parametrize("argv, env, words", [
    (["serve", "--port", "99999"], {}, "--port: 99999 is not a port number"),
    (["serve", "--port", "-1"], {}, "--port: -1 is not a port number"),
    (["serve"], {"LMS_EMULATOR_PORT": "xyz"}, "LMS_EMULATOR_PORT: 'xyz' is not a port number"),
    (["serve"], {"LMS_EMULATOR_SEED": "-3"}, "LMS_EMULATOR_SEED: -3 is not a seed"),
    (["serve"], {"LMS_EMULATOR_STRICT": "maybe"}, "LMS_EMULATOR_STRICT: 'maybe' is not a boolean"),
    (["serve"], {"LMS_EMULATOR_JOURNAL_SIZE": "0"}, "LMS_EMULATOR_JOURNAL_SIZE: 0 is not a journal size"),
    (["serve", "--anchor", "soon"], {}, "--anchor: 'soon' is not an ISO 8601 date-time"),
    (["serve", "--print-credentials", "xml"], {}, "--print-credentials: 'xml' is not one of table, json, none"),
    (["serve", "--fixtures", "/no/such/file.json"], {}, "is not a fixture file, a directory or a fixture name"),
    (["serve", "--fixtures", "no-such-name"], {}, "no fixture named 'no-such-name'"),
    (["serve", "--bogus"], {}, "unrecognized arguments: --bogus"),
    (["serve", "--body-timeout", "0"], {}, "--body-timeout: 0 is not a number of seconds above 0 and at most 3600"),
    (["serve", "--body-timeout", "soon"], {}, "--body-timeout: 'soon' is not a number of seconds"),
    (["serve"], {"LMS_EMULATOR_BODY_TIMEOUT": "nan"}, "LMS_EMULATOR_BODY_TIMEOUT: nan is not a number of seconds"),
    (["serve"], {"LMS_EMULATOR_BODY_TIMEOUT": "7200"}, "LMS_EMULATOR_BODY_TIMEOUT: 7200 is not a number of seconds"),
    (["openapi", "moodle"], {}, "invalid choice: 'moodle'"),
])
def test_bad_values_get_one_line_and_status_2(argv, env, words, capsys, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    status, err = _run(argv, capsys)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("lms-emulator") and words in err, err


def test_a_fixture_file_that_is_not_json_stops_the_start(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    status, err = _run(["serve", "--fixtures", str(bad)], capsys)
    assert status == 2 and "not valid JSON" in err and err.count("\n") == 1


def test_fixtures_loads_a_shipped_fixture_by_name_into_the_default_tenant():
    shown = create_app({"fixtures": "ilc-full-waitlist"}).test_client().get("/_emulator/tenants/default").get_json()
    assert shown["fixture"] == "ilc-full-waitlist"


def test_settings_name_the_source_of_a_bad_value(monkeypatch):
    monkeypatch.setenv("LMS_EMULATOR_PORT", "80a")
    with pytest.raises(SettingsError, match="^LMS_EMULATOR_PORT: "):
        Settings.load()
    monkeypatch.delenv("LMS_EMULATOR_PORT")
    assert Settings.load({"port": "0"}, option_names=True).port == 0  # 0: a free port
    with pytest.raises(SettingsError, match="^--port: "):
        Settings.load({"port": "70000"}, option_names=True)


def test_the_body_timeout_defaults_to_the_deadline_both_servers_kept(monkeypatch):
    """``--body-timeout`` / ``LMS_EMULATOR_BODY_TIMEOUT``: 10 s unless set (core.http.BODY_DEADLINE); fractions
    are taken (the hostile tests start their servers with a short one)."""
    assert Settings().body_timeout == Settings.load().body_timeout == BODY_DEADLINE == 10.0
    assert Settings.load({"body_timeout": "2.5"}, option_names=True).body_timeout == 2.5
    monkeypatch.setenv("LMS_EMULATOR_BODY_TIMEOUT", "1")
    assert Settings.load().body_timeout == 1.0


def test_version_help_and_python_dash_m(capsys):
    status, _ = _run(["--version"], capsys)
    assert status == 0
    run = subprocess.run([sys.executable, "-m", "emulator", "--version"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == f"lms-emulator {__version__}"
    top = subprocess.run([sys.executable, "-m", "emulator", "--help"], capture_output=True, text=True, timeout=60)
    assert "Absorb LMS Integration API v2" in top.stdout and "exit status:" in top.stdout
    serve = subprocess.run([sys.executable, "-m", "emulator", "serve", "--help"], capture_output=True, text=True,
                           timeout=60).stdout
    rows = " ".join(serve.split())  # the table's column width follows its longest name
    for line in ("LMS_EMULATOR_PORT 8080", "LMS_EMULATOR_HOST 127.0.0.1",
                 "LMS_EMULATOR_SEED 42", "LMS_EMULATOR_ADMIN_TOKEN (none)", "LMS_EMULATOR_ADMIN_CORS_ORIGINS ''"):
        assert line in rows
    assert "2  a bad option, environment value or start-up file" in serve


def test_openapi_into_a_closed_pipe_ends_quietly():
    run = subprocess.run(f"'{sys.executable}' -m emulator openapi absorb | head -c 20", shell=True,
                         capture_output=True, text=True, timeout=60, executable="/bin/bash")
    assert run.stdout.startswith("{") and "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr, run.stderr


def test_start_up_table_is_short_and_aligned():
    app = create_app({"seed": 42})
    out = startup.report(app, "http://127.0.0.1:8080")
    lines = out.splitlines()
    assert lines[0].startswith(f"lms-emulator {__version__} listening on http://127.0.0.1:8080 (seed 42")
    creds = app.state.store.tenants["default"]
    absorb, ispring = creds.world("absorb").credentials(), creds.world("ispring").credentials()
    assert any(absorb["apiKey"] in line for line in lines)
    assert any(f"{absorb['learners'][0]['username']} / learner" in line for line in lines)
    assert any(ispring["clients"][0]["clientSecret"] in line for line in lines)
    assert any("/_emulator/tenants/default/pearson/tokens" in line for line in lines)
    assert len(lines) <= 14 and len(out) < 1500
    values = [line.index("http://127.0.0.1:8080/") for line in lines if "base URL" in line]
    assert len(set(values)) == 1 and len(values) == 3  # one column for the values


def test_start_up_json_is_one_line_with_every_credential():
    app = create_app({"seed": 42, "print_credentials": "json"})
    out = startup.report(app, "http://127.0.0.1:8080")
    assert "\n" not in out
    data = json.loads(out)
    assert data["absorb"]["baseUrl"] == "http://127.0.0.1:8080/absorb" and data["ispring"]["clients"]
    assert data["pearson"]["users"] and data["tenant"] == "default"
    assert startup.report(create_app({"print_credentials": "none"}), "http://x") == ""


def test_access_log_has_no_colour_codes_when_not_a_terminal(caplog):
    startup.plain_access_log()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('%s - "%s" %s', "127.0.0.1", "\x1b[1mGET / HTTP/1.1\x1b[0m", "200")
    assert caplog.records[-1].getMessage() == '127.0.0.1 - "GET / HTTP/1.1" 200'


def test_gunicorn_worker_prints_the_start_up_output_once(tmp_path):
    """The Procfile's command (gunicorn) prints the same credentials as ``serve``, once, from the worker."""
    import os
    import time

    import requests

    env = {**os.environ, "LMS_EMULATOR_PRINT_CREDENTIALS": "json"}
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:emulator.gunicorn_conf", "--workers", "1",
                "--threads", "2", "--bind", "127.0.0.1:0", "emulator:create_app()"]
    proc = subprocess.Popen(gunicorn, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        data = json.loads(line)
        assert requests.get(data["absorb"]["baseUrl"] + "/bulk/student-courses",
                            timeout=10).status_code == 401  # no key
        time.sleep(0.5)
    finally:
        proc.terminate()
        rest = proc.communicate(timeout=30)[0]
    assert data["tenant"] == "default" and data["url"].startswith("http://127.0.0.1:")
    assert '"tenant"' not in rest  # once


@pytest.mark.parametrize("server", ["granian", "gunicorn", "werkzeug"])
def test_an_anchor_no_world_can_be_seeded_from_is_one_clear_line(server, capsys):
    """Issue 31: ``--anchor 0001-01-01T00:00:00Z`` crashed start-up with an OverflowError's traceback."""
    assert cli.main(["serve", "--server", server, "--port", "19340", "--anchor", "0001-01-01T00:00:00Z"]) == 2
    err = capsys.readouterr().err
    assert err == ("lms-emulator: --anchor: 0001-01-01T00:00:00+00:00 is outside the anchors a world can be seeded "
                   "from (1900-01-01 to 9000-01-01)\n")


def test_the_procfile_gunicorn_refuses_a_bad_setting_in_one_line(tmp_path):
    """The same from the Procfile's gunicorn (its worker's traceback, exit status 3, before)."""
    import os

    env = {**os.environ, "LMS_EMULATOR_ANCHOR": "0001-01-01T00:00:00Z"}
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:emulator.gunicorn_conf", "--workers", "1",
                "--threads", "2", "--bind", "127.0.0.1:0", "emulator:create_app()"]
    done = subprocess.run(gunicorn, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "lms-emulator: LMS_EMULATOR_ANCHOR: 0001-01-01T00:00:00+00:00 is outside the anchors" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_empty_optional_variable_means_not_given(monkeypatch):
    for name in ("ADMIN_TOKEN", "STATE_FILE", "FIXTURES", "ANCHOR"):
        monkeypatch.setenv("LMS_EMULATOR_" + name, "")
    settings = Settings.load()
    assert (settings.admin_token, settings.state_file, settings.fixtures, settings.anchor) == (None,) * 4


def test_a_port_that_is_taken_exits_with_1(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", str(port)], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "in use" in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_serve_help_names_each_default_once():
    out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--help"], capture_output=True, text=True,
                         timeout=60).stdout
    options = re.split(r"\n  (?=-)", " ".join(out.split("environment (")[0].split()).replace(" --", "\n  --"))
    assert not [o for o in options if o.count("(default") > 1]
    assert "--admin-cors-origins ORIGINS the admin API (/_emulator): origins allowed to read it cross-origin " \
           "(default: none)" in " ".join(out.split())


def test_a_bad_rate_limit_from_the_environment_is_named_so(monkeypatch, capsys):
    monkeypatch.setenv("LMS_EMULATOR_RATE_LIMIT", "ispring")
    assert cli.main(["serve", "--port", "0"]) == 2
    assert capsys.readouterr().err.startswith("lms-emulator: LMS_EMULATOR_RATE_LIMIT: ")


def test_a_wildcard_bind_prints_a_usable_base_url():
    assert startup.base_url("0.0.0.0", 8080) == "http://127.0.0.1:8080"
    assert startup.base_url("::", 8080, "https") == "https://[::1]:8080"
    assert startup.base_url("10.0.0.5", 8080) == "http://10.0.0.5:8080"
    assert "every address (0.0.0.0)" in startup.wildcard_note("0.0.0.0") and not startup.wildcard_note("127.0.0.1")
