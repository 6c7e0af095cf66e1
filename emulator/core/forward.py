"""Forwarding a call to a real service, only ever to a base URL the user configured.

Used by ``--fallback-target`` (a vendor call no route and no stub answers) and by ``lms-emulator proxy``. A
target is a base URL given at start; the upstream URL is that base with the request's path appended, and one
whose scheme or host would differ from the target's is refused, so the emulator never becomes a forwarder to
an address a request chose. Redirects are handed back, not followed.

The settings' form: ``absorb=https://rest.myabsorb.com`` (the vendor's prefix is replaced by the base URL:
``/absorb/users`` -> ``https://rest.myabsorb.com/users``), several separated by commas; a bare URL is given
the whole path, prefix included (another emulator, a gateway).
"""
from __future__ import annotations

import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Request, Response

VENDOR_NAMES = ("absorb", "ispring", "pearson")
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade", "host", "content-length"})
TIMEOUT = 30.0


class Unreachable(OSError):
    """The target did not answer (refused, timed out, not HTTP)."""


class TargetError(ValueError):
    """A target that is not an http(s) base URL, or names an unknown vendor, or a path that would leave it."""


def checked_base(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise TargetError(f"{url!r} is not an http(s) base URL")
    return url.strip().rstrip("/")


def join(base: str, path: str) -> str:
    """The base URL with ``path`` appended; refused if that would leave the base URL's scheme and host."""
    url = base + ("/" + path.lstrip("/"))
    if urlsplit(url)[:2] != urlsplit(base)[:2]:
        raise TargetError(f"refusing to forward outside {base}")
    return url


@dataclass(frozen=True, slots=True)
class Targets:
    """Base URLs by vendor, and one for whole paths (either may be absent)."""

    by_vendor: dict[str, str]
    whole_paths: str | None = None

    @classmethod
    def parse(cls, text: str) -> Targets:
        by_vendor: dict[str, str] = {}
        whole: str | None = None
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            name, sep, url = item.partition("=")
            if not sep or "://" in name:
                whole = checked_base(item)
                continue
            if name not in VENDOR_NAMES:
                raise TargetError(f"{item!r}: unknown vendor '{name}' (known: {', '.join(VENDOR_NAMES)})")
            by_vendor[name] = checked_base(url)
        return cls(by_vendor, whole)

    def __bool__(self) -> bool:
        return bool(self.by_vendor) or self.whole_paths is not None

    def url_for(self, vendor: str, path: str) -> str | None:
        """Where a call to ``path`` (the whole path, ``/absorb/...``) of ``vendor`` goes, or None."""
        if vendor in self.by_vendor:
            return join(self.by_vendor[vendor], path[len(vendor) + 1:] or "/")
        if self.whole_paths is not None:
            return join(self.whole_paths, path)
        return None


def forward(url: str, req: Request, timeout: float = TIMEOUT) -> Response:
    """The upstream answer to ``req`` sent to ``url`` (its query string added), as a Flask response, bytes and
    headers as they came (a compressed body stays compressed); ``Unreachable`` when no answer came."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = (parts.path or "/") + (f"?{req.query_string.decode('latin-1')}" if req.query_string else "")
    headers = {k: v for k, v in req.headers.items() if k.lower() not in HOP_BY_HOP}
    headers["Host"] = parts.netloc
    connection = kind(parts.netloc, timeout=timeout)
    try:
        connection.request(req.method, target, body=req.get_data() or None, headers=headers)
        upstream = connection.getresponse()
        body = upstream.read()
        answer_headers = [(k, v) for k, v in upstream.getheaders() if k.lower() not in HOP_BY_HOP]
        status = upstream.status
    except (OSError, http.client.HTTPException) as exc:
        raise Unreachable(f"{type(exc).__name__}: {exc}") from None
    finally:
        connection.close()
    response = Response(body, status=status)
    response.headers.clear()
    for k, v in answer_headers:
        response.headers.add(k, v)
    return response
