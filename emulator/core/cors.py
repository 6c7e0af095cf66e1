"""CORS for browser clients, and the Host check that keeps DNS rebinding out.

CORS: preflights answered for every vendor header. ``--cors-origins`` /
``LMS_EMULATOR_CORS_ORIGINS`` governs the vendor routes: ``*`` (the default: the
emulator binds to 127.0.0.1, so only local pages reach it), a comma-separated
list of origins, or an empty string to turn CORS off. The admin API
(``/_emulator``) holds every tenant's passwords and secrets: it answers no
cross-origin page unless ``LMS_EMULATOR_ADMIN_CORS_ORIGINS`` (``--admin-cors-origins``)
names origins (same syntax; default none). The dashboard is served from the
emulator's own origin and needs no CORS.

Host check: a ``Host`` that is not a host name (or address) and port is a 400 on any
binding. While the emulator is bound to a loopback address, a request whose
``Host`` is neither a loopback name (``localhost``, ``*.localhost``, ``127.x.x.x``,
``[::1]``) nor the configured host is refused with 403. A page on
``http://evil.example`` whose name is re-pointed at 127.0.0.1 (DNS rebinding)
sends ``Host: evil.example``, and so never reaches the admin API as same-origin.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any

from flask import Request, Response

from .errors import BadRequest, Forbidden
from .http import no_content

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
        response = no_content()
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


# RFC 3986's authority without userinfo: a registered name (unreserved characters only: no '@', '#', '/', '?',
# ':' or space can hide another name in it), an IPv4 address, or an IP literal in brackets; then an optional port.
_HOST = re.compile(r"(?P<name>[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{0,5}))?")
_NUMERIC_IPV4 = re.compile(r"(?:0[xX][0-9A-Fa-f]*|[0-9]+)(?:\.(?:0[xX][0-9A-Fa-f]*|[0-9]+)){0,3}")


def is_loopback(name: str) -> bool:
    """``localhost``, ``*.localhost``, any 127/8 address (``127.1`` and the other forms a browser resolves
    there too), ``::1``, and ``::ffff:127.x.x.x``."""
    name = name.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        if not _NUMERIC_IPV4.fullmatch(name):
            return False
        try:  # 127.1, 2130706433, 0x7f.1: the shorthand forms inet_aton (and every browser) reads as IPv4
            return socket.inet_aton(name)[0] == 127
        except OSError:
            return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def host_name(host: str) -> str | None:
    """``Host`` without its port (``localhost:8080`` -> ``localhost``, ``[::1]:80`` -> ``::1``); None when the
    value is not a host and port at all (``localhost:80@evil.example``, ``[::1``, ``localhost:1/evil?x=``)."""
    found = _HOST.fullmatch(host.strip())
    if found is None or (found["port"] and int(found["port"]) > 65535):
        return None
    name = found["name"].lower()
    if name.startswith("["):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return None
        return name[1:-1]
    return name


def host_check(bound_host: str) -> Callable[[dict[str, Any]], None]:
    """The pipeline's step checking ``Host``, given the request's WSGI environ: a value that is not a host
    and port is a 400 on any binding (the app builds its base URLs from it); while bound to loopback, a
    host that is neither a loopback name nor the configured host is a 403 (see the module's docstring)."""
    loopback_only = is_loopback(bound_host)
    configured = host_name(bound_host) or bound_host.strip("[]").lower()
    seen: dict[str, int] = {}  # a suite sends one or two Host values: decide each once (0 ok, 400, 403)

    def check_host(environ: dict[str, Any]) -> None:
        raw = environ.get("HTTP_HOST")
        if not raw:
            return  # HTTP/1.0 without Host: nothing to rebind
        verdict = seen.get(raw)
        if verdict is None:
            name = host_name(raw)
            verdict = 400 if name is None else 403 if loopback_only and not (
                is_loopback(name) or name == configured) else 0
            if len(seen) < 256:
                seen[raw] = verdict
        if verdict == 400:
            raise BadRequest(f"Host '{raw[:100]}' is not a host name and port.", validations=["Host: malformed"],
                             headers={"Connection": "close"})
        if verdict == 403:
            raise Forbidden(f"Host '{raw[:100]}' is not served: the emulator is bound to {bound_host} and answers "
                            "loopback names only (localhost, 127.0.0.1, [::1]); bind another address with --host "
                            "to serve other names.")

    return check_host
