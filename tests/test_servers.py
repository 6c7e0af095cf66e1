"""``lms-emulator serve`` on each server: it binds loopback, answers, stops cleanly, refuses what cannot work."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from emulator import servers

BANNER = re.compile(r"listening on http://([0-9.]+):(\d+) ")


class Serve:
    """``lms-emulator serve --port 0 ARGS`` in a subprocess; ``url`` from its banner."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        full_env.pop("LMS_EMULATOR_ADMIN_TOKEN", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "emulator.cli", "serve", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env)
        self.lines: list[str] = []
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            found = BANNER.search(line)
            if found:
                self.host, self.port = found.group(1), int(found.group(2))
                self.url = f"http://{self.host}:{self.port}"
                return
        raise AssertionError("no banner: " + "".join(self.lines))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the LISTEN sockets on ``port`` (Linux /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


@pytest.mark.parametrize("server", servers.SERVERS)
def test_each_server_serves_on_loopback_and_stops_on_sigterm(server):
    serve = Serve("--server", server)
    try:
        assert serve.host == "127.0.0.1"
        resp = requests.get(f"{serve.url}/_emulator/tenants/default", timeout=10)
        assert resp.status_code == 200 and resp.json()["id"] == "default"
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(serve.port) == {"127.0.0.1"}
    finally:
        code = serve.stop(signal.SIGTERM)
    assert code == 0


def test_granian_stops_on_ctrl_c_and_the_port_is_free_again():
    serve = Serve()  # the default server
    assert requests.get(f"{serve.url}/_emulator/tenants", timeout=10).status_code == 200
    assert serve.stop(signal.SIGINT) == 0
    servers.listen("127.0.0.1", serve.port).close()  # nothing listens there any more


def test_a_second_emulator_on_the_same_port_is_refused():
    """granian's own listener sets SO_REUSEPORT: without the emulator's exclusive socket, a second server would
    silently share the port and answer half the requests with a different state."""
    first = Serve()
    try:
        second = subprocess.run([sys.executable, "-m", "emulator.cli", "serve", "--port", str(first.port)],
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert f"cannot listen on 127.0.0.1:{first.port}" in second.stderr
    finally:
        first.stop()


@pytest.mark.parametrize("args, message", [
    (["--workers", "2"], "--workers must be 1"),
    (["--server", "werkzeug", "--threads", "4"], "--threads does not apply to werkzeug"),
    (["--threads", "0"], "--threads must be at least 1"),
])
def test_what_cannot_work_is_refused_before_start(args, message):
    out = subprocess.run([sys.executable, "-m", "emulator.cli", "serve", "--port", "0", *args],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


def test_a_process_variable_named_like_a_header_does_not_reach_the_app():
    """granian builds each WSGI environ from os.environ: HTTP_X_LEAK there must not become a request header."""
    serve = Serve(env={"HTTP_X_LEAK": "from-the-environment"})
    try:
        requests.post(f"{serve.url}/absorb/authenticate", json={"username": "nobody"}, timeout=10)
        requests.post(f"{serve.url}/absorb/authenticate", json={"username": "nobody"}, headers={"X-Leak": "sent"},
                      timeout=10)
        journal = requests.get(f"{serve.url}/_emulator/tenants/default/journal", timeout=10).json()["entries"]
    finally:
        serve.stop()
    leaks = [{k.lower(): v for k, v in entry["headers"].items()}.get("x-leak") for entry in journal
             if entry["path"] == "/absorb/authenticate"]
    assert sorted(leaks, key=str) == [None, "sent"]  # only the header the client sent


def test_emulator_process_passes_settings_and_stops():
    from emulator.testing import EmulatorProcess

    with EmulatorProcess({"admin_token": "t0k", "seed": 7}) as server:
        assert requests.get(f"{server.url}/_emulator/tenants", timeout=10).status_code == 401
        tenant = server.create_tenant()  # with the admin token
        assert tenant.info["seed"] == 7
        assert tenant.absorb().get(f"{tenant.info['baseUrls']['absorb']}/bulk/student-courses").status_code == 200
        tenant.delete()
        proc = server._proc
    assert proc is not None and proc.returncode == 0
