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
