"""A marshmallow schema's ``dump``, planned once per schema: the same dict, without the per-field frames.

``Schema.dump`` takes each field through ``Field.serialize`` -> ``Field.get_value`` -> ``Schema.get_attribute``
-> ``utils.get_value`` -> ``hasattr``/``getattr`` before the field's ``_serialize``: a user's wire form costs
~130 us, and the first pass over a 50,000-user portal (every wire form made once, issue 32) ~7 s of CPU.
``dump(schema, obj)`` walks a plan made once per schema instead: for a field marshmallow would read as a plain
attribute, the attribute and the field's own ``_serialize`` (a ``String``, ``Integer`` or ``Float`` value
already of its wire type is taken as it is, which is what those fields return); a nested schema is dumped the
same way. Anything a plan cannot show to be plain is marshmallow's own, field by field or whole: a schema with
``pre_dump``/``post_dump`` hooks or its own ``get_attribute``, a dotted ``attribute``, a field class with its own
``serialize``/``get_value`` (``Method``, ``Function``, ``Pluck``...), an attribute the object lacks (a
``dump_default``), a mapping (``__getitem__``: marshmallow reads keys first), and a schema whose ``dump`` is not
marshmallow's (a subclass's, one set on the instance, or an object that only looks like a schema).
``WireCache`` checks a plan against ``schema.dump`` in verify mode (``LMS_EMULATOR_VERIFY_PAGES``), and
``tests/core/test_dumper.py`` compares every wire form of seeded worlds.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP

__all__ = ["dump"]

_ABSENT = object()
# Field classes whose ``_serialize`` returns a value of these types as it is, and None as None.
_AS_IS: dict[type, frozenset[type]] = {fields.String: frozenset({str}), fields.Integer: frozenset({int}),
                                       fields.Float: frozenset({float}), fields.Boolean: frozenset({bool})}
_NONE: frozenset[type] = frozenset()
PLAIN, NESTED, NESTED_MANY, LIST_NESTED, LIST_AS_IS, MARSHMALLOW = range(6)


class Step(NamedTuple):
    kind: int
    key: str  # the wire name
    name: str  # the schema's field name
    attribute: str  # what is read of the object
    field: Any
    as_is: frozenset[type]  # value types the field passes through unchanged (PLAIN only)
    nested: Schema | None


def dump(schema: Schema, obj: Any) -> dict[str, Any]:
    """``schema.dump(obj)`` for one object."""
    plan = _plan(schema)
    if plan is None or hasattr(obj, "__getitem__") or "dump" in vars(schema):  # a dump set on the instance: its own
        return schema.dump(obj)  # type: ignore[no-any-return]
    out: dict[str, Any] = {}
    for kind, key, name, attribute, field, as_is, nested in plan:
        if kind == MARSHMALLOW:
            value = field.serialize(name, obj, accessor=schema.get_attribute)
            if value is not missing:
                out[key] = value
            continue
        value = getattr(obj, attribute, _ABSENT)
        if value is _ABSENT:  # marshmallow's dump_default (or the field left out)
            value = field.serialize(name, obj, accessor=schema.get_attribute)
            if value is not missing:
                out[key] = value
        elif value is None:
            out[key] = None if as_is or kind != PLAIN else field._serialize(None, name, obj)  # as_is: None as None
        elif kind == PLAIN:
            out[key] = value if type(value) in as_is else field._serialize(value, name, obj)
        elif kind == NESTED:
            out[key] = dump(nested, value)  # type: ignore[arg-type]
        elif kind == LIST_AS_IS:  # List(String()) and the like: a copy, when every item is of its wire type
            out[key] = list(value) if set(map(type, value)) <= as_is else field._serialize(value, name, obj)
        else:  # NESTED_MANY, LIST_NESTED: their schema has a plan (hooks would see the list at once in marshmallow)
            out[key] = [dump(nested, item) for item in value]  # type: ignore[arg-type]
    return out


@lru_cache(maxsize=1024)  # one plan per schema instance (the vendors' are module-level; bounded all the same)
def _plan(schema: Schema) -> tuple[Step, ...] | None:
    if not isinstance(schema, Schema) or type(schema).dump is not Schema.dump:  # not marshmallow's dump: its own
        return None
    hooks = schema._hooks
    if schema.many or hooks[PRE_DUMP] or hooks[POST_DUMP] or type(schema).get_attribute is not Schema.get_attribute:
        return None
    return tuple(_step(name, field) for name, field in schema.dump_fields.items())


def _step(name: str, field: Any) -> Step:  # a marshmallow field (Nested's and List's attributes are read)
    key = field.data_key if field.data_key is not None else name
    attribute = field.attribute if field.attribute is not None else name
    cls = type(field)
    plain = (field._CHECK_ATTRIBUTE and "." not in attribute and not callable(field.attribute)
             and cls.serialize is fields.Field.serialize and cls.get_value is fields.Field.get_value)
    if not plain:
        return Step(MARSHMALLOW, key, name, attribute, field, _NONE, None)
    if cls is fields.Nested and not field.schema.many and (not field.many or _plan(field.schema) is not None):
        return Step(NESTED_MANY if field.many else NESTED, key, name, attribute, field, _NONE, field.schema)
    inner = getattr(field, "inner", None)
    if cls is fields.List and type(inner) is fields.Nested and not inner.many and not inner.schema.many \
            and _plan(inner.schema) is not None:
        return Step(LIST_NESTED, key, name, attribute, field, _NONE, inner.schema)
    if cls is fields.List and type(inner) in _AS_IS and not getattr(inner, "as_string", False):
        return Step(LIST_AS_IS, key, name, attribute, field, _AS_IS[type(inner)], None)
    as_is = _AS_IS.get(cls, _NONE) if not getattr(field, "as_string", False) else _NONE
    return Step(PLAIN, key, name, attribute, field, as_is, None)
