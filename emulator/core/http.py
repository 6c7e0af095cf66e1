"""Request parsing helpers shared by every vendor: JSON bodies, GUIDs, booleans, dates.

Each raises a ``core.errors`` exception naming the bad input; the vendor's
renderer turns it into that vendor's error body.
"""
from __future__ import annotations

import io
import json
import re
from datetime import datetime
from typing import Any
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" error handler parse_args uses
from flask import Request, Response
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.local import LocalProxy
from werkzeug.routing import BaseConverter

from .state import current_store  # noqa: F401 - vendors import it from here
from .exchange import UNPARSED, exchange_of
from .errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from .wire import GUID_PATTERN, NOT_TEXT, TooDeep, invalid_text, is_guid, loads_json, parse_iso_datetime

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB; larger bodies get 413
# Characters of a path or query string a memo keeps as a key (route, parsed query, page): a longer one is worked
# out again on each request instead. 4,096 distinct 60 KB paths pinned about 300 MB in memos (issue 31).
MEMO_KEY_LIMIT = 2048
# seconds for a whole request from its first byte; later is 408 (emulator's choice, both servers). The default of
# the body_timeout setting (--body-timeout, emulator.config.Settings), which the servers use.
BODY_DEADLINE = 10.0
ASCII_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


def buffer_chunked_body(environ: dict[str, Any]) -> None:
    """A chunked body (no ``Content-Length``) read whole, up front, and put back as a sized one.

    WSGI servers hand such bodies over as a stream that Werkzeug cuts at ``MAX_BODY_BYTES`` without a
    word, so an over-large body would be processed truncated; and a bad chunk size surfaces as the
    server's own exception in whatever code reads first. Read here, a body over the limit is refused
    whole (413) and a malformed one is a 400, both in the vendor's shape, before any handler runs.
    """
    if environ.get("CONTENT_LENGTH") or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    stream, size = environ["wsgi.input"], 0
    pieces: list[bytes] = []
    try:
        while True:
            piece = stream.read(64 * 1024)
            if not piece:
                break
            size += len(piece)
            if size > MAX_BODY_BYTES:
                pieces = []
                raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.",
                                      headers={"Connection": "close"})
            pieces.append(piece)
    except PayloadTooLarge:
        raise
    except Exception as exc:  # noqa: BLE001 - each server raises its own kind for a broken chunk
        pieces = []
        raise BadRequest("The chunked request body is malformed.",
                         validations=[f"body: {type(exc).__name__}"], headers={"Connection": "close"}) from None
    finally:  # refused or not, later readers (the journal) see what was kept, never the raw stream again
        body = b"".join(pieces)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))


NO_CONTENT_TYPE = "text/plain; charset=utf-8"  # werkzeug's default Content-Type, which a 204 of Flask's carries


def no_content() -> Response:
    """A 204, as ``Response(status=204)`` makes it (its default Content-Type included, which the server sends and
    the journal shows), with that type given rather than looked for and worked out (~3k instructions)."""
    return Response(status=204, content_type=NO_CONTENT_TYPE)


def read_sized_body(req: Request, length: int) -> bytes:
    """``req.get_data(cache=True)`` for a body announced as ``length`` bytes (``Content-Length``, at most
    ``MAX_BODY_BYTES``), read from ``wsgi.input`` directly instead of through werkzeug's guarded stream
    (``Request.stream``: a ``LimitedStream``, and Flask's ``max_content_length`` looked up through the app
    context), which cost ~30k instructions of a write (docs/PERFORMANCE.md, "The write path").

    The bytes and the refusals stay werkzeug's. Its stream reads ``length`` bytes, or, where the server ends the
    input itself (``wsgi.input_terminated``: gunicorn, the granian bridge), everything up to the limit; so does
    this. Where the input gives fewer bytes than announced, or more than the limit, werkzeug's own ``get_data``
    judges the bytes that were read (its ``ClientDisconnected``, its 413); a read that fails with ``OSError`` or
    ``ValueError`` is its ``ClientDisconnected``, as in ``LimitedStream.readinto``. ``tests/core/test_http.py``
    compares the two."""
    environ = req.environ
    stream = environ["wsgi.input"]
    terminated = "wsgi.input_terminated" in environ
    wanted = MAX_BODY_BYTES + 1 if terminated else length
    pieces, got = [], 0
    try:
        while got < wanted:
            piece = stream.read(wanted - got)
            if not piece:
                break
            pieces.append(piece)
            got += len(piece)
    except (OSError, ValueError):
        raise ClientDisconnected() from None
    data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
    if got > MAX_BODY_BYTES or (not terminated and got != length):
        environ["wsgi.input"] = io.BytesIO(data)  # werkzeug's judgement, over the same bytes
        req.__dict__.pop("stream", None)
        return req.get_data(cache=True)
    req._cached_data = data  # what get_data returns from now on (werkzeug reads it with getattr)
    return data


class GuidConverter(BaseConverter):
    """``<guid:name>``: a path segment that is a GUID, lower-cased; anything else does not match (404)."""

    regex = GUID_PATTERN

    def to_python(self, value: str) -> str:
        return value.lower()


def bearer_token(environ: dict[str, Any], missing: Exception, header: str | None = None) -> str:
    """The token of ``Authorization: Bearer <token>``; ``missing`` (the vendor's own error) otherwise.

    ``header``: the Authorization value already read (a header sent twice alike, counted once)."""
    raw = header if header is not None else environ.get("HTTP_AUTHORIZATION")
    scheme, _, value = (raw or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise missing
    return value.strip()


def is_json_content_type(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


def json_body(request: Request, *, unsupported: type[Exception] = UnsupportedMediaType) -> Any:
    """The request's JSON document, or a clear error: wrong type, too large, malformed."""
    if isinstance(request, LocalProxy):  # flask.request: looked up through context variables on each access
        request = request._get_current_object()
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    if not is_json_content_type(request.mimetype):
        shown = request.mimetype or "none"
        raise unsupported(f"Content-Type must be application/json (got {shown}).")
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge as exc:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.") from exc
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    if not raw.strip():
        raise BadRequest("A non-empty request body is required.", validations=["body: required"])
    parsed = exchange_of(request.environ).json  # core.casefold parsed it, keys in the documented spelling
    if parsed is not UNPARSED:
        document = parsed
    else:
        try:
            document = loads_json(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            detail = f"malformed JSON{where}" if not isinstance(exc, TooDeep) else str(exc)
            raise BadRequest("The request body is not valid JSON.", validations=[f"body: {detail}"]) from None
    # a lone surrogate comes only from a \u escape, or from a body in UTF-16 or UTF-32 (never all ASCII)
    bad_text = None if raw.isascii() and b"\\u" not in raw else invalid_text(document)
    if bad_text is not None:
        raise BadRequest("The request body has text that is not valid Unicode.",
                         validations=[f"{bad_text}: {NOT_TEXT}"])
    return document


class QueryArgs(ImmutableMultiDict[str, str]):
    """``request.args`` whose ``get`` of an absent name is a dict lookup: werkzeug's builds and catches a
    ``BadRequestKeyError`` (an HTTP exception) each time, ~5 us, and a list request asks for up to six
    absent names (``_filter``, ``_sort``, ``_limit``, ``_offset``, ``limit``, ``offset``)."""

    # The ignore: werkzeug spells this one signature as five overloads; this one behaves as all five.
    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]  # noqa: A002
        if key not in self:
            return default
        return super().get(key, default, type)


def parse_args(query: str) -> QueryArgs:
    """A WSGI ``QUERY_STRING`` parsed as werkzeug parses ``request.args`` (``app.EmulatorRequest`` and the
    pipeline's fast path both read it here), once per distinct text up to ``MEMO_KEY_LIMIT`` characters: suites
    send the same queries to many paths. The answer is immutable, so requests share it."""
    return _parse_args_memo(query) if len(query) <= MEMO_KEY_LIMIT else _parse_args(query)


def _parse_args(query: str) -> QueryArgs:
    return QueryArgs(parse_qsl(query.encode("latin-1").decode(), keep_blank_values=True,
                               errors="werkzeug.url_quote"))


_parse_args_memo = lru_cache(maxsize=1024)(_parse_args)


def guid_arg(value: str, name: str) -> str:
    if not is_guid(value):
        raise ValidationFailed(f"'{name}' is not a valid GUID.", validations=[f"{name}: '{value}' is not a valid GUID"])
    return value.lower()


def bool_arg(args: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValidationFailed(f"'{name}' must be true or false.", validations=[f"{name}: '{raw}' is not a boolean"])


def int_arg(args: Mapping[str, str], name: str, *, choices: range | None = None) -> int | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    if not ASCII_INTEGER.fullmatch(raw.strip()):  # int() also takes '1_2' and other scripts' digits
        raise ValidationFailed(f"'{name}' must be an integer.", validations=[f"{name}: '{raw}' is not an integer"])
    value = int(raw)
    if choices is not None and value not in choices:
        raise ValidationFailed(f"'{name}' is out of range.",
                               validations=[f"{name}: {value} is not one of {choices.start}..{choices.stop - 1}"])
    return value


def datetime_arg(args: Mapping[str, str], name: str) -> datetime | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_iso_datetime(raw)
    except ValueError:
        raise ValidationFailed(f"'{name}' must be an ISO 8601 date-time.",
                               validations=[f"{name}: '{raw}' is not a date-time"]) from None


def guid_list_arg(args: Any, name: str) -> list[str]:
    """``?ids=a&ids=b`` or ``?ids=a,b`` (both forms are common with ASP.NET clients)."""
    values: list[str] = []
    for raw in args.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return [guid_arg(v, name) for v in values]
