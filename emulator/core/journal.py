"""A bounded, per-tenant journal of the requests made to the vendor APIs.

Each tenant holds one ``Journal`` (a ``deque`` of at most
``Settings.journal_size`` entries) in ``tenant.extras["journal"]``. The app's
``after_request`` hook records one entry per vendor request; secrets are
masked when an entry is first shown (headers ``Authorization``/``x-api-key``, and
the body keys ``client_secret``, ``password``, ``privateKey``, ``access_token``...)
so nothing secret ever leaves the journal. Bodies are cut to ``BODY_LIMIT``
bytes. Recording is cheap (the raw parts are kept as they are); the masking and
decoding happen once per entry, on the first query that shows it.
"""
from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode

from .errors import BadRequest
from .wire import iso_z, loads_json, parse_datetime

BODY_LIMIT = 4096
MASK = "***"
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization"})
SECRET_KEYS = frozenset({"client_secret", "password", "privatekey", "access_token", "refresh_token", "token",
                         "apikey", "secret"})
# Substrings that may name a secret; "token" and "secret" cover the longer names. A lower-cased copy and a
# few ``in`` checks cost microseconds where one case-insensitive regex over a 10 KB page cost a millisecond.
_SECRET_WORDS = (b"token", b"secret", b"password", b"privatekey", b"apikey")


def _names_a_secret(raw: bytes) -> bool:
    """Whether the kept part of a body may name a secret, once unescaped: a secret word in the raw bytes,
    or an escape that could spell one (JSON's ``\\u0077``, a form's ``%77``). Past ``BODY_LIMIT`` nothing is
    kept, and a JSON or form value follows its key, so a key named only there cannot leak. The masking
    itself is done on the parsed document, by key (``_mask_tree``, ``mask_query``)."""
    low = raw[:BODY_LIMIT].lower()
    return b"\\u" in low or b"%" in low or any(word in low for word in _SECRET_WORDS)


_GLOB_CHARS = frozenset("*?[")


def mask_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    masked: dict[str, str] = {}
    for name, value in headers:
        if name.lower() in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} {MASK}" if rest and scheme.lower() in ("bearer", "basic") else MASK
        masked[name] = value
    return masked


def _mask_tree(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (MASK if isinstance(k, str) and k.lower() in SECRET_KEYS and v is not None else _mask_tree(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_mask_tree(v) for v in node]
    return node


def mask_query(query: str) -> str:
    """A query string or form body with the values of secret keys masked (keys compared once unescaped)."""
    if not query or not _names_a_secret(query.encode()):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(k.lower() in SECRET_KEYS for k, _ in pairs):
        return query
    return urlencode([(k, MASK if k.lower() in SECRET_KEYS else v) for k, v in pairs])


def body_text(raw: bytes, total: int, mimetype: str, *, bare_string_is_secret: bool = False) -> str | None:
    """The body as journal text: secrets masked, cut to ``BODY_LIMIT`` bytes (``total``: the original size)."""
    if not raw:
        return None
    if total > len(raw):  # only a prefix was kept
        if bare_string_is_secret or _names_a_secret(raw):
            return f"<{total} bytes withheld: a large body naming a secret>"
        return raw[:BODY_LIMIT].decode("utf-8", "replace") + f"...<truncated, {total} bytes>"
    if bare_string_is_secret or _names_a_secret(raw):
        try:  # JSON whatever the declared type: a refused request's body is shown too
            parsed, is_json = loads_json(raw), True
        except (ValueError, UnicodeDecodeError):
            parsed, is_json = None, False
        if is_json:
            if isinstance(parsed, str) and bare_string_is_secret:
                parsed = MASK  # Absorb's /authenticate answers the token as a bare JSON string
            raw = json.dumps(_mask_tree(parsed), separators=(",", ":")).encode()
        elif mimetype == "application/x-www-form-urlencoded":
            raw = mask_query(raw.decode("utf-8", "replace")).encode()
        else:  # unparsable but may hold a secret: keep nothing
            return f"<{len(raw)} bytes withheld: unparsable body naming a secret>"
    text = raw[:BODY_LIMIT].decode("utf-8", "replace")
    if len(raw) > BODY_LIMIT:
        text += f"...<truncated, {len(raw)} bytes>"
    return text


class Journal:
    def __init__(self, size: int) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=max(1, size))
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["seq"] = next(self._seq)
            self.entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()

    def query(self, args: Mapping[str, str]) -> list[dict[str, Any]]:
        """Entries matching ``method``, ``path`` (substring or glob), ``status`` (``404`` or ``4xx``),
        ``since`` (ISO instant on the tenant clock), ``vendor``; ``limit`` keeps the most recent N.
        Oldest first."""
        return self.page(args)[0]

    def page(self, args: Mapping[str, str]) -> tuple[list[dict[str, Any]], int]:
        """``query``'s entries and how many entries matched before ``limit`` cut them."""
        method = (args.get("method") or "").upper() or None
        vendor = args.get("vendor") or None
        path = args.get("path") or None
        status = _status_test(args.get("status"))
        since = _since(args.get("since"))
        limit = _limit(args.get("limit"))
        is_glob = path is not None and any(c in _GLOB_CHARS for c in path)
        with self._lock:
            entries = list(self.entries)
            found = [e for e in entries
                     if (method is None or e["method"] == method)
                     and (vendor is None or e["vendor"] == vendor)
                     and (path is None or (fnmatchcase(e["path"], path) if is_glob else path in e["path"]))
                     and (status is None or status(e["status"]))
                     and (since is None or e["_at"] >= since)]
            total = len(found)
            if limit is not None:
                found = found[-limit:] if limit else []
            return [render(e) for e in found], total


def _status_test(raw: str | None) -> Any:
    if not raw:
        return None
    raw = raw.strip().lower()
    if re.fullmatch(r"[1-5]xx", raw):
        first = int(raw[0])
        return lambda s: s is not None and s // 100 == first
    if raw.isascii() and raw.isdigit():
        wanted = int(raw)
        return lambda s: s == wanted
    raise BadRequest(f"status must be an HTTP status like 404 or a class like 4xx (got '{raw}').")


def _since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        raise BadRequest(f"since must be an ISO 8601 date-time (got '{raw}').") from None


def _limit(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise BadRequest(f"limit must be a non-negative integer (got '{raw}').")
    return int(raw)


def make_entry(*, method: str, path: str, query: str, headers: Iterable[tuple[str, str]], body: bytes,
               content_type: str, status: int | None, response_body: bytes, response_content_type: str,
               duration_ms: float, at: datetime, vendor: str, tenant_id: str | None) -> dict[str, Any]:
    """An entry as recorded on the request path: the raw parts are kept, masking and decoding wait for a
    query (``render``), so recording costs a tuple, not a JSON parse, on every vendor call.

    ``headers`` may be WSGI environ pairs (``HTTP_X_API_KEY``): they are named when rendered."""
    return {"_at": at, "vendor": vendor, "tenant": tenant_id, "method": method, "path": path, "status": status,
            "durationMs": round(duration_ms, 3),
            "_raw": (query, list(headers), _keep(body), content_type, _keep(response_body), response_content_type)}


HEADERS_LIMIT = 8192  # characters of header values kept per entry: 1,000 entries of huge headers stay small


def environ_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The request headers as the WSGI environ holds them: cheaper to keep than ``request.headers``."""
    pairs = [(k, v) for k, v in environ.items()
             if (k[:5] == "HTTP_" and k not in _SHADOWED) or (k in _CONTENT_KEYS and v)]
    if sum(len(v) for _, v in pairs) <= HEADERS_LIMIT:
        return pairs
    kept, room = [], HEADERS_LIMIT
    for k, v in pairs:
        kept.append((k, v if len(v) <= room else v[:room] + f"...<truncated, {len(v)} characters>"))
        room = max(0, room - len(v))
    return kept


_CONTENT_KEYS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
_SHADOWED = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})  # werkzeug skips these too


def _header_name(key: str) -> str:
    """``HTTP_X_API_KEY`` -> ``X-Api-Key`` (as werkzeug names them); other names are kept as given."""
    if key[:5] == "HTTP_":
        key = key[5:]
    elif key not in _CONTENT_KEYS:
        return key
    return key.replace("_", "-").title()


def _mimetype(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


KEEP_LIMIT = 64 * 1024  # larger bodies keep a prefix (no secret can be masked in JSON we cannot parse)


def _keep(raw: bytes) -> tuple[bytes, int]:
    """The body by reference when small; a prefix when large (a 1000-item page is not kept whole)."""
    return (raw if len(raw) <= KEEP_LIMIT else raw[:BODY_LIMIT]), len(raw)


def render(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as the admin API shows it: secrets masked, bodies cut to ``BODY_LIMIT``."""
    raw = entry.get("_raw")
    if raw is not None:
        query, headers, body, content_type, response_body, response_content_type = raw
        entry.update({
            "time": iso_z(entry["_at"]), "query": mask_query(query),
            "headers": mask_headers((_header_name(k), v) for k, v in headers),
            "body": body_text(*body, _mimetype(content_type)),
            # a bare JSON string answer is Absorb's token: always masked, whatever the request looked like
            "responseBody": body_text(*response_body, _mimetype(response_content_type),
                                      bare_string_is_secret=response_body[0].lstrip()[:1] == b'"'),
        })
        del entry["_raw"]
    order = ("seq", "time", "vendor", "tenant", "method", "path", "query", "headers", "body", "status",
             "responseBody", "durationMs")
    shown = {k: entry[k] for k in order if k in entry}
    shown.update({k: v for k, v in entry.items() if k not in shown and not k.startswith("_")})
    return shown
