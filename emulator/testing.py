"""Run the emulator inside a test process: ``EmulatorServer`` and the pytest plugin.

``EmulatorServer`` serves a fresh app on a free loopback port in a thread::

    with EmulatorServer() as server:
        requests.get(server.url + "/absorb/...")

The pytest plugin (entry point ``pytest11``) gives the fixtures ``lms_emulator``
(one server per test session, so one per pytest-xdist worker) and
``lms_tenant`` (a fresh isolated tenant per test, removed afterwards).
"""
from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest
import requests
from werkzeug.serving import make_server


class EmulatorServer:
    def __init__(self, settings: dict[str, Any] | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        from .app import create_app

        self.app = create_app(settings or {})
        self._server = make_server(host, port, self.app, threaded=True)
        self.host, self.port = host, self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="lms-emulator", daemon=True)

    @property
    def store(self) -> Any:
        return self.app.state.store

    @property
    def admin_headers(self) -> dict[str, str]:
        token = self.app.state.settings.admin_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def create_tenant(self, **body: Any) -> "Tenant":
        """A fresh tenant (``seed``, ``fixture``, ``id`` as in ``POST /_emulator/tenants``)."""
        resp = requests.post(f"{self.url}/_emulator/tenants", json=body, headers=self.admin_headers, timeout=30)
        resp.raise_for_status()
        return Tenant(self, resp.json())

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


class Tenant:
    """A tenant created through the admin API, with ready-authenticated sessions per vendor."""

    def __init__(self, server: EmulatorServer, info: dict[str, Any]) -> None:
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


@pytest.fixture(scope="session")
def lms_emulator() -> Iterator[EmulatorServer]:
    """A live emulator on a free port for the whole test session (one per xdist worker)."""
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def lms_tenant(lms_emulator: EmulatorServer) -> Iterator[Tenant]:
    """A fresh isolated tenant for one test, deleted afterwards."""
    tenant = lms_emulator.create_tenant()
    yield tenant
    tenant.delete()
