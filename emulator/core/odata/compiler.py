"""Compiling ``_filter``: a parse tree type-checked against a ``Resource`` becomes the Python source of a
predicate and of a list comprehension, compiled once and cached by text (the semantics: ``emulator.core.odata``)."""
from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from lark import Token, Tree

from . import fields as choices  # read at use: a test may switch a choice
from .fields import Resource, getter, invalid
from .parser import check_nesting, end_of, is_tree, leaf, parse, parse_datetime_literal, parse_guid, start_of

MAX_FILTER_LENGTH = 4096

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
        """Source for a constant compared with a field: a closure cell (``None`` and booleans: their literal), so
        that filters differing only in their values (``username eq 'a'``, ``username eq 'b'``: a sync client's
        lookups) share one source, compiled once (``_factory``)."""
        if value is None or isinstance(value, bool):
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
        if op.type == "string" and choices.STRING_COMPARISON_CASE_INSENSITIVE and op.chain[-1:] != ("lower",):
            src += ".lower()"
        if op.type == "string" and comparing and choices.STRING_COMPARISON_IGNORES_TRAILING_SPACES:
            src += ".rstrip(' ')"
        return src

    def nullable(self, op: _Operand) -> str:
        """Source of a value operand's normalised value or None."""
        if op.kind == "bool":
            return self.tri(op)
        if op.type != "string" or (not op.chain and not choices.STRING_COMPARISON_CASE_INSENSITIVE
                                   and not choices.STRING_COMPARISON_IGNORES_TRAILING_SPACES):
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
        if is_tree(node):
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
        if is_tree(node):
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
            raise invalid(f"expected a boolean expression at position {op.pos}, got {op.desc}")
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
        left, operator_node, right = node.children
        tok = leaf(operator_node)
        op = tok.lower()
        self.check_not_operand(left, tok, right)
        a, b = self.operand(left), self.operand(right)
        if a.kind == "lit" and b.kind != "lit":
            a, b, op = b, a, _FLIP[op]
        a, b = self.coerce(a, b, tok)
        if op not in ("eq", "ne") and "bool" in (a.type, b.type):
            raise invalid(f"operator '{op}' cannot be used with booleans at position {start_of(tok)}")
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
                truth = self.truth(a, bool(lit))
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
        if not (is_tree(left) and left.data == "not_"):
            return
        inner, last_not = left, leaf(left.children[0])
        while is_tree(inner) and inner.data == "not_":
            last_not_node, inner = inner.children
            last_not = leaf(last_not_node)
        arg = self.operand(inner)
        if arg.type == "bool":
            return  # (not isActive) eq true: a boolean compared with a boolean
        raise invalid(f"'not' at position {start_of(left)} applies to {arg.desc} alone: 'not' binds tighter than "
                    f"'{tok.lower()}'. To negate the comparison, write: {self.negated(left, last_not, right)}")

    def negated(self, left: Tree, last_not: Token, right: Tree | Token) -> str:
        """``not a eq b`` as the client likely meant it: ``not (a eq b)``."""
        text = self.text
        start = last_not.end_pos or 0
        while start < len(text) and text[start].isspace():
            start += 1
        end = end_of(right)
        while text.count("(", start, end) > text.count(")", start, end) and text.find(")", end) >= 0:
            end = text.find(")", end) + 1  # the closing parentheses of a parenthesised right operand
        return f"{text[start_of(left):last_not.end_pos].rstrip()} ({text[start:end]})"

    def coerce(self, a: _Operand, b: _Operand, tok: Token) -> tuple[_Operand, _Operand]:
        """Check that ``a`` and ``b`` may be compared; a guid-looking string becomes a guid."""
        if "null" in (a.type, b.type) or a.type == b.type or {a.type, b.type} <= _NUMERIC:
            return a, b
        if a.type == "guid" and b.kind == "lit" and b.type == "string":
            guid = parse_guid(b.value)
            if guid is not None:
                return a, _Operand("lit", "guid", repr(guid), b.desc, b.pos, guid)
            raise invalid(f"cannot compare {a.desc} with {b.desc} (not a valid guid) at position {b.pos}")
        raise invalid(f"cannot compare {a.desc} with {b.desc} at position {start_of(tok)}")

    # -- operands
    def operand(self, node: Tree | Token) -> _Operand:
        if not is_tree(node):
            return self.literal(node)
        if node.data == "field":
            return self.field(leaf(node.children[0]))
        if node.data == "call":
            return self.call(node)
        # a parenthesised boolean expression used as an operand: compiled when used, in the form needed
        return _Operand("bool", "bool", "", "a boolean expression", start_of(node), ("expr", node))

    def field(self, tok: Token) -> _Operand:
        f = self.resource.field(str(tok))
        if f is None:
            raise invalid(f"unknown field '{tok}' at position {start_of(tok)}")
        if not f.filterable:
            raise invalid(f"field '{f.wire}' is not filterable at position {start_of(tok)}")
        src = f"o.{f.attr}" if "." not in f.attr else f"{self.const(getter(f))}(o)"
        return _Operand("value", f.type, src, f"field '{f.wire}' ({f.type})", start_of(tok))

    def literal(self, tok: Token) -> _Operand:
        text, pos, kind = str(tok), start_of(tok), tok.type
        if kind == "STRING":
            value = text[1:-1].replace("''", "'")
            return _Operand("lit", "string", repr(value), f"string {text}", pos, value)
        if kind == "NUMBER":  # the ABNF's decimalValue: [SIGN] 1*DIGIT ["." 1*DIGIT] ["e" [SIGN] 1*DIGIT]
            body = text.rstrip("mMdD")
            if "." in body or "e" in body.lower() or body != text:
                return _Operand("lit", "decimal", self.const(float(body)), f"decimal {text}", pos, float(body))
            return _Operand("lit", "int", repr(int(body)), f"int {text}", pos, int(body))
        if kind in ("TRUE", "FALSE"):
            flag = kind == "TRUE"
            return _Operand("lit", "bool", repr(flag), f"bool {text.lower()}", pos, flag)
        if kind == "NULL":
            return _Operand("lit", "null", "None", "null", pos)
        inner = text[text.index("'") + 1 : -1]
        if kind == "GUID":
            guid = parse_guid(inner)
            if guid is None:
                raise invalid(f"invalid guid literal {text} at position {pos}")
            return _Operand("lit", "guid", repr(guid), f"guid '{inner}'", pos, guid)
        dt = parse_datetime_literal(inner)  # DATETIME
        if dt is None:
            raise invalid(f"invalid datetime literal {text} at position {pos}")
        return _Operand("lit", "datetime", self.const(dt), f"datetime '{inner}'", pos, dt)

    def call(self, node: Tree) -> _Operand:
        name_node, *args = node.children
        name_tok = leaf(name_node)
        name, pos = str(name_tok).lower(), start_of(name_tok)
        arity = 1 if name in _CASE_FUNCTIONS else _STRING_FUNCTIONS.get(name)
        if arity is None:
            raise invalid(f"unknown function '{name_tok}' at position {pos}")
        if len(args) != arity:
            plural = "s" if arity > 1 else ""
            raise invalid(f"function '{name}' takes {arity} argument{plural}, got {len(args)} at position {pos}")
        ops = [self.operand(a) for a in args]
        if name in _CASE_FUNCTIONS:  # tolower/toupper: a string value, None stays None
            arg = self.string_field(name, ops[0], 1)
            chain = (*arg.chain, _CASE_FUNCTIONS[name])
            return _Operand("value", "string", arg.src, f"{name}({arg.desc})", pos, chain=chain)
        # substringof('value', field); startswith/endswith(field, 'value'): a bool, null on a null field
        lit_index = 0 if name == "substringof" else 1
        lit = ops[lit_index]
        if lit.kind != "lit" or lit.type != "string":
            raise invalid(
                f"function '{name}' expects a string literal as argument {lit_index + 1}, "
                f"got {lit.desc} at position {lit.pos}"
            )
        arg = self.string_field(name, ops[1 - lit_index], 2 - lit_index)
        needle = self.const(lit.value.lower() if choices.STRING_COMPARISON_CASE_INSENSITIVE else lit.value)
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
            raise invalid(
                f"function '{name}' expects a string field as argument {index}, got {op.desc} at position {op.pos}"
            )
        return op


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
    if choices.STRING_COMPARISON_CASE_INSENSITIVE:
        text = text.lower()
    return text.rstrip(" ") if choices.STRING_COMPARISON_IGNORES_TRAILING_SPACES else text


def _constant_compare(op: str, a: Any, b: Any, string: bool) -> bool:
    if a is None or b is None:
        return (a is None and b is None) == (op == "eq") if op in ("eq", "ne") else False
    if string:
        a, b = _compared(a), _compared(b)
    return bool(_OPS[op](a, b))


def _lookup(resource: Resource, tree: Any) -> tuple[str, Any] | None:
    """``(attribute, literal)`` when every row the filter keeps has ``attribute eq literal`` (a plain string or guid
    field, no tolower/toupper): the filter is such a comparison, or an ``and`` of terms one of which is. An index
    keyed by ``core.fieldindex.key_of`` can then give the candidates (``core.paging``)."""
    terms: list[Any] = tree.children if is_tree(tree) and tree.data == "and_expr" else [tree]
    for term in terms:
        if not (is_tree(term) and term.data == "compare" and str(term.children[1]).lower() == "eq"):
            continue
        left, _, right = term.children
        if not (is_tree(left) and left.data == "field"):
            left, right = right, left
        if not (is_tree(left) and left.data == "field") or is_tree(right) or right.type not in ("STRING", "GUID"):
            continue
        f = resource.field(str(left.children[0]))
        if f is None or "." in f.attr or f.type not in ("string", "guid"):
            continue
        inner = str(right)[str(right).index("'") + 1 : -1].replace("''", "'")
        if f.type == "guid":
            guid = parse_guid(inner)
            if guid is None:
                continue
            return f.attr, guid
        if right.type == "STRING":
            return f.attr, inner
    return None


class CompiledFilter(Protocol):
    """A compiled ``_filter``: call it on one object, or ``select`` from many at once."""

    source: str
    lookup: tuple[str, Any] | None  # (attribute, literal): rows it keeps have attribute eq literal (``_lookup``)

    def __call__(self, obj: Any, /) -> bool: ...

    def select(self, items: Iterable[Any], /) -> list[Any]: ...


def compile_filter(resource: Resource, text: str) -> CompiledFilter:
    """The predicate for ``_filter=text``; the same text returns the same cached callable."""
    if not isinstance(text, str) or not text.strip():
        raise invalid("the filter expression is empty")
    if len(text) > MAX_FILTER_LENGTH:
        raise invalid(f"the filter expression is {len(text)} characters long; the maximum is {MAX_FILTER_LENGTH}")
    return _compile_cached(resource, text)


def filter_items(resource: Resource, text: str, items: Iterable[Any]) -> list[Any]:
    """The items matching ``_filter=text``, in their order (one loop, no call per item)."""
    return compile_filter(resource, text).select(items)


@lru_cache(maxsize=1024)
def _factory(source: str, name: str) -> Callable[..., tuple[Any, Any]]:
    """The factory ``source`` defines, compiled once per source (``compile`` was half of a new filter's cost)."""
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<_filter {name}>", "exec"), namespace)  # noqa: S102 - our own source
    return namespace["_factory"]  # type: ignore[no-any-return]


@lru_cache(maxsize=1024)
def _compile_cached(resource: Resource, text: str) -> CompiledFilter:
    tree = parse(text)
    check_nesting(tree)
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
    predicate, select = _factory(source, resource.name)(*compiler.consts.values())
    predicate.select = select
    predicate.source = source
    predicate.lookup = _lookup(resource, tree)
    predicate.__doc__ = f"_filter={text!r}"
    return predicate
