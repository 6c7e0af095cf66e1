"""``core.dumper.dump``: marshmallow's ``schema.dump`` without its per-field frames, the same dict in every case.

The whole suite also runs in verify mode (``LMS_EMULATOR_VERIFY_PAGES=1``), where every wire form the page
cache makes with a plan is compared with marshmallow's own dump."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import traceback
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field, is_dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum, IntEnum
from typing import Any

import pytest
from marshmallow import Schema, fields, post_dump, pre_dump

import emulator
from emulator.absorb.domain.lessons import materialize_all
from emulator.app import all_vendors, create_app
from emulator.core import dumper
from emulator.core.jsonstream import plain
from emulator.core.wire import DotNetDateTime, Guid, IsoDateTime, TimeSpan
from tests.vendor_api import AbsorbApi


class Level(IntEnum):
    LOW = 1


@dataclass
class Tag:
    name: str
    weight: float | None = 1.5


@dataclass
class Thing:
    id: str = "0A1B2C3D-0000-4000-8000-000000000001"
    name: str | None = "a thing"
    count: Any = 3
    ratio: Any = 0.5
    flag: bool = True
    when: datetime | None = datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    tag: Tag | None = field(default_factory=lambda: Tag("t"))
    tags: list[Tag] | None = field(default_factory=lambda: [Tag("a"), Tag("b", None)])
    words: list[str] = field(default_factory=lambda: ["x", "y"])
    total: int = 7
    more: list[Tag] = field(default_factory=lambda: [Tag("m")])


class TagSchema(Schema):
    name = fields.String(data_key="Name")
    weight = fields.Float()


class ThingSchema(Schema):
    id = Guid()
    name = fields.String(data_key="displayName")
    count = fields.Integer()
    ratio = fields.Float()
    count_text = fields.Integer(attribute="total", as_string=True)
    flag = fields.Boolean()
    when = IsoDateTime()
    tag = fields.Nested(TagSchema)
    tags = fields.Nested(TagSchema, many=True)
    listed = fields.List(fields.Nested(TagSchema), attribute="more")
    words = fields.List(fields.String())
    shout = fields.Method("_shout")
    absent = fields.String(dump_default="dflt")
    dotted = fields.String(attribute="tag.name")

    def _shout(self, obj: Thing) -> str | None:
        return None if obj.name is None else obj.name.upper()


class HookedSchema(Schema):
    name = fields.String()

    @pre_dump
    def _lower(self, obj: Any, **_: Any) -> Any:
        return Tag(obj.name.lower())

    @post_dump
    def _mark(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "hooked": True}


THINGS = [Thing(), Thing(name=None, count=Level.LOW, ratio=2, when=None, tag=None, tags=None),
          Thing(count=True, ratio=None, tags=[])]


@pytest.mark.parametrize("thing", THINGS)
def test_a_plan_dumps_what_marshmallow_dumps(thing: Thing) -> None:
    schema = ThingSchema()
    assert dumper.dump(schema, thing) == schema.dump(thing)
    assert list(dumper.dump(schema, thing)) == list(schema.dump(thing))  # the same order of keys


def test_what_a_plan_cannot_show_plain_is_marshmallows() -> None:
    hooked = HookedSchema()
    assert dumper.dump(hooked, Tag("LOUD")) == hooked.dump(Tag("LOUD")) == {"name": "loud", "hooked": True}
    mapping = {"name": "from a dict", "weight": 2.0}
    assert dumper.dump(TagSchema(), mapping) == TagSchema().dump(mapping)
    only = ThingSchema(only=("id", "tag"))
    assert dumper.dump(only, THINGS[0]) == only.dump(THINGS[0])


@pytest.mark.parametrize("users", [None, 300])
def test_every_wire_form_of_a_seeded_world_is_marshmallows(monkeypatch: pytest.MonkeyPatch,
                                                           users: int | None) -> None:
    """Each vendor's users list walked with a check on every plan the page cache uses."""
    checked: set[str] = set()

    def checked_dump(schema: Schema, obj: Any) -> dict[str, Any]:
        made = dumper.dump(schema, obj)
        assert made == schema.dump(obj), (type(schema).__name__, obj)
        checked.add(type(schema).__name__)
        return made

    monkeypatch.setattr("emulator.core.pagecache.dump", checked_dump)
    app = create_app({"users": users} if users else {})
    api = AbsorbApi.of_tenant(app, app.state.store.tenants["default"]).login()
    for path, schema in (("/users?_limit=500", "user-page"), ("/courses?_limit=500", "course-page"),
                         ("/departments?_limit=500", "department-page"), ("/groups", "group-page"),
                         ("/roles", "role-page"), ("/countries", "country-page"), ("/provinces", "province-list")):
        api.get(path, schema, status=200)
    learner = api.learners()[0]
    api.get(f"/users/{learner.id}/enrollments", "user-course-enrollment-page", status=200)
    assert {"UserSchema", "CourseSchema", "DepartmentSchema"} <= checked, checked


def test_a_schema_whose_dump_is_not_marshmallows_is_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dump set on the instance (a test that breaks an answer on purpose), or a look-alike schema."""
    schema = TagSchema()
    assert dumper.dump(schema, Tag("a")) == {"Name": "a", "weight": 1.5}  # planned first
    monkeypatch.setattr(schema, "dump", lambda obj: {"broken": True})
    assert dumper.dump(schema, Tag("a")) == {"broken": True}

    class LookAlike:
        def dump(self, obj: Any) -> dict[str, Any]:
            return {"looks": "alike"}

    assert dumper.dump(LookAlike(), Tag("a")) == {"looks": "alike"}  # type: ignore[arg-type]


# -- the compiled functions, kind by kind: every value a field may meet, compared with marshmallow's dump ---------

def _typed(value: Any) -> Any:
    """``value`` with every dict's key order and every scalar's type kept: ``1 == 1.0 == True`` in Python, not in
    JSON, so two dumps are the same answer only if their typed forms are equal."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    return (type(value), value)


def _same(schema: Any, obj: Any) -> Any:
    """``dumper.dump(schema, obj)`` is ``schema.dump(obj)``: the same dict, typed and ordered, or the same error."""
    try:
        want = schema.dump(obj)
    except Exception as exc:  # noqa: BLE001 - whatever marshmallow raises, the dumper raises too
        with pytest.raises(type(exc)):
            dumper.dump(schema, obj)
        return exc
    got = dumper.dump(schema, obj)
    assert _typed(got) == _typed(want), (type(schema).__name__, obj, got, want)
    return got


class Loud(str):
    """A str subclass: not of the wire type, ``_serialize`` makes a str of it."""


class Mark(Enum):
    ON = "on"


class SubDateTime(datetime):
    pass


class SubGuid(Guid):
    """A subclass of a known field: not written inline (its ``_serialize`` may differ)."""


PARIS = timezone(timedelta(hours=2))
NAMED_UTC = timezone(timedelta(0), "GMT")  # UTC, but not ``timezone.utc``: iso_z's own path
WHENS = [datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC),
         datetime(2024, 1, 2, 3, 4, 5, 999, tzinfo=UTC), datetime(2024, 1, 2, 3, 4, 5, 1000, tzinfo=UTC),
         datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), datetime(6, 7, 8, 9, 10, 11, tzinfo=UTC),
         datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=PARIS), datetime(2024, 1, 2, 1, 4, 5, tzinfo=NAMED_UTC),
         datetime(2024, 1, 2, 3, 4, 5), datetime(2024, 1, 2, 3, 4, 5, 7),  # naive: astimezone reads them as local
         SubDateTime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC), date(2024, 1, 2), "2024-01-02", None]


@dataclass
class Row:
    """One attribute per field of ``RowSchema``; each test varies one."""

    id: Any = "0A1B2C3D-0000-4000-8000-00000000000F"
    text: Any = "text"
    number: Any = 3
    ratio: Any = 0.5
    flag: Any = True
    when: Any = WHENS[0]
    dotnet: Any = WHENS[1]
    ticks: Any = 123_456_789
    ids: Any = field(default_factory=lambda: ["AB-CD", "ef"])
    words: Any = field(default_factory=lambda: ["x", "y"])
    numbers: Any = field(default_factory=lambda: [1, 2.5])
    whens: Any = field(default_factory=lambda: [WHENS[0], None])
    tag: Any = field(default_factory=lambda: Tag("t"))
    tags: Any = field(default_factory=lambda: [Tag("a"), Tag("b", None)])
    listed: Any = field(default_factory=lambda: [Tag("m")])
    raw: Any = field(default_factory=lambda: {"a": [1, None]})
    sub_id: Any = "AB-CD"
    count_text: Any = 7


class RowSchema(Schema):
    id = Guid()
    text = fields.String(data_key="displayName")
    number = fields.Integer()
    ratio = fields.Float()
    flag = fields.Boolean()
    when = IsoDateTime(allow_none=True)
    dotnet = DotNetDateTime()
    ticks = fields.Integer()
    time_spent = TimeSpan(source="ticks")
    ids = fields.List(Guid())
    words = fields.List(fields.String())
    numbers = fields.List(fields.Float())
    whens = fields.List(IsoDateTime())
    tag = fields.Nested(TagSchema, allow_none=True)
    tags = fields.Nested(TagSchema, many=True)
    listed = fields.List(fields.Nested(TagSchema))
    raw = fields.Dict()  # no inline form: its own ``_serialize``
    sub_id = SubGuid()
    count_text = fields.Integer(as_string=True)
    constant = fields.Constant("always")
    shout = fields.Method("_shout")

    def _shout(self, obj: Row) -> Any:
        return obj.text.upper() if isinstance(obj.text, str) else None


VALUES: dict[str, list[Any]] = {
    "id": ["lower-already", "UPPER-GUID", None, "", Loud("LOUD"), 12, uuid.UUID(int=255)],
    "text": ["", "é ü", None, Loud("loud"), 5, 2.5, Mark.ON],
    "number": [0, -7, None, True, False, Level.LOW, 2.7, "5", 10**30],
    "ratio": [0.0, -1.25, None, 2, True, Level.LOW, "1.5", float("inf")],
    "flag": [True, False, None, 1, 0, "yes", []],
    "when": WHENS,
    "dotnet": WHENS,
    "ticks": [0, None, 1, 10_000_000 * 86_400 * 3 + 5, 9_999_999, 864_000_000_000 * 400],
    "ids": [[], None, ["A", None, "b"], ("X-Y", "z"), [uuid.UUID(int=1)], "AB"],
    "words": [[], None, ["a", None, 3, Loud("L")], ("t",)],
    "numbers": [[], None, [1, True, None, "2"]],
    "whens": [[], None, WHENS[:-2]],
    "tag": [None, Tag("x", None), {"name": "a mapping", "weight": 1}],
    "tags": [[], None, [Tag("p"), Tag("q", 3)], [None, Tag("n")]],  # Nested(many): a None item is dumped ({})
    "listed": [[], None, [Tag("r", None)], [None, Tag("n")]],  # List(Nested): a None item stays None
    "raw": [None, {}, {"k": datetime(2024, 1, 1, tzinfo=UTC)}],
    "sub_id": [None, "MIXED-Case"],
    "count_text": [None, 0, 42],
}


def test_the_row_schema_is_compiled_with_each_kind_inline() -> None:
    text = dumper.source(RowSchema())
    assert text is not None and text.startswith("def dump_one(obj):")
    assert "v.lower()" in text and "isoformat()" in text and "timespan(v)" in text and ".constant" in text
    assert "f16._serialize(obj.raw, 'raw', obj)" in text  # a Dict: its own _serialize, called directly
    assert "f20.serialize('shout', obj, accessor=get_attribute)" in text  # a Method: marshmallow's serialize


@pytest.mark.parametrize("attribute", list(VALUES))
def test_every_value_of_every_kind_dumps_as_marshmallow_dumps_it(attribute: str) -> None:
    schema = RowSchema()
    _same(schema, Row())
    for value in VALUES[attribute]:
        _same(schema, Row(**{attribute: value}))


def test_a_value_of_another_type_raises_what_marshmallow_raises() -> None:
    """``date`` has no ``astimezone`` (AttributeError: marshmallow's own dump then raises it again), a number has no
    ``isoformat``, a list is no number of ticks, a number no list: the error is marshmallow's."""
    schema = RowSchema()
    assert isinstance(_same(schema, Row(when=date(2024, 1, 2))), AttributeError)
    assert isinstance(_same(schema, Row(dotnet=3)), AttributeError)
    assert isinstance(_same(schema, Row(ticks=[12])), TypeError)
    assert isinstance(_same(schema, Row(ids=5)), TypeError)


def test_an_absent_attribute_is_marshmallows_dump_default() -> None:
    class Partial(Schema):
        name = fields.String(dump_default="dflt")
        other = fields.String()
        weight = fields.Float(dump_default=lambda: 2.0)

    assert dumper.source(Partial()) is not None
    assert _same(Partial(), Tag("here")) == {"name": "here", "weight": 1.5}  # ``other`` absent: left out
    assert _same(Partial(), Row()) == {"name": "dflt", "weight": 2.0}


def test_attributes_that_are_not_names_are_read_with_getattr() -> None:
    class Odd(Schema):
        klass = fields.String(attribute="class")
        dashed = fields.Integer(attribute="with-dash")
        dotted = fields.String(attribute="tag.name")

    class Obj:
        tag = Tag("deep")

    obj = Obj()
    setattr(obj, "class", "k")
    setattr(obj, "with-dash", 4)
    text = dumper.source(Odd())
    assert text is not None and "getattr(obj, 'class')" in text and "getattr(obj, 'with-dash')" in text
    assert _same(Odd(), obj) == {"klass": "k", "dashed": 4, "dotted": "deep"}


# -- fallbacks: what the compiled function does not do is marshmallow's, whole or field by field -----------------

class ManySchema(TagSchema):
    class Meta:
        many = True


class OrderedTagSchema(TagSchema):
    dict_class = OrderedDict


class OwnAccessSchema(TagSchema):
    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        value = getattr(obj, attr, default)
        return "read:" + value if attr == "name" else value


class OwnSerializeSchema(TagSchema):
    def _serialize(self, obj: Any, *, many: bool = False) -> Any:
        return {"own": super()._serialize(obj, many=many)}


class OwnDumpSchema(TagSchema):
    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        return {"subclass": True}


class TwoFieldsOneKey(Schema):
    first = fields.String()
    second = fields.String(attribute="name")


def _one_key_twice() -> Schema:
    """marshmallow refuses two fields with one key when a schema is made; one set after is dumped its own way."""
    schema = TwoFieldsOneKey()
    schema.dump_fields["second"].data_key = "first"
    return schema


class HookedNested(Schema):
    inner = fields.Nested(HookedSchema)
    inners = fields.Nested(HookedSchema, many=True)


@pytest.mark.parametrize("schema, obj", [
    (HookedSchema(), Tag("LOUD")), (ManySchema(), [Tag("a"), Tag("b")]), (OrderedTagSchema(), Tag("o")),
    (OwnAccessSchema(), Tag("g")), (OwnSerializeSchema(), Tag("s")), (OwnDumpSchema(), Tag("d")),
    (_one_key_twice(), type("Obj", (), {"first": "1", "name": "2"})()),
], ids=["hooks", "many", "dict_class", "get_attribute", "_serialize", "subclass dump", "one key twice"])
def test_a_schema_the_compiler_cannot_follow_is_dumped_by_marshmallow(schema: Schema, obj: Any) -> None:
    assert dumper.source(schema) is None
    got = _same(schema, obj)
    assert type(got) is type(schema.dump(obj))  # an OrderedDict stays one


def test_a_nested_schema_with_hooks_is_its_own_and_a_mapping_is_read_as_marshmallow_reads_it() -> None:
    schema = HookedNested()
    assert dumper.source(schema) is not None  # the outer schema is compiled; its nested fields call ``dump``
    obj = type("Obj", (), {"inner": Tag("IN"), "inners": [Tag("A"), Tag("B")]})()
    assert _same(schema, obj) == {"inner": {"name": "in", "hooked": True},
                                  "inners": [{"name": "a", "hooked": True}, {"name": "b", "hooked": True}]}
    assert _same(RowSchema(), {"id": "FROM-A-DICT", "text": "t", "tags": []})  # a mapping: marshmallow's keys


def test_an_attribute_error_inside_a_field_is_marshmallows_too() -> None:
    class Failing(Schema):
        name = fields.String()
        broken = fields.Method("_broken")

        def _broken(self, obj: Any) -> Any:
            return obj.nowhere

    assert dumper.source(Failing()) is not None
    assert isinstance(_same(Failing(), Tag("n")), AttributeError)


def test_the_compiled_source_names_its_schema_in_tracebacks() -> None:
    schema = RowSchema()
    try:
        dumper.dump(schema, Row(ids=5))  # a TypeError raised in the compiled function
    except TypeError as exc:
        frames = traceback.extract_tb(exc.__traceback__)
    assert any(frame.filename.startswith("<core.dumper RowSchema ") and frame.line for frame in frames)


# -- every wire schema of every vendor over every entity of the seeded worlds -------------------------------------

def _every_schema() -> list[Schema]:
    """The emulator's marshmallow schemas: every module-level instance, and an instance of every Schema class it
    defines (those that need no arguments)."""
    found: dict[int, Schema] = {}
    for module_info in pkgutil.walk_packages(emulator.__path__, "emulator."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, Schema):
                found[id(value)] = value
            elif inspect.isclass(value) and issubclass(value, Schema) and value.__module__.startswith("emulator."):
                try:
                    instance = value()
                except TypeError:
                    continue
                found[id(instance)] = instance
    return list(found.values())


def _entities(world: Any) -> dict[type, list[Any]]:
    """Every dataclass instance a world holds, by class: in its dicts and lists and in the entities' attributes."""
    found: dict[type, list[Any]] = {}
    seen: set[int] = set()
    stack = [getattr(world, f.name) for f in dataclass_fields(world)]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)
        elif is_dataclass(node) and not isinstance(node, type):
            found.setdefault(type(node), []).append(node)
            stack.extend(getattr(node, f.name) for f in dataclass_fields(node))
    return found


def _reads(schema: Schema) -> list[str]:
    """The attributes a schema's fields read of an object (those marshmallow reads plainly)."""
    reads = []
    for name, field_obj in schema.dump_fields.items():
        if isinstance(field_obj, TimeSpan):
            reads.append(field_obj.source)
        elif field_obj._CHECK_ATTRIBUTE and "." not in (field_obj.attribute or name):
            reads.append(field_obj.attribute or name)
    return reads


@pytest.mark.parametrize("users", [None, 300])
def test_every_schema_dumps_every_entity_it_fits_as_marshmallow_does(users: int | None) -> None:
    """Each schema of the emulator with each class of entity of the seeded worlds (the default one and a sized one)
    whose objects have every attribute it reads: every entity of the class compared (at most 400 a class)."""
    app = create_app({"users": users} if users else {})
    worlds = app.state.store.tenants["default"].worlds
    materialize_all(worlds["absorb"])  # Absorb's pending chapter and lesson enrollments, made
    compared: set[str] = set()
    schemas = _every_schema()
    for world in worlds.values():
        for cls, objects in _entities(world).items():
            for schema in schemas:
                reads = _reads(schema)
                if not reads or not all(hasattr(objects[0], read) for read in reads):
                    continue
                for obj in objects[:400]:
                    _same(schema, obj)
                compared.add(f"{type(schema).__name__}/{cls.__name__}")
    assert len(compared) >= 40, sorted(compared)
    names = {pair.partition("/")[0] for pair in compared}
    assert {"UserSchema", "UserCourseEnrollmentSchema", "LessonEnrollmentSchema", "CourseSchema"} <= names, names


@pytest.mark.parametrize("users", [None, 300])
def test_every_wire_form_of_data_json_is_marshmallows(monkeypatch: pytest.MonkeyPatch, users: int | None) -> None:
    """data.json of each vendor (``Vendor.dump_world``) with every form the dumper makes checked."""
    checked: set[str] = set()

    def checked_dump(schema: Schema, obj: Any) -> dict[str, Any]:
        _same(schema, obj)
        checked.add(type(schema).__name__)
        return dumper.dump(schema, obj)

    monkeypatch.setattr("emulator.core.pagecache.dump", checked_dump)
    app = create_app({"users": users} if users else {})
    tenant = app.state.store.tenants["default"]
    for vendor in all_vendors():
        plain(vendor.dump_world(tenant.worlds[vendor.name]))
    assert {"UserSchema", "UserCourseEnrollmentSchema", "LessonEnrollmentSchema"} <= checked, checked
