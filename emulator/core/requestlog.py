"""The request log: one line per request on stdout, whichever server runs the app (``--log-requests``).

A WSGI middleware around the whole app (the fast path included), so granian, gunicorn and werkzeug print the
same line: method, path, status, tenant, milliseconds, as text or as one JSON object (``--log-format json``).
The tenant is the one the request's credentials named (the pipeline leaves its id in the environ under
``Exchange.named``), ``-`` when none did. Secrets never appear: no header and no body is logged, and a query
parameter whose name says it carries a secret (``token``, ``secret``, ``password``, ``key``...) is shown
as ``***``.

Lines are written in batches (emulator's choice): a line waits at most ``FLUSH_AFTER`` (50 ms) for the lines after
it, and the batch goes out in one write, by a thread of the log's own. A write and a flush per request cost more
than the request itself: 24 us to a file and 66 us to a pipe (a CI job's output wakes its reader each time),
against ~120 us for an enroll. What is still waiting is written when the process exits normally.
"""
from __future__ import annotations

import atexit
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO
from functools import lru_cache
from urllib.parse import parse_qsl, quote

import orjson

from .exchange import EXCHANGE_KEY
from .http import MEMO_KEY_LIMIT

FORMATS = ("text", "json")
SECRET_NAME = re.compile(r"token|secret|password|passwd|key|code|signature|auth|credential|assertion", re.I)
MASK = "***"
FLUSH_AFTER = 0.05  # seconds a line may wait for the lines after it (see the module's docstring)

StartResponse = Callable[..., Any]


def masked_query(query: str) -> str:
    """``query`` with the value of every parameter named like a secret replaced by ``***``."""
    if not query:
        return query
    return _masked_memo(query) if len(query) <= MEMO_KEY_LIMIT else _masked(query)


def _masked(query: str) -> str:
    if not SECRET_NAME.search(query):  # the common case: nothing named like a secret
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(SECRET_NAME.search(name) for name, _ in pairs):
        return query
    return "&".join(f"{quote(name, safe='')}={MASK if SECRET_NAME.search(name) else quote(value, safe='')}"
                    for name, value in pairs)


_masked_memo = lru_cache(maxsize=1024)(_masked)  # a client sends the same few queries again and again


class RequestLog:
    """WSGI middleware writing one line per request to ``out`` (stdout by default) once the answer is made."""

    def __init__(self, app: Callable[..., Iterable[bytes]], form: str = "text", out: TextIO | None = None) -> None:
        if form not in FORMATS:
            raise ValueError(f"unknown log format {form!r}")
        self.app = app
        self.form = form
        self.out = out
        self.stamp = _Stamp()
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked worker starts with no thread and no lock held
        atexit.register(self.flush)

    def _reset(self) -> None:
        self.lock = threading.Lock()  # guards ``pending``
        self.writing = threading.Lock()  # one batch written at a time, in order
        self.pending: list[str] = []
        self.due = threading.Event()  # a batch is waiting
        self.flusher: threading.Thread | None = None

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
        """Keep ``line`` for the next batch; the first line of a batch wakes the log's thread."""
        with self.lock:
            self.pending.append(line + "\n")
            if len(self.pending) > 1:
                return
            if self.flusher is None:
                self.flusher = threading.Thread(target=self._flush_batches, name="request-log", daemon=True)
                self.flusher.start()
        self.due.set()

    def _flush_batches(self) -> None:
        while True:
            self.due.wait()
            time.sleep(FLUSH_AFTER)  # the lines of the next 50 ms join the batch
            self.due.clear()
            self.flush()

    def flush(self) -> None:
        """Write every line still waiting, in one write."""
        with self.writing:
            with self.lock:
                lines, self.pending = self.pending, []
            if not lines:
                return
            out = self.out or sys.stdout
            try:
                out.write("".join(lines))
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
