"""Wire shapes of issue 29's last operations: CurriculumGroupResource (the curriculum's group, naming its
curriculum: the fields of ``curriculumGroups`` items plus ``curriculumId``) and SessionDetailResource (a
SessionResource's fields, its course's name, its seats, its venue and schedules). Fields: the emulator's choice."""
from __future__ import annotations

from marshmallow import fields

from emulator.core.wire import CamelCaseSchema, Guid, IsoDateTime
from emulator.absorb.wire.catalogue import SessionScheduleSchema, VenueSchema


class PlacedGroupSchema(CamelCaseSchema):
    id = Guid(attribute="group.id")
    curriculum_id = Guid()
    name = fields.String(attribute="group.name")
    course_ids = fields.List(Guid(), attribute="group.course_ids")
    required_course_count = fields.Integer(attribute="group.required", allow_none=True)


CURRICULUM_GROUP = PlacedGroupSchema()


class SessionDetailSchema(CamelCaseSchema):
    id = Guid(attribute="session.id")
    course_id = Guid(attribute="session.course_id")
    course_name = fields.String()
    name = fields.String(attribute="session.name")
    capacity = fields.Integer(attribute="session.capacity")
    enrolled_count = fields.Integer()
    waitlist_count = fields.Integer()
    available_seats = fields.Integer()
    start_date = IsoDateTime(attribute="session.start")
    end_date = IsoDateTime(attribute="session.end")
    venue = fields.Nested(VenueSchema, allow_none=True)
    session_schedules = fields.List(fields.Nested(SessionScheduleSchema), attribute="schedules")


SESSION_DETAIL = SessionDetailSchema()
