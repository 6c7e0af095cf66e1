"""A marshmallow schema's ``dump``, compiled once per schema into one Python function: the same dict, faster.

``Schema.dump`` takes each field through ``Field.serialize`` -> ``Field.get_value`` -> ``Schema.get_attribute``
-> ``utils.get_value`` -> ``hasattr``/``getattr`` before the field's ``_serialize``: a user's wire form cost
~130 us, and the first pass over a 50,000-user portal (every wire form made once, issue 32) ~7 s of CPU.
``dump(schema, obj)`` calls a function written once per schema instead (``_compile``), in one frame: a copy of
the schema's keys, then a statement per field reading ``obj.attribute`` and converting it inline where the
field's kind is known (``_EXPRESSIONS``: a ``String``/``Integer``/``Float``/``Boolean`` value of its wire type
as it is, a ``Guid`` lower-cased, an ``IsoDateTime``/``DotNetDateTime`` in UTC from ``datetime.isoformat``, a
``TimeSpan``, a ``Constant``, a ``List`` of those, a nested schema through ``dump`` again), through the field's
own ``_serialize`` otherwise. A user's wire form now costs ~10 us. ``source(schema)`` shows the function's text
(tracebacks show its lines too); the text is made of the schema's field names and wire keys, nothing else.

Anything that cannot be shown plain is marshmallow's own, field by field or whole: a field class with its own
``serialize``/``get_value`` (``Method``, ``Function``...), a dotted or callable ``attribute``, are called as
marshmallow calls them (``field.serialize``); a schema with ``pre_dump``/``post_dump`` hooks, its own
``get_attribute``/``_serialize``, ``many``, or another ``dict_class``, an object that is a mapping
(``__getitem__``: marshmallow reads keys first), an object lacking an attribute (an ``AttributeError``:
marshmallow's ``dump_default``), and a schema whose ``dump`` is not marshmallow's (a subclass's, one set on the
instance, or an object that only looks like a schema) are dumped by ``schema.dump``. (A model attribute holding
marshmallow's ``missing`` itself is not a value any model holds; it is not looked for.)
``WireCache`` checks each form against ``schema.dump`` in verify mode (``LMS_EMULATOR_VERIFY_PAGES``), and
``tests/core/test_dumper.py`` compares every wire schema of every vendor over seeded worlds.
"""
from __future__ import annotations

import keyword
import linecache
import zlib
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP

from .wire import UTC, DotNetDateTime, Guid, IsoDateTime, TimeSpan, dotnet_datetime, iso_z, timespan

__all__ = ["dump", "source"]

# The expression of a field's wire value ``{v}``, known not to be None, for the field classes whose ``_serialize``
# is known exactly (the class itself, not a subclass; each gives None for None, which the dict's copy holds
# already). ``{f}`` is the field, ``{n}`` its name: a value not of the expected type goes through
# ``{f}._serialize`` as in marshmallow. Datetimes: ``isoformat`` of a UTC datetime is the text ``iso_z`` and
# ``dotnet_datetime`` write (in half the time).
_AS_IS = "{v} if type({v}) is {t} else {f}._serialize({v}, {n}, obj)"
_EXPRESSIONS: dict[type, str] = {
    fields.String: _AS_IS.replace("{t}", "str"),
    fields.Integer: _AS_IS.replace("{t}", "int"),
    fields.Float: _AS_IS.replace("{t}", "float"),
    fields.Boolean: _AS_IS.replace("{t}", "bool"),
    Guid: "{v}.lower() if type({v}) is str else {f}._serialize({v}, {n}, obj)",
    IsoDateTime: ("{v}.isoformat()[:23 if {v}.microsecond else 19] + 'Z' "
                  "if type({v}) is datetime and {v}.tzinfo is UTC else iso_z({v})"),
    DotNetDateTime: ("({v}.isoformat()[:26] + '0+00:00' if {v}.microsecond "
                     "else {v}.isoformat()[:19] + '.0000000+00:00') "
                     "if type({v}) is datetime and {v}.tzinfo is UTC else dotnet_datetime({v})"),
}
_NAMESPACE = {"datetime": datetime, "UTC": UTC, "iso_z": iso_z, "dotnet_datetime": dotnet_datetime,
              "timespan": timespan, "missing": missing}


class Compiled(NamedTuple):
    function: Callable[[Any], dict[str, Any]]
    source: str


def dump(schema: Schema, obj: Any) -> dict[str, Any]:
    """``schema.dump(obj)`` for one object."""
    compiled = _compiled(schema)
    if compiled is None or hasattr(obj, "__getitem__") or "dump" in schema.__dict__:  # a dump set on the instance
        return schema.dump(obj)  # type: ignore[no-any-return]
    try:
        return compiled.function(obj)
    except AttributeError:  # an attribute the object lacks (a ``dump_default``), or raised by a field: marshmallow's
        return schema.dump(obj)  # type: ignore[no-any-return]


def source(schema: Schema) -> str | None:
    """The text of the function ``dump`` calls for ``schema`` (None: ``schema.dump`` is called), for debugging."""
    compiled = _compiled(schema)
    return None if compiled is None else compiled.source


@lru_cache(maxsize=1024)  # one function per schema instance (the vendors' are module-level; bounded all the same)
def _compiled(schema: Schema) -> Compiled | None:
    if not isinstance(schema, Schema) or type(schema).dump is not Schema.dump:  # not marshmallow's dump: its own
        return None
    own = type(schema).get_attribute is not Schema.get_attribute or type(schema)._serialize is not Schema._serialize
    if schema.many or schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP] or own or schema.dict_class is not dict:
        return None
    return _compile(schema)


def _compile(schema: Schema) -> Compiled | None:
    """Write the function: a copy of a dict holding every key in order, each value None (``keys``: a copy is
    already the right size, where a dict built key by key grows several times), then each field's value set.

    A field of a known kind reads its attribute and sets a value that is not None (``_EXPRESSIONS``, nested
    schemas, lists); any other plain field sets ``field._serialize(value)``; a field marshmallow must serialize
    itself sets what ``field.serialize`` gives, or takes its key out (``missing``)."""
    namespace: dict[str, Any] = dict(_NAMESPACE, dump=dump, get_attribute=schema.get_attribute)
    keys = namespace["keys"] = {}
    lines = ["def dump_one(obj):", "    out = keys.copy()"]
    for number, (name, field) in enumerate(schema.dump_fields.items()):
        key = field.data_key if field.data_key is not None else name
        if key in keys:  # two fields, one key: marshmallow's rule (the last present one's value) is its own
            return None
        keys[key] = None
        ref = f"f{number}"
        namespace[ref] = field
        read, expression = _expression(field, name, ref, namespace)
        if read is None:  # marshmallow's own ``serialize``, which may leave the key out
            lines += [f"    v = {ref}.serialize({name!r}, obj, accessor=get_attribute)",
                      "    if v is missing:", f"        del out[{key!r}]", "    else:", f"        out[{key!r}] = v"]
        elif read:
            lines += [f"    if (v := {read}) is not None:", f"        out[{key!r}] = {expression}"]
        else:
            lines.append(f"    out[{key!r}] = {expression}")
    lines.append("    return out")
    text = "\n".join(lines) + "\n"
    # named by its text, not by the schema: schemas dumped alike share one entry in ``linecache``
    filename = f"<core.dumper {type(schema).__qualname__} {zlib.crc32(text.encode()):08x}>"
    exec(compile(text, filename, "exec"), namespace)  # the text is made of the schema's fields, nothing else
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)  # tracebacks show the lines
    return Compiled(namespace["dump_one"], text)


def _expression(field: Any, name: str, ref: str, namespace: dict[str, Any]) -> tuple[str | None, str]:
    """(the read of ``v``, the expression of the wire value of a ``v`` that is not None); ("", expression): the
    value whatever the attribute holds; (None, ""): marshmallow's ``field.serialize`` is called."""
    cls = type(field)
    attribute = field.attribute if field.attribute is not None else name
    if cls is TimeSpan:  # reads its ``source``, not marshmallow's attribute
        return _read(field.source), "timespan(v)"
    if cls is fields.Constant:
        return "", f"{ref}.constant"
    plain = (field._CHECK_ATTRIBUTE and isinstance(attribute, str) and "." not in attribute
             and cls.serialize is fields.Field.serialize and cls.get_value is fields.Field.get_value)
    if not plain:
        return None, ""
    read = _read(attribute)
    inner = getattr(field, "inner", None)
    if cls is fields.Nested and not field.many and not field.schema.many:
        namespace[ref + "s"] = field.schema
        return read, f"dump({ref}s, v)"
    if cls is fields.Nested and field.many and not field.schema.many and _compiled(field.schema) is not None:
        namespace[ref + "s"] = field.schema  # no hooks: marshmallow's dump of the list is the dump of each
        return read, f"[dump({ref}s, item) for item in v]"
    if cls is fields.List and type(inner) is fields.Nested and not inner.many and not inner.schema.many:
        namespace[ref + "s"] = inner.schema  # each item through Nested._serialize: None stays None
        return read, f"[None if item is None else dump({ref}s, item) for item in v]"
    if cls is fields.List and _known(inner):  # List._serialize: each item through the inner field
        namespace[ref + "i"] = inner
        each = _EXPRESSIONS[type(inner)].format(v="item", f=ref + "i", n=repr(name))
        return read, f"[None if item is None else {each} for item in v]"
    if _known(field):
        return read, _EXPRESSIONS[cls].format(v="v", f=ref, n=repr(name))
    return "", f"{ref}._serialize({read}, {name!r}, obj)"  # what ``Field.serialize`` does, without its frames


def _known(field: Any) -> bool:
    """A field whose ``_serialize`` is written inline (as_string numbers and booleans are not)."""
    return type(field) in _EXPRESSIONS and not getattr(field, "as_string", False)


def _read(attribute: str) -> str:
    """``obj.attribute`` (``getattr`` for a name that is not an identifier): raises AttributeError if absent."""
    if attribute.isidentifier() and not keyword.iskeyword(attribute):
        return f"obj.{attribute}"
    return f"getattr(obj, {attribute!r})"
