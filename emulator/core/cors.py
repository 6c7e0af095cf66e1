"""CORS for browser clients, and the Host check that keeps DNS rebinding out.

CORS: preflights answered for every vendor header. ``--cors-origins`` /
``LMS_EMULATOR_CORS_ORIGINS`` governs the vendor routes: ``*`` (the default: the
emulator binds to 127.0.0.1, so only local pages reach it), a comma-separated
list of origins, or an empty string to turn CORS off. The admin API
(``/_emulator``) holds every tenant's passwords and secrets: it answers no
cross-origin page unless ``LMS_EMULATOR_ADMIN_CORS_ORIGINS`` (``--admin-cors-origins``)
names origins (same syntax; default none). The dashboard is served from the
emulator's own origin and needs no CORS.

Host check: while the emulator is bound to a loopback address, a request whose
``Host`` is neither a loopback name (``localhost``, ``*.localhost``, ``127.x.x.x``,
``[::1]``) nor the configured host is refused with 403. A page on
``http://evil.example`` whose name is re-pointed at 127.0.0.1 (DNS rebinding)
sends ``Host: evil.example``, and so never reaches the admin API as same-origin.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from flask import Request, Response

from .errors import Forbidden

ALLOWED_HEADERS = "x-api-key, x-api-version, Authorization, X-Auth-Account-Url, Content-Type, Accept"
EXPOSED_HEADERS = "Retry-After, X-Emulator-Contract-Violations"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
MAX_AGE = "600"
ADMIN_PREFIX = "/_emulator"


def _origins(text: str) -> set[str]:
    return {o.strip() for o in (text or "").split(",") if o.strip()}


def _is_admin(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


class Cors:
    """The two CORS steps of the pipeline (``core.pipeline``); ``of`` gives None when CORS is off everywhere."""

    def __init__(self, origins: str, admin_origins: str = "") -> None:
        self.vendor_allowed, self.admin_allowed = _origins(origins), _origins(admin_origins)

    @classmethod
    def of(cls, origins: str, admin_origins: str = "") -> Cors | None:
        cors = cls(origins, admin_origins)
        return cors if cors.vendor_allowed or cors.admin_allowed else None

    def _granted(self, path: str, origin: str | None) -> str | None:
        if not origin:
            return None
        allowed = self.admin_allowed if _is_admin(path) else self.vendor_allowed
        return "*" if "*" in allowed else (origin if origin in allowed else None)

    def preflight(self, req: Request) -> Response | None:
        """A preflight's answer (204, with the grant when the origin is allowed); None for other requests."""
        if req.method != "OPTIONS" or not req.environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"):
            return None
        response = Response(status=204)
        granted = self._granted(req.path, req.environ.get("HTTP_ORIGIN"))
        if granted:
            response.headers["Access-Control-Allow-Origin"] = granted
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = MAX_AGE
            if granted != "*":
                response.headers["Vary"] = "Origin"
        return response

    def grant(self, path: str, origin: str | None) -> tuple[tuple[str, str], ...]:
        """The headers granting an answer on ``path`` to ``origin``; none when it is not allowed."""
        granted = self._granted(path, origin)
        if not granted:
            return ()
        if granted == "*":
            return (("Access-Control-Allow-Origin", granted), ("Access-Control-Expose-Headers", EXPOSED_HEADERS))
        return (("Access-Control-Allow-Origin", granted), ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
                ("Vary", "Origin"))

    def allow_origin(self, req: Request, response: Response) -> None:
        """The grant on an answer to an allowed origin (every answer pays this: no header parsing)."""
        grant = self.grant(req.path, req.environ.get("HTTP_ORIGIN"))
        if grant and "Access-Control-Allow-Origin" not in response.headers:
            for name, value in grant:
                response.headers[name] = value


def is_loopback(name: str) -> bool:
    name = name.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(host: str) -> str:
    """``Host`` without its port: ``localhost:8080`` -> ``localhost``, ``[::1]:80`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_check(bound_host: str) -> Callable[[dict[str, Any]], None] | None:
    """The pipeline's step refusing foreign ``Host`` names while bound to loopback (see the module's
    docstring), given the request's WSGI environ; None when bound to a real interface (its users name it as
    they like)."""
    if not is_loopback(bound_host):
        return None
    configured = host_name(bound_host)
    seen: dict[str, bool] = {}  # a suite sends one or two Host values: decide each once

    def check_host(environ: dict[str, Any]) -> None:
        raw = environ.get("HTTP_HOST")
        if not raw:
            return  # HTTP/1.0 without Host: nothing to rebind
        ok = seen.get(raw)
        if ok is None:
            name = host_name(raw)
            ok = is_loopback(name) or name == configured
            if len(seen) < 256:
                seen[raw] = ok
        if not ok:
            raise Forbidden(f"Host '{raw[:100]}' is not served: the emulator is bound to {bound_host} and answers "
                            "loopback names only (localhost, 127.0.0.1, [::1]); bind another address with --host "
                            "to serve other names.")

    return check_host
