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

The package: ``fields`` (the field table), ``parser`` (grammar, literals), ``compiler`` (``_filter``
to Python), ``sorting`` (``_sort``, top-k for a page).
"""
from __future__ import annotations

from .compiler import MAX_FILTER_LENGTH, CompiledFilter, compile_filter, filter_items
from .fields import (
    FIELD_TYPES,
    STRING_COMPARISON_CASE_INSENSITIVE,
    STRING_COMPARISON_IGNORES_TRAILING_SPACES,
    Field,
    Resource,
    getter,
)
from .parser import MAX_NESTING, _parser, parse, parse_datetime_literal, parse_guid
from .sorting import SortSpec, parse_sort, sort, sort_keys

__all__ = [
    "FIELD_TYPES", "MAX_FILTER_LENGTH", "MAX_NESTING", "STRING_COMPARISON_CASE_INSENSITIVE",
    "STRING_COMPARISON_IGNORES_TRAILING_SPACES", "CompiledFilter", "Field", "Resource", "SortSpec",
    "compile_filter", "filter_items", "getter", "parse", "parse_datetime_literal", "parse_guid", "parse_sort",
    "sort", "sort_keys", "_parser",
]
