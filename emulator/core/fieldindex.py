"""Entities of a world's table by the value of a field, as ``_filter``'s ``eq`` compares it (issue 32).

A list that a client filters by ``username eq '...'`` (or ``emailAddress``, ``externalId``, ``departmentId``)
scanned every entity: 12 ms at 50,000 users. A ``FieldIndex`` maps each indexed field's normalised value to the
ids holding it, so such a filter looks at the few candidates only; the filter itself is then applied to them,
so the answer is the scan's by construction (``core.paging`` compares the two in verify mode).

The key is the coarsest of the comparisons ``_filter`` may make (``key_of``): lower case, trailing spaces
dropped, whatever ``STRING_COMPARISON_CASE_INSENSITIVE`` and ``STRING_COMPARISON_IGNORES_TRAILING_SPACES``
say; any two values the filter finds equal have the same key.

**Kept in step by the cache rule.** Each field's index is built when a filter first asks for it.
``world.changed(entity)`` (which every write makes, ``core.pagecache.CachedWorld``) marks the entity's id; the
marked entities are indexed again before the next use, whatever order the write made its change and its
announcement in. ``world.changed()`` (the whole
world) drops the index; so do more marks than a quarter of the table (a rebuild is cheaper then).
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any


def key_of(value: Any) -> Hashable:
    """The index key of a field's value or of a filter's literal: strings lower-cased without trailing spaces."""
    return value.lower().rstrip(" ") if isinstance(value, str) else value


class FieldIndex:
    """Ids of the entities of one table (``table``, a field of the world) by the keys of some fields (``attrs``),
    each field's index built when a filter first asks for it."""

    __slots__ = ("table", "attrs", "_by", "_keys", "_marked")

    def __init__(self, table: str, attrs: tuple[str, ...]) -> None:
        self.table = table
        self.attrs = attrs
        self._by: dict[str, dict[Hashable, set[str]]] = {}  # attr -> key -> ids, for the fields built
        self._keys: dict[str, dict[str, Hashable]] = {}  # attr -> id -> its key, as indexed
        self._marked: set[str] = set()  # ids changed since they were indexed

    def candidates(self, world: Any, attr: str, value: Any) -> list[Any] | None:
        """The entities whose ``attr`` has the key of ``value`` (None: ``attr`` is not indexed here)."""
        if attr not in self.attrs:
            return None
        table: Mapping[str, Any] = getattr(world, self.table)
        if self._marked:
            self._refresh(table)
        by = self._by.get(attr)
        if by is None:
            by = self._build(table, attr)
        return [table[i] for i in by.get(key_of(value), ())]

    def changed(self, entity: Any) -> None:
        """``world.changed(entity)``: the entity (or its id) is indexed again before the next use; None: drop all."""
        if not self._by:
            return
        if entity is None:
            self.drop()
            return
        entity_id = entity if isinstance(entity, str) else getattr(entity, "id", None)
        if isinstance(entity_id, str):
            self._marked.add(entity_id)
            if len(self._marked) > 64 + len(next(iter(self._keys.values()))) // 4:
                self.drop()

    def drop(self) -> None:
        self._by, self._keys, self._marked = {}, {}, set()

    def _build(self, table: Mapping[str, Any], attr: str) -> dict[Hashable, set[str]]:
        keys = {entity_id: key_of(getattr(entity, attr)) for entity_id, entity in table.items()}
        by: dict[Hashable, set[str]] = {}
        for entity_id, key in keys.items():
            ids = by.get(key)
            if ids is None:
                by[key] = {entity_id}
            else:
                ids.add(entity_id)
        self._by[attr], self._keys[attr] = by, keys
        return by

    def _refresh(self, table: Mapping[str, Any]) -> None:
        for attr, by in self._by.items():
            keys = self._keys[attr]
            for entity_id in self._marked:
                if entity_id in keys:
                    old = keys.pop(entity_id)
                    ids = by[old]
                    ids.discard(entity_id)
                    if not ids:
                        del by[old]
                entity = table.get(entity_id)
                if entity is not None:
                    key = keys[entity_id] = key_of(getattr(entity, attr))
                    by.setdefault(key, set()).add(entity_id)
        self._marked = set()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled or copied unbuilt: derived data (as ``core.pagecache``'s caches)."""
        return (FieldIndex, (self.table, self.attrs))
