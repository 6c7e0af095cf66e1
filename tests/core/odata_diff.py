"""Differential harness: ``_filter`` as the emulator answers it and as a SQL-Server-backed OData service would.

The reference is an independent implementation: ``odata-query`` parses the filter (its own grammar,
precedence and AST) and translates it to SQLAlchemy, which SQLite runs over the same rows -- the wire
values the emulator shows for the default world's course enrollments (seed 42), plus a few rows
edited to hold an empty or space-padded string. SQLite is made to compare strings as SQL Server's
default collation does: the columns use a collation that ignores case and trailing spaces.

The deliberate differences are encoded once, here:

* **Lifted comparisons.** SQL compares with three values (``NULL <> 3`` is NULL, so a row with a null
  score is not in ``score ne 3``); OData's comparison operators are lifted and never null (``null ne 3``
  is true, ``null eq null`` is true, an ordering with null is false). ``Reference.visit_Compare`` writes
  each comparison as its lifted CASE. Functions, ``not``, ``and`` and ``or`` stay SQL's three-valued
  logic, which is OData's.
* **Dialect.** Absorb speaks OData v2/v3 literals and functions; odata-query speaks v4. One AST is
  rendered twice: ``substringof('v', f)`` / ``contains(f, 'v')``, ``datetime'…'`` / bare, ``guid'…'`` /
  bare, ``1.5m`` / ``1.5``; keyword case and spacing vary on the emulator's side only.
* **Types.** SQLite is untyped, a typed OData service is not: ``not`` of a non-boolean is an error in
  the reference (``not status eq 3`` is ``(not status) eq 3``).

The common subset leaves out what the reference cannot say the same way: LIKE wildcards in a needle
(SQLAlchemy does not escape ``%``/``_``), date-only literals, ordering comparisons of GUIDs.

Run ``python -m tests.core.odata_diff 5000`` for mismatch counts (the test asserts there are none).
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st
from odata_query import ast as oast
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.sqlalchemy.core import AstToSqlAlchemyCoreVisitor

from emulator.absorb.wire import schemas
from emulator.core.errors import Unprocessable
from emulator.core.odata import compile_filter

UTC = timezone.utc
RESOURCE = schemas.USER_COURSE_ENROLLMENTS
SCHEMA = schemas.USER_COURSE_ENROLLMENT
COLLATION = "MSSQL"
FIELDS = [f for f in RESOURCE.fields if f.filterable]
BY_TYPE: dict[str, list[str]] = {}
for _f in FIELDS:
    BY_TYPE.setdefault(_f.type, []).append(_f.wire)


# --------------------------------------------------------------------------- the rows, twice


def _sql_server_compare(a: str, b: str) -> int:
    """SQL Server's default collation: case-insensitive, trailing spaces padded away."""
    x, y = a.rstrip(" ").lower(), b.rstrip(" ").lower()
    return (x > y) - (x < y)


def _column(field: Any) -> sa.Column:
    kind = {"string": sa.String(collation=COLLATION), "guid": sa.String(collation=COLLATION),
            "int": sa.BigInteger(), "decimal": sa.Float(), "bool": sa.Boolean(), "datetime": sa.DateTime()}
    return sa.Column(field.wire, kind[field.type])


def _sql_value(field: Any, value: Any) -> Any:
    if value is None or field.type != "datetime":
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


@dataclass
class Corpus:
    rows: list[Any]  # the emulator's model objects
    wire: list[dict[str, Any]]  # what a client sees of them: the reference's rows
    table: sa.Table
    engine: sa.Engine

    def values(self, wire_name: str) -> list[Any]:
        return sorted({w[wire_name] for w in self.wire if w[wire_name] is not None}, key=str)


@lru_cache(maxsize=1)
def corpus() -> Corpus:
    from emulator.app import create_app

    app = create_app({"seed": 42})
    world = app.state.store.tenants["default"].world("absorb")
    rows = sorted(world.enrollments.values(), key=lambda e: e.id)
    # strings where SQL Server's rules and a naive comparison part ways
    rows[0].job_title, rows[1].avatar = "", ""
    rows[2].job_title = (rows[2].job_title or "Engineer") + "  "
    rows[3].course_name = rows[3].course_name + " "
    wire = [SCHEMA.dump(row) for row in rows]
    engine = sa.create_engine("sqlite://")

    @sa.event.listens_for(engine, "connect")
    def _collation(connection: Any, _record: Any) -> None:
        connection.create_collation(COLLATION, _sql_server_compare)

    metadata = sa.MetaData()
    table = sa.Table("enrollments", metadata, *[_column(f) for f in FIELDS])
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{f.wire: _sql_value(f, w[f.wire]) for f in FIELDS} for w in wire])
    return Corpus(rows, wire, table, engine)


# --------------------------------------------------------------------------- the reference


class Reference(AstToSqlAlchemyCoreVisitor):
    """odata-query's SQLAlchemy translation with OData's lifted comparisons and a typed ``not``."""

    def __init__(self, table: sa.Table) -> None:
        super().__init__(table)

    def _is_string(self, node: Any) -> bool:
        if isinstance(node, oast.String):
            return True
        if isinstance(node, oast.Identifier):
            return isinstance(self.table.c[node.name].type, sa.String)
        return isinstance(node, oast.Call) and node.func.name.lower() in ("tolower", "toupper")

    def _is_boolean(self, node: Any) -> bool:
        if isinstance(node, (oast.Compare, oast.BoolOp, oast.Boolean)):
            return True
        if isinstance(node, oast.UnaryOp):
            return isinstance(node.op, oast.Not)
        if isinstance(node, oast.Identifier):
            return isinstance(self.table.c[node.name].type, sa.Boolean)
        return isinstance(node, oast.Call) and node.func.name.lower() in ("startswith", "endswith", "contains")

    def visit_Compare(self, node: oast.Compare) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if self._is_string(node.left) or self._is_string(node.right):
            left = sa.collate(left, COLLATION)
        op = type(node.comparator).__name__
        left_null, right_null = isinstance(node.left, oast.Null), isinstance(node.right, oast.Null)
        is_null_l = sa.true() if left_null else left.is_(None)
        is_null_r = sa.true() if right_null else right.is_(None)
        if op in ("Eq", "NotEq"):
            if left_null or right_null:
                equal = sa.and_(is_null_l, is_null_r)
            else:  # lifted: null eq null is true, null eq x is false -- never null
                equal = sa.case((sa.or_(is_null_l, is_null_r), sa.and_(is_null_l, is_null_r)), else_=left == right)
            return equal if op == "Eq" else sa.not_(equal)
        if left_null or right_null:
            return sa.false()
        compare = {"Lt": left < right, "LtE": left <= right, "Gt": left > right, "GtE": left >= right}[op]
        return sa.case((sa.or_(is_null_l, is_null_r), sa.false()), else_=compare)

    def visit_UnaryOp(self, node: oast.UnaryOp) -> Any:
        if isinstance(node.op, oast.Not) and not self._is_boolean(node.operand):
            raise TypeError(f"not of a non-boolean: {node.operand}")
        return super().visit_UnaryOp(node)

    def visit_DateTime(self, node: oast.DateTime) -> Any:
        return sa.literal(node.py_val.astimezone(UTC).replace(tzinfo=None), sa.DateTime())

    def _substr_function(self, field: Any, substr: Any, func: str) -> Any:
        # odata-query wants a bare field here; OData (and the emulator) take tolower(field) too
        return getattr(self.visit(field), func)(self.visit(substr))


def reference(text: str) -> frozenset[str] | str:
    """The ids the reference selects, or "error"."""
    data = corpus()
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
        where = Reference(data.table).visit(tree)
        with data.engine.connect() as conn:
            return frozenset(r[0] for r in conn.execute(sa.select(data.table.c.id).where(where)))
    except Exception:  # noqa: BLE001 - any refusal of the reference is "error"; the emulator must refuse too
        return "error"


def emulator(text: str) -> frozenset[str] | str:
    try:
        return frozenset(row.id for row in compile_filter(RESOURCE, text).select(corpus().rows))
    except Unprocessable:
        return "error"


# --------------------------------------------------------------------------- expressions
# Nodes: ("and"|"or", a, b), ("not", a, bare), ("cmp", op, left, right), ("call", fn, args),
# ("field", wire), ("lit", emulator text, reference text), ("group", clause). A literal carries both
# spellings; ``bare`` leaves out the parentheses a not over a comparison needs.

ORDERING = ["gt", "ge", "lt", "le"]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def lit(emulator_text: str, reference_text: str | None = None) -> tuple:
    return ("lit", emulator_text, emulator_text if reference_text is None else reference_text)


NULL = lit("null")


@st.composite
def string_literal(draw: st.DrawFn, wire_name: str) -> tuple:
    values = corpus().values(wire_name) or ["x"]
    text = draw(st.sampled_from(values))
    how = draw(st.sampled_from(["same", "same", "upper", "lower", "pad", "pad2", "prefix", "word", "lead"]))
    if how == "upper":
        text = text.upper()
    elif how == "lower":
        text = text.lower()
    elif how == "pad":
        text += " "
    elif how == "pad2":
        text = text.rstrip(" ") + "   "
    elif how == "prefix":
        text = text[: draw(st.integers(0, len(text)))]
    elif how == "word":
        text = draw(st.sampled_from(["", " ", "a", "Z", "o'brien", "Zz"]))
    elif how == "lead":
        text = " " + text
    return lit(_quote(text))


@st.composite
def number_literal(draw: st.DrawFn, wire_name: str, typ: str) -> tuple:
    values = corpus().values(wire_name) or [0]
    value = draw(st.sampled_from(values))
    value = draw(st.sampled_from([value, value, value + 1, value - 1, 0]))
    if typ == "int" or float(value).is_integer():
        number = int(value)
        signed = number >= 0
        forms = [str(number), f"{number}e0" if signed else str(number), f"+{number}" if signed else str(number)]
        if typ == "decimal":
            forms.append(f"{number}.0")
        text = draw(st.sampled_from(forms))
        suffix = draw(st.sampled_from(["", "", "m", "d"])) if typ == "decimal" and "e" not in text else ""
        return lit(text + suffix, text)
    text = draw(st.sampled_from([repr(float(value)), f"{float(value):e}", f"{float(value):E}"]))
    suffix = draw(st.sampled_from(["", "", "M", "D"]))
    return lit(text + suffix, text)


@st.composite
def datetime_literal(draw: st.DrawFn, wire_name: str) -> tuple:
    values = corpus().values(wire_name) or ["2025-01-01T00:00:00Z"]
    text = draw(st.sampled_from(values))
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    how = draw(st.sampled_from(["wire", "wire", "wire", "seven", "later", "earlier", "sub", "offset"]))
    if how == "seven" and "." in text:  # a .NET client prints seven digits
        text = text[:-1] + "0000Z"
    elif how in ("later", "earlier", "sub"):
        delta = {"later": timedelta(milliseconds=1), "earlier": -timedelta(milliseconds=1),
                 "sub": timedelta(microseconds=500)}[how]
        text = (at + delta).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
    elif how == "offset":
        text = (at.astimezone(timezone(timedelta(hours=2)))).isoformat(timespec="milliseconds")
    keyword = draw(st.sampled_from(["datetime", "datetime", "DateTime", "datetimeoffset"]))
    return lit(f"{keyword}'{text}'", text)


@st.composite
def guid_literal(draw: st.DrawFn, wire_name: str) -> tuple:
    values = corpus().values(wire_name) or ["00000000-0000-0000-0000-000000000000"]
    value = draw(st.sampled_from(values + corpus().values("id")[:3]))
    value = value.upper() if draw(st.booleans()) else value
    return lit(f"guid'{value}'", value)


def literal_for(wire_name: str, typ: str) -> st.SearchStrategy[tuple]:
    if typ == "string":
        typed = string_literal(wire_name)
    elif typ in ("int", "decimal"):
        typed = number_literal(wire_name, typ)
    elif typ == "datetime":
        typed = datetime_literal(wire_name)
    elif typ == "guid":
        typed = guid_literal(wire_name)
    else:
        typed = st.sampled_from([lit("true"), lit("false")])
    return st.one_of(typed, typed, typed, typed, typed, typed, typed, typed, st.just(NULL))


@st.composite
def string_value(draw: st.DrawFn) -> tuple:
    node: tuple = ("field", draw(st.sampled_from(BY_TYPE["string"])))
    for _ in range(draw(st.integers(0, 2))):
        node = ("call", draw(st.sampled_from(["tolower", "toupper"])), [node])
    return node


def _field_of(node: tuple) -> str:
    while node[0] == "call":
        node = node[2][0]
    return node[1]


@st.composite
def comparison(draw: st.DrawFn) -> tuple:
    typ = draw(st.sampled_from(["datetime", "string", "string", "int", "decimal", "decimal", "datetime",
                                "guid", "bool"]))
    left = draw(string_value()) if typ == "string" else ("field", draw(st.sampled_from(BY_TYPE[typ])))
    op = draw(st.sampled_from(["eq", "ne"] if typ in ("bool", "guid") else ["eq", "ne", *ORDERING]))
    # (hypothesis starts from the first choice of each draw: the plain case comes first)
    if draw(st.integers(0, 5)) == 5:  # field against field of the same type
        right = draw(string_value()) if typ == "string" else ("field", draw(st.sampled_from(BY_TYPE[typ])))
    else:
        right = draw(literal_for(_field_of(left), typ))
    if draw(st.integers(0, 4)) == 4:
        left, right = right, left
    return ("cmp", op, left, right)


@st.composite
def string_function(draw: st.DrawFn) -> tuple:
    fn = draw(st.sampled_from(["startswith", "endswith", "substringof"]))
    subject = draw(string_value())
    values = corpus().values(_field_of(subject)) or ["x"]
    value = draw(st.sampled_from(values))
    k = draw(st.integers(0, min(len(value), 6)))
    needle = draw(st.sampled_from([value[:k], value[len(value) - k:], value[k: k + 3], "", " ", value + " "]))
    needle = needle.upper() if draw(st.booleans()) else needle
    call = ("call", fn, [lit(_quote(needle)), subject] if fn == "substringof" else [subject, lit(_quote(needle))])
    if draw(st.integers(0, 2)) == 2:
        return ("cmp", draw(st.sampled_from(["eq", "ne"])), call, draw(st.sampled_from([lit("true"), lit("false"),
                                                                                        NULL])))
    return call


def _not(child: tuple, bare: bool) -> tuple:
    return ("not", child, bare and child[0] == "cmp")


base = st.one_of(comparison(), comparison(), comparison(), string_function(), string_function(),
                 st.builds(lambda f: ("field", f), st.sampled_from(BY_TYPE["bool"])))


def _extend(children: st.SearchStrategy[tuple]) -> st.SearchStrategy[tuple]:
    return st.one_of(
        st.tuples(st.sampled_from(["and", "or"]), children, children),
        st.tuples(st.sampled_from(["and", "or"]), children, children),
        st.builds(_not, children, st.integers(0, 9).map(lambda n: n == 9)),
        st.builds(lambda c, op, b: ("cmp", op, ("group", c), b), children, st.sampled_from(["eq", "ne"]),
                  st.sampled_from([lit("true"), lit("false"), NULL])),
    )


expressions = st.recursive(base, _extend, max_leaves=6)
PREC = {"or": 1, "and": 2, "cmp": 3, "not": 4}


@dataclass(frozen=True)
class Style:
    """How the emulator's text is spelled: keyword case and spaces (the reference's is plain)."""

    upper: bool = False
    wide: bool = False


def render(node: tuple, dialect: str, style: Style = Style(), ctx: int = 0) -> str:
    kind = node[0]
    prec = PREC.get(kind, 5)
    sp = "  " if style.wide and dialect == "emulator" else " "

    def kw(word: str) -> str:
        return word.upper() if style.upper and dialect == "emulator" else word

    if kind in ("and", "or"):
        text = render(node[1], dialect, style, prec) + sp + kw(kind) + sp + render(node[2], dialect, style, prec + 1)
    elif kind == "not":
        inner = render(node[1], dialect, style, 0 if node[2] else prec)
        text = kw("not") + sp + inner
    elif kind == "cmp":
        text = (render(node[2], dialect, style, 5) + sp + kw(node[1]) + sp + render(node[3], dialect, style, 5))
    elif kind == "group":
        return "(" + render(node[1], dialect, style, 0) + ")"
    elif kind == "call":
        fn, args = node[1], node[2]
        if fn == "substringof" and dialect == "reference":  # v4 spells it contains(field, 'value')
            fn, args = "contains", [args[1], args[0]]
        text = fn + "(" + ", ".join(render(a, dialect, style, 0) for a in args) + ")"
    elif kind == "field":
        text = node[1]
    else:
        text = node[1] if dialect == "emulator" else node[2]
    if prec < ctx:
        text = "(" + text + ")"
    return text


def features(node: tuple) -> set[str]:
    """What an expression exercises (for the mismatch report)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n[0] == "not" and n[2]:
            found.add("not without parentheses")
        if n[0] == "call" and n[1] in ("startswith", "endswith", "substringof"):
            found.add("string function")
        if n[0] == "lit":
            if "datetime" in n[1].lower():
                found.add("datetime literal")
            if n[1].startswith("'") and n[1].rstrip("'").endswith(" "):
                found.add("space-padded string")
            if n[1][:1] == "+" or "e" in n[1].lower() and n[1][:1].isdigit():
                found.add("number with + or exponent")
        stack.extend(c for c in n[1:] if isinstance(c, tuple))
        stack.extend(c for part in n[1:] if isinstance(part, list) for c in part)
    return found


def outcomes(tree: tuple, style: Style) -> tuple[str, str, Any, Any]:
    emulator_text, reference_text = render(tree, "emulator", style), render(tree, "reference")
    return emulator_text, reference_text, emulator(emulator_text), reference(reference_text)


# --------------------------------------------------------------------------- counting


def count(examples: int) -> int:
    """Run ``examples`` derandomized expressions; print the mismatches by feature. Returns their number."""
    from hypothesis import HealthCheck, Phase, given, settings

    seen: Counter[str] = Counter()
    by_feature: Counter[str] = Counter()
    samples: list[str] = []

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(tree=expressions, style=st.builds(Style, st.booleans(), st.booleans()))
    def run(tree: tuple, style: Style) -> None:
        emulator_text, reference_text, got, want = outcomes(tree, style)
        agree = got == want
        seen["agree" if agree else "mismatch"] += 1
        seen["both refused" if agree and got == "error" else "answered"] += 1
        if not agree:
            by_feature.update(features(tree) or {"other"})
            if len(samples) < 12:
                shown = lambda r: r if isinstance(r, str) else f"{len(r)} rows"  # noqa: E731
                samples.append(f"  {emulator_text}\n      emulator: {shown(got)}, reference: {shown(want)}")

    run()
    total = seen["agree"] + seen["mismatch"]
    print(f"{total} expressions: {seen['mismatch']} mismatches; {seen['both refused']} refused by both")
    for name, n in by_feature.most_common():
        print(f"  {n:5d} involve {name}")
    print("\n".join(samples))
    return seen["mismatch"]


if __name__ == "__main__":
    count(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
