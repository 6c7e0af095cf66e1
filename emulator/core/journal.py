"""A bounded, per-tenant journal of the requests made to the vendor APIs.

Each tenant holds one ``Journal`` (a ``deque`` of at most
``Settings.journal_size`` entries) in ``tenant.journal``. The request
pipeline (``core.pipeline``) records one entry per vendor request; secrets are
masked when an entry is first shown, by rule (``is_secret_name``): a header or body
key whose name holds a secret word (``Authorization``, ``X-Forwarded-Authorization``,
``x-api-key``, ``client_secret``, ``privateKey``, ``access_token``...), and the
credential of any header value sent with a ``Bearer`` or ``Basic`` scheme, so nothing
secret ever leaves the journal. Bodies are cut to ``BODY_LIMIT`` bytes. Recording is
cheap (the raw parts are kept as they are); the masking and decoding happen once per
entry, on the first query that shows it. What an entry keeps is bounded (``PATH_LIMIT``,
``HEADERS_LIMIT``, ``KEEP_LIMIT``), and so is the whole journal (``JOURNAL_BYTES``).
"""
from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from datetime import datetime
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import parse_qsl, urlencode

from .errors import BadRequest
from .state import app_state
from .store import Tenant
from .wire import iso_z, loads_json, parse_iso_datetime

BODY_LIMIT = 4096
MASK = "***"
# Words that make a header or body key a secret, found in its lower-cased name without '-' and '_': "token"
# and "secret" cover the longer names (access_token, client_secret). A lower-cased copy and a few ``in`` checks
# cost microseconds where one case-insensitive regex over a 10 KB page cost a millisecond.
SECRET_WORDS = ("token", "secret", "password", "passwd", "privatekey", "apikey", "credential", "authorization",
                "cookie", "signature", "session")
_SECRET_WORDS = tuple(word.encode() for word in SECRET_WORDS)
_SCHEMES = ("bearer", "basic")


def is_secret_name(name: str) -> bool:
    """Whether a header or body key names a secret (the rule, not a list: ``X-Forwarded-Authorization`` too)."""
    folded = name.lower().replace("-", "").replace("_", "")
    return any(word in folded for word in SECRET_WORDS)


def _names_a_secret(raw: bytes) -> bool:
    """Whether the kept part of a body may name a secret, once unescaped: a secret word in the raw bytes,
    or an escape that could spell one (JSON's ``\\u0077``, a form's ``%77``). Past ``BODY_LIMIT`` nothing is
    kept, and a JSON or form value follows its key, so a key named only there cannot leak. The masking
    itself is done on the parsed document, by key (``_mask_tree``, ``mask_query``)."""
    low = raw[:BODY_LIMIT].lower()
    return b"\\u" in low or b"%" in low or any(word in low for word in _SECRET_WORDS)


_GLOB_CHARS = frozenset("*?[")


def mask_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers with secrets masked: a secret name's value (keeping a ``Bearer``/``Basic`` scheme), and the
    credential after a ``Bearer``/``Basic`` scheme in any header."""
    masked: dict[str, str] = {}
    for name, value in headers:
        scheme, _, rest = value.strip().partition(" ")
        credential = bool(rest.strip()) and scheme.lower() in _SCHEMES
        if credential:
            value = f"{scheme} {MASK}"
        elif is_secret_name(name):
            value = MASK
        masked[name] = value
    return masked


def _mask_tree(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (MASK if isinstance(k, str) and is_secret_name(k) and v is not None else _mask_tree(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_mask_tree(v) for v in node]
    return node


def mask_query(query: str) -> str:
    """A query string or form body with the values of secret keys masked (keys compared once unescaped)."""
    if not query or not _names_a_secret(query.encode()):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(is_secret_name(k) for k, _ in pairs):
        return query
    return urlencode([(k, MASK if is_secret_name(k) else v) for k, v in pairs])


def body_text(raw: bytes, total: int, mimetype: str, *, whole_is_secret: bool = False) -> str | None:
    """The body as journal text: secrets masked, cut to ``BODY_LIMIT`` bytes (``total``: the original size).
    ``whole_is_secret``: the vendor says the body is a secret as a whole (``Vendor.secret_answer``)."""
    if not raw:
        return None
    if total > len(raw):  # only a prefix was kept
        if whole_is_secret or _names_a_secret(raw):
            return f"<{total} bytes withheld: a large body naming a secret>"
        return raw[:BODY_LIMIT].decode("utf-8", "replace") + f"...<truncated, {total} bytes>"
    if whole_is_secret or _names_a_secret(raw):
        try:  # JSON whatever the declared type: a refused request's body is shown too
            parsed, is_json = loads_json(raw), True
        except (ValueError, UnicodeDecodeError):
            parsed, is_json = None, False
        if is_json:
            raw = json.dumps(MASK if whole_is_secret else _mask_tree(parsed), separators=(",", ":")).encode()
        elif mimetype == "application/x-www-form-urlencoded":
            raw = mask_query(raw.decode("utf-8", "replace")).encode()
        else:  # unparsable but may hold a secret: keep nothing
            return f"<{len(raw)} bytes withheld: unparsable body naming a secret>"
    text = raw[:BODY_LIMIT].decode("utf-8", "replace")
    if len(raw) > BODY_LIMIT:
        text += f"...<truncated, {len(raw)} bytes>"
    return text


class Journal:
    """One tenant's journal (``journal_of``)."""

    def __init__(self, size: int) -> None:
        self.entries: deque[dict[str, Any]] = deque()
        self.size = max(1, size)
        self.kept = 0  # the entries' ``_size``s: at most JOURNAL_BYTES (the oldest entries go first)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["seq"] = next(self._seq)
            self.entries.append(entry)
            self.kept += entry.get("_size", 0)
            while len(self.entries) > self.size or (self.kept > JOURNAL_BYTES and len(self.entries) > 1):
                self.kept -= self.entries.popleft().get("_size", 0)

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self.kept = 0

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


def journal_of(tenant: Tenant, size: int | None = None) -> Journal:
    """The tenant's journal (``tenant.journal``), made on first use (``size``: the app's setting)."""
    journal = tenant.journal
    if journal is None:
        if size is None:
            size = app_state().settings.journal_size
        with tenant.first_use:  # two first uses at once share one journal
            if tenant.journal is None:
                tenant.journal = Journal(size)
            journal = tenant.journal
    return journal


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
        return parse_iso_datetime(raw)
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
               duration_ms: float, at: datetime, vendor: str, tenant_id: str | None,
               secret_answer: Callable[[bytes], bool] | None = None) -> dict[str, Any]:
    """An entry as recorded on the request path: the raw parts are kept, masking and decoding wait for a
    query (``render``), so recording costs a tuple, not a JSON parse, on every vendor call.

    ``headers`` may be WSGI environ pairs (``HTTP_X_API_KEY``): they are named when rendered.
    ``secret_answer``: the vendor's ``Vendor.secret_answer``. An entry holds only strings, numbers and tuples
    of them, so the cyclic GC stops tracking it after its first collection: 1,000 entries per tenant stay out
    of every later one."""
    # the usual case (small bodies, short texts) inline: this runs on every vendor call
    kept = (response_body, len(response_body)) if len(response_body) <= KEEP_LIMIT else _keep(response_body)
    request_kept = (body, len(body)) if len(body) <= KEEP_LIMIT else _keep(body)
    headers = tuple(headers)
    if len(path) > PATH_LIMIT:
        path = _cut(path)
    if len(query) > PATH_LIMIT:
        query = _cut(query)
    size = (ENTRY_OVERHEAD + len(path) + len(query) + sum(map(len, itertools.chain.from_iterable(headers)))
            + len(request_kept[0]) + len(kept[0]))
    return {"_at": at, "vendor": vendor, "tenant": tenant_id, "method": method, "path": path, "status": status,
            "durationMs": round(duration_ms, 3), "_size": size,
            "_raw": (query, headers, request_kept, content_type, kept, response_content_type,
                     secret_answer is not None and secret_answer(kept[0]))}


PATH_LIMIT = 2048  # characters of a path or query string an entry keeps; the rest is named, not kept
ENTRY_OVERHEAD = 600  # bytes an entry costs besides its texts (the dict, the tuple, the numbers)
JOURNAL_BYTES = 16 * 1024 * 1024  # what one tenant's journal keeps at most; past it, the oldest entries go


def _cut(text: str) -> str:
    return text if len(text) <= PATH_LIMIT else text[:PATH_LIMIT] + f"...<truncated, {len(text)} characters>"


HEADERS_LIMIT = 8192  # characters of header values kept per entry: 1,000 entries of huge headers stay small


def environ_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The request headers as the WSGI environ holds them: cheaper to keep than ``request.headers``. Which keys
    are headers is worked out once per layout of the environ's keys (``_header_keys``): a server builds the
    same layout for every request of a client, and a loop over every key cost a tenth of a write."""
    keys = _header_keys(tuple(environ))
    values = [*map(environ.__getitem__, keys)]
    if "" in values:  # an empty Content-Type or Content-Length is no header (an empty X-... is one)
        pairs = [(k, v) for k, v in zip(keys, values, strict=True) if v or k not in _CONTENT_KEYS]
    else:
        pairs = [*zip(keys, values, strict=True)]
    if sum(map(len, values)) <= HEADERS_LIMIT:
        return pairs
    kept, room = [], HEADERS_LIMIT
    for k, v in pairs:
        kept.append((k, v if len(v) <= room else v[:room] + f"...<truncated, {len(v)} characters>"))
        room = max(0, room - len(v))
    return kept


_CONTENT_KEYS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
_SHADOWED = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})  # werkzeug skips these too


@lru_cache(maxsize=256)
def _header_keys(layout: tuple[Any, ...]) -> tuple[str, ...]:
    """The keys of an environ of this layout (its keys in order) that name headers, in order."""
    return tuple(k for k in layout if isinstance(k, str) and (
        (k.startswith("HTTP_") and k not in _SHADOWED) or k in _CONTENT_KEYS))


def _header_name(key: str) -> str:
    """``HTTP_X_API_KEY`` -> ``X-Api-Key`` (as werkzeug names them); other names are kept as given."""
    if key[:5] == "HTTP_":
        key = key[5:]
    elif key not in _CONTENT_KEYS:
        return key
    return key.replace("_", "-").title()


def _mimetype(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


KEEP_LIMIT = 16 * 1024  # larger bodies keep a prefix (no secret can be masked in JSON we cannot parse)


def _keep(raw: bytes) -> tuple[bytes, int]:
    """The body by reference when small; a prefix when large (a 1000-item page is not kept whole)."""
    return (raw if len(raw) <= KEEP_LIMIT else raw[:BODY_LIMIT]), len(raw)


def render(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as the admin API shows it: secrets masked, bodies cut to ``BODY_LIMIT``."""
    raw = entry.get("_raw")
    if raw is not None:
        query, headers, body, content_type, response_body, response_content_type, whole_secret = raw
        entry.update({
            "time": iso_z(entry["_at"]), "query": mask_query(query),
            "headers": mask_headers((_header_name(k), v) for k, v in headers),
            "body": body_text(body[0], body[1], _mimetype(content_type)),
            # an answer the vendor calls a secret as a whole is always masked, whatever the request looked like
            "responseBody": body_text(response_body[0], response_body[1], _mimetype(response_content_type),
                                      whole_is_secret=whole_secret),
        })
        del entry["_raw"]
    order = ("seq", "time", "vendor", "tenant", "method", "path", "query", "headers", "body", "status",
             "responseBody", "durationMs")
    shown = {k: entry[k] for k in order if k in entry}
    shown.update({k: v for k, v in entry.items() if k not in shown and not k.startswith("_")})
    return shown
