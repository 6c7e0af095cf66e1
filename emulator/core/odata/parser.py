"""Parsing ``_filter``: the lark LALR grammar, syntax errors worded for a client, literals, and the
tree helpers the compiler uses. lark is imported when the first filter is parsed: start-up does not pay for it."""
from __future__ import annotations

import contextlib
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Lark, Token, Tree, UnexpectedInput
    from typing_extensions import TypeIs  # typing.TypeIs from Python 3.13; only read by type checkers

from emulator.core.env import switches

from ..guid import is_guid
from .fields import invalid

MAX_NESTING = 64
"""Deeper filters are refused: the generated source must stay within Python's own limits."""

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
    directory (``core.env.Switches.cache``; checked against a hash of the grammar, options and lark's version, and
    rebuilt when they differ): importing lark and loading it took 17 ms, building it 40."""
    import lark  # here: the first filter pays for lark, not start-up (the module docstring)

    cache: str | bool = False
    try:
        folder = switches().cache
        folder.mkdir(parents=True, exist_ok=True)
        cache = str(folder / f"odata-lalr-{lark.__version__}.pickle")
    except OSError:
        pass
    return lark.Lark(_GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=False, cache=cache)


def parse(text: str) -> Tree:
    """Parse a filter into a lark tree; syntax errors become :class:`Unprocessable`."""
    parser = _parser()
    from lark import UnexpectedInput  # loaded by _parser() above: a lookup in sys.modules

    try:
        return parser.parse(text)
    except UnexpectedInput as exc:
        raise invalid(_syntax_message(text, exc)) from None


def _syntax_message(text: str, exc: UnexpectedInput) -> str:
    from lark import UnexpectedCharacters, UnexpectedToken  # lark is loaded: a filter was parsed

    if isinstance(exc, UnexpectedCharacters):
        pos, char = exc.pos_in_stream or 0, exc.char
        if char == "'":
            return f"unterminated string literal at position {pos}"
        if char.isdigit() or char in "+-" or (char == "." and text[pos + 1 : pos + 2].isdigit()):
            return f"malformed number at position {pos} ({_NUMBER_FORMS})"
        return f"unexpected character {char!r} at position {pos}"
    if isinstance(exc, UnexpectedToken):
        expected: set[str] = set(exc.expected or ())
        with contextlib.suppress(Exception):  # the exact set, rather than LALR's merged lookaheads (best effort)
            expected = set(exc.interactive_parser.accepts()) or expected
        names = sorted({_TERMINAL_NAMES.get(t, t) for t in expected})
        hint = f" (expected {', '.join(names)})" if names else ""
        if exc.token.type == "$END":
            return f"unexpected end of filter at position {len(text.rstrip())}{hint}"
        return f"unexpected token {str(exc.token)!r} at position {exc.token.start_pos}{hint}"
    return f"syntax error at position {getattr(exc, 'pos_in_stream', 0)}"


_NUMBER_FORMS = "OData writes numbers as 3, -3, +3, 1.5, 1e2 or 2.5E-3: a digit on both sides of a decimal point"


_DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?)?"
    r"(Z|z|[+-][0-9]{2}:?[0-9]{2})?"
)


def parse_guid(text: str) -> str | None:
    """Lower-case guid, or None when ``text`` is not one."""
    return text.lower() if is_guid(text) else None


def parse_datetime_literal(text: str) -> datetime | None:
    """The text of an OData ``datetime'...'`` literal (an ISO 8601 date-time or date; no zone means UTC) as an
    aware UTC datetime; None when it is not one (the compiler words the 400)."""
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


def check_nesting(tree: Tree | Token) -> None:
    stack = [(tree, 1)] if is_tree(tree) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise invalid(f"the filter expression is nested more than {MAX_NESTING} levels deep "
                          f"at position {start_of(node)}")
        stack.extend((child, depth + 1) for child in node.children if is_tree(child))


def is_tree(node: Tree | Token) -> TypeIs[Tree]:
    """lark's ``Token`` is a ``str``; any other node of a parse is a ``Tree`` (no lark import needed)."""
    return not isinstance(node, str)


def leaf(node: Tree | Token) -> Token:
    """``node`` as the token the grammar puts there (a comparison's operator, a field's or a function's name)."""
    if is_tree(node):
        raise TypeError(f"expected a token, got the subtree {node.data!r}")
    return node


def start_of(node: Tree | Token) -> int:
    while is_tree(node):
        node = node.children[0]
    return node.start_pos or 0


def end_of(node: Tree | Token) -> int:
    """Where ``node``'s text ends (a closing parenthesis is not a token of the tree: it is found after)."""
    while is_tree(node):
        node = node.children[-1]
    return node.end_pos or 0
