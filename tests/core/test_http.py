"""``core.http.read_sized_body`` against werkzeug's own ``Request.get_data``: the same bytes, the same refusals,
for every kind of input a server hands over (sized, ended by the server, short, over the limit, failing)."""
from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask, Request, request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from emulator.core.exchange import Exchange
from emulator.core.http import MAX_BODY_BYTES, read_sized_body
from emulator.core.pipeline import Pipeline


class Trickle(io.RawIOBase):
    """An input that gives at most ``step`` bytes a read (a socket that has not received the rest yet)."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step = data, step

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        piece, self.data = self.data[:min(self.step, len(b))], self.data[min(self.step, len(b)):]
        b[:len(piece)] = piece
        return len(piece)


class Failing(io.RawIOBase):
    """An input whose reads fail, as a reset connection's do."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        raise self.error


def _outcome(read: Any, make_input: Any, length: int, terminated: bool) -> tuple[str, Any]:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "SERVER_NAME": "x", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "CONTENT_LENGTH": str(length), "wsgi.input": make_input()}
    if terminated:
        environ["wsgi.input_terminated"] = True
    with app.test_request_context(environ_base=environ):
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        req.environ.update(environ)  # the test context's own input replaced by the case's
        req.__dict__.pop("stream", None)
        try:
            first = read(req, length)
        except (ClientDisconnected, RequestEntityTooLarge) as exc:
            return "refused", type(exc)
        return "read", (first, req.get_data(cache=True), req.get_data(cache=True))


BODY = b'["7f0b4a5e-0000-4000-8000-000000000001"]'
CASES = {
    "sized": (lambda: io.BytesIO(BODY), len(BODY)),
    "sized, more follows": (lambda: io.BytesIO(BODY + b"GET / HTTP/1.1"), len(BODY)),
    "short": (lambda: io.BytesIO(BODY[:-3]), len(BODY)),
    "trickled": (lambda: io.BufferedReader(Trickle(BODY, 5)), len(BODY)),
    "empty": (lambda: io.BytesIO(b""), 0),
    "reset": (lambda: io.BufferedReader(Failing(ConnectionResetError())), len(BODY)),
    "bad state": (lambda: io.BufferedReader(Failing(ValueError("closed"))), len(BODY)),
    "over the limit": (lambda: io.BytesIO(b"x" * (MAX_BODY_BYTES + 10)), MAX_BODY_BYTES),
}


@pytest.mark.parametrize("terminated", [False, True], ids=["plain input", "input ended by the server"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_body_read_directly_is_what_werkzeug_reads(case: str, terminated: bool) -> None:
    make_input, length = CASES[case]
    werkzeug_read = _outcome(lambda req, n: req.get_data(cache=True), make_input, length, terminated)
    direct = _outcome(read_sized_body, make_input, length, terminated)
    assert direct == werkzeug_read
    if case == "sized":
        assert direct == ("read", (BODY, BODY, BODY))


@pytest.mark.parametrize("headers", [{"CONTENT_LENGTH": "40"}, {"CONTENT_LENGTH": "0040"},
                                     {"CONTENT_LENGTH": "40", "HTTP_TRANSFER_ENCODING": "gzip"},
                                     {"CONTENT_LENGTH": "0"}, {}], ids=str)
def test_the_whole_body_step_leaves_the_request_as_werkzeug_reads_it(headers: dict[str, str]) -> None:
    """Step 5 reads the body and primes ``content_length``: both as a fresh werkzeug request reads them."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "SERVER_NAME": "x", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(BODY), **headers}
    with app.test_request_context():
        stepped, fresh = Request(dict(environ)), Request(dict(environ, **{"wsgi.input": io.BytesIO(BODY)}))
        Pipeline.whole_body(stepped, Exchange(), None)
        assert (stepped.content_length, stepped.get_data()) == (fresh.content_length, fresh.get_data())
