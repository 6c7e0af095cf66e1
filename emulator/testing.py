"""Run the emulator inside a test process, with any test runner: ``EmulatorServer`` and ``Tenant``.

``EmulatorServer`` serves a fresh app on a free loopback port in a thread::

    with EmulatorServer() as server:
        tenant = server.create_tenant(fixture="ilc-full-waitlist")
        tenant.absorb().get(tenant.info["baseUrls"]["absorb"] + "/bulk/student-courses")

Nothing here needs pytest; the pytest plugin (``emulator.pytest_plugin``) builds its fixtures on these.
"""
from __future__ import annotations

import threading
from typing import Any

import requests


class EmulatorHTTPError(requests.HTTPError):
    """An error answer from the emulator, carrying its message (``str(exc)`` shows status, error and message).

    ``status`` is the HTTP status; ``error`` the error's name or code and ``message`` its text, read from the
    admin API's ``{"error", "message"}`` or a vendor's own error shape; ``body`` the raw answer text."""

    def __init__(self, response: requests.Response, doing: str) -> None:
        self.status = response.status_code
        self.body = response.text
        self.error, self.message = _error_parts(response)
        super().__init__(f"{doing}: {self.status} {self.error}: {self.message}", response=response)


def _error_parts(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return response.reason or "Error", response.text.strip()[:500]
    if isinstance(body, dict):
        error = body.get("error") or body.get("term") or body.get("code") or response.reason or "Error"
        message = body.get("message") or body.get("Message") or body.get("error_description") or ""
        return str(error), str(message)
    return response.reason or "Error", str(body)[:500]


def _checked(response: requests.Response, doing: str) -> requests.Response:
    if response.status_code >= 400:
        raise EmulatorHTTPError(response, doing)
    return response
from werkzeug.serving import make_server


class EmulatorServer:
    def __init__(self, settings: dict[str, Any] | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        from .app import create_app

        from .startup import plain_access_log

        self.app = create_app(settings or {})
        plain_access_log()  # no colour codes in captured logs
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

    def create_tenant(self, **body: Any) -> "Tenant":
        """A fresh tenant (``seed``, ``fixture``, ``id`` as in ``POST /_emulator/tenants``).

        Raises ``EmulatorHTTPError`` with the emulator's message when the emulator refuses."""
        resp = requests.post(f"{self.url}/_emulator/tenants", json=body, headers=self.admin_headers, timeout=30)
        return Tenant(self, _checked(resp, "creating a tenant").json())

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
        _checked(token, f"authenticating {username} with Absorb")
        session.headers["Authorization"] = f"Bearer {token.json()}"
        return session

    def ispring(self, client: str = "owner") -> requests.Session:
        creds = self.info["ispring"]
        chosen = next(c for c in creds["clients"] if c["role"].lower().endswith(client.lower()) or c["name"] == client)
        resp = requests.post(f"{self.url}/ispring/api/v3/token", data={
            "client_id": chosen["clientId"], "client_secret": chosen["clientSecret"], "grant_type": "client_credentials"},
            timeout=30)
        _checked(resp, f"getting an iSpring token for {chosen['name']}")
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {resp.json()['access_token']}",
                                "X-Auth-Account-Url": creds["accountUrl"], "Accept": "application/json"})
        return session

    def pearson(self, user_id: str) -> requests.Session:
        resp = requests.post(f"{self.url}/_emulator/tenants/{self.id}/pearson/tokens", json={"userId": user_id},
                             headers=self.server_admin_headers(), timeout=30)
        _checked(resp, f"issuing a Pearson token for {user_id}")
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
        return _checked(self.admin("GET", "/data.json"), "reading data.json").json()

    def delete(self) -> None:
        self.admin("DELETE")

