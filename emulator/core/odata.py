"""OData-style ``_filter`` and ``_sort`` for list routes (Absorb Integration API v2).

``compile_filter`` parses a filter with a lark LALR grammar, type-checks it against a
:class:`Resource` (the field table of one wire type) and generates Python source -- a
predicate and a list comprehension over many items -- compiled once and cached by
text, so a repeated query costs no parsing and a scan is plain attribute loads and
comparisons. ``sort`` orders by ``_sort`` with ties broken by the resource key, and
can return just the first ``top`` items of that order for a page.

Semantics (emulator's choices, documented in one place):

* Strings compare case-insensitively (``STRING_COMPARISON_CASE_INSENSITIVE``), as
  under SQL Server's default collation that Absorb sits on; this holds for ``eq``..``le``
  and for ``startswith``/``endswith``/``substringof``. The comparison operators ignore
  trailing spaces, as SQL Server's ``=`` does (``STRING_COMPARISON_IGNORES_TRAILING_SPACES``);
  the functions do not (LIKE keeps them).
* Nulls follow OData's rules (vendor-documented by the OData specification the API cites):
  comparisons are *lifted* and never null -- ``x eq null`` is true when x is None, ``x ne y``
  is ``not (x eq y)`` (so ``score ne 3`` is true for a None score), an ordering comparison
  with a None on either side is false; a function of null is null (``tolower(None)`` is None,
  ``startswith(None, 'x')`` is null), ``not null`` is null, and ``and``/``or`` are three-valued
  (false and null = false, true or null = true, otherwise null). A row is kept only when the
  filter is true, so ``not startswith(jobTitle,'x')`` and ``endswith(avatar,'') eq false``
  leave out the rows whose field is null.
* Numbers: int and decimal mix freely. Booleans take ``eq``/``ne`` only. Guids compare
  as lower-case text (a bare ``'...'`` string is accepted against a guid field when it is
  a valid guid). Datetimes compare as instants; a literal without a zone is UTC.
* Two fields may be compared with each other when their types agree.
* Precedence, highest first (OData's): ``not``; ``eq ne gt ge lt le``; ``and``; ``or``. So
  ``not status eq 3`` is ``(not status) eq 3``, a type error (422, suggesting ``not (status eq 3)``);
  ``not (x)`` may be written ``not(x)`` (the ABNF wants a space; real clients omit it).
"""
from __future__ import annotations

import heapq
import math
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import compress, count, islice, repeat
from keyword import iskeyword
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # lark is imported when the first filter is parsed: start-up does not pay for it
    from lark import Lark, Token, Tree, UnexpectedInput

from emulator.config import cache_dir
from emulator.core.errors import Unprocessable

STRING_COMPARISON_CASE_INSENSITIVE = True
"""Absorb runs on SQL Server with a case-insensitive collation: 'ABC' eq 'abc'."""
STRING_COMPARISON_IGNORES_TRAILING_SPACES = True
"""Emulator's choice, after SQL Server: its comparison operators pad the shorter string with spaces
(ANSI padding), so 'abc ' eq 'abc' and neither is greater. LIKE, and so startswith/endswith/substringof,
keeps trailing spaces significant (Unicode data)."""

MAX_FILTER_LENGTH = 4096
MAX_NESTING = 64
"""Deeper filters are refused: the generated source must stay within Python's own limits."""
FIELD_TYPES = frozenset({"string", "int", "decimal", "bool", "guid", "datetime"})

# --------------------------------------------------------------------------- field table


@dataclass(frozen=True, slots=True)
class Field:
    """One wire field: its camelCase ``wire`` name, value ``type`` and model ``attr``."""

    wire: str
    type: str
    attr: str
    filterable: bool = True
    sortable: bool = True

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.wire!r}: unknown type {self.type!r}")
        if not all(part.isidentifier() and not iskeyword(part) for part in self.attr.split(".")):
            raise ValueError(f"field {self.wire!r}: attr {self.attr!r} is not a dotted identifier")


class Resource:
    """The field table of one wire type; lookups by wire name ignore case."""

    __slots__ = ("name", "fields", "key", "key_field", "_by_name", "_hash")

    def __init__(self, name: str, fields: Iterable[Field], key: str = "id") -> None:
        self.name = name
        self.fields: tuple[Field, ...] = tuple(fields)
        self._by_name: dict[str, Field] = {}
        for f in self.fields:
            if f.wire.lower() in self._by_name:
                raise ValueError(f"resource {name!r}: duplicate field {f.wire!r}")
            self._by_name[f.wire.lower()] = f
        key_field = self._by_name.get(key.lower())
        if key_field is None:
            raise ValueError(f"resource {name!r}: key {key!r} is not one of its fields")
        self.key = key_field.wire
        self.key_field = key_field
        self._hash = hash((name, self.fields, self.key))

    def field(self, wire: str) -> Field | None:
        return self._by_name.get(wire.lower())

    # Hashable by content so that it can be part of an lru_cache key.
    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Resource):
            return NotImplemented
        return (self.name, self.fields, self.key) == (other.name, other.fields, other.key)

    def __repr__(self) -> str:
        return f"Resource({self.name!r}, {len(self.fields)} fields, key={self.key!r})"


def getter(field: Field) -> Callable[[Any], Any]:
    """Value getter for ``field.attr``; a dotted path yields None past a None link."""
    if "." not in field.attr:
        return attrgetter(field.attr)
    parts = field.attr.split(".")

    def get(obj: Any) -> Any:
        for part in parts:
            if obj is None:
                return None
            obj = getattr(obj, part)
        return obj

    return get


# --------------------------------------------------------------------------- grammar

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: comparison (_AND comparison)*
?comparison: unary COMPOP unary -> compare
           | unary
?unary: NOT unary -> not_
      | operand
?operand: NAME -> field
        | call
        | STRING | NUMBER | GUID | DATETIME | TRUE | FALSE | NULL
        | "(" or_expr ")"
call: NAME "(" (operand ("," operand)*)? ")"

NAME: /[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*/
STRING: /'(?:[^']|'')*'/
NUMBER: /[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?[mMdD]?(?![A-Za-z0-9_.])/
GUID.2: /guid'[^']*'/i
DATETIME.2: /datetime(offset)?'[^']*'/i
TRUE.2: /true\b/i
FALSE.2: /false\b/i
NULL.2: /null\b/i
NOT.2: /not\b/i
_AND.2: /and\b/i
_OR.2: /or\b/i
COMPOP.2: /(eq|ne|gt|ge|lt|le)\b/i
%ignore /[ \t\r\n]+/
"""

_TERMINAL_NAMES = {
    "NAME": "a field or function name",
    "STRING": "a string literal",
    "NUMBER": "a number",
    "GUID": "a guid literal",
    "DATETIME": "a datetime literal",
    "TRUE": "'true'",
    "FALSE": "'false'",
    "NULL": "'null'",
    "NOT": "'not'",
    "_AND": "'and'",
    "_OR": "'or'",
    "COMPOP": "a comparison operator (eq, ne, gt, ge, lt, le)",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "$END": "the end of the filter",
}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """The LALR parser, built once on first use. lark keeps its grammar analysis in a file in the cache
    directory (``config.cache_dir``; checked against a hash of the grammar, options and lark's version, and
    rebuilt when they differ): importing lark and loading it took 17 ms, building it 40."""
    import lark

    cache: str | bool = False
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        cache = str(folder / f"odata-lalr-{lark.__version__}.pickle")
    except OSError:
        pass
    return lark.Lark(_GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=False, cache=cache)


def parse(text: str) -> Tree:
    """Parse a filter into a lark tree; syntax errors become :class:`Unprocessable`."""
    parser = _parser()
    from lark import UnexpectedInput

    try:
        return parser.parse(text)
    except UnexpectedInput as exc:
        raise _fail(_syntax_message(text, exc)) from None


def _syntax_message(text: str, exc: UnexpectedInput) -> str:
    from lark import UnexpectedCharacters, UnexpectedToken

    if isinstance(exc, UnexpectedCharacters):
        pos, char = exc.pos_in_stream, exc.char
        if char == "'":
            return f"unterminated string literal at position {pos}"
        if char.isdigit() or char in "+-" or (char == "." and text[pos + 1 : pos + 2].isdigit()):
            return f"malformed number at position {pos} ({_NUMBER_FORMS})"
        return f"unexpected character {char!r} at position {pos}"
    if isinstance(exc, UnexpectedToken):
        expected: set[str] = set(exc.expected or ())
        try:  # the exact set, rather than LALR's merged lookaheads
            expected = set(exc.interactive_parser.accepts()) or expected
        except Exception:  # noqa: BLE001 - best effort for a nicer message
            pass
        names = sorted({_TERMINAL_NAMES.get(t, t) for t in expected})
        hint = f" (expected {', '.join(names)})" if names else ""
        if exc.token.type == "$END":
            return f"unexpected end of filter at position {len(text.rstrip())}{hint}"
        return f"unexpected token {str(exc.token)!r} at position {exc.token.start_pos}{hint}"
    return f"syntax error at position {getattr(exc, 'pos_in_stream', 0)}"


_NUMBER_FORMS = "OData writes numbers as 3, -3, +3, 1.5, 1e2 or 2.5E-3: a digit on both sides of a decimal point"


def _fail(detail: str, param: str = "_filter") -> Unprocessable:
    return Unprocessable(f"The {param} parameter is invalid.", validations=[f"{param}: {detail}"])


# --------------------------------------------------------------------------- literals

_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?)?"
    r"(Z|z|[+-][0-9]{2}:?[0-9]{2})?"
)


def parse_guid(text: str) -> str | None:
    """Lower-case guid, or None when ``text`` is not one."""
    return text.lower() if _GUID_RE.fullmatch(text) else None


def parse_datetime(text: str) -> datetime | None:
    """ISO 8601 date-time (or date) as an aware UTC datetime; no zone means UTC."""
    m = _DATETIME_RE.fullmatch(text.strip())
    if m is None:
        return None
    year, month, day, hh, mm, ss, frac, zone = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    tz = timezone.utc
    try:
        if zone and zone not in ("Z", "z"):
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        value = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0), micro, tz)
        return value.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # 2020-13-01, 24:00 offsets, year 1 shifted below 1
        return None


# --------------------------------------------------------------------------- compiler

_FLIP = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
_PY_OP = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_OPS = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le,
}
_NUMERIC = frozenset({"int", "decimal"})
_STRING_FUNCTIONS = {"startswith": 2, "endswith": 2, "substringof": 2}
_CASE_FUNCTIONS = {"tolower": "lower", "toupper": "upper"}


@dataclass(frozen=True, slots=True)
class _Operand:
    """A typed sub-expression.

    kind 'lit': a constant (``src`` is its Python source, ``value`` the value);
    kind 'value': a field, with ``chain`` of str methods applied to it when not None
    (tolower/toupper) -- ``src`` reads the raw field;
    kind 'bool': a boolean expression, which may be null (a function of a null field); ``value`` is
    ("call", true_src, false_src, value_src) for a string function, ("expr", node) for a boolean
    expression in parentheses, compiled when used (``_Compiler.truth`` / ``tri``).
    """

    kind: str
    type: str
    src: str
    desc: str
    pos: int
    value: Any = None
    chain: tuple[str, ...] = ()


class _Compiler:
    """Type-checks one parse tree and emits the source of a predicate."""

    def __init__(self, resource: Resource, text: str = "") -> None:
        self.resource = resource
        self.text = text
        self.consts: dict[str, Any] = {}
        self.nvars = 0

    # -- helpers
    def const(self, value: Any) -> str:
        """Source for a constant: a literal where Python has one, else a closure cell."""
        if value is None or isinstance(value, (bool, int, str)) or (isinstance(value, float) and math.isfinite(value)):
            return repr(value)
        name = f"_c{len(self.consts)}"
        self.consts[name] = value
        return name

    def var(self) -> str:
        self.nvars += 1
        return f"_v{self.nvars}"

    @staticmethod
    def applied(var: str, op: _Operand, comparing: bool = True) -> str:
        """Source of the (non-None) value ``var`` after tolower/toupper, normalised for a comparison
        operator (``comparing``) or for a string function."""
        src = var + "".join(f".{m}()" for m in op.chain)
        if op.type == "string" and STRING_COMPARISON_CASE_INSENSITIVE and op.chain[-1:] != ("lower",):
            src += ".lower()"
        if op.type == "string" and comparing and STRING_COMPARISON_IGNORES_TRAILING_SPACES:
            src += ".rstrip(' ')"
        return src

    def nullable(self, op: _Operand) -> str:
        """Source of a value operand's normalised value or None."""
        if op.kind == "bool":
            return self.tri(op)
        if op.type != "string" or (not op.chain and not STRING_COMPARISON_CASE_INSENSITIVE
                                   and not STRING_COMPARISON_IGNORES_TRAILING_SPACES):
            return op.src
        v = self.var()
        return f"(None if ({v} := {op.src}) is None else {self.applied(v, op)})"

    # -- clauses
    # A boolean expression is true, false or null (OData: a function of null is null, ``not null`` is
    # null, ``and``/``or`` follow three-valued logic). A filter keeps the rows where it is true. So a
    # clause compiles to the source of "it is true" (positive) or of "it is false" (negative): ``not``
    # swaps the two and ``and``/``or`` swap with it (De Morgan), and both are plain Python bools. The
    # three-valued value itself (``value``) is needed only to compare two boolean expressions.
    def clause(self, node: Tree | Token, positive: bool = True) -> str:
        """Source that is True exactly when ``node`` is true (``positive``) or exactly when it is false."""
        if _is_tree(node):
            if node.data in ("or_expr", "and_expr"):
                joiner = " or " if (node.data == "or_expr") == positive else " and "
                return "(" + joiner.join(self.clause(c, positive) for c in node.children) + ")"
            if node.data == "not_":
                return self.clause(node.children[1], not positive)
            if node.data == "compare":  # comparisons are never null (lifted operators)
                src = self.compare(node)
                return src if positive else f"(not {src})"
        return self.truth(self.boolean(node), positive)

    def value(self, node: Tree | Token) -> str:
        """Source of the three-valued value of a boolean expression: True, False or None."""
        if _is_tree(node):
            if node.data in ("or_expr", "and_expr"):
                helper = self.const(_or3 if node.data == "or_expr" else _and3)
                return f"{helper}({', '.join(self.value(c) for c in node.children)})"
            if node.data == "not_":
                return f"{self.const(_not3)}({self.value(node.children[1])})"
            if node.data == "compare":
                return self.compare(node)
        return self.tri(self.boolean(node))

    def boolean(self, node: Tree | Token) -> _Operand:
        op = self.operand(node)
        if op.type != "bool":
            raise _fail(f"expected a boolean expression at position {op.pos}, got {op.desc}")
        return op

    def truth(self, op: _Operand, positive: bool) -> str:
        """Source that is True exactly when the boolean operand ``op`` is true (or false); null is neither."""
        if op.kind == "lit":
            return repr(op.value is positive)
        if op.kind == "value":  # a bool field
            return f"({op.src} is {positive})"
        if op.value[0] == "call":
            return op.value[1] if positive else op.value[2]
        return self.clause(op.value[1], positive)

    def tri(self, op: _Operand) -> str:
        """Source of the value of the boolean operand ``op``: True, False or None."""
        if op.kind == "lit":
            return repr(op.value)
        if op.kind == "value":
            return op.src
        if op.value[0] == "call":
            return op.value[3]
        return self.value(op.value[1])

    def compare(self, node: Tree) -> str:
        left, tok, right = node.children
        op = tok.lower()
        self.check_not_operand(left, tok, right)
        a, b = self.operand(left), self.operand(right)
        if a.kind == "lit" and b.kind != "lit":
            a, b, op = b, a, _FLIP[op]
        a, b = self.coerce(a, b, tok)
        if op not in ("eq", "ne") and "bool" in (a.type, b.type):
            raise _fail(f"operator '{op}' cannot be used with booleans at position {tok.start_pos}")
        py = _PY_OP[op]
        string = a.type == "string"

        if a.kind == "lit":  # two constants (a literal on the left only stays if both are)
            return repr(_constant_compare(op, a.value, b.value, string))
        if b.type == "null":
            if op not in ("eq", "ne"):
                return "False"  # an ordering comparison with null is never true
            return f"({self.nullable(a) if a.kind == 'bool' else a.src} is {'' if op == 'eq' else 'not '}None)"

        if b.kind == "lit":
            lit = _compared(b.value) if string else b.value
            if a.kind == "bool":  # startswith(...) eq true: true when it is true; null is neither true nor false
                truth = self.truth(a, lit)
                return truth if op == "eq" else f"(not {truth})"
            if a.type == "bool":
                return f"({a.src} is {'' if op == 'eq' else 'not '}{lit!r})"
            if a.type != "string":  # None == x is False, None != x is True
                if op in ("eq", "ne"):
                    return f"({a.src} {py} {self.const(lit)})"
                v = self.var()
                return f"(({v} := {a.src}) is not None and {v} {py} {self.const(lit)})"
            v = self.var()
            if op == "ne":
                return f"(({v} := {a.src}) is None or {self.applied(v, a)} != {self.const(lit)})"
            return f"(({v} := {a.src}) is not None and {self.applied(v, a)} {py} {self.const(lit)})"

        # Neither side is a literal: field vs field, or boolean expressions.
        sa, sb = self.nullable(a), self.nullable(b)
        if op in ("eq", "ne"):
            return f"({sa} {py} {sb})"  # None == None holds, as in C#
        va, vb = self.var(), self.var()
        return f"(({va} := {sa}) is not None and ({vb} := {sb}) is not None and {va} {py} {vb})"

    def check_not_operand(self, left: Tree | Token, tok: Token, right: Tree | Token) -> None:
        """``not status eq 3`` is ``(not status) eq 3`` in OData (``not`` binds tighter than a comparison):
        a type error, answered with the parentheses the client most likely meant."""
        if not (_is_tree(left) and left.data == "not_"):
            return
        inner, last_not = left, left.children[0]
        while _is_tree(inner) and inner.data == "not_":
            last_not, inner = inner.children
        arg = self.operand(inner)
        if arg.type == "bool":
            return  # (not isActive) eq true: a boolean compared with a boolean
        raise _fail(f"'not' at position {_pos(left)} applies to {arg.desc} alone: 'not' binds tighter than "
                    f"'{tok.lower()}'. To negate the comparison, write: {self.negated(left, last_not, right)}")

    def negated(self, left: Tree, last_not: Token, right: Tree | Token) -> str:
        """``not a eq b`` as the client likely meant it: ``not (a eq b)``."""
        text = self.text
        start = last_not.end_pos or 0
        while start < len(text) and text[start].isspace():
            start += 1
        end = _end(right)
        while text.count("(", start, end) > text.count(")", start, end) and text.find(")", end) >= 0:
            end = text.find(")", end) + 1  # the closing parentheses of a parenthesised right operand
        return f"{text[_pos(left):last_not.end_pos].rstrip()} ({text[start:end]})"

    def coerce(self, a: _Operand, b: _Operand, tok: Token) -> tuple[_Operand, _Operand]:
        """Check that ``a`` and ``b`` may be compared; a guid-looking string becomes a guid."""
        if "null" in (a.type, b.type) or a.type == b.type or {a.type, b.type} <= _NUMERIC:
            return a, b
        if a.type == "guid" and b.kind == "lit" and b.type == "string":
            guid = parse_guid(b.value)
            if guid is not None:
                return a, _Operand("lit", "guid", repr(guid), b.desc, b.pos, guid)
            raise _fail(f"cannot compare {a.desc} with {b.desc} (not a valid guid) at position {b.pos}")
        raise _fail(f"cannot compare {a.desc} with {b.desc} at position {tok.start_pos}")

    # -- operands
    def operand(self, node: Tree | Token) -> _Operand:
        if not _is_tree(node):
            return self.literal(node)
        if node.data == "field":
            return self.field(node.children[0])
        if node.data == "call":
            return self.call(node)
        # a parenthesised boolean expression used as an operand: compiled when used, in the form needed
        return _Operand("bool", "bool", "", "a boolean expression", _pos(node), ("expr", node))

    def field(self, tok: Token) -> _Operand:
        f = self.resource.field(str(tok))
        if f is None:
            raise _fail(f"unknown field '{tok}' at position {tok.start_pos}")
        if not f.filterable:
            raise _fail(f"field '{f.wire}' is not filterable at position {tok.start_pos}")
        src = f"o.{f.attr}" if "." not in f.attr else f"{self.const(getter(f))}(o)"
        return _Operand("value", f.type, src, f"field '{f.wire}' ({f.type})", tok.start_pos)

    def literal(self, tok: Token) -> _Operand:
        text, pos, kind = str(tok), tok.start_pos, tok.type
        if kind == "STRING":
            value = text[1:-1].replace("''", "'")
            return _Operand("lit", "string", repr(value), f"string {text}", pos, value)
        if kind == "NUMBER":  # the ABNF's decimalValue: [SIGN] 1*DIGIT ["." 1*DIGIT] ["e" [SIGN] 1*DIGIT]
            body = text.rstrip("mMdD")
            if "." in body or "e" in body.lower() or body != text:
                return _Operand("lit", "decimal", self.const(float(body)), f"decimal {text}", pos, float(body))
            return _Operand("lit", "int", repr(int(body)), f"int {text}", pos, int(body))
        if kind in ("TRUE", "FALSE"):
            value = kind == "TRUE"
            return _Operand("lit", "bool", repr(value), f"bool {text.lower()}", pos, value)
        if kind == "NULL":
            return _Operand("lit", "null", "None", "null", pos)
        inner = text[text.index("'") + 1 : -1]
        if kind == "GUID":
            guid = parse_guid(inner)
            if guid is None:
                raise _fail(f"invalid guid literal {text} at position {pos}")
            return _Operand("lit", "guid", repr(guid), f"guid '{inner}'", pos, guid)
        dt = parse_datetime(inner)  # DATETIME
        if dt is None:
            raise _fail(f"invalid datetime literal {text} at position {pos}")
        return _Operand("lit", "datetime", self.const(dt), f"datetime '{inner}'", pos, dt)

    def call(self, node: Tree) -> _Operand:
        name_tok, *args = node.children
        name, pos = str(name_tok).lower(), name_tok.start_pos
        arity = 1 if name in _CASE_FUNCTIONS else _STRING_FUNCTIONS.get(name)
        if arity is None:
            raise _fail(f"unknown function '{name_tok}' at position {pos}")
        if len(args) != arity:
            plural = "s" if arity > 1 else ""
            raise _fail(f"function '{name}' takes {arity} argument{plural}, got {len(args)} at position {pos}")
        ops = [self.operand(a) for a in args]
        if name in _CASE_FUNCTIONS:  # tolower/toupper: a string value, None stays None
            arg = self.string_field(name, ops[0], 1)
            chain = (*arg.chain, _CASE_FUNCTIONS[name])
            return _Operand("value", "string", arg.src, f"{name}({arg.desc})", pos, chain=chain)
        # substringof('value', field); startswith/endswith(field, 'value'): a bool, null on a null field
        lit_index = 0 if name == "substringof" else 1
        lit = ops[lit_index]
        if lit.kind != "lit" or lit.type != "string":
            raise _fail(
                f"function '{name}' expects a string literal as argument {lit_index + 1}, "
                f"got {lit.desc} at position {lit.pos}"
            )
        arg = self.string_field(name, ops[1 - lit_index], 2 - lit_index)
        needle = self.const(lit.value.lower() if STRING_COMPARISON_CASE_INSENSITIVE else lit.value)
        v = self.var()
        subject = self.applied(v, arg, comparing=False)
        test = f"{needle} in {subject}" if name == "substringof" else f"{subject}.{name}({needle})"
        bind = f"({v} := {arg.src})"
        forms = ("call", f"({bind} is not None and {test})", f"({bind} is not None and not {test})",
                 f"(None if {bind} is None else {test})")
        return _Operand("bool", "bool", forms[1], f"{name}(...)", pos, forms)

    @staticmethod
    def string_field(name: str, op: _Operand, index: int) -> _Operand:
        """``op`` if it is a string field (possibly under tolower/toupper), else a 422."""
        if op.kind != "value" or op.type != "string":
            raise _fail(
                f"function '{name}' expects a string field as argument {index}, got {op.desc} at position {op.pos}"
            )
        return op


def _check_nesting(tree: Tree | Token) -> None:
    stack = [(tree, 1)] if _is_tree(tree) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise _fail(f"the filter expression is nested more than {MAX_NESTING} levels deep at position {_pos(node)}")
        stack.extend((child, depth + 1) for child in node.children if _is_tree(child))


def _and3(*values: bool | None) -> bool | None:
    """Three-valued ``and``: false wins, then null."""
    return False if False in values else None if None in values else True


def _or3(*values: bool | None) -> bool | None:
    """Three-valued ``or``: true wins, then null."""
    return True if True in values else None if None in values else False


def _not3(value: bool | None) -> bool | None:
    return None if value is None else not value


def _compared(text: str) -> str:
    """A string literal as the comparison operators see it (case, trailing spaces)."""
    if STRING_COMPARISON_CASE_INSENSITIVE:
        text = text.lower()
    return text.rstrip(" ") if STRING_COMPARISON_IGNORES_TRAILING_SPACES else text


def _constant_compare(op: str, a: Any, b: Any, string: bool) -> bool:
    if a is None or b is None:
        return (a is None and b is None) == (op == "eq") if op in ("eq", "ne") else False
    if string:
        a, b = _compared(a), _compared(b)
    return bool(_OPS[op](a, b))


def _is_tree(node: Tree | Token) -> bool:
    """lark's ``Token`` is a ``str``; any other node of a parse is a ``Tree`` (no lark import needed)."""
    return not isinstance(node, str)


def _pos(node: Tree | Token) -> int:
    while _is_tree(node):
        node = node.children[0]
    return node.start_pos or 0


def _end(node: Tree | Token) -> int:
    """Where ``node``'s text ends (a closing parenthesis is not a token of the tree: it is found after)."""
    while _is_tree(node):
        node = node.children[-1]
    return node.end_pos or 0


class CompiledFilter(Protocol):
    """A compiled ``_filter``: call it on one object, or ``select`` from many at once."""

    source: str

    def __call__(self, obj: Any, /) -> bool: ...

    def select(self, items: Iterable[Any], /) -> list[Any]: ...


def compile_filter(resource: Resource, text: str) -> CompiledFilter:
    """The predicate for ``_filter=text``; the same text returns the same cached callable."""
    if not isinstance(text, str) or not text.strip():
        raise _fail("the filter expression is empty")
    if len(text) > MAX_FILTER_LENGTH:
        raise _fail(f"the filter expression is {len(text)} characters long; the maximum is {MAX_FILTER_LENGTH}")
    return _compile_cached(resource, text)


def filter_items(resource: Resource, text: str, items: Iterable[Any]) -> list[Any]:
    """The items matching ``_filter=text``, in their order (one loop, no call per item)."""
    return compile_filter(resource, text).select(items)


@lru_cache(maxsize=1024)
def _compile_cached(resource: Resource, text: str) -> CompiledFilter:
    tree = parse(text)
    _check_nesting(tree)
    compiler = _Compiler(resource, text)
    body = compiler.clause(tree)
    # One factory makes the per-object predicate and a list-comprehension over many
    # (which saves a Python call per item: ~40% of a scan). Constants that have no
    # literal form (datetimes, getters) arrive as closure cells of the factory.
    source = (
        f"def _factory({', '.join(compiler.consts)}):\n"
        f"    def _predicate(o):\n        return {body}\n"
        f"    def _select(items):\n        return [o for o in items if {body}]\n"
        f"    return _predicate, _select\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<_filter {resource.name}>", "exec"), namespace)  # noqa: S102 - our own source
    predicate, select = namespace["_factory"](*compiler.consts.values())
    predicate.select = select
    predicate.source = source
    predicate.__doc__ = f"_filter={text!r}"
    return predicate


# --------------------------------------------------------------------------- sort

SortSpec = tuple[tuple[Field, bool], ...]


@lru_cache(maxsize=1024)
def parse_sort(resource: Resource, text: str) -> SortSpec:
    """``"-dateEdited, fullName"`` -> ((dateEdited, descending), (fullName, ascending))."""
    spec: list[tuple[Field, bool]] = []
    pos = 0
    for part in text.split(","):
        start = pos + len(part) - len(part.lstrip())
        pos += len(part) + 1
        name = part.strip()
        desc = name.startswith("-")
        name = name[1:].strip() if desc else name
        if not name:
            raise _fail(f"empty field name at position {start}", "_sort")
        f = resource.field(name)
        if f is None:
            raise _fail(f"unknown field '{name}' at position {start}", "_sort")
        if not f.sortable:
            raise _fail(f"field '{f.wire}' is not sortable at position {start}", "_sort")
        spec.append((f, desc))
    return tuple(spec)


def sort(
    items: list, resource: Resource, text: str | None, default: str | None = None, *, top: int | None = None
) -> list:
    """Items ordered by ``_sort`` (or ``default``), ties broken by the key ascending.

    None sorts first ascending and last descending; strings ignore case. With ``top``
    only the first ``top`` items are returned (what a page needs), found without
    ordering the whole collection.
    """
    keys = sort_keys(resource, text if text is not None else default or None)
    if top is not None and top <= 0:
        return []
    n = len(items)
    if n < 2:
        return list(items)
    if top is not None and top * _TOP_FACTOR < n:
        order = _top_order(items, keys, list(range(n)), top)
    else:
        order = _order(items, keys, list(range(n)))
    result = list(map(items.__getitem__, order))
    return result if top is None else result[:top]


def sort_keys(resource: Resource, text: str | None) -> list[tuple[Field, bool]]:
    """The (field, descending) keys of ``_sort=text``, ending with the resource key."""
    keys: list[tuple[Field, bool]] = []
    for f, desc in parse_sort(resource, text) if text is not None else ():
        keys.append((f, desc))
        if f == resource.key_field:  # unique: later keys can never matter
            return keys
    keys.append((resource.key_field, False))
    return keys


_TOP_FACTOR = 4
"""Select the top k by splitting only while there are more than k * _TOP_FACTOR candidates."""


def _order(items: list, keys: list[tuple[Field, bool]], members: list[int]) -> list[int]:
    """``members`` (indices into ``items``) ordered by ``keys``.

    Sort by the first key, then re-sort only the runs of ties by the next key, and so
    on: the first key of a real query (a date, a name) is often nearly unique, so later
    keys -- and the tie-break on the resource key -- cost little.
    """
    order = list(members)
    groups: list[tuple[int, int]] = [(0, len(order))]  # slices of ``order`` tied so far
    for level, (f, desc) in enumerate(keys):
        batch = order if groups == [(0, len(order))] else [i for lo, hi in groups for i in order[lo:hi]]
        col = _column(items, f, batch)
        has_none = None in (col.values() if isinstance(col, dict) else col)
        last = level == len(keys) - 1
        tied: list[tuple[int, int]] = []
        for lo, hi in groups:
            segment = _sort_pass(order[lo:hi], col, desc, has_none)
            order[lo:hi] = segment
            if not last:
                values = list(map(col.__getitem__, segment))
                tied += [(lo + a, lo + b) for a, b in _runs(list(map(operator.eq, values, islice(values, 1, None))))]
        groups = tied
        if not groups:
            break
    return order


def _top_order(items: list, keys: list[tuple[Field, bool]], candidates: list[int], k: int) -> list[int]:
    """The first ``k`` of ``candidates`` in the order of ``keys``.

    Per key: the items strictly better than the k-th value go ahead (ordered fully:
    there are fewer than k of them), and only the items tied with the k-th value are
    looked at under the next key -- so a mostly-null or low-cardinality first key
    (isActive, status) still ends up sorting a handful of items.
    """
    head: list[int] = []
    level = 0
    while len(candidates) > k * _TOP_FACTOR and level < len(keys):
        f, desc = keys[level]
        better, tied = _split(candidates, _column(items, f, candidates), desc, k)
        head += _order(items, keys[level:], better)
        k -= len(better)
        candidates, level = tied, level + 1
    return head + _order(items, keys[level:], candidates)[:k]


def _split(candidates: list[int], col: list | dict, desc: bool, k: int) -> tuple[list[int], list[int]]:
    """(strictly before the k-th value, tied with it) under one key, None being the lowest."""
    values = col if isinstance(col, list) else list(map(col.__getitem__, candidates))  # a list: all items
    present, nulls = candidates, 0
    if None in values:
        present = [i for i, v in zip(candidates, values) if v is not None]
        values = list(map(col.__getitem__, present))
        nulls = len(candidates) - len(present)
    if desc:  # None last: the Nones come into play only if fewer than k values
        if len(present) < k:
            return present, [i for i in candidates if col[i] is None]
        kth = heapq.nlargest(k, values)[-1]
        better = list(compress(present, map(operator.gt, values, repeat(kth))))
    else:  # None first: all of them go ahead, or they hold the k-th place
        if nulls >= k:
            return [], [i for i in candidates if col[i] is None]
        kth = heapq.nsmallest(k - nulls, values)[-1]
        better = list(compress(present, map(operator.lt, values, repeat(kth))))
        if nulls:
            better += [i for i in candidates if col[i] is None]
    return better, list(compress(present, map(operator.eq, values, repeat(kth))))


def _column(items: list, f: Field, indices: list[int]) -> list | dict:
    """Sort values of ``f`` addressable by item index: a list for all items, else a dict."""
    get = getter(f)
    everything = len(indices) == len(items)
    values = list(map(get, items if everything else map(items.__getitem__, indices)))
    if f.type == "string" and STRING_COMPARISON_CASE_INSENSITIVE:
        values = [None if v is None else v.lower() for v in values] if None in values else list(map(str.lower, values))
    return values if everything else dict(zip(indices, values))


def _sort_pass(segment: list[int], col: list | dict, desc: bool, has_none: bool) -> list[int]:
    """One stable sort of ``segment`` by ``col``; None first ascending, last descending."""
    key = col.__getitem__
    if not has_none:
        segment.sort(key=key, reverse=desc)
        return segment
    nones = [i for i in segment if col[i] is None]
    rest = [i for i in segment if col[i] is not None]
    rest.sort(key=key, reverse=desc)
    return rest + nones if desc else nones + rest


def _runs(equal: list[bool]) -> list[tuple[int, int]]:
    """[a, b) index ranges of runs of equal neighbours, from ``equal[k] = x[k] == x[k + 1]``."""
    if True not in equal:
        return []
    runs: list[tuple[int, int]] = []
    ties = compress(count(), equal)
    start = prev = next(ties)
    for k in ties:
        if k != prev + 1:
            runs.append((start, prev + 2))
            start = k
        prev = k
    runs.append((start, prev + 2))
    return runs
