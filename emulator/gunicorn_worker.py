"""A gunicorn ``gthread`` worker that reads each whole request before a thread takes it.

gunicorn's gthread worker hands a connection to one of its threads as soon as it is accepted or
a kept-alive connection turns readable; the thread then blocks reading the headers and the app
blocks reading the body. Eight idle or trickling clients (a browser's spare connections, a hung
CI job) hold all eight threads, and every other request waits behind them.

Here the worker's event loop (one thread, non-blocking sockets) collects the bytes of the next
request first: the headers up to the blank line, then the body by ``Content-Length`` or to the last
chunk (``Framing``: it resumes where the previous arrival stopped, so a trickled body is scanned once).
Only a complete request goes to a thread, with its bytes put back in front of gunicorn's parser. What
gunicorn would otherwise wait on in a thread is settled here: ``Expect: 100-continue`` is answered
``100 Continue`` by the loop (and the header dropped), a chunk size that is not 1-16 hex digits or a
chunk-size line over 1 KiB is a 400, a body over the app's limit a 413, a request line over
``REQUEST_LINE_LIMIT`` a 414, header fields past gunicorn's limits a 431. A connection that has not sent
a whole request within the ``body_timeout`` setting's seconds (``--body-timeout``, default ``BODY_DEADLINE``: 10)
is answered 408 and closed. Every such answer, and
gunicorn's own refusals (``handle_error``: its HTML pages), is in the shape of the vendor the path names
(``app.limit_answer``).

A delay fault is waited out without a thread too: the app's answer is written to memory, and sent by a
thread once the delay is over (``DeferredDelay``, ``Delayer``). ``bench/bench_slowclients.py`` measures it.
"""
from __future__ import annotations

import contextlib
import heapq
import http
import re
import selectors
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from .app import body_timeout, limit_answer
from .core import errors
from .core.faults import DEFER_KEY, DeferredDelay
from .core.http import MAX_BODY_BYTES

# The request line: gunicorn's parser runs unlimited (gunicorn_conf), this is the limit. A _filter of the
# emulator's 4,096 characters, each percent-encoded UTF-8 (up to 12 bytes), fits; granian reads up to 400 KB.
REQUEST_LINE_LIMIT = 64 * 1024
HEADER_LIMIT = REQUEST_LINE_LIMIT + 64 * 1024  # past this without a blank line: 431
BODY_LIMIT = MAX_BODY_BYTES  # past this the app would answer 413: answered here, without reading the rest
CHUNK_LINE_LIMIT = 1024  # a chunk-size line (size and extensions) longer than this is refused
_HEX = re.compile(rb"[0-9A-Fa-f]+")
_EXPECT_LINE = re.compile(rb"\r\nexpect:[ \t]*100-continue[ \t]*(?=\r\n)", re.IGNORECASE)
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class Refusal(Exception):
    """The request is refused by the worker itself: ``err`` is answered and the connection closed."""

    def __init__(self, err: errors.EmulatorError) -> None:
        super().__init__(err.message)
        self.err = err


@dataclass
class Framing:
    """How far the reading of one request has come, kept between arrivals: each byte is scanned once.

    ``advance(buf)`` is True once ``buf`` holds the whole request, False while more is due, and raises
    ``Refusal`` for what is refused here. ``continue_due`` is set when the loop owes ``100 Continue``."""

    field_limit: int = 8190  # gunicorn's limits on header fields (its settings)
    fields_limit: int = 100
    line_end: int = -1  # offset of the request line's CRLF, once seen
    head_end: int = -1  # offset of the body (after the blank line), once seen
    scanned: int = 0  # bytes of the head already searched for the blank line
    length: int | None = None  # Content-Length
    chunked: bool = False
    chunk_at: int = 0  # offset of the next chunk-size line
    chunk_total: int = 0
    expects_continue: bool = False
    continue_due: bool = False

    def advance(self, buf: bytes | bytearray) -> bool:
        if self.head_end < 0 and not self._find_head(buf):
            return False
        if self.chunked:
            return self._chunks(buf)
        if self.length is None:
            return True
        if self.expects_continue and len(buf) == self.head_end and self.length:
            self.continue_due, self.expects_continue = True, False
        return len(buf) - self.head_end >= self.length

    def _find_head(self, buf: bytes | bytearray) -> bool:
        """Search the new bytes for the end of the request line and of the head; the limits on both."""
        if self.line_end < 0:
            line_end = buf.find(b"\r\n", max(0, self.scanned - 1))
            if (line_end < 0 and len(buf) > REQUEST_LINE_LIMIT) or line_end > REQUEST_LINE_LIMIT:
                raise Refusal(errors.UriTooLong(f"The request line is longer than {REQUEST_LINE_LIMIT} bytes."))
            self.line_end = line_end
        end = buf.find(b"\r\n\r\n", max(0, self.scanned - 3))
        if end < 0:
            self.scanned = len(buf)
            if len(buf) > HEADER_LIMIT:
                raise Refusal(errors.HeaderFieldsTooLarge(f"The request's header section is over {HEADER_LIMIT} "
                                                          "bytes."))
            return False
        self.head_end = end + 4
        lines = bytes(buf[self.line_end + 2:end]).split(b"\r\n")
        if len(lines) > self.fields_limit or any(len(line) > self.field_limit for line in lines):
            raise Refusal(errors.HeaderFieldsTooLarge(
                f"The request's header fields are over the limits ({self.fields_limit} fields of at most "
                f"{self.field_limit} bytes)."))
        self._read_head(bytes(buf[:end]))
        return True

    def _read_head(self, head: bytes) -> None:
        version = head.split(b"\r\n", 1)[0].rsplit(b" ", 1)[-1]
        lengths: list[bytes] = []
        codings: list[bytes] = []
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip()
            if name == b"content-length":
                lengths.append(value)
            elif name == b"transfer-encoding":
                codings.extend(c.strip().lower() for c in value.split(b","))
            elif name == b"expect" and value.lower() == b"100-continue" and version == b"HTTP/1.1":
                self.expects_continue = True
        if codings:
            if lengths:
                raise Refusal(errors.BadRequest("A request may not carry both Content-Length and Transfer-Encoding."))
            if codings[-1] != b"chunked":
                return  # gunicorn refuses a coding it does not know at once (501), reading nothing
            self.chunked = True
            self.chunk_at = self.head_end
            return
        if not lengths:
            return
        if len(set(lengths)) > 1 or not lengths[0].isdigit():
            raise Refusal(errors.BadRequest("The Content-Length header is not one non-negative integer."))
        self.length = int(lengths[0])
        if self.length > BODY_LIMIT:
            raise Refusal(errors.PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes."))

    def _chunks(self, buf: bytes | bytearray) -> bool:
        while True:
            line_end = buf.find(b"\r\n", self.chunk_at, self.chunk_at + CHUNK_LINE_LIMIT + 2)
            if line_end < 0:
                if len(buf) - self.chunk_at > CHUNK_LINE_LIMIT:
                    raise Refusal(errors.BadRequest(f"A chunk-size line is longer than {CHUNK_LINE_LIMIT} bytes."))
                self._owe_continue(buf)
                return False
            size_text = bytes(buf[self.chunk_at:line_end]).split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size_text):
                raise Refusal(errors.BadRequest("The chunked request body is malformed (a chunk size is not hex)."))
            size = int(size_text, 16)
            self.chunk_total += size
            if self.chunk_total > BODY_LIMIT:
                raise Refusal(errors.PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes."))
            data_at = line_end + 2
            if size == 0:  # the last chunk, then trailer fields up to a blank line
                if buf.startswith(b"\r\n", data_at):
                    return True
                if buf.find(b"\r\n\r\n", data_at) >= 0:
                    return True
                if len(buf) - data_at > CHUNK_LINE_LIMIT * 8:
                    raise Refusal(errors.BadRequest("The chunked request body's trailer section is too long."))
                return False
            if len(buf) < data_at + size + 2:
                return False
            if buf[data_at + size:data_at + size + 2] != b"\r\n":
                raise Refusal(errors.BadRequest("The chunked request body is malformed (a chunk is not terminated)."))
            self.chunk_at = data_at + size + 2

    def _owe_continue(self, buf: bytes | bytearray) -> None:
        if self.expects_continue and len(buf) == self.head_end:
            self.continue_due, self.expects_continue = True, False


def framing(buf: bytes, field_limit: int = 8190, fields_limit: int = 100) -> bool | int:
    """Whether ``buf`` holds a whole request: True, False (not yet), or the status it is refused with."""
    try:
        return Framing(field_limit, fields_limit).advance(buf)
    except Refusal as refusal:
        return refusal.err.status


def request_target(buf: bytes | bytearray) -> str:
    """The path of the request line in ``buf`` (for the vendor's error shape), ``/`` when there is none."""
    line = bytes(buf[:min(len(buf), 4096)]).split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    target = parts[1] if len(parts) > 1 else b"/"
    return target.split(b"?", 1)[0][:200].decode("latin-1") or "/"


def answer_bytes(app: Any, path: str, err: errors.EmulatorError) -> bytes:
    """``err`` as a whole HTTP/1.1 answer in the shape of the vendor ``path`` names; the connection closes."""
    status, headers, body = limit_answer(app, path, err)
    reason = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    head += "".join(f"{k}: {v}\r\n" for k, v in err.headers.items())
    return (head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("latin-1") + body


class Delayer:
    """One thread holding delayed answers: ``call_at(when, fn)`` runs ``fn`` at ``when`` (monotonic)."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._count = 0
        self._wake = threading.Condition()
        threading.Thread(target=self._run, name="lms-emulator-delays", daemon=True).start()

    def call_at(self, when: float, fn: Callable[[], None]) -> None:
        with self._wake:
            self._count += 1
            heapq.heappush(self._due, (when, self._count, fn))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._wake.wait(None if not self._due else self._due[0][0] - time.monotonic())
                _, _, fn = heapq.heappop(self._due)
            with contextlib.suppress(Exception):
                fn()


class Recorder:
    """Stands in for the client's socket while a delayed answer is written: keeps the bytes."""

    def __init__(self, sock: Any) -> None:
        self.sock, self.data = sock, bytearray()

    def sendall(self, data: bytes) -> None:
        self.data += data

    def send(self, data: bytes) -> int:
        self.data += data
        return len(data)

    def __getattr__(self, name: str) -> Any:  # gettimeout, setblocking, fileno: the real socket's
        return getattr(self.sock, name)


class Deferring:
    """The app with a ``DeferredDelay`` offered to each request; a delayed answer is written to memory (a
    ``Recorder`` in place of the socket) and left on ``current.delayed`` for the worker to send when due.
    Anything else is the app's (``startup.print_from_gunicorn`` reads ``worker.wsgi.extensions``)."""

    def __init__(self, app: Any, current: threading.local) -> None:
        self.app, self.current = app, current

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        delay = environ[DEFER_KEY] = DeferredDelay()
        result = self.app(environ, start_response)
        if delay.seconds:
            response = getattr(start_response, "__self__", None)  # gunicorn's Response
            if response is not None:
                response.sock = Recorder(response.sock)
                self.current.delayed = (delay.seconds, response.sock)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)


class BufferingThreadWorker(ThreadWorker):
    """gthread with each request read whole by the event loop (see the module's docstring)."""

    def init_process(self) -> None:
        self.reading: dict[Any, float] = {}  # connection -> deadline, while its request is being read
        self.current = threading.local()  # the request target a thread works on (for handle_error)
        self.delayer = Delayer()
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        app: Any = self.__dict__["wsgi"]  # the Flask app (the Procfile's emulator:create_app()), set just now
        self.flask_app = app
        self.wsgi = Deferring(app, self.current)
        self.read_timeout = body_timeout(app)  # --body-timeout, LMS_EMULATOR_BODY_TIMEOUT

    def enqueue_req(self, conn: Any) -> None:
        """Every way to a thread passes here (accept, kept-alive readable, deferred): read first."""
        if conn.__dict__.pop("_whole", False):
            super().enqueue_req(conn)
            return
        pending = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        conn._pending = bytearray(pending)
        conn._framing = Framing(self.cfg.limit_request_field_size or 8190, self.cfg.limit_request_fields or 32768)
        conn.sock.setblocking(False)
        self.reading[conn] = time.monotonic() + self.read_timeout
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
        pending = conn._pending
        if not pending:
            return False
        try:
            whole = conn._framing.advance(pending)
        except Refusal as refusal:
            self._refuse(conn, refusal.err)
            return True
        if conn._framing.continue_due:
            conn._framing.continue_due = False
            with contextlib.suppress(OSError):
                conn.sock.send(CONTINUE)
        if not whole:
            return False
        del self.reading[conn]
        conn._whole = True
        conn.data_ready = True
        head_end = conn._framing.head_end
        head = bytes(pending[:head_end])
        if b"expect" in head.lower():  # answered here already: gunicorn must not send 100 Continue again
            head = _EXPECT_LINE.sub(b"", head[:-2]) + b"\r\n"
        conn._prefill = head + bytes(pending[head_end:])
        del conn._pending, conn._framing
        self.enqueue_req(conn)
        return True

    def _refuse(self, conn: Any, err: errors.EmulatorError) -> None:
        """Answer ``err`` in the vendor's shape (the path names the vendor) and close."""
        with contextlib.suppress(Exception):  # a refusal that cannot be worded still closes the connection
            conn.sock.send(answer_bytes(self.flask_app, request_target(conn._pending), err))
        self._close(conn)

    def _close(self, conn: Any) -> None:
        self.reading.pop(conn, None)
        self.nr_conns -= 1
        conn.close()

    def handle(self, conn: Any) -> Any:
        prefill = conn.__dict__.pop("_prefill", None)
        self.current.path = request_target(prefill) if prefill else "/"
        self.current.delayed = None
        if prefill:
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(prefill)
        result = super().handle(conn)
        if self.current.delayed is not None:
            conn._delayed = self.current.delayed
            self.current.delayed = None
        return result

    def finish_request(self, conn: Any, fs: Any) -> None:
        """A delayed answer is sent by a thread once its delay is over; the connection is then finished as usual."""
        delayed = conn.__dict__.pop("_delayed", None)
        if delayed is None or fs.cancelled():
            super().finish_request(conn, fs)
            return
        seconds, recorder = delayed
        self.delayer.call_at(time.monotonic() + seconds, partial(self._send_delayed, conn, fs, bytes(recorder.data)))

    def _send_delayed(self, conn: Any, fs: Any, data: bytes) -> None:
        def send() -> Any:
            try:
                conn.sock.setblocking(True)
                conn.sock.sendall(data)
            except OSError:
                return False
            return fs.result()

        later = self.tpool.submit(send)
        later.add_done_callback(lambda done: self.method_queue.defer(super(BufferingThreadWorker, self).finish_request,
                                                                     conn, done))

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """gunicorn's refusal (an HTML page) in the vendor's shape: gunicorn picks the status, we word it."""
        recorder = Recorder(client)
        super().handle_error(req, recorder, addr, exc)
        status_line = bytes(recorder.data).split(b"\r\n", 1)[0].split(b" ")
        status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 500
        path = str(getattr(req, "path", None) or getattr(self.current, "path", "/"))
        err = _error_for(status, str(exc) if status < 500 else "")
        with contextlib.suppress(Exception):
            client.sendall(answer_bytes(self.flask_app, path, err))

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, deadline in list(self.reading.items()):
            if deadline > now:
                continue
            with contextlib.suppress(OSError, KeyError, ValueError):
                self.poller.unregister(conn.sock)
            if conn._pending:  # it began a request: say why it is closed (nothing sent: just close)
                self._refuse(conn, errors.RequestTimeout(
                    f"The request was not received whole within {self.read_timeout:g} seconds."))
            else:
                self._close(conn)


def _error_for(status: int, message: str) -> errors.EmulatorError:
    kind: type[errors.EmulatorError] = {400: errors.BadRequest, 403: errors.Forbidden, 414: errors.UriTooLong,
                                        431: errors.HeaderFieldsTooLarge}.get(status, errors.InternalError)
    err = kind(message or None)
    if err.status != status:  # 417, 501: no class of their own
        err.status, err.term = status, http.HTTPStatus(status).phrase.replace(" ", "") if status in \
            http.HTTPStatus._value2member_map_ else "Error"
    return err
