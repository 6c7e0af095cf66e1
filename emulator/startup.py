"""What the server prints when it is ready: the default tenant's credentials, as a table or one JSON line.

Used by ``lms-emulator serve`` and by the gunicorn worker (``emulator.gunicorn_conf``), so both print the same.
The same credentials, in full, come from ``GET /_emulator/tenants/default``.
"""
from __future__ import annotations

import json
import logging
import re
import shlex
import sys
import time
from typing import Any

from .version import __version__
from .core.state import EXTENSION, app_state

ANSI = re.compile(r"\x1b\[[0-9;]*m")


WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def base_url(host: str, port: int, scheme: str = "http") -> str:
    """The URL a client on this machine uses: a wildcard bind (``0.0.0.0``, ``::``) is reached at loopback."""
    host = WILDCARD_HOSTS.get(host, host)
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def wildcard_note(host: str) -> str:
    """The start-up output's line for a wildcard bind ('' otherwise): the base URL shown is loopback's."""
    if host not in WILDCARD_HOSTS:
        return ""
    return (f"  bound to every address ({host or '0.0.0.0'}): from another machine or container, use this "
            "machine's name or address instead of the loopback one above")


def trust_hint(ca_file: Any) -> str:
    """``serve --tls``'s lines: where the emulator's certificate authority is and how clients trust it."""
    return (f"  TLS: certificate authority {ca_file}\n"
            f"  trust it: REQUESTS_CA_BUNDLE={ca_file} (Python requests)  NODE_EXTRA_CA_CERTS={ca_file} (Node)\n"
            f"            SSL_CERT_FILE={ca_file} (OpenSSL, httpx, Go)  curl --cacert {ca_file}")


def report(app: Any, base: str, started: float | None = None) -> str:
    """The start-up output, in the form ``settings.print_credentials`` asks for ('' for none)."""
    state = app_state(app)
    settings, tenant = state.settings, state.store.tenants.get("default")
    if settings.print_credentials == "none":
        return ""
    if settings.print_credentials == "json":
        return json.dumps(credentials(app, base), separators=(",", ":"))
    ready = "" if started is None else f", ready in {time.perf_counter() - started:.2f} s"
    head = f"lms-emulator {__version__} listening on {base} (seed {settings.seed}{ready})"
    limited = state.store.rate_limited
    if limited:  # opt-in: say so, a throttled suite is otherwise a puzzle
        head += "\n  rate limit on for every tenant: " + ", ".join(limited)
    if tenant is None:
        return head + f"\n  admin API  {base}/_emulator/"
    return head + "\n" + table(tenant, base, admin_token=bool(settings.admin_token))


def credentials(app: Any, base: str) -> dict[str, Any]:
    """The JSON form: every vendor's credentials of the default tenant, with its base URL."""
    state = app_state(app)
    tenant = state.store.tenants.get("default")
    out: dict[str, Any] = {"url": base, "version": __version__, "admin": f"{base}/_emulator/",
                           "adminTokenRequired": bool(state.settings.admin_token),
                           "tenant": None if tenant is None else tenant.id}
    if tenant is not None:
        with tenant.lock:
            for name, world in tenant.worlds.items():
                out[name] = {"baseUrl": base + state.vendors[name].prefix, **world.credentials()}
    return out


def table(tenant: Any, base: str, *, admin_token: bool = False) -> str:
    """A short aligned table: enough to make a first call to each vendor."""
    rows: list[tuple[str, str, str]] = []
    auth = " -H 'Authorization: Bearer <admin token>'" if admin_token else ""
    with tenant.lock:
        creds = {name: world.credentials() for name, world in tenant.worlds.items()}
    if "absorb" in creds:
        a = creds["absorb"]
        rows += [("Absorb", "base URL", f"{base}/absorb"),
                 ("", "x-api-key", f"{a['apiKey']}  (x-api-version: {a['apiVersion']} or none)"),
                 ("", "admin", f"{a['admin']['username']} / {a['admin']['password']}")]
        if a["learners"]:
            rows.append(("", "learner", f"{a['learners'][0]['username']} / {a['learners'][0]['password']}"))
    if "ispring" in creds:
        i = creds["ispring"]
        rows += [("iSpring", "base URL", f"{base}/ispring"), ("", "account", i["accountUrl"])]
        if i["clients"]:
            c = i["clients"][0]
            rows.append(("", "client", f"{c['clientId']} / {c['clientSecret']}  ({c['role']})"))
        if i.get("logins"):
            login = i["logins"][0]
            rows.append(("", "login", f"{login['email']} / {login['password']}  (X-Auth-Email / X-Auth-Password)"))
    if "pearson" in creds:
        rows.append(("Pearson", "base URL", f"{base}/pearson"))
        users = creds["pearson"]["users"]
        if users:
            body = shlex.quote(json.dumps({"userId": users[0]["id"]}))
            rows.append(("", "token", f"curl -s -X POST {base}/_emulator/tenants/{tenant.id}/pearson/tokens{auth} "
                                      f"-H 'Content-Type: application/json' -d {body}"))
    rows += [("Admin", "dashboard", f"{base}/_emulator/" + ("  (asks for the admin token)" if admin_token else "")),
             ("", "all of it", f"curl -s{auth} {base}/_emulator/tenants/{tenant.id}")]
    first = max(len(r[0]) for r in rows)
    second = max(len(r[1]) for r in rows)
    return "\n".join(f"  {a:<{first}}  {b:<{second}}  {c}" for a, b, c in rows)


class _PlainFilter(logging.Filter):
    """Werkzeug colours its access log lines; take the colour codes out unless stderr is a terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not sys.stderr.isatty():
            message = record.getMessage()
            if "\x1b" in message:
                record.msg, record.args = ANSI.sub("", message), ()
        return True


def plain_access_log() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, _PlainFilter) for f in logger.filters):
        logger.addFilter(_PlainFilter())


def print_from_gunicorn(worker: Any) -> None:
    """The start-up output from a gunicorn worker: its app, and the address of its first listening socket."""
    app = worker.wsgi
    if not hasattr(app, "extensions") or EXTENSION not in app.extensions:
        return
    try:
        host, port = worker.sockets[0].getsockname()[:2]
        base = base_url(host, port)
    except (IndexError, TypeError, ValueError, OSError):  # a unix socket: no URL to show
        base = "http://" + str(worker.cfg.bind[0])
    plain_access_log()
    text = report(app, base)
    if text:
        print(text, flush=True)
