"""Run the emulator for a test process, with any test runner: ``EmulatorProcess``, ``EmulatorServer``, ``Tenant``.

``EmulatorProcess`` runs ``lms-emulator serve`` (granian, the server users run) in a child process on a free
loopback port; ``EmulatorServer`` serves a fresh app in a thread of the test process (Werkzeug), and also
gives the test its ``app`` and ``store``::

    with EmulatorProcess() as server:          # or EmulatorServer()
        tenant = server.create_tenant(fixture="ilc-full-waitlist")
        tenant.absorb().get(tenant.info["baseUrls"]["absorb"] + "/bulk/student-courses")

Nothing here needs pytest; the pytest plugin (``emulator.pytest_plugin``) builds its fixtures on these.
"""
from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import threading
from typing import Any

import requests
from werkzeug.serving import make_server

from .config import tls_dir
from .core.env import variable


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
class _Live:
    """What both live servers give a test: ``url``, ``admin_headers`` and ``create_tenant``; ``verify`` is what
    ``requests`` checks the server's certificate with (the emulator's authority's file under ``tls=True``)."""

    url: str
    verify: bool | str = True

    @property
    def admin_headers(self) -> dict[str, str]:
        raise NotImplementedError

    def create_tenant(self, **body: Any) -> Tenant:
        """A fresh tenant (``seed``, ``fixture``, ``id``, ``anchor``, ``users`` as in ``POST /_emulator/tenants``).

        Raises ``EmulatorHTTPError`` with the emulator's message when the emulator refuses."""
        resp = requests.post(f"{self.url}/_emulator/tenants", json=body, headers=self.admin_headers, timeout=120,
                             verify=self.verify)
        return Tenant(self, _checked(resp, "creating a tenant").json())


class EmulatorServer(_Live):
    def __init__(self, settings: dict[str, Any] | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        # here: the pytest plugin imports this module in every session; Flask and the vendors load for a server
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
        return self.app.state.store

    @property
    def admin_headers(self) -> dict[str, str]:
        token = self.app.state.settings.admin_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def start(self) -> EmulatorServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        if self.app.state.outbox is not None:
            self.app.state.outbox.close()  # the webhook sender's thread ends with the server

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class EmulatorProcess(_Live):
    """``lms-emulator serve --port 0`` in a child process, stopped (SIGTERM) on exit.

    ``settings`` are passed as ``LMS_EMULATOR_*`` variables (any ``Settings`` field: ``seed``,
    ``admin_token``, ``fixtures``, ``strict``...); ``server`` and ``threads`` as ``serve``'s options.
    ``tls=True`` serves HTTPS (``serve --tls``): ``url`` is ``https://...`` and ``verify`` (also set on every
    ``Tenant`` session) is the emulator's certificate authority."""

    URL = re.compile(r"(https?)://(?:[0-9A-Za-z.-]+|\[[0-9A-Fa-f:]+\]):(\d+)")  # the first in the start-up line

    def __init__(self, settings: dict[str, Any] | None = None, host: str = "127.0.0.1", server: str = "granian",
                 threads: int | None = None, start_timeout: float = 60, tls: bool = False) -> None:
        self.settings = dict(settings or {})
        self.host, self.port, self.url = host, 0, ""
        self.verify = str(tls_dir() / "ca.pem") if tls else True
        self.command = [sys.executable, "-m", "emulator.cli", "serve", "--host", host, "--port", "0",
                        "--server", server, *(["--threads", str(threads)] if threads else []),
                        *(["--tls"] if tls else [])]
        self.start_timeout = start_timeout
        self.output: collections.deque[str] = collections.deque(maxlen=200)  # the child's last lines
        self._proc: subprocess.Popen[str] | None = None

    @property
    def admin_headers(self) -> dict[str, str]:
        token = self.settings.get("admin_token", variable("admin_token"))
        return {"Authorization": f"Bearer {token}"} if token else {}

    def start(self) -> EmulatorProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.update({f"LMS_EMULATOR_{key.upper()}": str(value) for key, value in self.settings.items()
                    if value is not None})
        env["LMS_EMULATOR_PRINT_CREDENTIALS"] = "json"  # one line with the URL, whatever the settings say
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
                self.port = int(found.group(2))
                self.url = f"{found.group(1)}://{self.host}:{self.port}"
                ready.set()
        ready.set()

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a child server: SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _Session(requests.Session):
    """A session whose ``verify`` holds per request: requests lets ``REQUESTS_CA_BUNDLE`` (set on many CI
    machines) override a session's own ``verify``, which would drop the emulator's authority."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("verify", self.verify)
        return super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]


class Tenant:
    """A tenant created through the admin API, with ready-authenticated sessions per vendor."""

    def __init__(self, server: _Live, info: dict[str, Any]) -> None:
        self.server, self.info, self.id = server, info, info["id"]
        self.url = server.url

    def absorb(self, username: str | None = None, password: str | None = None) -> requests.Session:
        creds = self.info["absorb"]
        username = username or creds["admin"]["username"]
        password = password or creds["admin"]["password"]
        session = self._session()
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
            "client_id": chosen["clientId"], "client_secret": chosen["clientSecret"],
            "grant_type": "client_credentials"},
            timeout=30, verify=self.server.verify)
        _checked(resp, f"getting an iSpring token for {chosen['name']}")
        session = self._session()
        session.headers.update({"Authorization": f"Bearer {resp.json()['access_token']}",
                                "X-Auth-Account-Url": creds["accountUrl"], "Accept": "application/json"})
        return session

    def pearson(self, user_id: str) -> requests.Session:
        resp = requests.post(f"{self.url}/_emulator/tenants/{self.id}/pearson/tokens", json={"userId": user_id},
                             headers=self.server_admin_headers(), timeout=30, verify=self.server.verify)
        _checked(resp, f"issuing a Pearson token for {user_id}")
        session = self._session()
        session.headers["Authorization"] = f"Bearer {resp.json()['token']}"
        return session

    def _session(self) -> requests.Session:
        session = _Session()
        session.verify = self.server.verify
        return session

    def server_admin_headers(self) -> dict[str, str]:
        return self.server.admin_headers

    @property
    def admin_url(self) -> str:
        return f"{self.url}/_emulator/tenants/{self.id}"

    def admin(self, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        """Call this tenant's admin API: ``tenant.admin("POST", "/clock/advance", json={"duration": "2h"})``."""
        headers = {**self.server_admin_headers(), **kwargs.pop("headers", {})}
        kwargs.setdefault("verify", self.server.verify)
        return requests.request(method, self.admin_url + path, headers=headers, timeout=30, **kwargs)

    def stub(self, method: str | None, path: str, *, status: int = 200, json: Any = None, text: str | None = None,
             content_type: str | None = None, headers: dict[str, str] | None = None,
             delay_ms: int = 0) -> dict[str, Any]:
        """Answer a vendor call the emulator does not emulate (``POST .../stubs``; ``core.stubs``)::

            tenant.stub("GET", "/absorb/certificates/*", json={"id": "c1", "name": "First aid"})

        ``path`` is a glob under a vendor prefix (``*`` one segment, ``**`` any); ``method`` None matches any;
        ``json`` or ``text`` (with ``content_type``, e.g. XML) is the body. Matched only where no emulated
        route matches. Returns the stub as the admin API shows it (``id``, ``hits``...)."""
        body: dict[str, Any] = {"method": method, "path": path, "status": status, "headers": headers or {},
                                "delayMs": delay_ms}
        if text is not None:
            body["bodyText"] = text
        else:
            body["body"] = json
        if content_type is not None:
            body["contentType"] = content_type
        return _checked(self.admin("POST", "/stubs", json=body), f"adding a stub for {path}").json()

    def stubs(self) -> list[dict[str, Any]]:
        """The tenant's stubs, with their ``hits``."""
        return _checked(self.admin("GET", "/stubs"), "listing stubs").json()["stubs"]

    def clear_stubs(self) -> None:
        _checked(self.admin("DELETE", "/stubs"), "removing the stubs")

    def data(self) -> dict[str, Any]:
        """The whole world (``data.json``)."""
        return _checked(self.admin("GET", "/data.json"), "reading data.json").json()

    def webhooks(self, wait_for: int | None = None, timeout: float = 10) -> list[dict[str, Any]]:
        """The tenant's webhook delivery attempts (oldest first); ``wait_for=N`` first waits (up to ``timeout``
        seconds) until N deliveries have finished, and raises ``TimeoutError`` if they have not."""
        params = {} if wait_for is None else {"wait": str(wait_for), "timeout": str(timeout)}
        answer = _checked(self.admin("GET", "/webhooks", params=params), "reading webhook deliveries").json()
        if not answer["waited"]:
            raise TimeoutError(f"{answer['finished']} of {wait_for} webhook deliveries finished in {timeout} s")
        return answer["deliveries"]

    def delete(self) -> None:
        self.admin("DELETE")

