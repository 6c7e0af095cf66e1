"""Run the emulator for a test process: ``EmulatorServer``, ``EmulatorProcess`` and the pytest plugin.

``EmulatorServer`` serves a fresh app on a free loopback port in a thread (Werkzeug), and gives the test
its ``app`` and ``store``; ``EmulatorProcess`` runs ``lms-emulator serve`` (granian) in a child process,
the same server users run, without sharing the test's interpreter lock::

    with EmulatorServer() as server:          # or EmulatorProcess()
        requests.get(server.url + "/absorb/...")

The pytest plugin (entry point ``pytest11``) gives the fixtures ``lms_emulator``
(one server per test session, so one per pytest-xdist worker) and
``lms_tenant`` (a fresh isolated tenant per test, removed afterwards).
"""
from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import threading
from typing import Any, Iterator

import pytest
import requests
from werkzeug.serving import make_server


class _Live:
    """What both live servers give a test: ``url``, ``admin_headers`` and ``create_tenant``."""

    url: str

    @property
    def admin_headers(self) -> dict[str, str]:
        raise NotImplementedError

    def create_tenant(self, **body: Any) -> "Tenant":
        """A fresh tenant (``seed``, ``fixture``, ``id`` as in ``POST /_emulator/tenants``)."""
        resp = requests.post(f"{self.url}/_emulator/tenants", json=body, headers=self.admin_headers, timeout=30)
        resp.raise_for_status()
        return Tenant(self, resp.json())


class EmulatorServer(_Live):
    def __init__(self, settings: dict[str, Any] | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        from .app import create_app

        self.app = create_app(settings or {})
        self._server = make_server(host, port, self.app, threaded=True)
        self.host, self.port = host, self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="lms-emulator", daemon=True)

    @property
    def store(self) -> Any:
        return self.app.extensions["lms_emulator"]["store"]

    @property
    def admin_headers(self) -> dict[str, str]:
        token = self.app.extensions["lms_emulator"]["settings"].admin_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def start(self) -> "EmulatorServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class EmulatorProcess(_Live):
    """``lms-emulator serve --port 0`` in a child process, stopped (SIGTERM) on exit.

    ``settings`` are passed as ``LMS_EMULATOR_*`` variables (any ``Settings`` field: ``seed``,
    ``admin_token``, ``fixtures``, ``strict``...); ``server`` and ``threads`` as ``serve``'s options."""

    URL = re.compile(r"http://[^\s/]+:(\d+)")

    def __init__(self, settings: dict[str, Any] | None = None, host: str = "127.0.0.1", server: str = "granian",
                 threads: int | None = None, start_timeout: float = 60) -> None:
        self.settings = dict(settings or {})
        self.host, self.port, self.url = host, 0, ""
        self.command = [sys.executable, "-m", "emulator.cli", "serve", "--host", host, "--port", "0",
                        "--server", server, *(["--threads", str(threads)] if threads else [])]
        self.start_timeout = start_timeout
        self.output: collections.deque[str] = collections.deque(maxlen=200)  # the child's last lines
        self._proc: subprocess.Popen[str] | None = None

    @property
    def admin_headers(self) -> dict[str, str]:
        token = self.settings.get("admin_token", os.environ.get("LMS_EMULATOR_ADMIN_TOKEN"))
        return {"Authorization": f"Bearer {token}"} if token else {}

    def start(self) -> "EmulatorProcess":
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.update({f"LMS_EMULATOR_{key.upper()}": str(value) for key, value in self.settings.items()
                    if value is not None})
        self._proc = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                      env=env)
        ready = threading.Event()
        threading.Thread(target=self._drain, args=(ready,), name="lms-emulator-output", daemon=True).start()
        if not ready.wait(self.start_timeout) or not self.port:
            self.stop()
            raise RuntimeError("lms-emulator serve did not start:\n" + "".join(self.output))
        return self

    def _drain(self, ready: threading.Event) -> None:
        """Read the child's output (so that it never blocks on a full pipe); the banner names the port."""
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            self.output.append(line)
            if not self.port and (found := self.URL.search(line)):
                self.port = int(found.group(1))
                self.url = f"http://{self.host}:{self.port}"
                ready.set()
        ready.set()

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> "EmulatorProcess":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class Tenant:
    """A tenant created through the admin API, with ready-authenticated sessions per vendor."""

    def __init__(self, server: _Live, info: dict[str, Any]) -> None:
        self.server, self.info, self.id = server, info, info["id"]
        self.url = server.url

    def absorb(self, username: str | None = None, password: str | None = None) -> requests.Session:
        creds = self.info["absorb"]
        username = username or creds["admin"]["username"]
        password = password or creds["admin"]["password"]
        session = requests.Session()
        session.headers.update({"x-api-key": creds["apiKey"], "x-api-version": "2"})
        token = session.post(f"{self.url}/absorb/authenticate",
                             json={"username": username, "password": password, "privateKey": creds["apiKey"]},
                             timeout=30)
        token.raise_for_status()
        session.headers["Authorization"] = f"Bearer {token.json()}"
        return session

    def ispring(self, client: str = "owner") -> requests.Session:
        creds = self.info["ispring"]
        chosen = next(c for c in creds["clients"] if c["role"].lower().endswith(client.lower()) or c["name"] == client)
        resp = requests.post(f"{self.url}/ispring/api/v3/token", data={
            "client_id": chosen["clientId"], "client_secret": chosen["clientSecret"], "grant_type": "client_credentials"})
        resp.raise_for_status()
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {resp.json()['access_token']}",
                                "X-Auth-Account-Url": creds["accountUrl"], "Accept": "application/json"})
        return session

    def pearson(self, user_id: str) -> requests.Session:
        resp = requests.post(f"{self.url}/_emulator/tenants/{self.id}/pearson/tokens", json={"userId": user_id},
                             headers=self.server_admin_headers())
        resp.raise_for_status()
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {resp.json()['token']}"
        return session

    def server_admin_headers(self) -> dict[str, str]:
        return self.server.admin_headers

    @property
    def admin_url(self) -> str:
        return f"{self.url}/_emulator/tenants/{self.id}"

    def admin(self, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        """Call this tenant's admin API: ``tenant.admin("POST", "/clock/advance", json={"duration": "2h"})``."""
        headers = {**self.server_admin_headers(), **kwargs.pop("headers", {})}
        return requests.request(method, self.admin_url + path, headers=headers, timeout=30, **kwargs)

    def data(self) -> dict[str, Any]:
        """The whole world (``data.json``)."""
        resp = self.admin("GET", "/data.json")
        resp.raise_for_status()
        return resp.json()

    def delete(self) -> None:
        self.admin("DELETE")


def pytest_addoption(parser: Any) -> None:
    parser.addoption("--lms-emulator-live", choices=("process", "thread"), default="process",
                     help="lms_emulator fixture: 'lms-emulator serve' (granian) in a child process (default), "
                          "or Werkzeug in a thread of the test process")


@pytest.fixture(scope="session")
def lms_emulator(request: Any) -> Iterator[_Live]:
    """A live emulator on a free port for the whole test session (one per xdist worker).

    By default ``lms-emulator serve`` in a child process (``EmulatorProcess``): a test's sequence of calls
    ran 1.4x faster than on Werkzeug in a thread of the test process with one test process, and 0.9x with
    two test processes on two cores (``bench/bench_suite.py``); ``--lms-emulator-live thread`` picks the
    thread (``EmulatorServer``, which also gives the test the ``app`` and ``store``)."""
    live = request.config.getoption("--lms-emulator-live", default="process")
    with (EmulatorServer() if live == "thread" else EmulatorProcess()) as server:
        yield server


@pytest.fixture
def lms_tenant(lms_emulator: _Live) -> Iterator[Tenant]:
    """A fresh isolated tenant for one test, deleted afterwards."""
    tenant = lms_emulator.create_tenant()
    yield tenant
    tenant.delete()
