"""The buffering gunicorn worker's framing: when a request is whole, not yet, or for gunicorn to judge."""
from __future__ import annotations

import pytest

from emulator.gunicorn_worker import BODY_LIMIT, HEADER_LIMIT, framing

HEAD = b"POST /x HTTP/1.1\r\nHost: a\r\n"


@pytest.mark.parametrize("data, verdict", [
    (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", True),
    (b"GET / HTTP/1.1\r\nHost: a\r\n", False),  # headers not ended
    (b"G" * (HEADER_LIMIT + 1), None),  # gunicorn answers the over-long line
    (HEAD + b"Content-Length: 4\r\n\r\nab", False),
    (HEAD + b"Content-Length: 4\r\n\r\nabcd", True),
    (HEAD + b"content-length: 4\r\n\r\nabcdGET / HTTP/1.1\r\n", True),  # pipelined: the rest waits its turn
    (HEAD + b"Content-Length: x\r\n\r\n", None),
    (HEAD + b"Content-Length: %d\r\n\r\n" % (BODY_LIMIT + 1), None),  # the app answers 413 at once
    (HEAD + b"Expect: 100-continue\r\nContent-Length: 4\r\n\r\n", None),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n", False),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n", True),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n0\r\nTrailer: x\r\n\r\n", True),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n0x4\r\nabcd\r\n0\r\n\r\n", None),  # not a chunk size
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", None),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n4\r\nabcdXY0\r\n\r\n", None),  # chunk not terminated
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % (BODY_LIMIT + 1), None),
])
def test_framing(data: bytes, verdict: bool | None) -> None:
    assert framing(data) is verdict


@pytest.mark.parametrize("data, status", [
    (b"GET /" + b"a" * 100 + b" HTTP/1.1\r\nHost: a\r\n\r\n", None),
    (b"GET /" + b"a" * 9000, 414),  # the line is not even ended
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\n" + b"X: 1\r\n" * 101 + b"\r\n", 431),
    (b"GET / HTTP/1.1\r\nX: " + b"z" * 9000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\nX: 1\r\n", None),  # headers still coming
])
def test_limits(data: bytes, status: int | None) -> None:
    from emulator.gunicorn_worker import over_limits

    assert over_limits(data, 8190, 8190, 100) == status
