"""core.wire's own contract: the date-time, TimeSpan and GUID texts the vendors' wire forms are made of,
JSON in (depth-bounded) and out, the marshmallow bases every vendor schema derives its names from, and the
``path: message`` lines of a nested validation error."""
from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from marshmallow import Schema, fields

from emulator.core import wire
from emulator.core.pagecache import WireCache
from emulator.core.wire import (
    CamelCaseSchema,
    DotNetDateTime,
    Guid,
    IsoDateTime,
    PascalCaseSchema,
    TimeSpan,
    TooDeep,
    dotnet_datetime,
    encode_json,
    iso_z,
    loads_json,
    parse_iso_datetime,
    timespan,
)

UTC = timezone.utc
PLUS2 = timezone(timedelta(hours=2))


# -- date-times -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, text", [
    (datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC), "2019-08-24T14:15:22Z"),
    (datetime(2019, 8, 24, 14, 15, 22, 123456, tzinfo=UTC), "2019-08-24T14:15:22.123Z"),  # milliseconds, cut
    (datetime(2019, 8, 24, 14, 15, 22, 999, tzinfo=UTC), "2019-08-24T14:15:22.000Z"),  # microseconds only
    (datetime(2019, 8, 24, 16, 15, 22, tzinfo=PLUS2), "2019-08-24T14:15:22Z"),  # in UTC
    (datetime(6, 1, 2, 3, 4, 5, tzinfo=UTC), "0006-01-02T03:04:05Z"),  # four-digit year (RFC 3339)
    (None, None),
])
def test_iso_z_is_rfc_3339_in_utc(value, text):
    assert iso_z(value) == text


@pytest.mark.parametrize("value, text", [
    (datetime(2024, 12, 20, 14, 38, 10, 604201, tzinfo=UTC), "2024-12-20T14:38:10.6042010+00:00"),
    (datetime(2024, 12, 20, 16, 38, 10, tzinfo=PLUS2), "2024-12-20T14:38:10.0000000+00:00"),
    (datetime(987, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "0987-01-02T03:04:05.0000060+00:00"),
    (None, None),
])
def test_dotnet_datetime_has_seven_fraction_digits_and_an_offset(value, text):
    assert dotnet_datetime(value) == text


@pytest.mark.parametrize("text, value", [
    ("2019-08-24T14:15:22Z", datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)),
    ("2019-08-24T14:15:22z", datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)),
    (" 2019-08-24T16:15:22+02:00 ", datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)),
    ("2019-08-24T14:15:22", datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)),  # no zone: UTC
    ("2019-08-24", datetime(2019, 8, 24, tzinfo=UTC)),
])
def test_parse_datetime_reads_any_iso_form_into_utc(text, value):
    parsed = parse_iso_datetime(text)
    assert parsed == value and parsed.tzinfo == UTC and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["", "   ", None, 5, "soon", "2019-13-01T00:00:00Z", "0001-01-01T00:00:00+01:00",
                                  "9999-12-31T23:59:59-01:00"])
def test_parse_datetime_refuses_what_is_no_instant_with_a_value_error(text):
    with pytest.raises(ValueError):
        parse_iso_datetime(text)


def test_a_round_trip_through_the_wire_keeps_the_instant_to_the_millisecond():
    instant = datetime(2024, 2, 29, 23, 59, 59, 987000, tzinfo=UTC)
    assert parse_iso_datetime(iso_z(instant)) == instant
    assert parse_iso_datetime(dotnet_datetime(instant)) == instant


# -- TimeSpans, names, GUIDs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("ticks, text", [
    (0, "00:00:00"),
    (wire.TICKS_PER_SECOND * 59, "00:00:59"),
    (wire.TICKS_PER_SECOND * 3661, "01:01:01"),
    (wire.TICKS_PER_SECOND * 86400, "1.00:00:00"),
    (wire.TICKS_PER_SECOND * (2 * 86400 + 3 * 3600 + 4 * 60 + 5) + 6, "2.03:04:05.0000006"),
    (15_000_000, "00:00:01.5000000"),
    (15_000_000.9, "00:00:01.5000000"),  # whole ticks
])
def test_timespan_is_the_dotnet_c_format(ticks, text):
    assert timespan(ticks) == text


@pytest.mark.parametrize("name, camel, pascal", [
    ("date_edited", "dateEdited", "DateEdited"),
    ("id", "id", "Id"),
    ("time_spent_ticks", "timeSpentTicks", "TimeSpentTicks"),
    ("custom_fields_2", "customFields2", "CustomFields2"),
])
def test_snake_case_names_become_camel_and_pascal_case(name, camel, pascal):
    assert wire.camel(name) == camel and wire.pascal(name) == pascal


@pytest.mark.parametrize("value, ok", [
    ("a14c149a-2ce0-41d4-b532-02189ad3cb22", True),
    ("A14C149A-2CE0-41D4-B532-02189AD3CB22", True),
    ("a14c149a-2ce0-41d4-b532-02189ad3cb22\n", False),
    ("a14c149a2ce041d4b53202189ad3cb22", False),
    ("{a14c149a-2ce0-41d4-b532-02189ad3cb22}", False),
    ("g14c149a-2ce0-41d4-b532-02189ad3cb22", False),
    (uuid.UUID("a14c149a-2ce0-41d4-b532-02189ad3cb22"), False),  # text only
    (None, False),
])
def test_is_guid(value, ok):
    assert wire.is_guid(value) is ok


def test_new_guid_is_the_version_4_uuid_of_the_seeded_bits():
    a, b = random.Random(3), random.Random(3)
    for _ in range(50):
        guid = wire.new_guid(a)
        assert guid == str(uuid.UUID(int=b.getrandbits(128), version=4))
        assert uuid.UUID(guid).version == 4 and uuid.UUID(guid).variant == uuid.RFC_4122 and guid == guid.lower()


def test_new_guid_forces_the_version_and_variant_bits_whatever_the_draw():
    class Bits:
        def __init__(self, value: int) -> None:
            self.value = value

        def getrandbits(self, n: int) -> int:
            return self.value

    assert wire.new_guid(Bits(0)) == "00000000-0000-4000-8000-000000000000"
    assert wire.new_guid(Bits(2**128 - 1)) == "ffffffff-ffff-4fff-bfff-ffffffffffff"


# -- JSON -------------------------------------------------------------------------------------------------------
def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_as_deep_as_the_limit_is_read_and_one_level_more_refused():
    assert loads_json(_nested(wire.MAX_JSON_DEPTH)) is not None
    assert loads_json(_nested(wire.MAX_JSON_DEPTH).encode()) is not None
    with pytest.raises(TooDeep):
        loads_json(_nested(wire.MAX_JSON_DEPTH + 1))
    with pytest.raises(TooDeep):
        loads_json('{"a": ' * (wire.MAX_JSON_DEPTH + 1) + "1" + "}" * (wire.MAX_JSON_DEPTH + 1))
    assert issubclass(TooDeep, ValueError)


def test_many_brackets_side_by_side_are_not_depth():
    text = json.dumps([[i] for i in range(500)] + ["[[[[", {"a": {}}])
    assert loads_json(text)[-2:] == ["[[[[", {"a": {}}]


def test_a_depth_past_pythons_own_recursion_limit_is_too_deep_not_a_crash():
    with pytest.raises(TooDeep):
        loads_json(_nested(100_000))


def test_the_depth_of_a_document():
    assert wire._depth(1) == 0 and wire._depth([]) == 1 and wire._depth({"a": [1, {"b": []}]}) == 4
    assert wire._depth([[], [[]], []]) == 3


def test_loads_json_accepts_a_string_with_a_lone_surrogate_escape():
    assert loads_json('["\\ud800"]') == ["\ud800"]


def test_encode_json_writes_compact_utf8_and_accepts_non_string_keys():
    assert encode_json({"a": [1, None, True], 2: "é"}) == '{"a":[1,null,true],"2":"é"}'.encode()


def test_cached_dump_keeps_one_wire_form_per_entity_and_schema():
    class One(Schema):
        id = fields.String()

    class Two(Schema):
        id = fields.String()

    cache = WireCache()  # wire.cached_dump became core.pagecache.WireCache.dump
    entity = SimpleNamespace(id="e1")
    first = cache.dump(One(), entity)
    entity.id = "changed"  # a write that forgot to drop the entity's forms shows the old one: the cache is keyed by id
    assert first == {"id": "e1"} and cache.dump(One(), SimpleNamespace(id="e1")) is first
    assert cache.dump(Two(), SimpleNamespace(id="e1")) == {"id": "e1"}
    assert set(cache["e1"]) == {"One", "Two"}
    cache.pop("e1")
    assert cache.dump(One(), entity) == {"id": "changed"}


# -- schemas ----------------------------------------------------------------------------------------------------
class _Inner(CamelCaseSchema):
    decimal_one = fields.Float()


class _Thing(CamelCaseSchema):
    id = Guid()
    date_edited = IsoDateTime()
    time_spent = TimeSpan(allow_none=True)
    time_spent_ticks = fields.Integer()
    is_active = fields.Boolean()
    name_text = fields.String(data_key="Name")
    tags = fields.List(fields.String())
    custom_fields = fields.Nested(_Inner)
    children = fields.Nested(_Inner, many=True)
    whatever = fields.Raw()


class _Pascal(PascalCaseSchema):
    start_time = DotNetDateTime()
    user_id = fields.String()


def test_camel_and_pascal_schemas_name_fields_on_the_wire_unless_named():
    thing = SimpleNamespace(id="A14C149A-2CE0-41D4-B532-02189AD3CB22", date_edited=datetime(2020, 1, 2, tzinfo=UTC),
                            time_spent_ticks=15_000_000, is_active=True, name_text="n", tags=[], custom_fields=None,
                            children=[], whatever=1)
    dumped = _Thing().dump(thing)
    assert dumped == {"id": "a14c149a-2ce0-41d4-b532-02189ad3cb22", "dateEdited": "2020-01-02T00:00:00Z",
                      "timeSpent": "00:00:01.5000000", "timeSpentTicks": 15_000_000, "isActive": True, "Name": "n",
                      "tags": [], "customFields": None, "children": [], "whatever": 1}
    pearson = _Pascal().dump(SimpleNamespace(start_time=datetime(2020, 1, 2, tzinfo=UTC), user_id="u"))
    assert pearson == {"StartTime": "2020-01-02T00:00:00.0000000+00:00", "UserId": "u"}


def test_a_timespan_of_none_is_none_and_its_source_may_be_named():
    class Spent(CamelCaseSchema):
        spent = TimeSpan(source="ticks", allow_none=True)

    assert Spent().dump(SimpleNamespace(ticks=None)) == {"spent": None}
    assert Spent().dump(SimpleNamespace(ticks=10_000_000)) == {"spent": "00:00:01"}
    assert Spent().fields["spent"].dump_only


def test_loading_dates_and_guids_from_a_body():
    class Body(CamelCaseSchema):
        id = Guid()
        completion_date = IsoDateTime()

    loaded = Body().load({"id": "A14C149A-2CE0-41D4-B532-02189AD3CB22", "completionDate": "2020-01-02T03:04:05.6789Z"})
    assert loaded == {"id": "a14c149a-2ce0-41d4-b532-02189ad3cb22",
                      "completion_date": datetime(2020, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)}  # stored in milliseconds
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as caught:
        Body().load({"id": "nope", "completionDate": 5})
    assert caught.value.messages == {"id": ["Not a valid GUID."], "completionDate": ["Not a valid ISO 8601 date-time."]}
    assert Guid().serialize("x", SimpleNamespace(x=None)) is None


def test_the_odata_field_table_of_a_schema():
    table = {f.wire: f for f in wire.resource_for(_Thing(), "ThingResource", not_filterable=("isActive",),
                                                   sort_by={"timeSpent": ("time_spent_ticks", "int")}).fields}
    assert {w: (f.type, f.attr, f.filterable, f.sortable) for w, f in table.items()} == {
        "id": ("guid", "id", True, True),
        "dateEdited": ("datetime", "date_edited", True, True),
        "timeSpent": ("int", "time_spent_ticks", False, True),
        "timeSpentTicks": ("int", "time_spent_ticks", True, True),
        "isActive": ("bool", "is_active", False, True),
        "Name": ("string", "name_text", True, True),
        "customFields/decimalOne": ("decimal", "custom_fields.decimal_one", True, True),
    }  # lists, many-nested and raw fields are neither filterable nor sortable: not in the table
    resource = wire.resource_for(_Thing(), "ThingResource")
    assert resource.name == "ThingResource" and resource.key == "id"
    assert "timeSpent" not in {f.wire for f in resource.fields}


def test_an_attribute_other_than_the_field_name_is_the_model_attribute():
    class Money(fields.Number):  # a number field of a vendor's own
        num_type = float

    class Renamed(CamelCaseSchema):
        id = fields.String()
        label = fields.Decimal(attribute="label_value")
        count = Money()

    table = {f.wire: (f.type, f.attr) for f in wire.resource_for(Renamed(), "R").fields}
    assert table == {"id": ("string", "id"), "label": ("decimal", "label_value"), "count": ("decimal", "count")}


# -- validation messages ---------------------------------------------------------------------------------------
def test_validation_messages_of_any_shape():
    assert wire.validation_messages({"a": {0: {"b": ["bad", "worse"]}}}) == ["a[0].b: bad", "a[0].b: worse"]
    assert wire.validation_messages({"a": {"b": [1]}}, "v") == ["v.a.b: [1]"]
    assert wire.validation_messages("odd", "v") == ["v: odd"]
