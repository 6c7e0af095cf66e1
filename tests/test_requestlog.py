"""The request log: one line per request on every server, tenant named, secrets never shown."""
from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
import requests

from emulator import servers
from emulator.core.exchange import exchange_of
from emulator.core import requestlog
from emulator.core.requestlog import RequestLog, masked_query
from emulator.testing import EmulatorProcess

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (GET|POST|PUT|DELETE|HEAD|OPTIONS) (\S+) (\d{3}) (\S+) "
                  r"\d+\.\d ms$")


def _app(status: str = "200 OK"):
    def app(environ, start_response):
        exchange_of(environ).tenant = SimpleNamespace(id="suite-1")  # what a vendor's tenant call leaves
        start_response(status, [("Content-Type", "text/plain")])
        return [b"ok"]
    return app


def _call(log: RequestLog, path: str, query: str = "", method: str = "GET") -> None:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query}
    assert list(log(environ, lambda status, headers, exc_info=None: None)) == [b"ok"]
    log.flush()  # what the log's thread does within FLUSH_AFTER


def test_lines_are_written_in_one_batch_without_a_flush(monkeypatch):
    """The log's own thread writes what waited, in one write, ``FLUSH_AFTER`` after the first line."""
    monkeypatch.setattr(requestlog, "FLUSH_AFTER", 0.5)  # the three calls below take microseconds
    writes: list[str] = []

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return len(text)

    log = RequestLog(_app(), out=Out())
    for n in range(3):
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"/absorb/users/{n}", "QUERY_STRING": ""}
        assert list(log(environ, lambda status, headers, exc_info=None: None)) == [b"ok"]
    deadline = time.monotonic() + 15
    while not writes and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(writes) == 1 and [LINE.match(line).group(2) for line in writes[0].splitlines()] == [
        "/absorb/users/0", "/absorb/users/1", "/absorb/users/2"]


def test_text_line_names_method_path_status_tenant_and_time():
    out = io.StringIO()
    _call(RequestLog(_app("201 CREATED"), out=out), "/absorb/users/1/enrollments/2", "reEnroll=true", "POST")
    found = LINE.match(out.getvalue().rstrip("\n"))
    assert found and found.groups() == ("POST", "/absorb/users/1/enrollments/2?reEnroll=true", "201", "suite-1")


def test_json_lines_are_one_object_per_request():
    out = io.StringIO()
    log = RequestLog(_app(), "json", out=out)
    _call(log, "/ispring/user", "departments[]=a")
    _call(log, "/pearson/users/x/sessions")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["method"], r["path"], r["query"], r["status"], r["tenant"]) for r in records] == [
        ("GET", "/ispring/user", "departments[]=a", 200, "suite-1"), ("GET", "/pearson/users/x/sessions", None, 200,
                                                                        "suite-1")]
    assert all(isinstance(r["ms"], float) and r["time"].endswith("Z") for r in records)


@pytest.mark.parametrize("query, shown", [
    ("_limit=5&_offset=0", "_limit=5&_offset=0"),
    ("access_token=abc&_limit=2", "access_token=***&_limit=2"),
    ("client_secret=s3&client_id=c1", "client_secret=***&client_id=c1"),
    ("privateKey=k&password=p&x-api-key=q", "privateKey=***&password=***&x-api-key=***"),
    ("", ""),
])
def test_secret_query_values_are_masked(query, shown):
    assert masked_query(query) == shown


def test_a_path_with_spaces_stays_one_line():
    out = io.StringIO()
    _call(RequestLog(_app(), out=out), "/absorb/a b\nc")
    assert out.getvalue().count("\n") == 1 and LINE.match(out.getvalue().rstrip("\n"))


def _log_lines(server: EmulatorProcess, wanted: int) -> list[str]:
    deadline = time.monotonic() + 15
    while True:
        lines = [line.rstrip("\n") for line in list(server.output) if LINE.match(line.rstrip("\n"))]
        if len(lines) >= wanted or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


@pytest.mark.parametrize("server", servers.SERVERS)
def test_every_server_logs_one_line_per_request_without_secrets(server):
    """A CI job's output (stdout not a terminal: on by default) shows each request once."""
    with EmulatorProcess({"seed": 42}, server=server) as live:
        tenant = live.create_tenant(id="log-1")
        creds = tenant.info["absorb"]
        absorb = tenant.absorb()  # POST /absorb/authenticate
        token = absorb.headers["Authorization"].split()[-1]
        assert absorb.get(f"{live.url}/absorb/users", params={"_limit": 1}, timeout=30).status_code == 200
        assert absorb.get(f"{live.url}/absorb/users", params={"_limit": 1}, timeout=30).status_code == 200  # cached
        assert requests.get(f"{live.url}/absorb/users", params={"access_token": token}, timeout=30).status_code == 401
        assert requests.get(f"{live.url}/_emulator/tenants/log-1", timeout=30).status_code == 200
        lines = _log_lines(live, 6)
    assert [LINE.match(line).groups() for line in lines] == [
        ("POST", "/_emulator/tenants", "201", "log-1"),
        ("POST", "/absorb/authenticate", "200", "log-1"),
        ("GET", "/absorb/users?_limit=1", "200", "log-1"),
        ("GET", "/absorb/users?_limit=1", "200", "log-1"),
        ("GET", "/absorb/users?access_token=***", "401", "-"),
        ("GET", "/_emulator/tenants/log-1", "200", "log-1"),
    ]
    text = "\n".join(lines)
    for secret in (creds["apiKey"], creds["admin"]["password"], token, tenant.info["ispring"]["clients"][0]
                   ["clientSecret"]):
        assert secret not in text


def test_no_request_log_when_turned_off():
    with EmulatorProcess({"log_requests": "0"}) as live:
        requests.get(live.url + "/", timeout=30)
        time.sleep(0.3)
        assert not [line for line in live.output if LINE.match(line.rstrip("\n"))]


def test_log_format_is_checked():
    out = subprocess.run([sys.executable, "-m", "emulator.cli", "serve", "--log-format", "xml"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stderr == "lms-emulator: --log-format: 'xml' is not one of text, json\n"


def test_the_procfiles_gunicorn_logs_requests_too(tmp_path):
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:emulator.gunicorn_conf", "--workers", "1",
                "--threads", "2", "--bind", "127.0.0.1:0", "emulator:create_app()"]
    env = {**os.environ, "LMS_EMULATOR_PRINT_CREDENTIALS": "json", "PYTHONUNBUFFERED": "1"}
    env.pop("LMS_EMULATOR_LOG_REQUESTS", None)
    proc = subprocess.Popen(gunicorn, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        url = json.loads(proc.stdout.readline())["url"]
        assert requests.get(url + "/ispring/user", timeout=10).status_code == 401
        line = proc.stdout.readline().rstrip("\n")
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert LINE.match(line) and LINE.match(line).groups() == ("GET", "/ispring/user", "401", "-")


@pytest.mark.parametrize("server", servers.SERVERS)
def test_a_taken_port_is_one_prefixed_line_on_every_server(server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "emulator.cli", "serve", "--server", server, "--port", str(port)],
                             capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr == f"lms-emulator: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert "listening on" not in out.stdout
