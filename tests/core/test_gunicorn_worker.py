"""The buffering gunicorn worker's framing: when a request is whole, not yet, or refused (and with which status)."""
from __future__ import annotations

import pytest

from emulator.gunicorn_worker import BODY_LIMIT, HEADER_LIMIT, REQUEST_LINE_LIMIT, Framing, framing

HEAD = b"POST /x HTTP/1.1\r\nHost: a\r\n"
CHUNKED = HEAD + b"Transfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize("data, verdict", [
    (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", True),
    (b"GET / HTTP/1.1\r\nHost: a\r\n", False),  # headers not ended
    (b"G" * (REQUEST_LINE_LIMIT + 1), 414),  # the line is not even ended
    (b"GET /" + b"a" * REQUEST_LINE_LIMIT + b" HTTP/1.1\r\n\r\n", 414),
    (b"GET /?_filter=" + b"%E2%82%AC" * 1414 + b" HTTP/1.1\r\nHost: a\r\n\r\n", True),  # gunicorn's 8,190 refused it
    (b"GET / HTTP/1.1\r\n" + (b"X: " + b"z" * 200 + b"\r\n") * (HEADER_LIMIT // 200), 431),  # never a blank line
    (b"GET / HTTP/1.1\r\n" + b"X: 1\r\n" * 101 + b"\r\n", 431),
    (b"GET / HTTP/1.1\r\nX: " + b"z" * 9000 + b"\r\n\r\n", 431),
    (HEAD + b"Content-Length: 4\r\n\r\nab", False),
    (HEAD + b"Content-Length: 4\r\n\r\nabcd", True),
    (HEAD + b"content-length: 4\r\n\r\nabcdGET / HTTP/1.1\r\n", True),  # pipelined: the rest waits its turn
    (HEAD + b"Content-Length: x\r\n\r\n", 400),
    (HEAD + b"Content-Length: 4\r\nContent-Length: 5\r\n\r\n", 400),
    (HEAD + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    (HEAD + b"Content-Length: %d\r\n\r\n" % (BODY_LIMIT + 1), 413),  # answered at once, the body never read
    (HEAD + b"Expect: 100-continue\r\nContent-Length: 4\r\n\r\n", False),  # the loop answers 100 and waits
    (HEAD + b"Transfer-Encoding: gzip\r\n\r\n", True),  # gunicorn refuses the coding at once (501)
    (CHUNKED + b"4\r\nabcd\r\n", False),
    (CHUNKED + b"4\r\nabcd\r\n0\r\n\r\n", True),
    (CHUNKED + b"4;ext=1\r\nabcd\r\n0\r\nTrailer: x\r\n\r\n", True),
    (CHUNKED + b"0x4\r\nabcd\r\n0\r\n\r\n", 400),  # not a chunk size
    (CHUNKED + b"zz\r\n", 400),
    (CHUNKED + b"4\r\nabcdXY0\r\n\r\n", 400),  # chunk not terminated
    (CHUNKED + b"%x\r\n" % (BODY_LIMIT + 1), 413),
    (CHUNKED + b"1" * 18 + b"\r\nab", 413),  # an 18-hex-digit chunk size (gunicorn's thread waited for it)
    (CHUNKED + b"000000000000000004\r\nabcd\r\n0\r\n\r\n", True),  # leading zeros are still a size
    (CHUNKED + b"1" * 1500, 400),  # a chunk-size line over 1 KiB without CRLF (gunicorn's thread waited)
    (CHUNKED + b"4;" + b"x" * 1100, 400),
])
def test_framing(data: bytes, verdict: bool | int) -> None:
    assert framing(data) == verdict
    assert type(framing(data)) is type(verdict)


def test_expect_continue_is_owed_once_the_head_is_in_and_no_body_came() -> None:
    state = Framing()
    assert state.advance(HEAD + b"Expect: 100-continue\r\nContent-Length: 4\r\n\r\n") is False
    assert state.continue_due
    state.continue_due = False
    assert state.advance(HEAD + b"Expect: 100-continue\r\nContent-Length: 4\r\n\r\nab") is False
    assert not state.continue_due


def test_a_trickled_chunked_body_is_scanned_from_where_it_stopped() -> None:
    """Each arrival resumes at the next chunk-size line: the work is linear in the body, not quadratic."""
    state = Framing()
    buf = bytearray(CHUNKED)
    assert state.advance(buf) is False
    for _ in range(2000):
        buf += b"1\r\nx\r\n"
        assert state.advance(buf) is False
    assert state.chunk_at == len(buf) and state.chunk_total == 2000
    buf += b"0\r\n\r\n"
    assert state.advance(buf) is True
