"""Case-insensitive paths, query parameter names and JSON body keys, for vendors that are ASP.NET services.

ASP.NET matches routes case-insensitively, its model binder reads query parameter names case-insensitively
(``QueryCollection`` is ordinal-ignore-case) and its JSON input formatter binds property names
case-insensitively. Real Absorb clients rely on all three (``POST /Authenticate`` with
``{"Username", "Password", "PrivateKey"}``, ``GET /Departments/{id}``). A vendor opts in with
``Vendor.case_insensitive``; then, in one place for every route:

- ``FoldPaths`` (WSGI, before routing) lower-cases the ASCII letters of the path after the vendor's prefix.
  Only ids are not literal segments, and the vendor's ids are GUIDs, which the ``guid`` converter lower-cases
  anyway. The path as sent stays in ``Exchange.original_path`` (the journal shows it).
- ``fold_request`` (a step of ``core.pipeline``, before the view) renames query parameters to the spelling
  the route documents (``@documented(query=...)``) and body keys to the spelling of the route's body schema in
  ``schemas/``, at any depth. Names nobody documents are left as they are. When a key comes twice in two
  spellings, the later one wins (as the .NET JSON readers do). The parsed body is kept in ``Exchange.json`` for
  ``core.http.json_body``, so it is parsed once.

The canonical spelling stays the only one the OpenAPI document shows; every non-canonical spelling met is
listed in ``Exchange.spelling_notes``, which strict mode reports in ``X-Emulator-Contract-Violations``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any
from collections.abc import Callable, Iterable

from flask import Flask, Request
from werkzeug.datastructures import MultiDict

from .exchange import exchange_of

from .http import MAX_BODY_BYTES, MEMO_KEY_LIMIT, QueryArgs, is_json_content_type, parse_args
from .openapi import operation_of
from .wire import is_guid, loads_json
from .schemadir import root

class FoldPaths:
    """WSGI middleware: the path after each of ``prefixes`` in lower case (ASCII letters only)."""

    def __init__(self, app: Callable[..., Any], prefixes: Iterable[str]) -> None:
        self.app = app
        self.prefixes = tuple(p.rstrip("/") + "/" for p in prefixes)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO") or ""
        for prefix in self.prefixes:
            if path.startswith(prefix):
                rest = path[len(prefix):]
                # PATH_INFO is latin-1 text of the raw bytes: bytes.lower() touches ASCII letters only
                lowered = rest.encode("latin-1", "replace").lower().decode("latin-1")
                if lowered != rest and len(lowered) == len(rest):
                    exchange_of(environ).original_path = path
                    environ["PATH_INFO"] = prefix + lowered
                break
        return self.app(environ, start_response)


class StripBases:
    """WSGI middleware: ``<prefix><base>/rest`` routed as ``<prefix>/rest``, for each vendor's ``base_paths``.

    A vendor whose clients put the same operations under several bases (iSpring: the API host's bare paths, the
    account host's ``/api/v2/...`` and ``/index.php/api/v2/...``) declares the extra bases once; every route of
    its blueprint is then served under each. A rest that starts with ``/api/`` is left alone (no base holds
    another base, nor the token endpoint). The path as sent stays in ``Exchange.original_path``.
    """

    def __init__(self, app: Callable[..., Any], bases: dict[str, tuple[str, ...]]) -> None:
        self.app = app
        # longest first: "/index.php/api/v2" before "/api/v2" would not matter, but a base that is a prefix
        # of another must not win
        self.bases = tuple(sorted(((prefix.rstrip("/") + base.rstrip("/") + "/", prefix.rstrip("/") + "/")
                                   for prefix, extra in bases.items() for base in extra),
                                  key=lambda pair: -len(pair[0])))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO") or ""
        for based, prefix in self.bases:
            if path.startswith(based):
                rest = path[len(based):]
                if not rest.startswith("api/"):
                    found = exchange_of(environ)
                    if found.original_path is None:
                        found.original_path = path
                    environ["PATH_INFO"] = prefix + rest
                break
        return self.app(environ, start_response)


# -- the shapes of documented bodies ---------------------------------------------------------------

@dataclass
class Shape:
    """The keys a JSON value may hold: ``props`` (lower-case name -> (spelling, shape of its value)) for an
    object, ``items`` for an array's items."""

    props: dict[str, tuple[str, Shape | None]] = field(default_factory=dict)
    items: Shape | None = None


@cache
def _document(root: Any, vendor: str, name: str) -> dict[str, Any]:
    """One schema file; ``root`` is ``core.schemadir.root()`` (a Path or a Traversable, both hashable)."""
    return json.loads((root / vendor / f"{name}.json").read_text(encoding="utf-8"))


def _pointer(doc: Any, pointer: str) -> Any:
    for part in [p for p in pointer.split("/") if p]:
        doc = doc[part.replace("~1", "/").replace("~0", "~")]
    return doc


@cache
def body_shape(vendor: str, name: str) -> Shape | None:
    """The shape of ``schemas/<vendor>/<name>.json``, its ``$ref``s followed (read without jsonschema)."""
    base = root()

    def build(node: Any, doc_name: str, depth: int) -> Shape | None:
        if not isinstance(node, dict) or depth > 12:
            return None
        ref = node.get("$ref")
        if isinstance(ref, str):
            target, _, pointer = ref.partition("#")
            other = target[:-5] if target.endswith(".json") else doc_name
            return build(_pointer(_document(base, vendor, other), pointer), other, depth + 1)
        shape = Shape()
        for alternative in node.get("anyOf", []) + node.get("oneOf", []) + node.get("allOf", []):
            sub = build(alternative, doc_name, depth + 1)
            if sub is not None:
                shape.props.update(sub.props)
                shape.items = shape.items or sub.items
        for key, sub_node in (node.get("properties") or {}).items():
            shape.props[key.lower()] = (key, build(sub_node, doc_name, depth + 1))
        if isinstance(node.get("items"), dict):
            shape.items = build(node["items"], doc_name, depth + 1)
        return shape if shape.props or shape.items else None

    return build(_document(base, vendor, name), name, 0)


def fold_keys(value: Any, shape: Shape | None, notes: list[str], path: str = "") -> Any:
    """``value`` with every key ``shape`` knows in its documented spelling; a note per key renamed."""
    if shape is None:
        return value
    if isinstance(value, dict) and shape.props:
        out: dict[Any, Any] = {}
        for key, item in value.items():
            entry = shape.props.get(key.lower()) if isinstance(key, str) else None
            if entry is None:
                out[key] = item
                continue
            spelling, child = entry
            if key != spelling:
                notes.append(f"body field '{path}{key}' is not in the documented spelling '{spelling}'")
                out.pop(spelling, None)  # the later spelling wins, wherever the earlier one stood
            out[spelling] = fold_keys(item, child, notes, f"{path}{spelling}.")
        return out
    if isinstance(value, list) and shape.items is not None:
        return [fold_keys(item, shape.items, notes, f"{path.rstrip('.')}[{n}].") for n, item in enumerate(value)]
    return value


# -- per request --------------------------------------------------------------------------------------

def _fold_path(req: Request, notes: list[str]) -> None:
    original = exchange_of(req.environ).original_path
    if original is None:
        return
    for sent, folded in zip(original.split("/"), req.path.split("/"), strict=False):
        if sent != folded and not is_guid(sent):
            notes.append(f"path segment '{sent}' is not in the documented spelling '{folded}'")


def _fold_query(req: Request, documented: frozenset[str], notes: list[str]) -> None:
    folded = fold_args(req.environ.get("QUERY_STRING") or "", lambda: req.args, documented, notes)
    if folded is not None:
        req.args = folded  # werkzeug's cached property takes a value


def fold_args(raw: str, parsed: Callable[[], MultiDict[str, str]], documented: frozenset[str],
              notes: list[str]) -> QueryArgs | None:
    """The query ``raw`` (``parsed()`` parses it) with its names in the spelling ``documented``; None: every
    name is already as documented, or nobody documents it (``parsed()`` stands as it is)."""
    # The usual case costs no parsing (a cached page never parses its query): every name as documented.
    if not raw or all(part.partition("=")[0] in documented for part in raw.split("&") if part):
        return None
    args = parsed()
    spelling = {name.lower(): name for name in documented}
    if all(key in documented or key.lower() not in spelling for key in args):
        return None
    pairs = []
    for key, value in args.items(multi=True):
        canonical = spelling.get(key.lower(), key)
        if canonical != key:
            notes.append(f"query parameter '{key}' is not in the documented spelling '{canonical}'")
        pairs.append((canonical, value))
    return QueryArgs(pairs)


def _fold_body(req: Request, vendor: str, body_schema: str, notes: list[str]) -> None:
    shape = body_shape(vendor, body_schema)
    if shape is None:  # no key to fold (an array of ids): json_body parses it once, where it is read
        return
    if not is_json_content_type(req.mimetype) or (req.content_length or 0) > MAX_BODY_BYTES:
        return
    try:
        raw = req.get_data(cache=True)
        document = loads_json(raw) if len(raw) <= MAX_BODY_BYTES else None  # too deep: left to json_body
    except Exception:  # noqa: BLE001 - unreadable or malformed: json_body answers it in the vendor's shape
        return
    if document is not None:
        exchange_of(req.environ).json = fold_keys(document, shape, notes)


# id(operation) -> its documented query names; operations live as long as the app
_NAMES: dict[int, frozenset[str]] = {}


def fold_query(view: Callable[..., Any] | None, raw: str) -> QueryArgs:
    """The query ``raw`` parsed as Flask's ``request.args``, then folded as ``fold_request`` folds it for the
    route of ``view`` (for the pipeline's fast path, which has no Flask request)."""
    op = operation_of(view)
    names = None if op is None else _names(op)
    return _fold_query_memo(names, raw) if len(raw) <= MEMO_KEY_LIMIT else _fold_query_text(names, raw)


def _fold_query_text(documented: frozenset[str] | None, raw: str) -> QueryArgs:
    """``fold_query`` once per route's names and query text up to ``MEMO_KEY_LIMIT`` characters (the answer is
    immutable, so it is shared)."""
    args = parse_args(raw)
    folded = None if documented is None else fold_args(raw, lambda: args, documented, [])
    return args if folded is None else folded


_fold_query_memo = lru_cache(maxsize=1024)(_fold_query_text)


def _names(op: Any) -> frozenset[str]:
    """The query parameter names an operation documents."""
    names = _NAMES.get(id(op))
    if names is None:
        names = _NAMES[id(op)] = frozenset(p.name for p in op.query)
    return names


def fold_request(app: Flask, req: Request, vendor: str) -> None:
    """Fold this request's query names and body keys; note every non-canonical spelling met (path included)."""
    notes: list[str] = []
    _fold_path(req, notes)
    op = operation_of(app.view_functions.get(req.endpoint or ""))
    if op is not None:
        _fold_query(req, _names(op), notes)
        if op.body and req.method in ("POST", "PUT", "PATCH"):
            _fold_body(req, vendor, op.body, notes)
    if notes:
        exchange_of(req.environ).spelling_notes = notes
