"""Finding things in an iSpring world by id: the id's check (400) and the lookup (404), each written once."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from emulator.core.errors import BadRequest, NotFound
from emulator.core.wire import is_guid

Key = TypeVar("Key")
Value = TypeVar("Value")


def check_uuid(name: str, value: str) -> str:
    """One id (a path segment, a body's or a query's value), lower-cased; 400 naming ``name`` when it is no
    UUID."""
    return check_uuids(name, [value])[0]


def check_uuids(name: str, values: list[str]) -> list[str]:
    """Each of ``values`` a UUID (lower-cased); 400 naming ``name`` and the first that is not."""
    bad = [v for v in values if not is_guid(v)]
    if bad:
        raise BadRequest(f"{name}: '{bad[0]}' is not a valid UUID.")
    return [v.lower() for v in values]


def lookup(table: Mapping[Key, Value], key: Key, kind: str) -> Value:
    """``table[key]``, or the vendor's 404 "<kind> not found"."""
    found = table.get(key)
    if found is None:
        raise NotFound(f"{kind} not found")
    return found
