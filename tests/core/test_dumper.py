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
    client = app.test_client()
    absorb = client.get("/_emulator/tenants/default").get_json()["absorb"]
    headers = {"x-api-key": absorb["apiKey"], "x-api-version": "2"}
    token = client.post("/absorb/authenticate", headers=headers, json={
        "username": absorb["admin"]["username"], "password": absorb["admin"]["password"],
        "privateKey": absorb["apiKey"]}).get_json()
    headers["Authorization"] = f"Bearer {token}"
    for path in ("/absorb/users?_limit=500", "/absorb/courses?_limit=500", "/absorb/departments?_limit=500",
                 "/absorb/groups", "/absorb/roles", "/absorb/countries", "/absorb/provinces"):
        assert client.get(path, headers=headers).status_code == 200, path
    user = client.get("/absorb/users?_limit=1", headers=headers).get_json()["users"][0]
    assert client.get(f"/absorb/users/{user['id']}/enrollments", headers=headers).status_code == 200
    assert {"UserSchema", "CourseSchema", "DepartmentSchema"} <= checked, checked
