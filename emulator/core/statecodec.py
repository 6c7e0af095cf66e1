"""The emulator's own typed state as JSON text, and back (``core.persistence``'s rows).

What the text can name is data: plain JSON values, tuples, sets, dicts with any keys, datetimes,
timedeltas, a ``random.Random``'s state, and instances of the emulator's own classes -- a dataclass,
an enum, or a class with ``__setstate__`` -- found by name among modules of the ``emulator`` package that
are already imported. Nothing is imported and no other callable is reached, so a planted state file
can make wrong data at worst, never run code (the pickled files of older versions could).
"""
from __future__ import annotations

import dataclasses
import enum
import json
import random
import sys
from functools import cache
from datetime import date, datetime, timedelta, timezone
from typing import Any

import orjson

PACKAGE = "emulator"


class CodecError(ValueError):
    """The text is not a form this codec writes (a damaged or foreign file)."""


def dumps(value: Any) -> str:
    return _json(encode(value))


def _json(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # text orjson refuses (a lone surrogate; input refuses it, but a save never fails on it)
        return json.dumps(value, separators=(",", ":"), default=_iso)


def _iso(value: Any) -> str:
    """``json``'s fallback for the UTC datetimes ``encode`` leaves to orjson."""
    if type(value) is datetime:
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def loads(text: str) -> Any:
    try:
        return decode(orjson.loads(text))
    except CodecError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise CodecError(f"{type(exc).__name__}: {exc}") from None


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


_PLAIN = frozenset({str, int, float, bool, type(None)})


@cache
def _plan(kind: type) -> tuple[str, tuple[tuple[str, Any, Any], ...]]:
    """A dataclass's name and its fields written, worked out once per class: (name, default, empty) where
    ``default`` is the field's default (``MISSING``: none) and ``empty`` the type of its empty default
    (list, dict or set from a default factory; None: none), both left out when the value is that default."""
    return _name(kind), tuple((f.name, f.default, f.default_factory if f.default_factory in _EMPTY_FACTORIES else None)
                              for f in dataclasses.fields(kind) if _kept(f))


def _kept(f: dataclasses.Field[Any]) -> bool:
    """A field written: not a private one nor one left out of comparisons (a compiled glob: a cache, made again)."""
    return f.compare and not f.name.startswith("_")


# ``encode`` writes plain values (most fields) in place rather than through a call of itself, and leaves a UTC
# datetime to orjson, which writes it as ``isoformat()`` does (``+00:00``, microseconds when there are some) about
# ten times faster: a new tenant's rows are hundreds of thousands of entities (a 10,000-user tenant with
# --state-file: encoding was two thirds of the save). Other offsets (orjson rounds an offset with seconds) and
# naive datetimes are written by ``isoformat()``.
def encode(value: Any) -> Any:
    """``value`` in the codec's JSON form, ready for orjson (a UTC datetime inside is left as it is)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [v if type(v) in _PLAIN else encode(v) for v in value]
    if "__dataclass_fields__" in kind.__dict__:
        name, fields = _plan(kind)  # type: ignore[arg-type]
        out = {}
        for field_name, default, empty in fields:
            item = getattr(value, field_name)
            if default is not MISSING:
                if type(item) is type(default) and item == default:  # made again on reading: not written
                    continue
            elif empty is not None and type(item) is empty and not item:
                continue
            out[field_name] = item if type(item) in _PLAIN else encode(item)
        return {"$o": name, "f": out}
    if kind is datetime:
        return {"$dt": value if value.tzinfo is timezone.utc else value.isoformat()}
    if isinstance(value, dict):
        return {"$d": [[k if type(k) in _PLAIN else encode(k), v if type(v) in _PLAIN else encode(v)]
                       for k, v in value.items()]}
    if kind is tuple:
        return {"$t": [v if type(v) in _PLAIN else encode(v) for v in value]}
    if kind in (set, frozenset):
        return {"$s": [v if type(v) in _PLAIN else encode(v) for v in value]}
    if kind is date:
        return {"$date": value.isoformat()}
    if kind is timedelta:
        return {"$td": [value.days, value.seconds, value.microseconds]}
    if kind is random.Random:
        version, internal, gauss = value.getstate()
        return {"$r": [version, list(internal), gauss]}
    if isinstance(value, enum.Enum):
        return {"$e": _name(kind), "v": encode(value.value)}
    if dataclasses.is_dataclass(value):
        return {"$o": _name(kind), "f": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)
                                         if _kept(f)}}
    if "__setstate__" in vars(kind) and hasattr(value, "__getstate__"):
        return {"$st": _name(kind), "s": encode(value.__getstate__())}
    raise TypeError(f"the state file cannot keep a {kind.__module__}.{kind.__qualname__}")


_EMPTY_FACTORIES = (list, dict, set)
MISSING = dataclasses.MISSING


def _class(name: Any) -> type:
    """One of the emulator's own classes, by ``module:qualname``, from a module already imported."""
    if not isinstance(name, str) or ":" not in name:
        raise CodecError(f"not a class name: {name!r}")
    module_name, qualname = name.split(":", 1)
    module = sys.modules.get(module_name)
    if module is None or not (module_name == PACKAGE or module_name.startswith(PACKAGE + ".")):
        raise CodecError(f"not a class of the emulator: {name!r}")
    found: Any = module
    for part in qualname.split("."):
        found = vars(found).get(part) if isinstance(found, type) or found is module else None
    if not isinstance(found, type) or found.__module__ != module_name:
        raise CodecError(f"not a class of the emulator: {name!r}")
    return found


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == "$d":
            return {decode(k): decode(v) for k, v in inner}
        if tag == "$t":
            return tuple(decode(v) for v in inner)
        if tag == "$s":
            return {decode(v) for v in inner}
        if tag == "$dt":
            found = datetime.fromisoformat(inner)
            return found if found.tzinfo is None or found.utcoffset() else found.replace(tzinfo=timezone.utc)
        if tag == "$date":
            return date.fromisoformat(inner)
        if tag == "$td":
            return timedelta(days=inner[0], seconds=inner[1], microseconds=inner[2])
        if tag == "$r":
            rng = random.Random()
            rng.setstate((inner[0], tuple(inner[1]), inner[2]))
            return rng
    elif len(value) == 2:
        if "$e" in value:
            cls = _class(value["$e"])
            if not issubclass(cls, enum.Enum):
                raise CodecError(f"not an enum: {value['$e']}")
            return cls(decode(value["v"]))
        if "$o" in value:
            cls = _class(value["$o"])
            if not dataclasses.is_dataclass(cls):
                raise CodecError(f"not a dataclass: {value['$o']}")
            fields = {f.name: f for f in dataclasses.fields(cls)}
            given = {k: decode(v) for k, v in value["f"].items()}
            unknown = set(given) - {n for n, f in fields.items() if f.init}
            if unknown:
                raise CodecError(f"{value['$o']} has no field(s) {sorted(unknown)}")
            return cls(**given)
        if "$st" in value:
            cls = _class(value["$st"])
            if "__setstate__" not in vars(cls):
                raise CodecError(f"not a class with a state: {value['$st']}")
            made: Any = object.__new__(cls)
            made.__setstate__(decode(value["s"]))
            return made
    raise CodecError(f"not a form of the state codec: {sorted(value)[:3]}")


def class_name(cls: type) -> str:
    return _name(cls)


def find_class(name: str) -> type:
    return _class(name)


def json_text(value: Any) -> str:
    """Already-encoded parts in one JSON text."""
    return _json(value)


def json_value(text: str) -> Any:
    try:
        return orjson.loads(text)
    except ValueError as exc:
        raise CodecError(f"not JSON: {exc}") from None
