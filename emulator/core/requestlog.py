"""The request log: one line per request on stdout, whichever server runs the app (``--log-requests``).

A WSGI middleware around the whole app (the fast path included), so granian, gunicorn and werkzeug print the
same line: method, path, status, tenant, milliseconds, as text or as one JSON object (``--log-format json``).
The tenant is the one the request's credentials named (the pipeline leaves its id in the environ under
``Exchange.named``), ``-`` when none did. Secrets never appear: no header and no body is logged, and a query
parameter whose name says it carries a secret (``token``, ``secret``, ``password``, ``key``...) is shown
as ``***``.
"""
from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO
from urllib.parse import parse_qsl, quote

import orjson

from .exchange import EXCHANGE_KEY

FORMATS = ("text", "json")
SECRET_NAME = re.compile(r"token|secret|password|passwd|key|code|signature|auth|credential|assertion", re.I)
MASK = "***"

StartResponse = Callable[..., Any]


def masked_query(query: str) -> str:
    """``query`` with the value of every parameter named like a secret replaced by ``***``."""
    if not query or not SECRET_NAME.search(query):  # the common case: nothing named like a secret
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(SECRET_NAME.search(name) for name, _ in pairs):
        return query
    return "&".join(f"{quote(name, safe='')}={MASK if SECRET_NAME.search(name) else quote(value, safe='')}"
                    for name, value in pairs)


class RequestLog:
    """WSGI middleware writing one line per request to ``out`` (stdout by default) once the answer is made."""

    def __init__(self, app: Callable[..., Iterable[bytes]], form: str = "text", out: TextIO | None = None) -> None:
        if form not in FORMATS:
            raise ValueError(f"unknown log format {form!r}")
        self.app = app
        self.form = form
        self.out = out
        self.lock = threading.Lock()
        self.stamp = _Stamp()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: list[str] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.append(status)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            return self.app(environ, start)
        finally:
            status = int(seen[-1][:3]) if seen and seen[-1][:3].isdigit() else 500
            self.write(self.line(environ, status, (time.perf_counter() - started) * 1000))

    def line(self, environ: dict[str, Any], status: int, ms: float) -> str:
        method = environ.get("REQUEST_METHOD", "-")
        exchange = environ.get(EXCHANGE_KEY)
        path = (exchange and exchange.original_path) or environ.get("PATH_INFO") or "/"  # as sent, not folded
        query = masked_query(environ.get("QUERY_STRING") or "")
        named = exchange and exchange.named
        tenant = named.id if named else None
        if self.form == "json":
            record = {"time": self.stamp(), "method": method, "path": path, "query": query or None, "status": status,
                      "tenant": tenant, "ms": round(ms, 2)}
            return orjson.dumps(record).decode()
        target = path + ("?" + query if query else "")
        return f"{self.stamp()} {method} {_printable(target)} {status} {tenant or '-'} {ms:.1f} ms"

    def write(self, line: str) -> None:
        out = self.out or sys.stdout
        with self.lock:
            try:
                out.write(line + "\n")
                out.flush()
            except (OSError, ValueError):  # the reader went away: the request log never fails a request
                pass


class _Stamp:
    """UTC to the millisecond (the wall clock: when the line was written, not a tenant's clock), the formatted
    second kept while it lasts: strftime per request cost as much as the rest of the line."""

    def __init__(self) -> None:
        self.second = -1
        self.text = ""

    def __call__(self) -> str:
        now = time.time()
        second = int(now)
        if second != self.second:  # a race here only formats the same second twice
            self.text, self.second = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)), second
        return f"{self.text}.{int((now - second) * 1000):03d}Z"



def _printable(text: str) -> str:
    """A path as sent may hold spaces or control characters (WSGI gives it decoded as latin-1): quoted, so one
    request stays one line."""
    return text if text.isprintable() and " " not in text else quote(text, safe="/?&=%:@,;+*'()!$~")
