"""A world as rows (``core.persistence``): its entity tables tracked, what a save writes, and a world made again
from its rows.

A world's tables are its ``dict`` fields and those of a nested holder of tables (Absorb's ``reference``); its
other fields are one row; what it derives from its entities (``DERIVED``) and its caches are not kept, and
``reindex()`` rebuilds the derived part on load. Once kept, each table is a ``TrackedDict`` noting the keys set
or removed, and ``world.changed(entity)`` (``CachedWorld.persist_hook``) notes the entity's key in each table
holding it: a save writes those rows only.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from . import statecodec
from .fieldindex import FieldIndex
from .pagecache import OrderCache, PageCache, WireCache

UPSERT_ROW = ("INSERT INTO rows (tenant, vendor, tbl, key, value) VALUES (?, ?, ?, ?, ?) "
              "ON CONFLICT (tenant, vendor, tbl, key) DO UPDATE SET value = excluded.value")
DELETE_ROW = "DELETE FROM rows WHERE tenant = ? AND vendor = ? AND tbl = ? AND key = ?"
Op = tuple[str, tuple[Any, ...]]  # a statement and its parameters


class TrackedDict(dict[Any, Any]):
    """A world's entity table: a dict that notes the keys set or removed since the last save (``dirty``:
    key -> whether it was removed meanwhile, so a key removed and set again moves to the end, as in the dict)."""

    __slots__ = ("dirty", "cleared")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.dirty: dict[Any, bool] = {}
        self.cleared = False

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, value)
        self.dirty.setdefault(key, False)

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self, key)
        self.dirty[key] = True

    def pop(self, key: Any, *default: Any) -> Any:
        if key in self:
            self.dirty[key] = True
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[Any, Any]:
        key, value = dict.popitem(self)
        self.dirty[key] = True
        return key, value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self.dirty.setdefault(key, False)
        return dict.setdefault(self, key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    # The ignore: typeshed's dict ties __ior__ to __or__'s signature; an in-place update answers the table itself.
    def __ior__(self, other: Any) -> TrackedDict:  # type: ignore[misc]
        self.update(other)
        return self

    def clear(self) -> None:
        dict.clear(self)
        self.dirty.clear()
        self.cleared = True


# -- a world's layout ----------------------------------------------------------------------------------------

def _transient(world_cls: type, name: str, value: Any) -> bool:
    """Rebuilt, never kept: caches, and what the world derives from its entities (``DERIVED``)."""
    return (isinstance(value, (WireCache, PageCache, OrderCache, FieldIndex))
            or name in getattr(world_cls, "DERIVED", ()))


def _holder(value: Any) -> bool:
    """A nested holder of tables (Absorb's ``reference``): a dataclass with dict fields."""
    return (dataclasses.is_dataclass(value) and not isinstance(value, type)
            and any(isinstance(getattr(value, f.name), dict) for f in dataclasses.fields(value)))


class KeptWorld:
    """One world as the database keeps it: its tables (tracked) and what must be written at the next save."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.full = True  # the whole world is written at the next save (new, or changed as a whole)
        self.tables: dict[str, tuple[Any, str, TrackedDict]] = {}  # name -> (owner, attribute, table)
        self.holders: dict[str, Any] = {}  # field name -> the holder object whose tables are tracked
        self._layout()
        world.persist_hook = self.changed

    def _layout(self) -> None:
        world = self.world
        self.tables.clear()
        self.holders.clear()
        for f in dataclasses.fields(world):
            value = getattr(world, f.name)
            if _transient(type(world), f.name, value):
                continue
            if isinstance(value, dict):
                self._track(world, f.name, f.name)
            elif _holder(value):
                self.holders[f.name] = value
                for inner in dataclasses.fields(value):
                    if isinstance(getattr(value, inner.name), dict):
                        self._track(value, inner.name, f"{f.name}.{inner.name}")

    def _track(self, owner: Any, attribute: str, name: str) -> TrackedDict:
        current = getattr(owner, attribute)
        table = current if type(current) is TrackedDict else TrackedDict(current)
        table.dirty.clear()
        table.cleared = False
        setattr(owner, attribute, table)
        self.tables[name] = (owner, attribute, table)
        return table

    def changed(self, entity: Any) -> None:
        """``world.changed``: the entity's key is noted in each table holding it; None, the whole world."""
        if entity is None:
            self.full = True
            return
        key = entity if isinstance(entity, str) else getattr(entity, "id", None)
        for _, _, table in self.tables.values():
            if key in table:
                table.dirty.setdefault(key, False)

    def fields_row(self) -> str:
        """The world's other fields (and those of its holders), one JSON text."""
        world = self.world
        out: dict[str, Any] = {"class": statecodec.class_name(type(world)), "fields": {}, "holders": {}}
        for f in dataclasses.fields(world):
            value = getattr(world, f.name)
            if _transient(type(world), f.name, value) or f.name in self.tables:
                continue
            if _holder(value):
                out["holders"][f.name] = {
                    "class": statecodec.class_name(type(value)),
                    "fields": {i.name: statecodec.encode(getattr(value, i.name)) for i in dataclasses.fields(value)
                               if f"{f.name}.{i.name}" not in self.tables}}
            else:
                out["fields"][f.name] = statecodec.encode(value)
        return statecodec.json_text(out)

    def ops(self, tenant_id: str, vendor: str) -> list[Op]:
        """What to write since the last save (under the tenant's lock)."""
        if any(getattr(self.world, name) is not holder for name, holder in self.holders.items()):
            self._layout()  # a holder replaced whole: the world is written whole
            self.full = True
        ops: list[Op] = [("INSERT INTO worlds (tenant, vendor, fields) VALUES (?, ?, ?) ON CONFLICT (tenant, vendor)"
                          " DO UPDATE SET fields = excluded.fields", (tenant_id, vendor, self.fields_row()))]
        if self.full:
            ops.append(("DELETE FROM rows WHERE tenant = ? AND vendor = ?", (tenant_id, vendor)))
        for name, (owner, attribute, table) in list(self.tables.items()):
            if getattr(owner, attribute) is not table:  # replaced whole: tracked anew, written whole
                table = self._track(owner, attribute, name)
                table.cleared = True
            if self.full or table.cleared:
                if not self.full:
                    ops.append(("DELETE FROM rows WHERE tenant = ? AND vendor = ? AND tbl = ?",
                                (tenant_id, vendor, name)))
                ops.extend((UPSERT_ROW, (tenant_id, vendor, name, statecodec.dumps(k), statecodec.dumps(v)))
                           for k, v in table.items())
            else:
                for key, moved in table.dirty.items():
                    where = (tenant_id, vendor, name, statecodec.dumps(key))
                    if moved or key not in table:
                        ops.append((DELETE_ROW, where))
                    if key in table:
                        ops.append((UPSERT_ROW, (*where, statecodec.dumps(table[key]))))
            table.dirty = {}
            table.cleared = False
        self.full = False
        return ops


def build_world(fields_text: str, tables: dict[str, dict[Any, Any]]) -> Any:
    """A world from its fields row and its tables' rows; ``reindex()`` rebuilds what it derives."""
    layout = statecodec.json_value(fields_text)
    world = _make(layout["class"], layout["fields"], tables, "")
    for name, holder in layout["holders"].items():
        object.__setattr__(world, name, _make(holder["class"], holder["fields"], tables, name + "."))
    reindex = getattr(world, "reindex", None)
    if reindex is not None:
        reindex()
    return world


def _make(class_name: str, fields: dict[str, Any], tables: dict[str, dict[Any, Any]], prefix: str) -> Any:
    cls = statecodec.find_class(class_name)
    if not dataclasses.is_dataclass(cls):
        raise statecodec.CodecError(f"not a dataclass: {class_name}")
    made = cls.__new__(cls)
    for f in dataclasses.fields(cls):
        if f.name in fields:
            value = statecodec.decode(fields[f.name])
        elif prefix + f.name in tables:
            value = tables[prefix + f.name]
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
        elif f.default is not dataclasses.MISSING:
            value = f.default
        else:
            raise statecodec.CodecError(f"{class_name}.{f.name} is missing")
        object.__setattr__(made, f.name, value)
    return made
