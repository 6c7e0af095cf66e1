"""A gunicorn ``gthread`` worker that reads each whole request before a thread takes it.

gunicorn's gthread worker hands a connection to one of its threads as soon as it is accepted or
a kept-alive connection turns readable; the thread then blocks reading the headers and the app
blocks reading the body. Eight idle or trickling clients (a browser's spare connections, a hung
CI job) hold all eight threads, and every other request waits behind them.

Here the worker's event loop (one thread, non-blocking sockets) collects the bytes of the next
request first: the headers up to the blank line, then the body by ``Content-Length`` or to the last
chunk. Only a complete request (or one whose framing is for gunicorn's parser to refuse: an over-long
line, a bad chunk size, a body larger than the app accepts, ``Expect: 100-continue``) goes to a
thread, with its bytes put back in front of the parser. A request line or header fields past gunicorn's
limits are answered here, 414 or 431 in the shape of the vendor the path names (gunicorn's own answer is
not the vendor's). A connection that has not sent a whole
request within ``READ_TIMEOUT`` seconds is answered 408 and closed. The bench
``bench/bench_slowclients.py`` measures it.
"""
from __future__ import annotations

import contextlib
import re
import selectors
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from .core.http import MAX_BODY_BYTES

READ_TIMEOUT = 10.0  # seconds for a whole request, from its first byte (or from the accept)
HEADER_LIMIT = 64 * 1024  # past this without a blank line, gunicorn's own limits answer (414/431/400)
BODY_LIMIT = MAX_BODY_BYTES + 64 * 1024  # past this the app answers 413; no point buffering more
_TIMEOUT_BODY = b'{"error":"RequestTimeout","message":"The request was not received whole in time."}'
TIMEOUT_ANSWER = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY))
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


def over_limits(buf: bytes, line_limit: int, field_limit: int, fields_limit: int) -> int | None:
    """414 or 431 when the request line or the header fields in ``buf`` are past gunicorn's limits (which it
    would answer in its own words), else None."""
    line_end = buf.find(b"\r\n")
    if (line_end < 0 and len(buf) > line_limit) or line_end > line_limit:
        return 414
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return 431 if len(buf) > HEADER_LIMIT else None
    lines = buf[line_end + 2:end].split(b"\r\n")
    if len(lines) > fields_limit or any(len(line) > field_limit for line in lines):
        return 431
    return None


def framing(buf: bytes) -> bool | None:
    """Whether ``buf`` holds a whole request: True (yes), False (not yet), None (gunicorn must judge)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None if len(buf) > HEADER_LIMIT else False
    length: str | None = None
    chunked = False
    for line in buf[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = value.strip().decode("latin-1")
        elif name == b"transfer-encoding":
            chunked = True
        elif name == b"expect":
            return None  # 100-continue: the client waits for gunicorn's interim answer
    body = memoryview(buf)[end + 4:]
    if chunked:
        return _chunks_complete(bytes(body))
    if length is None:
        return True
    if not length.isdigit() or not length.isascii():
        return None
    wanted = int(length)
    return None if wanted > BODY_LIMIT else len(body) >= wanted


def _chunks_complete(body: bytes) -> bool | None:
    pos = 0
    while True:
        line_end = body.find(b"\r\n", pos)
        if line_end < 0:
            return None if len(body) - pos > 1024 else False
        size_text = body[pos:line_end].split(b";", 1)[0].strip()
        size = int(size_text, 16) if _HEX.fullmatch(size_text) else -1
        if size < 0 or pos > BODY_LIMIT or size > BODY_LIMIT:
            return None  # not a chunk size, or more than the app takes: gunicorn's parser / the app refuse it
        pos = line_end + 2
        if size == 0:
            return body.startswith(b"\r\n", pos) or body.find(b"\r\n\r\n", pos) >= 0
        if len(body) < pos + size + 2:
            return False
        if body[pos + size:pos + size + 2] != b"\r\n":
            return None
        pos += size + 2


class BufferingThreadWorker(ThreadWorker):
    """gthread with each request read whole by the event loop (see the module's docstring)."""

    def init_process(self) -> None:
        self.reading: dict[Any, float] = {}  # connection -> deadline, while its request is being read
        super().init_process()

    def enqueue_req(self, conn: Any) -> None:
        """Every way to a thread passes here (accept, kept-alive readable, deferred): read first."""
        if conn.__dict__.pop("_whole", False):
            super().enqueue_req(conn)
            return
        pending = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        conn._pending = bytearray(pending)
        conn.sock.setblocking(False)
        self.reading[conn] = time.monotonic() + READ_TIMEOUT
        if not self._read(conn):  # often the request is already there: no trip through the poller
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: Any, _sock: Any) -> None:
        if self._read(conn):
            self.poller.unregister(conn.sock)

    def _read(self, conn: Any) -> bool:
        """Take what the socket holds; True once the connection has left this stage (dispatched or closed)."""
        while True:
            try:
                data = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                data = b""
            if not data:
                self._close(conn)
                return True
            conn._pending += data
            if len(data) < 65536:
                break
        pending = bytes(conn._pending)
        limit = over_limits(pending, self.cfg.limit_request_line or 8190, self.cfg.limit_request_field_size or 8190,
                            self.cfg.limit_request_fields or 32768) if pending else None
        if limit is not None:
            self._refuse(conn, limit, pending)
            return True
        verdict = framing(pending) if pending else False
        if verdict is False:
            return False
        del self.reading[conn]
        conn._whole = True
        conn.data_ready = True
        conn._prefill = bytes(conn._pending)
        del conn._pending
        self.enqueue_req(conn)
        return True

    def _refuse(self, conn: Any, status: int, pending: bytes) -> None:
        """Answer 414/431 in the vendor's shape (the path names the vendor) and close."""
        from .app import limit_answer
        from .core import errors

        target = pending.split(b" ", 2)[1] if pending.count(b" ") >= 1 else b"/"
        path = target.split(b"?", 1)[0][:200].decode("latin-1")
        err = errors.UriTooLong(f"The request line is longer than {self.cfg.limit_request_line} bytes.") \
            if status == 414 else errors.HeaderFieldsTooLarge("The request's header fields are over the limits "
                                                              f"({self.cfg.limit_request_fields} fields of at most "
                                                              f"{self.cfg.limit_request_field_size} bytes).")
        try:
            code, headers, body = limit_answer(self.wsgi, path, err)
            head = f"HTTP/1.1 {code} {'URI Too Long' if code == 414 else 'Request Header Fields Too Large'}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers)
            conn.sock.sendall((head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("latin-1")
                              + body)
        except Exception:  # noqa: BLE001 - a refusal that cannot be worded still closes the connection
            pass
        self._close(conn)

    def _close(self, conn: Any) -> None:
        self.reading.pop(conn, None)
        self.nr_conns -= 1
        conn.close()

    def handle(self, conn: Any) -> Any:
        prefill = conn.__dict__.pop("_prefill", None)
        if prefill:
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(prefill)
        return super().handle(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, deadline in list(self.reading.items()):
            if deadline > now:
                continue
            with contextlib.suppress(OSError, KeyError, ValueError):
                self.poller.unregister(conn.sock)
            if conn._pending:  # it began a request: say why it is closed (nothing sent: just close)
                with contextlib.suppress(OSError):
                    conn.sock.send(TIMEOUT_ANSWER)
            self._close(conn)
