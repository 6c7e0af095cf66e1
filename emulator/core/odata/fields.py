"""The field table of a wire type (``Field``, ``Resource``) and the string-comparison choices that
``_filter`` and ``_sort`` share."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from keyword import iskeyword
from operator import attrgetter
from typing import Any

from emulator.core.errors import Unprocessable

STRING_COMPARISON_CASE_INSENSITIVE = True
"""Absorb runs on SQL Server with a case-insensitive collation: 'ABC' eq 'abc'."""
STRING_COMPARISON_IGNORES_TRAILING_SPACES = True
"""Emulator's choice, after SQL Server: its comparison operators pad the shorter string with spaces
(ANSI padding), so 'abc ' eq 'abc' and neither is greater. LIKE, and so startswith/endswith/substringof,
keeps trailing spaces significant (Unicode data)."""

FIELD_TYPES = frozenset({"string", "int", "decimal", "bool", "guid", "datetime"})

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


def invalid(detail: str, param: str = "_filter") -> Unprocessable:
    """The 422 for a bad ``_filter`` or ``_sort``, the detail in its validations."""
    return Unprocessable(f"The {param} parameter is invalid.", validations=[f"{param}: {detail}"])
