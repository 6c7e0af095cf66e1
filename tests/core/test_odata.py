"""_filter and _sort: tables per rule, errors with positions, caching, and two
hypothesis properties checked against independent reference evaluators."""
from __future__ import annotations

import functools
import operator
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.core import odata
from emulator.core.errors import Unprocessable
from emulator.core.odata import Field, Resource, compile_filter, filter_items, sort

UTC = timezone.utc
G1 = "a14c149a-2ce0-41d4-b532-02189ad3cb22"
G2 = "0b9e3d0c-1111-4a2b-9c3d-ffffffffffff"
G3 = "ffffffff-0000-4000-8000-000000000001"


@dataclass(slots=True)
class Custom:
    decimal1: float | None = None


@dataclass(slots=True)
class Row:
    id: str = G1
    name: str | None = "Leblanc"
    title: str | None = None
    n: int | None = 3
    amount: float | None = 1.5
    flag: bool | None = True
    gid: str | None = G2
    at: datetime | None = datetime(1998, 3, 6, 20, 38, 7, tzinfo=UTC)
    at2: datetime | None = None
    custom: Custom | None = None
    hidden: str | None = "x"


R = Resource(
    "row",
    [
        Field("id", "guid", "id"),
        Field("name", "string", "name"),
        Field("title", "string", "title"),
        Field("n", "int", "n"),
        Field("amount", "decimal", "amount"),
        Field("flag", "bool", "flag"),
        Field("gid", "guid", "gid"),
        Field("at", "datetime", "at"),
        Field("at2", "datetime", "at2"),
        Field("customFields/decimal1", "decimal", "custom.decimal1"),
        Field("hidden", "string", "hidden", filterable=False, sortable=False),
    ],
)


def matches(text: str, **values: Any) -> bool:
    return compile_filter(R, text)(Row(**values))


# --------------------------------------------------------------------------- semantics tables

CASES: list[tuple[str, dict[str, Any], bool]] = [
    # every comparison operator, on ints
    ("n eq 3", {}, True), ("n eq 4", {}, False),
    ("n ne 3", {}, False), ("n ne 4", {}, True),
    ("n gt 2", {}, True), ("n gt 3", {}, False),
    ("n ge 3", {}, True), ("n ge 4", {}, False),
    ("n lt 4", {}, True), ("n lt 3", {}, False),
    ("n le 3", {}, True), ("n le 2", {}, False),
    ("n gt -1", {}, True), ("n eq -2", {"n": -2}, True),
    ("4 gt n", {}, True), ("3 lt n", {}, False),  # literal on the left
    # decimals and their suffixes; int and decimal mix
    ("amount eq 1.5", {}, True), ("amount eq 1.5m", {}, True), ("amount eq 1.5M", {}, True),
    ("amount eq 1.5d", {}, True), ("amount eq 1.5D", {}, True), ("amount gt -2.5", {}, True),
    ("amount lt 2", {}, True), ("n eq 3.0", {}, True), ("n lt 3.5m", {}, True), ("amount gt n", {}, False),
    ("amount eq 2m", {"amount": 2}, True),
    # the ABNF's decimalValue: [SIGN] 1*DIGIT ["." 1*DIGIT] ["e" [SIGN] 1*DIGIT]
    ("n lt 1e2", {}, True), ("n eq 3e0", {}, True), ("n eq +3", {}, True), ("n gt +2.5", {}, True),
    ("amount eq 15e-1", {}, True), ("amount eq 0.15E+1", {}, True), ("n eq 3E0m", {}, True),
    ("n lt 1e999", {}, True), ("amount gt -1e999", {}, True), ("n eq -3", {"n": -3}, True),
    # strings: case-insensitive equality and ordering, '' escape
    ("name eq 'leblanc'", {}, True), ("name eq 'LEBLANC'", {}, True), ("name eq 'Leblan'", {}, False),
    ("name ne 'LEBLANC'", {}, False), ("name gt 'LEB'", {}, True), ("name lt 'lebz'", {}, True),
    ("name ge 'leblanc'", {}, True), ("name le 'LEBLANC'", {}, True),
    ("name eq 'O''Brien'", {"name": "O'Brien"}, True), ("name eq ''''", {"name": "'"}, True),
    ("name eq ''", {"name": ""}, True), ("name eq 'a b'", {"name": "A B"}, True),
    # trailing spaces do not count in a comparison (SQL Server pads), leading ones do; functions keep them
    ("name eq 'leblanc '", {}, True), ("name eq 'LEBLANC'", {"name": "Leblanc   "}, True),
    ("name ne 'leblanc  '", {}, False), ("name gt 'leblanc'", {"name": "Leblanc "}, False),
    ("name ge 'leblanc'", {"name": "Leblanc "}, True), ("name eq ' leblanc'", {}, False),
    ("name eq title", {"title": "leblanc "}, True), ("tolower(name) eq 'leblanc '", {}, True),
    ("name eq ''", {"name": "  "}, True), ("'a ' eq 'A'", {}, True),
    ("endswith(name,'c')", {"name": "Leblanc "}, False), ("endswith(name,'c ')", {"name": "Leblanc "}, True),
    ("startswith(name,'leblanc ')", {}, False), ("substringof('c ',name)", {}, False),
    # booleans
    ("flag eq true", {}, True), ("flag eq false", {}, False), ("flag ne true", {}, False),
    ("flag ne false", {}, True), ("flag", {}, True), ("flag", {"flag": False}, False),
    ("not flag", {}, False), ("flag eq false", {"flag": False}, True), ("true", {}, True), ("false", {}, False),
    # nulls
    ("name eq null", {"name": None}, True), ("name eq null", {}, False),
    ("name ne null", {}, True), ("name ne null", {"name": None}, False),
    ("null eq name", {"name": None}, True), ("n gt null", {}, False), ("n gt 1", {"n": None}, False),
    ("n lt 1", {"n": None}, False), ("n ne 1", {"n": None}, True), ("n eq 1", {"n": None}, False),
    ("name ne 'x'", {"name": None}, True), ("name gt 'a'", {"name": None}, False),
    ("flag eq true", {"flag": None}, False), ("flag", {"flag": None}, False), ("not flag", {"flag": None}, False),
    ("flag eq null", {"flag": None}, True), ("at eq null", {"at": None}, True),
    ("null eq null", {}, True), ("null ne null", {}, False),
    # two constants fold, with the same rules
    ("null eq 3", {}, False), ("3 eq null", {}, False), ("null ne 3", {}, True), ("null lt 3", {}, False),
    ("1 eq 1", {}, True), ("1 lt 2.5", {}, True), ("'A' eq 'a'", {}, True), ("'b' gt 'A'", {}, True),
    ("true ne false", {}, True), (f"guid'{G1.upper()}' eq guid'{G1}'", {}, True),
    ("n lt " + "9" * 400 + ".5", {}, True), ("amount gt -" + "9" * 400 + ".5m", {}, True),  # beyond float range
    # guids: literal in any case, or a bare string that is a guid
    (f"id eq guid'{G1}'", {}, True), (f"id eq guid'{G1.upper()}'", {}, True), (f"id eq GUID'{G1}'", {}, True),
    (f"id ne guid'{G1}'", {}, False), (f"id eq '{G1.upper()}'", {}, True), (f"gid eq guid'{G1}'", {}, False),
    ("gid eq null", {"gid": None}, True), (f"gid ne guid'{G1}'", {"gid": None}, True), ("gid eq id", {"gid": G1}, True),
    # datetimes: Z, fractions, offsets, no zone, date only, datetimeoffset
    ("at eq datetime'1998-03-06T20:38:07Z'", {}, True),
    ("at ge datetime'1998-03-06T20:38:07Z'", {}, True),
    ("at gt datetime'1998-03-06T20:38:07Z'", {}, False),
    ("at lt datetime'1998-03-06T20:38:07.001Z'", {}, True),
    ("at eq datetime'1998-03-06T20:38:07.000Z'", {}, True),
    ("at eq datetime'1998-03-06T20:38:07.5Z'", {"at": datetime(1998, 3, 6, 20, 38, 7, 500000, UTC)}, True),
    ("at eq datetime'1998-03-06T20:38:07.1234567Z'", {"at": datetime(1998, 3, 6, 20, 38, 7, 123456, UTC)}, True),
    ("at eq datetime'1998-03-06T22:38:07+02:00'", {}, True),
    ("at eq datetime'1998-03-06T15:08:07-05:30'", {}, True),
    ("at eq datetime'1998-03-06T22:38:07+0200'", {}, True),
    ("at eq datetime'1998-03-06T20:38:07'", {}, True),
    ("at eq datetime'1998-03-06T20:38'", {"at": datetime(1998, 3, 6, 20, 38, tzinfo=UTC)}, True),
    ("at eq datetime'1998-03-06'", {"at": datetime(1998, 3, 6, tzinfo=UTC)}, True),
    ("at gt datetime'1998-03-06'", {}, True), ("at lt datetime'1998-03-07'", {}, True),
    ("at eq datetimeoffset'1998-03-06T20:38:07Z'", {}, True),
    ("at eq DateTimeOffset'1998-03-06T21:38:07+01:00'", {}, True),
    ("at eq DATETIME'1998-03-06t20:38:07z'", {}, True),
    ("at lt datetime'2000-01-01T00:00:00Z'", {"at": None}, False),
    ("at lt at2", {"at2": datetime(2000, 1, 1, tzinfo=UTC)}, True), ("at lt at2", {}, False),
    ("at eq at2", {"at": None}, True),  # both null: equal, as in C#
    # functions
    ("startswith(name,'leb')", {}, True), ("startswith(name,'LEB')", {}, True), ("startswith(name,'x')", {}, False),
    ("endswith(name,'ANC')", {}, True), ("endswith(name,'leb')", {}, False),
    ("substringof('BLA',name)", {}, True), ("substringof('zz',name)", {}, False),
    ("startswith(name,'')", {}, True), ("substringof('''',name)", {"name": "O'Brien"}, True),
    ("startswith(name,'a')", {"name": None}, False), ("substringof('a',name)", {"name": None}, False),
    ("endswith(name,'a')", {"name": None}, False),
    # a function of null is null, not null is null, and/or are three-valued; comparisons stay lifted
    ("not startswith(name,'a')", {"name": None}, False), ("not substringof('a',name)", {"name": None}, False),
    ("endswith(name,'') eq false", {"name": None}, False), ("endswith(name,'') eq true", {"name": None}, False),
    ("startswith(name,'x') ne true", {"name": None}, True), ("startswith(name,'x') eq null", {"name": None}, True),
    ("startswith(name,'x') ne null", {"name": None}, False), ("not not startswith(name,'a')", {"name": None}, False),
    ("not (startswith(name,'a') and n eq 4)", {"name": None}, True),  # null and false = false
    ("not (startswith(name,'a') and n eq 3)", {"name": None}, False),  # null and true = null
    ("not (startswith(name,'a') or n eq 3)", {"name": None}, False),  # null or true = true
    ("not (startswith(name,'a') or n eq 4)", {"name": None}, False),  # null or false = null
    ("(startswith(name,'a') or n eq 4) eq null", {"name": None}, True),
    ("(startswith(name,'a') and n eq 3) eq (title eq null)", {"name": None}, False),  # null eq true
    ("startswith(name,'a') eq startswith(title,'b')", {"name": None}, True),  # null eq null
    ("not (flag eq true)", {"flag": None}, True),  # a comparison with null is false, never null
    ("startswith(name,'leb') eq true", {}, True), ("startswith(name,'leb') eq false", {}, False),
    ("startswith(name,'x') eq false", {}, True), ("startswith(name,'x') ne true", {}, True),
    ("true eq startswith(name,'leb')", {}, True),
    ("tolower(name) eq 'leblanc'", {}, True), ("toupper(name) eq 'LEBLANC'", {}, True),
    ("tolower(name) eq null", {"name": None}, True), ("toupper(name) ne null", {"name": None}, False),
    ("tolower(name) gt 'a'", {"name": None}, False),
    ("startswith(tolower(name),'leb')", {}, True), ("endswith(toupper(tolower(name)),'anc')", {}, True),
    ("substringof('EB', toupper(name))", {}, True), ("tolower(name) eq toupper(name)", {}, True),
    ("tolower(name) eq title", {"title": "LEBLANC"}, True), ("name eq title", {"title": None}, False),
    ("name eq title", {"name": None}, True), ("name lt title", {"title": "z"}, True),
    ("name lt title", {"title": None}, False),
    # case-insensitive keywords, function and field names
    ("N EQ 3 AND NOT FLAG", {}, False), ("Name Eq 'leblanc' Or n Lt 0", {}, True), ("NOT(flag)", {}, False),
    ("startsWith(Name,'leb')", {}, True), ("STARTSWITH(NAME,'leb')", {}, True), ("SubStringOf('b',NAME)", {}, True),
    ("ToLower(NAME) eq 'leblanc'", {}, True), ("fLaG eQ TRUE", {}, True), ("name EQ NULL", {"name": None}, True),
    # precedence: and over or, not over and, parentheses
    ("n eq 1 or n eq 2 and n eq 3", {"n": 1}, True),  # or(n=1, and(..)) -- not and(or(..), n=3)
    ("n eq 3 and n eq 2 or n eq 3", {}, True),
    ("(n eq 1 or n eq 2) and n eq 3", {"n": 1}, False),
    ("n eq 1 or (n eq 2 and n eq 3)", {"n": 1}, True),
    ("not (n eq 1) and n eq 2", {"n": 1}, False),  # and(not(n=1), n=2) -- not not(and(..))
    ("not (n eq 1 and n eq 2)", {"n": 1}, True),
    ("not (n eq 1) or n eq 1", {"n": 1}, True), ("not(n eq 1)", {"n": 1}, False),
    # not binds tighter than a comparison: (not flag) eq true
    ("not flag eq true", {}, False), ("not flag eq false", {}, True), ("not flag ne flag", {}, True),
    ("not startswith(name,'x') eq true", {}, True), ("not startswith(name,'x') eq true", {"name": None}, False),
    ("flag eq not flag", {}, False), ("not not flag eq true", {}, True),
    ("not not flag", {}, True), ("not(not(flag))", {}, True),
    ("((n eq 3))", {}, True), ("(n eq 3) eq true", {}, True), ("(n eq 3) eq false", {}, False),
    ("(n eq 1 or flag) ne false", {}, True),
    ("n eq 3 and flag and name eq 'leblanc' and amount eq 1.5", {}, True),
    ("n eq 0 or n eq 1 or n eq 2 or n eq 3", {}, True),
    # whitespace
    ("  n   eq\t3  ", {}, True), ("(n eq 3)and(flag)", {}, True), ("startswith( name , 'leb' )", {}, True),
    ("name eq'leblanc'", {}, True),
    # nested fields (and a None link in the path)
    ("customFields/decimal1 gt 1.5m", {"custom": Custom(2.0)}, True),
    ("customFields/decimal1 eq null", {"custom": None}, True),
    ("CUSTOMFIELDS/DECIMAL1 eq null", {"custom": Custom(None)}, True),
    ("customFields/decimal1 lt 5", {"custom": None}, False),
    # a name that starts with a keyword is a name
    ("name eq 'not' or name eq 'and'", {"name": "AND"}, True),
]


@pytest.mark.parametrize(("text", "values", "expected"), CASES, ids=[c[0] for c in CASES])
def test_filter_semantics(text: str, values: dict[str, Any], expected: bool) -> None:
    assert matches(text, **values) is expected


def test_keywords_do_not_swallow_field_names() -> None:
    res = Resource("kw", [Field("id", "guid", "id"), Field("order", "int", "order"), Field("nothing", "int", "nothing"),
                          Field("andValue", "int", "and_value"), Field("equals", "int", "equals"),
                          Field("trueName", "string", "true_name"), Field("guidance", "string", "guidance")])

    @dataclass
    class KW:
        id: str = G1
        order: int = 1
        nothing: int = 2
        and_value: int = 3
        equals: int = 4
        true_name: str = "t"
        guidance: str = "g"

    text = "order eq 1 and nothing eq 2 and andValue eq 3 and equals eq 4 and trueName eq 'T' and guidance eq 'G'"
    assert compile_filter(res, text)(KW()) is True


def test_string_comparison_is_case_insensitive_by_design() -> None:
    assert odata.STRING_COMPARISON_CASE_INSENSITIVE is True
    assert matches("name eq 'ABC' and name ge 'abc' and name le 'ABC'", name="abc")


def test_case_sensitive_mode_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(odata.fields, "STRING_COMPARISON_CASE_INSENSITIVE", False)  # where the choices live
    marker = " and n ne 271828"  # texts never compiled in the default mode
    assert matches("name eq 'Leblanc'" + marker) and not matches("name eq 'leblanc'" + marker)
    assert matches("startswith(name,'Leb')" + marker) and not matches("startswith(name,'leb')" + marker)
    assert matches("tolower(name) eq 'leblanc'" + marker) and not matches("name gt 'a'" + marker)
    assert matches("name ne 'leblanc'" + marker) and matches("name eq title" + marker, title="Leblanc")
    assert ids(sort([Row(id="1", name="b"), Row(id="2", name="B"), Row(id="3", name="a")], R, "name")) == ["2", "3",
                                                                                                           "1"]


@pytest.mark.parametrize("insensitive, ignores_spaces", [(False, False), (True, False), (False, True)])
def test_each_string_choice_is_honoured_in_field_to_field_comparisons(monkeypatch: pytest.MonkeyPatch,
                                                                      insensitive: bool, ignores_spaces: bool) -> None:
    monkeypatch.setattr(odata.fields, "STRING_COMPARISON_CASE_INSENSITIVE", insensitive)
    monkeypatch.setattr(odata.fields, "STRING_COMPARISON_IGNORES_TRAILING_SPACES", ignores_spaces)
    marker = f" and n ne {31415 + 2 * insensitive + ignores_spaces}"  # texts never compiled in another mode
    assert matches("name eq title" + marker, name="Abc", title="Abc")
    assert matches("name eq title" + marker, name="Abc", title="abc") is insensitive
    assert matches("name eq title" + marker, name="abc ", title="abc") is ignores_spaces
    assert matches("name lt title" + marker, name="abc ", title="abc") is False
    assert matches("tolower(name) eq title" + marker, name="ABC", title="abc")
    assert matches("name eq title" + marker, name=None, title=None)


def test_three_valued_and_or_not() -> None:
    """OData's logic of null (the helpers that compare two boolean expressions): false wins an 'and', true wins
    an 'or', otherwise null taints; 'not null' is null."""
    from emulator.core.odata.compiler import _and3, _not3, _or3

    assert [_and3(True, True), _and3(True, False), _and3(False, None), _and3(True, None), _and3(None, None)] == \
        [True, False, False, None, None]
    assert [_or3(False, False), _or3(False, True), _or3(True, None), _or3(False, None), _or3(None, None)] == \
        [False, True, True, None, None]
    assert [_not3(True), _not3(False), _not3(None)] == [False, True, None]
    # compared with each other, boolean expressions use them: null is equal to null only
    text = "(flag and startswith(name,'l')) eq (flag or startswith(title,'x'))"
    assert matches(text, flag=True, name="x") is False  # true and false = false; true or null = true
    assert matches(text, flag=True, title="xy") is True
    assert matches(text, flag=None, name=None) is True  # null and null = null, null or null = null
    assert matches(text, flag=False, name=None, title="ab") is True  # false = false
    assert matches("not (flag and startswith(name,'l')) eq (flag or startswith(title,'x'))", flag=True,
                   title="xy") is False


def test_predicate_returns_real_bools() -> None:
    for text, values, _ in CASES:
        assert type(matches(text, **values)) is bool, text


# --------------------------------------------------------------------------- errors

ERRORS: list[tuple[str, str]] = [
    ("name eqq 'x'", "unexpected token 'eqq' at position 5"),
    ("firstName eqq 'x'", "unexpected token 'eqq' at position 10"),
    ("n eq", "unexpected end of filter at position 4"),
    ("n eq 1 and", "unexpected end of filter at position 10"),
    ("(n eq 1", "expected ')'"),
    ("n eq 1)", "unexpected token ')' at position 6"),
    ("n eq 1 eq 2", "unexpected token 'eq' at position 7"),
    ("name eq 'abc", "unterminated string literal at position 8"),
    ('name eq "abc"', "unexpected character '\"' at position 8"),
    ("n eq 3and flag", "malformed number at position 5"),
    ("n eq .5", "malformed number at position 5 (OData writes numbers as 3, -3, +3, 1.5, 1e2 or 2.5E-3"),
    ("n eq 5.", "malformed number at position 5"), ("n eq 1.e1", "malformed number at position 5"),
    ("n eq 1e", "malformed number at position 5"), ("n eq --3", "malformed number at position 5"),
    ("n eq + 3", "malformed number at position 5"), ("n eq 5.d", "malformed number at position 5"),
    ("n eq 1 && flag", "unexpected character '&' at position 7"),
    ("n eq #5", "_filter: unexpected character '#' at position 5"),  # a digit after it makes it no number
    ("n eq .5 and flag", "_filter: malformed number at position 5 (OData"),
    # the terminals the parser state accepts, not LALR's merged lookaheads (which add ',', ')', operators)
    ("n eq 1 2", "_filter: unexpected token '2' at position 7 (expected 'and', 'or', the end of the filter)"),
    ("startswith(name 'x')", "_filter: unexpected token \"'x'\" at position 16 (expected '(', ')', ',')"),
    ("foo eq 1", "unknown field 'foo' at position 0"),
    ("n eq 1 and bar/baz eq 2", "unknown field 'bar/baz' at position 11"),
    ("hidden eq 'x'", "field 'hidden' is not filterable at position 0"),
    ("n eq 'x'", "cannot compare field 'n' (int) with string 'x' at position 2"),
    ("name eq 3", "cannot compare field 'name' (string) with int 3 at position 5"),
    ("at eq '2020-01-01'", "cannot compare field 'at' (datetime) with string '2020-01-01' at position 3"),
    ("id eq 'abc'", "cannot compare field 'id' (guid) with string 'abc' (not a valid guid) at position 6"),
    (f"name eq guid'{G1}'", "cannot compare field 'name' (string)"),
    ("flag eq 1", "cannot compare field 'flag' (bool) with int 1"),
    ("n eq true", "cannot compare field 'n' (int) with bool true"),
    ("at gt n", "cannot compare field 'at' (datetime) with field 'n' (int) at position 3"),
    ("startswith(name,'a') eq 'x'", "cannot compare"),
    ("id eq guid'not-a-guid'", "invalid guid literal guid'not-a-guid' at position 6"),
    ("at eq datetime'2020-13-01'", "invalid datetime literal datetime'2020-13-01' at position 6"),
    ("at eq datetime'yesterday'", "invalid datetime literal datetime'yesterday' at position 6"),
    ("at eq datetime'2020-01-01T10:00:00+24:00'", "invalid datetime literal"),
    ("at eq datetime'0001-01-01T00:00:00+05:00'", "invalid datetime literal"),  # before year 1 in UTC
    ("at eq datetime'２０２０-01-01'", "invalid datetime literal"),
    ("contains(name,'a')", "unknown function 'contains' at position 0"),
    ("n eq 1 or Length(name) eq 3", "unknown function 'Length' at position 10"),
    ("startswith(name)", "function 'startswith' takes 2 arguments, got 1 at position 0"),
    ("endswith(name,'a','b')", "function 'endswith' takes 2 arguments, got 3 at position 0"),
    ("substringof()", "function 'substringof' takes 2 arguments, got 0 at position 0"),
    ("tolower(name,'a') eq 'x'", "function 'tolower' takes 1 argument, got 2 at position 0"),
    ("startswith(n,'a')",
     "function 'startswith' expects a string field as argument 1, got field 'n' (int) at position 11"),
    ("startswith('a','a')", "expects a string field as argument 1, got string 'a' at position 11"),
    ("startswith(name,name)", "expects a string literal as argument 2, got field 'name' (string) at position 16"),
    ("substringof(name,'a')", "expects a string literal as argument 1, got field 'name' (string) at position 12"),
    ("startswith(name,null)", "expects a string literal as argument 2, got null"),
    ("toupper(at) eq 'x'", "function 'toupper' expects a string field as argument 1, got field 'at' (datetime)"),
    ("flag gt true", "operator 'gt' cannot be used with booleans at position 5"),
    ("flag le false", "operator 'le' cannot be used with booleans at position 5"),
    ("startswith(name,'a') lt true", "operator 'lt' cannot be used with booleans"),
    ("n", "expected a boolean expression at position 0, got field 'n' (int)"),
    ("tolower(name)", "expected a boolean expression at position 0, got tolower(field 'name' (string))"),
    ("flag and 'x'", "expected a boolean expression at position 9, got string 'x'"),
    ("not 3", "expected a boolean expression at position 4, got int 3"),
    ("not n eq 3", "'not' at position 0 applies to field 'n' (int) alone: 'not' binds tighter than 'eq'. "
                   "To negate the comparison, write: not (n eq 3)"),
    ("flag or NOT n gt 1 and flag", "'not' at position 8 applies to field 'n' (int) alone: 'not' binds tighter "
                                    "than 'gt'. To negate the comparison, write: NOT (n gt 1)"),
    ("not(name) eq ('x')", "write: not ((name) eq ('x'))"),
    ("not tolower(name) ne 'x'", "write: not (tolower(name) ne 'x')"),
    ("not n eq not flag", "write: not (n eq not flag)"),  # the suggestion ends where the right operand does
    # ... with its own parentheses, and none of what follows it
    ("(not n eq (3)) and flag", "To negate the comparison, write: not (n eq (3))"),
    ("flag and (not n eq ((3)))", "To negate the comparison, write: not (n eq ((3)))"),
    ("not\t n eq (3) or (flag)", "To negate the comparison, write: not (n eq (3))"),
    ("not at lt datetime'2020-01-01'", "write: not (at lt datetime'2020-01-01')"),
    ("null", "expected a boolean expression at position 0, got null"),
    ("not " * 1000 + "flag", "nested more than 64 levels deep at position 256"),
    ("(" * 300 + "n eq 1" + " or n eq 2)" * 300, "nested more than 64 levels deep"),
    ("", "the filter expression is empty"),
    ("   ", "the filter expression is empty"),
    ("n eq 1 or " * 410 + "flag", "is 4104 characters long; the maximum is 4096"),
]


@pytest.mark.parametrize(("text", "fragment"), ERRORS, ids=[e[0][:40] for e in ERRORS])
def test_filter_errors(text: str, fragment: str) -> None:
    with pytest.raises(Unprocessable) as info:
        compile_filter(R, text)
    err = info.value
    assert err.status == 422
    assert err.message == "The _filter parameter is invalid."
    assert len(err.validations) == 1
    assert err.validations[0].startswith("_filter: ")
    assert fragment in err.validations[0]


def test_syntax_error_lists_what_was_expected() -> None:
    with pytest.raises(Unprocessable) as info:
        compile_filter(R, "n eq")
    assert "a number" in info.value.validations[0] and "a string literal" in info.value.validations[0]


def test_every_terminal_a_syntax_error_may_expect_has_a_name_for_clients() -> None:
    from emulator.core.odata.parser import _TERMINAL_NAMES

    terminals = {t.name for t in odata._parser().terminals} - {"__IGNORE_0"}  # whitespace is never expected
    assert terminals | {"$END"} == set(_TERMINAL_NAMES)


def test_deep_but_allowed_nesting_compiles() -> None:
    assert matches("not " * 63 + "flag") is False
    assert matches("(" * 60 + "n eq 1" + " or n eq 3)" * 60) is True
    assert matches(" or ".join(["n eq 1"] * 400)) is False  # long, flat chains are fine


def test_filter_of_max_length_is_accepted() -> None:
    text = "n eq 3" + " " * (odata.MAX_FILTER_LENGTH - 6)
    assert compile_filter(R, text)(Row()) is True


# --------------------------------------------------------------------------- caching


def test_same_text_returns_same_callable_without_reparsing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_parse = odata.parse

    def counting_parse(text: str) -> Any:
        calls.append(text)
        return real_parse(text)

    monkeypatch.setattr(odata.compiler, "parse", counting_parse)  # where the compiler looks it up
    odata.compiler._compile_cached.cache_clear()  # the text may be cached by an earlier run in this process
    text = "n eq 314159 and startswith(name,'cache-test')"
    first = compile_filter(R, text)
    second = compile_filter(R, text)
    assert first is second
    assert calls == [text]
    other = Resource("row-copy", R.fields)  # another resource: its own entry
    assert compile_filter(other, text) is not first
    assert calls == [text, text]


def test_select_and_filter_items_keep_order() -> None:
    rows = [Row(id=G1, n=1), Row(id=G2, n=5), Row(id=G3, n=2), Row(n=None)]
    assert filter_items(R, "n lt 3", rows) == [rows[0], rows[2]]
    assert compile_filter(R, "n ne 5").select(iter(rows)) == [rows[0], rows[2], rows[3]]
    assert "def _predicate(o)" in compile_filter(R, "n ne 5").source


def test_filters_differing_in_their_values_share_one_source_and_keep_their_own_values() -> None:
    """A sync client's lookups (``username eq '...'`` per user) compile one source; each keeps its own values."""
    rows = [Row(name="Ann", n=1, amount=0.5, gid=G1), Row(name="Bo", n=2, amount=2.5, gid=G2)]
    texts = (f"name eq 'ann' and n lt 2 and amount lt 1.0 and gid eq guid'{G1}'",
             f"name eq 'BO' and n lt 9 and amount lt 9.5 and gid eq guid'{G2}'")
    first, second = (compile_filter(R, text) for text in texts)
    assert first is not second and first.source == second.source
    assert "'ann'" not in first.source and "Ann" not in first.source
    assert (first.select(rows), second.select(rows)) == ([rows[0]], [rows[1]])
    assert (first.lookup, second.lookup) == (("name", "ann"), ("name", "BO"))  # each text's own index hint


def test_errors_are_not_cached_as_predicates() -> None:
    for _ in range(2):
        with pytest.raises(Unprocessable):
            compile_filter(R, "n eq 'cached-error'")


def test_parser_is_built_once() -> None:
    assert odata._parser() is odata._parser()


def test_resource_lookup_is_case_insensitive() -> None:
    assert R.field("CUSTOMFIELDS/decimal1") is R.field("customFields/Decimal1") is not None
    assert R.field("nope") is None
    assert R.key == "id"


def test_resource_rejects_bad_tables() -> None:
    with pytest.raises(ValueError):
        Resource("r", [Field("id", "guid", "id"), Field("ID", "guid", "id2")])
    with pytest.raises(ValueError):
        Resource("r", [Field("a", "string", "a")])  # no 'id' key
    with pytest.raises(ValueError):
        Field("a", "text", "a")
    with pytest.raises(ValueError):
        Field("a", "string", "a.class")


# --------------------------------------------------------------------------- sort

S_ROWS = [
    Row(id="c", name="bob", n=2, at=None, amount=None),
    Row(id="a", name="Alice", n=1, at=datetime(2024, 1, 2, tzinfo=UTC), amount=1.0),
    Row(id="d", name=None, n=2, at=datetime(2024, 1, 1, tzinfo=UTC), amount=2.0),
    Row(id="b", name="alice", n=1, at=datetime(2024, 1, 2, tzinfo=UTC), amount=None),
    Row(id="e", name="Bob", n=None, at=None, amount=1.0),
]


def ids(rows: list[Row]) -> list[str]:
    return [r.id for r in rows]


SORTS: list[tuple[str | None, list[str]]] = [
    (None, ["a", "b", "c", "d", "e"]),
    ("id", ["a", "b", "c", "d", "e"]),
    ("-id", ["e", "d", "c", "b", "a"]),
    ("n", ["e", "a", "b", "c", "d"]),  # None first, ties by id
    ("-n", ["c", "d", "a", "b", "e"]),  # None last, ties by id ascending
    ("name", ["d", "a", "b", "c", "e"]),  # case-insensitive; ties (Alice/alice) by id
    ("-name", ["c", "e", "a", "b", "d"]),
    ("-at,name", ["a", "b", "d", "c", "e"]),
    ("-at,-name", ["a", "b", "d", "c", "e"]),
    ("n,-amount", ["e", "a", "b", "d", "c"]),
    ("n,amount,name", ["e", "b", "a", "c", "d"]),
    (" -n , name ", ["d", "c", "a", "b", "e"]),
    ("N,-ID", ["e", "b", "a", "d", "c"]),
    ("id,name", ["a", "b", "c", "d", "e"]),
    ("- n", ["c", "d", "a", "b", "e"]),
]


@pytest.mark.parametrize(("text", "expected"), SORTS, ids=[str(s[0]) for s in SORTS])
def test_sort(text: str | None, expected: list[str]) -> None:
    before = list(S_ROWS)
    assert ids(sort(S_ROWS, R, text)) == expected
    assert before == S_ROWS  # the input list is not reordered


def test_sort_default_applies_only_without_text() -> None:
    assert ids(sort(S_ROWS, R, None, default="-n")) == ["c", "d", "a", "b", "e"]
    assert ids(sort(S_ROWS, R, "name", default="-n")) == ["d", "a", "b", "c", "e"]


def test_sort_top_returns_the_first_items() -> None:
    many = [replace(r, id=f"{k}{r.id}") for k in "pqrstuvw" for r in S_ROWS]  # 40 rows, ties on every field
    for text in ("-n,name", "n", "-at", "amount,-name", "name", None):
        full = ids(sort(many, R, text))
        for top in (1, 3, 9, 40, 100):
            assert ids(sort(many, R, text, top=top)) == full[:top], (text, top)
    assert sort(many, R, "n", top=0) == [] and sort(many, R, "-n", top=0) == []
    assert sort(S_ROWS[:1], R, "n", top=0) == []  # even a list too short to sort


def test_sort_ignores_case_by_lower_case_with_nulls_present_too() -> None:
    """Case is folded to lower case: '_' (0x5F) sorts before 'a', as in 'b_' < 'ba'; upper case would put it after."""
    rows = [Row(id="1", name="ba"), Row(id="2", name=None), Row(id="3", name="B_")]
    assert ids(sort(rows, R, "name")) == ["2", "3", "1"]
    assert ids(sort([r for r in rows if r.name], R, "name")) == ["3", "1"]


def test_sort_nested_field_and_small_inputs() -> None:
    rows = [Row(id="b", custom=Custom(1.0)), Row(id="a", custom=None), Row(id="c", custom=Custom(0.5))]
    assert ids(sort(rows, R, "customFields/decimal1")) == ["a", "c", "b"]
    assert sort([], R, "n") == []
    assert ids(sort([Row(id="z")], R, "-n")) == ["z"]


SORT_ERRORS = [
    ("nope", "_sort: unknown field 'nope' at position 0"),
    ("n, nope", "_sort: unknown field 'nope' at position 3"),
    ("hidden", "_sort: field 'hidden' is not sortable at position 0"),
    ("n,,name", "_sort: empty field name at position 2"),
    ("n,", "_sort: empty field name at position 2"),
    ("", "_sort: empty field name at position 0"),
    ("-", "_sort: empty field name at position 0"),
]


@pytest.mark.parametrize(("text", "message"), SORT_ERRORS, ids=[e[0] or "<empty>" for e in SORT_ERRORS])
def test_sort_errors(text: str, message: str) -> None:
    with pytest.raises(Unprocessable) as info:
        sort(S_ROWS, R, text)
    assert info.value.validations == [message]
    assert info.value.message == "The _sort parameter is invalid."


# --------------------------------------------------------------------------- properties

STRS = ["abc", "ABC", "Abd", "O'Brien", "", "x y", "éclair", "ÉCLAIR", "ab", "b", "abc ", "AB  ", " ab"]
INTS = [-2, 0, 1, 3, 7]
DECS = [-2.5, 0.0, 1.5, 3.0, 7.25]
GUIDS = [G1, G2, G3]
DATES = [
    datetime(2024, 1, 1, tzinfo=UTC),
    datetime(2024, 1, 1, 12, 30, 0, 500000, tzinfo=UTC),
    datetime(2023, 12, 31, 23, 0, tzinfo=UTC),
    datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=UTC),
]
FIELDS_BY_TYPE = {
    "string": ["name", "title"],
    "int": ["n"],
    "decimal": ["amount", "customFields/decimal1"],
    "bool": ["flag"],
    "guid": ["gid", "id"],
    "datetime": ["at", "at2"],
}
POOLS: dict[str, list[Any]] = {"string": STRS, "int": INTS, "decimal": DECS, "bool": [True, False],
                               "guid": GUIDS, "datetime": DATES}
ORDERING = ["gt", "ge", "lt", "le"]


def maybe_none(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.sampled_from(values))


rows_strategy = st.builds(
    Row,
    id=st.sampled_from(GUIDS),
    name=maybe_none(STRS),
    title=maybe_none(STRS),
    n=maybe_none(INTS),
    amount=maybe_none(DECS),
    flag=maybe_none([True, False]),
    gid=maybe_none(GUIDS),
    at=maybe_none(DATES),
    at2=maybe_none(DATES),
    custom=st.one_of(st.none(), st.builds(Custom, maybe_none(DECS))),
)

# AST nodes are tuples: ("or"|"and", a, b), ("not", a), ("cmp", op, left, right),
# ("call", fn, args), ("field", wire), ("lit", type, value), ("group", clause).


@st.composite
def string_value(draw: st.DrawFn, depth: int = 0) -> tuple:
    if depth < 2 and draw(st.booleans()):
        return ("call", draw(st.sampled_from(["tolower", "toupper"])), [draw(string_value(depth + 1))])
    return ("field", draw(st.sampled_from(FIELDS_BY_TYPE["string"])))


@st.composite
def value_of(draw: st.DrawFn, typ: str) -> tuple:
    if typ == "string":
        return draw(string_value())
    if typ in ("int", "decimal"):
        return ("field", draw(st.sampled_from(["n", "amount", "customFields/decimal1"])))
    return ("field", draw(st.sampled_from(FIELDS_BY_TYPE[typ])))


@st.composite
def literal_of(draw: st.DrawFn, typ: str) -> tuple:
    if draw(st.integers(0, 9)) == 0:
        return ("lit", "null", None)
    if typ in ("int", "decimal"):
        number = draw(st.sampled_from(INTS + DECS))
        return ("lit", "int" if isinstance(number, int) else "decimal", number)
    if typ == "guid" and draw(st.booleans()):
        return ("lit", "guidstring", draw(st.sampled_from(GUIDS)))
    return ("lit", typ, draw(st.sampled_from(POOLS[typ])))


@st.composite
def comparison(draw: st.DrawFn) -> tuple:
    typ = draw(st.sampled_from(sorted(POOLS)))
    op = draw(st.sampled_from(["eq", "ne"] if typ == "bool" else ["eq", "ne", *ORDERING]))
    left = draw(value_of(typ))
    right = draw(st.one_of(literal_of(typ), value_of(typ)))
    return ("cmp", op, right, left) if draw(st.booleans()) else ("cmp", op, left, right)


@st.composite
def string_function(draw: st.DrawFn) -> tuple:
    fn = draw(st.sampled_from(["startswith", "endswith", "substringof"]))
    arg = draw(string_value())
    lit = ("lit", "string", draw(st.sampled_from(STRS + ["a", "C", "'", "É"])))
    call = ("call", fn, [lit, arg] if fn == "substringof" else [arg, lit])
    if draw(st.booleans()):
        return ("cmp", draw(st.sampled_from(["eq", "ne"])), call, ("lit", "bool", draw(st.booleans())))
    return call


base_clause = st.one_of(
    comparison(),
    comparison(),
    string_function(),
    st.just(("field", "flag")),
    st.builds(lambda v: ("lit", "bool", v), st.booleans()),
)


def extend(children: st.SearchStrategy[tuple]) -> st.SearchStrategy[tuple]:
    return st.one_of(
        st.tuples(st.sampled_from(["and", "or"]), children, children),
        st.tuples(st.just("not"), children),
        st.builds(lambda c, op, b: ("cmp", op, ("group", c), ("lit", "bool", b)),
                  children, st.sampled_from(["eq", "ne"]), st.booleans()),
    )


filters = st.recursive(base_clause, extend, max_leaves=8)

PREC = {"or": 1, "and": 2, "cmp": 3, "not": 4}  # OData: not binds tighter than a comparison
WIRE_TO_ATTR = {f.wire: f.attr for f in R.fields}


def render(node: tuple, rnd: random.Random, ctx: int = 0) -> str:
    """Text of ``node`` with random keyword case, spacing and redundant parentheses."""

    def kw(word: str) -> str:
        return "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in word)

    def sp() -> str:
        return rnd.choice([" ", "  ", "\t"])

    def opt() -> str:
        return rnd.choice(["", " "])

    kind = node[0]
    prec = PREC.get(kind, 5)
    if kind in ("and", "or"):
        text = render(node[1], rnd, prec) + sp() + kw(kind) + sp() + render(node[2], rnd, prec + 1)
    elif kind == "not":
        operand = render(node[1], rnd, prec)
        text = kw("not") + (rnd.choice(["", " "]) if operand.startswith("(") else sp()) + operand
    elif kind == "cmp":
        text = render(node[2], rnd, 5) + sp() + kw(node[1]) + sp() + render(node[3], rnd, 5)
    elif kind == "group":
        return "(" + opt() + render(node[1], rnd, 0) + opt() + ")"
    elif kind == "call":
        args = ("," + opt()).join(render(a, rnd, 0) for a in node[2])
        text = kw(node[1]) + "(" + opt() + args + opt() + ")"
    elif kind == "field":
        text = kw(node[1])
    else:
        text = render_literal(node[1], node[2], rnd, kw)
    if prec < ctx or (kind != "group" and rnd.random() < 0.1):
        text = "(" + opt() + text + opt() + ")"
    return text


def render_literal(typ: str, value: Any, rnd: random.Random, kw: Any) -> str:
    if typ == "null":
        return kw("null")
    if typ == "bool":
        return kw("true" if value else "false")
    if typ == "string":
        return "'" + value.replace("'", "''") + "'"
    if typ == "int":
        return rnd.choice(["", "+"]) + str(value) if value >= 0 else str(value)
    if typ == "decimal":
        text = rnd.choice([str(float(value)), f"{value:e}", f"{value:E}".replace("E+", "E")])
        return text + rnd.choice(["", "m", "M", "d", "D"])
    if typ in ("guid", "guidstring"):
        text = "".join(c.upper() if rnd.random() < 0.5 else c for c in value)
        return (kw("guid") if typ == "guid" else "") + "'" + text + "'"
    return kw(rnd.choice(["datetime", "datetimeoffset"])) + "'" + render_datetime(value, rnd) + "'"


def render_datetime(value: datetime, rnd: random.Random) -> str:
    form = rnd.choice(["Z", "offset", "naive", "date"])
    if form == "date" and value.time() == datetime.min.time():
        return value.strftime("%Y-%m-%d")
    zone, local = "Z", value
    if form == "offset":
        minutes = rnd.choice([-330, -60, 0, 120, 345])
        local = value + timedelta(minutes=minutes)
        sign = "-" if minutes < 0 else "+"
        zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    elif form == "naive":
        zone = ""
    frac = ""
    if local.microsecond:
        frac = f".{local.microsecond:06d}"
        frac = rnd.choice([frac, frac.rstrip("0"), frac + "0"])
    elif rnd.random() < 0.3:
        frac = ".000"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + frac + zone


def ref_value(node: tuple, row: Row) -> Any:
    kind = node[0]
    if kind == "field":
        value: Any = row
        for part in WIRE_TO_ATTR[node[1]].split("."):
            value = None if value is None else getattr(value, part)
        return value
    if kind == "lit":
        return node[2]
    if kind == "group":  # parentheses are transparent
        return ref_value(node[1], row)
    if kind == "call" and node[1] in ("tolower", "toupper"):
        inner = ref_value(node[2][0], row)
        return None if inner is None else (inner.lower() if node[1] == "tolower" else inner.upper())
    return ref_eval(node, row)


def lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def fold(value: Any) -> Any:
    """A string as a comparison operator sees it: case and trailing spaces do not count."""
    return value.lower().rstrip(" ") if isinstance(value, str) else value


def ref_eval(node: tuple, row: Row) -> bool | None:
    """Straightforward interpretation of the documented semantics: True, False or None (null)."""
    kind = node[0]
    if kind in ("or", "and"):
        values = (ref_eval(node[1], row), ref_eval(node[2], row))
        win = kind == "or"  # true wins an or, false wins an and; then null
        return win if win in values else None if None in values else not win
    if kind == "not":
        value = ref_eval(node[1], row)
        return None if value is None else not value
    if kind == "cmp":  # lifted: never null
        op, left, right = node[1], ref_value(node[2], row), ref_value(node[3], row)
        if op in ("eq", "ne"):
            equal = left is None and right is None if left is None or right is None else fold(left) == fold(right)
            return equal if op == "eq" else not equal
        if left is None or right is None:
            return False
        return {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}[op](fold(left), fold(right))
    if kind == "call":
        fn, args = node[1], node[2]
        needle, subject = (args[0], args[1]) if fn == "substringof" else (args[1], args[0])
        text = ref_value(subject, row)
        if text is None:
            return None
        text, lit = lower(text), lower(ref_value(needle, row))  # LIKE: trailing spaces count
        return lit in text if fn == "substringof" else getattr(text, fn)(lit)
    if kind == "field":
        return ref_value(node, row)
    if kind == "group":
        return ref_eval(node[1], row)
    return bool(node[2])  # a bool literal


@settings(max_examples=300, deadline=None)
@given(tree=filters, rnd=st.randoms(use_true_random=False), rows=st.lists(rows_strategy, min_size=1, max_size=8))
def test_compiled_filter_matches_reference_evaluator(tree: tuple, rnd: random.Random, rows: list[Row]) -> None:
    text = render(tree, rnd)
    predicate = compile_filter(R, text)
    for row in rows:
        assert predicate(row) is (ref_eval(tree, row) is True), (text, row)
    assert predicate.select(rows) == [row for row in rows if ref_eval(tree, row) is True]


def ref_sort(rows: list[Row], spec: list[tuple[str, bool]]) -> list[Row]:
    def cmp(a: Row, b: Row) -> int:
        for wire, desc in [*spec, ("id", False)]:
            x, y = lower(ref_value(("field", wire), a)), lower(ref_value(("field", wire), b))
            if x == y:
                continue
            result = -1 if x is None else 1 if y is None else (-1 if x < y else 1)  # None is the smallest value
            return -result if desc else result
        return 0

    return sorted(rows, key=functools.cmp_to_key(cmp))


SORTABLE = [f.wire for f in R.fields if f.sortable]


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(rows_strategy, max_size=60),
    spec=st.lists(st.tuples(st.sampled_from(SORTABLE), st.booleans()), min_size=1, max_size=4),
    rnd=st.randoms(use_true_random=False),
    top=st.integers(1, 6),
)
def test_sort_matches_reference(rows: list[Row], spec: list[tuple[str, bool]], rnd: random.Random, top: int) -> None:
    rows = [replace(r, id=f"{i:04d}") for i, r in enumerate(rows)]  # unique keys
    rnd.shuffle(rows)
    text = ",".join(("-" if desc else "") + rnd.choice([wire, wire.upper()]) for wire, desc in spec)
    expected = ids(ref_sort(rows, spec))
    assert ids(sort(rows, R, text)) == expected
    assert ids(sort(rows, R, text, top=top)) == expected[:top]  # the page shortcut


_PARSER_CHILD = r"""
import sys
from emulator.core import odata
assert "lark" not in sys.modules  # importing the engine does not import lark
print(odata.parse("status eq 3").data)
"""


@pytest.mark.parametrize("cache_state", ["fresh", "corrupt", "unwritable"])
def test_the_parser_tables_cache_is_used_rebuilt_or_skipped(tmp_path, cache_state):
    import os
    import subprocess
    import sys

    folder = tmp_path / "cache"
    if cache_state == "corrupt":  # a torn write by a concurrent process, say: lark rebuilds and rewrites it
        import lark

        folder.mkdir()
        (folder / f"odata-lalr-{lark.__version__}.pickle").write_bytes(b"not a pickle")
    if cache_state == "unwritable":
        folder = tmp_path / "a-file"
        folder.write_text("a file where the folder should be")
    env = dict(os.environ, LMS_EMULATOR_CACHE=str(folder))
    for _ in range(2):  # the second run loads what the first wrote (when it could write)
        out = subprocess.run([sys.executable, "-c", _PARSER_CHILD], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "compare"
    written = sorted(p.name for p in folder.glob("odata-lalr-*.pickle")) if folder.is_dir() else []
    assert (len(written) >= 1) == (cache_state != "unwritable")


def test_resource_for_flattens_a_nested_object_into_slash_paths():
    """``customFields/decimal1``: one nested marshmallow schema becomes filterable, sortable slash fields."""
    from types import SimpleNamespace

    from marshmallow import Schema, fields as mfields

    from emulator.core.odata import compile_filter as compile_
    from emulator.core.odata import sort as sort_
    from emulator.core.wire import CamelCaseSchema, resource_for

    class Extra(Schema):
        decimal1 = mfields.Float(allow_none=True)
        string1 = mfields.String(allow_none=True)

    class Thing(CamelCaseSchema):
        id = mfields.String()
        custom_fields = mfields.Nested(Extra)
        tags = mfields.List(mfields.String())

    resource = resource_for(Thing(), "Thing")
    assert [f.wire for f in resource.fields] == ["id", "customFields/decimal1", "customFields/string1"]
    assert resource.field("CUSTOMFIELDS/Decimal1").attr == "custom_fields.decimal1"
    items = [SimpleNamespace(id=str(n), custom_fields=SimpleNamespace(decimal1=d, string1=s))
             for n, (d, s) in enumerate([(2.0, "b"), (None, "a"), (1.0, None)])]
    assert [o.id for o in compile_(resource, "customFields/decimal1 eq null").select(items)] == ["1"]
    assert [o.id for o in compile_(resource, "startswith(customFields/string1, 'B')").select(items)] == ["0"]
    assert [o.id for o in sort_(items, resource, "-customFields/decimal1")] == ["0", "2", "1"]
