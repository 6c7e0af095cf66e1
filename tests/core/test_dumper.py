"""``core.dumper.dump``: marshmallow's ``schema.dump`` without its per-field frames, the same dict in every case.

The whole suite also runs in verify mode (``LMS_EMULATOR_VERIFY_PAGES=1``), where every wire form the page
cache makes with a plan is compared with marshmallow's own dump."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

import pytest
from marshmallow import Schema, fields, post_dump, pre_dump

from emulator.app import create_app
from emulator.core import dumper
from emulator.core.wire import Guid, IsoDateTime
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
