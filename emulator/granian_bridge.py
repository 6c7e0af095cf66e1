"""The WSGI app served over granian's RSGI interface: bodies are read by the event loop, never by a thread.

granian's WSGI interface calls the app on one of its Python threads as soon as a request's headers are in; the
app then blocks that thread reading ``wsgi.input``. A client announcing a body it never sends holds a thread
until it goes away: 32 such connections held all 32 threads and nothing else was answered (issue 31).

Here granian runs its RSGI interface: the request's coroutine, on granian's event loop (one thread, no
blocking), reads the body whole, under ``deadline`` seconds from the headers' arrival (the ``body_timeout`` setting,
``--body-timeout``; default ``BODY_DEADLINE``, 10) and at most
``MAX_BODY_BYTES + 1`` bytes (the app refuses more with 413, without waiting for the rest). Only then does a
thread of the bridge's own pool run the WSGI app, with the body in memory. A body not complete in time is
answered 408 in the shape of the vendor the path names (``app.limit_answer``), and the connection closed.

A delay fault (``core.faults``) is waited out here too, after the app answered and before the answer is sent,
so a tenant's slow answers hold no thread either (``DeferredDelay``).

An answer of one piece (every JSON answer) is sent whole; one the app makes in pieces past ``STREAM_FROM`` bytes
(the admin API's ``data.json`` of a large world, sent from a file) is streamed: each further piece is taken on a
pool thread and sent before the next is read, so a 1 GB dump never sits in memory (issue 32).

The environ is the one granian's WSGI interface builds (the same keys, a header sent twice joined with ``,``),
except that nothing comes from ``os.environ`` (granian starts each environ from a copy of it).
"""
from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .app import body_timeout, limit_answer
from .core import errors
from .core.faults import DEFER_KEY, DeferredDelay
from .core.http import MAX_BODY_BYTES

# status, headers, the body (or its first pieces), and the rest of the app's iterable when it is to be streamed
Answer = tuple[int, list[tuple[str, str]], bytes, Iterator[bytes] | None, Iterable[bytes] | None]
STREAM_FROM = 4 * 1024 * 1024  # an answer past this many bytes is streamed
SPECIAL_HEADERS = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}


class RsgiBridge:
    """An RSGI application (granian calls ``__rsgi__``) running ``app``, a WSGI app, on ``threads`` threads."""

    def __init__(self, app: Any, threads: int, deadline: float | None = None) -> None:
        self.app = app
        self.deadline = body_timeout(app) if deadline is None else deadline  # seconds for a whole body
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lms-emulator")

    def __rsgi_del__(self, loop: Any) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":  # websockets: none of the vendors has one
            proto.close(403)
            return
        headers = scope.headers
        body = await self._body(headers, proto)
        if body is None:
            status, answer_headers, data = limit_answer(self.app, scope.path, errors.RequestTimeout(
                f"The request body was not received whole within {self.deadline:g} seconds."))
            proto.response_bytes(status, [*answer_headers, ("Connection", "close")], data)
            return
        environ = self._environ(scope, headers, body)
        delay = DeferredDelay()
        environ[DEFER_KEY] = delay
        loop = asyncio.get_running_loop()
        status, answer_headers, data, rest, result = await loop.run_in_executor(self.pool, self._call, environ)
        if delay.seconds:
            await asyncio.sleep(delay.seconds)
        if rest is None:
            proto.response_bytes(status, answer_headers, data)
            return
        try:
            transport = proto.response_stream(status, answer_headers)
            await transport.send_bytes(data)
            while (piece := await loop.run_in_executor(self.pool, next, rest, None)) is not None:
                if piece:
                    await transport.send_bytes(piece)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                await loop.run_in_executor(self.pool, close)

    async def _body(self, headers: Any, proto: Any) -> bytes | None:
        """The body, whole (or its first ``MAX_BODY_BYTES + 1`` bytes); None past the deadline.

        A body of a ``Content-Length`` (at most ``MAX_BODY_BYTES``, checked first) is read with ``proto()``: granian
        hands the body to that read, so cancelling it at the deadline drops the body in granian at once, and the
        connection closes after the 408. Read piece by piece (``async for``), the body stays with ``proto`` until
        granian lets go of it: the connection, answered 408, then sometimes stayed open until the client gave up
        (a socket of issue 31's tests held 20 s instead of 10, 150 s for a test in the full suite). A chunked
        body has no length to bound ``proto()`` by, so it is still read in pieces, up to ``MAX_BODY_BYTES + 1``,
        under ``asyncio.wait_for``."""
        length = headers.get("content-length")
        if length is None and "transfer-encoding" not in headers:
            return b""
        sized = length is not None and length.strip().isdigit() and "transfer-encoding" not in headers
        if sized and (int(length) > MAX_BODY_BYTES or int(length) == 0):
            return b""  # nothing announced; or too much: the app answers 413 from the header alone
        # A chunked body as before the sized read came: this form always sent its 408; the one below lost it now
        # and then for a trickled chunked body (a clean-clone CI run, 2026-12-07)
        if not sized:
            try:
                return await asyncio.wait_for(_read(proto, MAX_BODY_BYTES + 1), self.deadline)
            except asyncio.TimeoutError:
                return None
        if sys.version_info >= (3, 11):  # a timer on this task, not a task of its own and a wait: ~25 us a request
            try:
                async with asyncio.timeout(self.deadline):  # at the deadline the read is cancelled, its body dropped
                    return await proto()  # type: ignore[no-any-return]
            except TimeoutError:
                return None
        reading = asyncio.ensure_future(proto())
        done, _ = await asyncio.wait((reading,), timeout=self.deadline)
        if done:
            return reading.result()
        reading.cancel()
        await asyncio.wait((reading,))  # its end awaited, without its CancelledError raised here
        return None

    def _environ(self, scope: Any, headers: Any, body: bytes) -> dict[str, Any]:
        server_name, _, server_port = scope.server.rpartition(":")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": scope.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": scope.path.encode("utf-8", "surrogateescape").decode("latin-1"),
            "QUERY_STRING": scope.query_string,
            "SERVER_NAME": server_name.strip("[]"),
            "SERVER_PORT": server_port,
            "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
            "SERVER_SOFTWARE": "Granian",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REMOTE_ADDR": scope.client.rpartition(":")[0].strip("[]"),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,
        }
        for name, value in headers.items():  # a header sent twice: both values, joined as granian's WSGI joins them
            key = SPECIAL_HEADERS.get(name) or "HTTP_" + name.upper().replace("-", "_")
            environ[key] = environ[key] + "," + value if key in environ else value
        if "transfer-encoding" in headers and "CONTENT_LENGTH" not in environ:
            environ["CONTENT_LENGTH"] = ""  # read whole: core.http.buffer_chunked_body still sees it as chunked
        return environ

    def _call(self, environ: dict[str, Any]) -> Answer:
        """Run the WSGI app on a pool thread; its whole answer, or its first ``STREAM_FROM`` bytes and the rest
        of its iterable (closed by the caller once streamed)."""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            started[:] = [status, headers]
            return _no_write

        result: Iterable[bytes] = self.app(environ, start_response)
        pieces: list[bytes] = []
        size, streamed = 0, False
        try:
            rest = iter(result)
            for piece in rest:
                pieces.append(piece)
                size += len(piece)
                if size > STREAM_FROM:
                    streamed = True
                    return int(started[0].split(" ", 1)[0]), list(started[1]), b"".join(pieces), rest, result
        finally:
            close = getattr(result, "close", None)
            if close is not None and not streamed:
                close()
        return int(started[0].split(" ", 1)[0]), list(started[1]), b"".join(pieces), None, None


async def _read(proto: Any, limit: int) -> bytes:
    pieces, size = [], 0
    async for piece in proto:
        pieces.append(piece)
        size += len(piece)
        if size >= limit:
            break
    return b"".join(pieces)


def _no_write(data: bytes) -> None:
    raise RuntimeError("the emulator's apps do not use WSGI's write()")
