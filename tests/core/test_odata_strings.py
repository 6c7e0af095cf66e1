"""_filter rules at their edges: only spaces are padded away in a string comparison (a tab counts, as in SQL
Server), and an error about a string function's result names the function and where it stands."""
from __future__ import annotations

import pytest

from emulator.core.errors import Unprocessable
from emulator.core import odata
from emulator.core.odata import compile_filter
from tests.core.test_odata import R, matches


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("name eq 'leblanc\t'", {}, False),  # a trailing tab is no padding: it counts
    ("name eq 'leblanc'", {"name": "Leblanc\t"}, False),
    ("name eq 'leblanc\t '", {"name": "Leblanc\t"}, True),  # the spaces after it are padding
    ("name ne 'leblanc\n'", {}, True),
    ("name gt 'leblanc'", {"name": "Leblanc\t"}, True),
    ("'a\t' eq 'a'", {}, False),  # two constants fold with the same rule
    ("'a \t ' eq 'A \t'", {}, True),
])
def test_only_trailing_spaces_are_padding_in_a_string_comparison(text, values, expected):
    assert matches(text, **values) is expected


@pytest.mark.parametrize(("text", "message"), [
    ("startswith(name,'a') eq 'x'", "cannot compare startswith(...) with string 'x' at position 21"),
    ("endswith(name,'a') gt 3", "cannot compare endswith(...) with int 3 at position 19"),
    ("startswith(startswith(name,'a'),'b')",
     "function 'startswith' expects a string field as argument 1, got startswith(...) at position 11"),
    ("substringof(endswith(name,'a'),name)",
     "function 'substringof' expects a string literal as argument 1, got endswith(...) at position 12"),
])
def test_an_error_about_a_string_function_names_it_and_its_position(text, message):
    with pytest.raises(Unprocessable) as info:
        compile_filter(R, text)
    assert info.value.validations == [f"_filter: {message}"]


def test_when_trailing_spaces_count_a_literal_keeps_its_own(monkeypatch):
    monkeypatch.setattr(odata.fields, "STRING_COMPARISON_IGNORES_TRAILING_SPACES", False)
    marker = " and n ne 27182"  # texts never compiled in the default mode (compiled filters are cached by text)
    assert matches("name eq 'leblanc '" + marker) is False
    assert matches("name eq 'leblanc '" + marker, name="Leblanc ") is True
    assert matches("name ne 'leblanc '" + marker) is True
    assert matches("'a ' eq 'a'" + marker) is False and matches("'a ' eq 'A '" + marker) is True


@pytest.mark.parametrize("flag", [True, False, None])
def test_boolean_literals_inside_compared_boolean_expressions_keep_their_value(flag):
    # 'flag and true' is flag, 'flag or false' is flag: equal (null = null included)
    assert matches("(flag and true) eq (flag or false)", flag=flag) is True
    assert matches("(flag and true) ne (flag or false)", flag=flag) is False
    # 'flag and false' is false whatever flag is; 'flag or true' is true
    assert matches("(flag and false) eq (flag and not true)", flag=flag) is True
    assert matches("(flag or true) eq true", flag=flag) is True
