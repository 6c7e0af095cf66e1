"""Pearson's wire formats (PascalCase, .NET dates) and the fixture format (camelCase, like every fixture).

Schemas are instantiated once, here.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from marshmallow import fields, validate

from emulator.core.clock import to_wire_precision
from emulator.core.fixtures import Strict, load_part
from emulator.core.wire import DotNetDateTime, Guid, PascalCaseSchema, iso_z
from emulator.pearson.domain.choices import LAST_UNIT, BookMode, ClassType
from emulator.pearson.domain.models import AVAILABLE_CLASS_STATUSES, ROLES, PearsonWorld
from emulator.core.jsonstream import Rows
from emulator.core.wire import parse_iso_datetime


class TeacherSessionSchema(PascalCaseSchema):
    """TeacherSessionViewModel (field order of the help page)."""

    name = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    photo = fields.String(allow_none=True)
    start_date = fields.Integer(attribute="start_unix")
    end_date = fields.Integer(attribute="end_unix")
    partner_id = Guid()
    content_item_id = Guid()
    teacher_id = Guid()
    meeting_url = fields.String()
    start_date_time = DotNetDateTime(attribute="start")
    end_date_time = DotNetDateTime(attribute="end")


class AvailableEncounterSchema(PascalCaseSchema):
    """AvailableEncounter (field order of the help page)."""

    unit_number = fields.Integer()
    id = Guid()
    date_time = DotNetDateTime(attribute="start")
    end_date = DotNetDateTime(attribute="end")
    duration = fields.Integer()
    status = fields.String()
    is_online = fields.Boolean()
    center_id = Guid()
    center_name = fields.String(allow_none=True)
    center_reference_id = fields.String(allow_none=True)


TEACHER_SESSION = TeacherSessionSchema()
AVAILABLE_ENCOUNTER = AvailableEncounterSchema()


def dump(world: PearsonWorld, schema: Any, entity: Any) -> dict[str, Any]:
    """The wire form of a session or an encounter, made once per entity (``PearsonWorld.wire_cache``; per
    schema too: a fixture may give a session and an encounter the same id)."""
    return world.wire_cache.dump(schema, entity)


# -- fixtures ------------------------------------------------------------------------------------
# {"centers":   [{"id", "name", "referenceId"}],
#  "teachers":  [{"id", "name", "contact"?, "photo"?, "partnerId"?}],
#  "users":     [{"id", "name", "roles": [...], "centerId"?, "email"?}],
#  "sessions":  [{"id"?, "userId", "teacherId", "start", "end", "meetingUrl"?, "contentItemId"?}],
#  "encounters":[{"id"?, "userId", "unitNumber", "start", "duration", "status"?, "isOnline"?, "centerId"?}],
#  "territories": [{"id", "referenceId", "name", "created"?, "clientId"?, "clientSecret"?}],
#  "classes":   [{"id"?, "refClassId"?, "classType", "unitNumber"?, "centerId", "teacherId"?, "start", "duration"?,
#                 "seats"?, "description"?, "categories"?, "closed"?}],
#  "bookings":  [{"id"?, "classId", "studentId", "bookMode"?}],
#  "contracts": [{"id"?, "contractId", "studentId", "start", "end"}]}
# Centers take "territoryId"? and "isOnline"?; users "completedUnit"? and "password"?.
# Instants: ISO 8601 ("2030-01-02T15:00:00Z") or an offset from the tenant's anchor (its creation day,
# 00:00 UTC): "+1d15h", "-2d", "+90m".

_OFFSET = re.compile(r"^([+-])(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


class Instant(fields.Field):
    """An ISO 8601 date-time or an offset from the anchor given in the schema's context."""

    default_error_messages = {"invalid": "Not an ISO 8601 date-time or an offset like '+1d15h'."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        match = _OFFSET.match(value.strip())
        if match and any(match.groups()[1:]):
            sign, d, h, m = match.groups()
            delta = timedelta(days=int(d or 0), hours=int(h or 0), minutes=int(m or 0))
            return ("offset", delta if sign == "+" else -delta)
        try:
            return ("at", to_wire_precision(parse_iso_datetime(value)))
        except ValueError:
            raise self.make_error("invalid") from None


def resolve_instant(value: tuple[str, Any], anchor: datetime) -> datetime:
    kind, amount = value
    return anchor + amount if kind == "offset" else amount


class FixtureTerritorySchema(Strict):
    id = Guid(required=True)
    reference_id = fields.String(required=True, validate=validate.Length(min=1))
    name = fields.String(required=True, validate=validate.Length(min=1))
    created = Instant(load_default=("offset", timedelta(days=-365)))
    client_id = fields.String(load_default=None, validate=validate.Length(min=1))
    client_secret = fields.String(load_default=None, validate=validate.Length(min=1))


class FixtureCenterSchema(Strict):
    id = Guid(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1))
    reference_id = fields.String(required=True, validate=validate.Length(min=1))
    territory_id = Guid(load_default=None, allow_none=True)
    is_online = fields.Boolean(load_default=False)


class FixtureTeacherSchema(Strict):
    id = Guid(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1))
    contact = fields.String(allow_none=True, load_default=None)
    photo = fields.String(allow_none=True, load_default=None)
    partner_id = Guid(load_default=None)


class FixtureUserSchema(Strict):
    id = Guid(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True, validate=validate.Length(min=1))
    center_id = Guid(allow_none=True, load_default=None)
    email = fields.String(allow_none=True, load_default=None)
    completed_unit = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, LAST_UNIT))
    password = fields.String(load_default=None, validate=validate.Length(min=1))


class FixtureSessionSchema(Strict):
    id = Guid(load_default=None)
    user_id = Guid(required=True)
    teacher_id = Guid(required=True)
    start = Instant(required=True)
    end = Instant(required=True)
    meeting_url = fields.String(load_default=None)
    content_item_id = Guid(load_default=None)


class FixtureEncounterSchema(Strict):
    id = Guid(load_default=None)
    user_id = Guid(required=True)
    unit_number = fields.Integer(required=True, strict=True, validate=validate.Range(1, 20))
    start = Instant(required=True)
    duration = fields.Integer(load_default=60, strict=True, validate=validate.Range(1, 24 * 60))
    status = fields.String(load_default="Available", validate=validate.OneOf(AVAILABLE_CLASS_STATUSES))
    is_online = fields.Boolean(load_default=False)
    center_id = Guid(load_default=None)


class FixtureClassSchema(Strict):
    id = Guid(load_default=None)
    ref_class_id = fields.String(load_default=None, validate=validate.Length(min=1))
    class_type = fields.Integer(required=True, strict=True, validate=validate.OneOf([int(t) for t in ClassType]))
    unit_number = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, LAST_UNIT))
    center_id = Guid(required=True)
    teacher_id = Guid(load_default=None, allow_none=True)
    start = Instant(required=True)
    duration = fields.Integer(load_default=60, strict=True, validate=validate.Range(1, 24 * 60))
    seats = fields.Integer(load_default=None, strict=True, validate=validate.Range(1, 1000))
    description = fields.String(load_default=None)
    categories = fields.List(fields.String(), load_default=list)
    closed = fields.Boolean(load_default=False)


class FixtureBookingSchema(Strict):
    id = Guid(load_default=None)
    class_id = Guid(required=True)
    student_id = Guid(required=True)
    book_mode = fields.Integer(load_default=int(BookMode.STAFF), strict=True,
                               validate=validate.OneOf([int(m) for m in BookMode]))


class FixtureContractSchema(Strict):
    id = Guid(load_default=None)
    contract_id = fields.String(required=True, validate=validate.Length(min=1))
    student_id = Guid(required=True)
    start = Instant(required=True)
    end = Instant(required=True)


class FixtureSchema(Strict):
    centers = fields.List(fields.Nested(FixtureCenterSchema), load_default=list)
    teachers = fields.List(fields.Nested(FixtureTeacherSchema), load_default=list)
    users = fields.List(fields.Nested(FixtureUserSchema), required=True)
    sessions = fields.List(fields.Nested(FixtureSessionSchema), load_default=list)
    encounters = fields.List(fields.Nested(FixtureEncounterSchema), load_default=list)
    territories = fields.List(fields.Nested(FixtureTerritorySchema), load_default=list)
    classes = fields.List(fields.Nested(FixtureClassSchema), load_default=list)
    bookings = fields.List(fields.Nested(FixtureBookingSchema), load_default=list)
    contracts = fields.List(fields.Nested(FixtureContractSchema), load_default=list)


FIXTURE = FixtureSchema()


def load_fixture(data: Any) -> dict[str, Any]:
    """The fixture's entities, or ValidationFailed naming each bad entry."""
    return load_part(FIXTURE, data, "pearson")


def dump_world(world: PearsonWorld) -> dict[str, Any]:
    """Every entity (the admin API's data.json); sessions and encounters in their wire form plus owner. The
    large arrays are ``Rows``, made as they are written (``core.jsonstream``)."""
    return {
        "tenantId": world.tenant_id,
        "centers": [{"id": c.id, "name": c.name, "referenceId": c.reference_id, "territoryId": c.territory_id,
                     "isOnline": c.is_online} for c in world.centers.values()],
        "teachers": [{"id": t.id, "name": t.name, "contact": t.contact, "photo": t.photo, "partnerId": t.partner_id}
                     for t in world.teachers.values()],
        "users": Rows({"id": u.id, "name": u.name, "roles": list(u.roles), "centerId": u.center_id,
                       "email": u.email, "completedUnit": u.completed_unit} for u in world.users.values()),
        "sessions": Rows(dict(TEACHER_SESSION.dump(s), Id=s.id, UserId=s.user_id) for s in world.sessions.values()),
        "encounters": Rows(dict(AVAILABLE_ENCOUNTER.dump(e), UserId=e.user_id) for e in world.encounters.values()),
        "territories": [{"id": t.id, "referenceId": t.reference_id, "name": t.name, "created": iso_z(t.created),
                         "clientId": t.client_id} for t in world.territories.values()],
        "classes": Rows({"id": c.id, "refClassId": c.ref_class_id, "classType": c.class_type,
                         "unitNumber": c.unit_number, "centerId": c.center_id, "teacherId": c.teacher_id,
                         "start": iso_z(c.start), "duration": c.duration, "seats": c.seats,
                         "description": c.description, "categories": list(c.categories), "closed": c.closed}
                        for c in world.classes.values()),
        "bookings": Rows({"id": b.id, "classId": b.class_id, "studentId": b.student_id, "bookMode": b.book_mode,
                      "bookedBy": b.booked_by, "created": iso_z(b.created)} for b in world.bookings.values()),
        "contracts": Rows({"id": k.id, "contractId": k.contract_id, "studentId": k.student_id,
                           "start": iso_z(k.start), "end": iso_z(k.end)} for k in world.contracts.values()),
        "walkthroughs": Rows({"userId": w.user_id, "walkThroughId": w.walkthrough_id, "status": w.status,
                          "walkThroughType": w.walkthrough_type, "updated": iso_z(w.updated)}
                         for w in world.walkthroughs.values()),
    }
