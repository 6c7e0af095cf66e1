"""Wire forms of languages, course versions, prerequisites, course evaluations, session attendance, credits,
messages and learning paths: marshmallow schemas and their OData field tables.

The Messages page gives the MessageResource fields (kept as documented); the others are the emulator's choice in
the vendor's conventions (camelCase, ``id``, ``dateAdded``/``dateEdited``), listed in docs/VENDOR-NOTES.md and in
each ``schemas/absorb/*.json``'s ``$comment``.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, fields, validate

from emulator.core.wire import CamelCaseSchema, Guid, IsoDateTime, resource_for
from emulator.absorb.wire.schemas import Number


class LanguageSchema(CamelCaseSchema):
    id = fields.Integer()
    name = fields.String()
    culture_code = fields.String()


class CourseVersionSchema(CamelCaseSchema):
    id = Guid()
    course_id = Guid()
    course_name = fields.String()
    version_number = fields.Integer()
    is_current = fields.Boolean()
    date_added = IsoDateTime(allow_none=True)
    date_edited = IsoDateTime(allow_none=True)


class PrerequisiteSchema(CamelCaseSchema):
    id = Guid()
    course_id = Guid()
    course_name = fields.String()
    prerequisite_type = fields.Integer()
    course_ids = fields.List(Guid())
    required_number = fields.Integer()


class CourseEvaluationSchema(CamelCaseSchema):
    id = Guid()
    course_id = Guid()
    course_name = fields.String()
    enrollment_id = Guid()
    user_id = Guid()
    full_name = fields.String()
    rating = fields.Integer()
    comments = fields.String(allow_none=True)
    date_added = IsoDateTime()


class AttendanceSchema(CamelCaseSchema):
    session_id = Guid()
    course_id = Guid()
    session_enrollment_id = Guid()
    enrollment_id = Guid()
    user_id = Guid()
    full_name = fields.String()
    status = fields.Integer()
    attended = fields.Boolean(allow_none=True)
    score = fields.Float(allow_none=True)
    date_marked = IsoDateTime(allow_none=True)


class AttendanceMarkSchema(CamelCaseSchema):
    """One entry of ``PUT .../attendance``'s array body."""

    class Meta:
        unknown = EXCLUDE

    user_id = Guid(required=True)
    attended = fields.Boolean(required=True, truthy={True}, falsy={False})  # JSON true/false only
    score = Number(allow_none=True, validate=validate.Range(0, 100))


class CreditTypeSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    is_default = fields.Boolean()
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class UserCreditSchema(CamelCaseSchema):
    user_id = Guid()
    enrollment_id = Guid()
    course_id = Guid()
    course_name = fields.String()
    credit_type_id = Guid(allow_none=True)
    credit_type_name = fields.String(allow_none=True)
    credits = fields.Float()
    date_awarded = IsoDateTime(allow_none=True)


class MessageSchema(CamelCaseSchema):
    """The vendor's MessageResource; ``from`` and ``to`` are computed (``learner_records.message_names``) and
    passed in the dump's context-free form by ``dump_message``."""

    id = Guid()
    date_sent = IsoDateTime()
    subject = fields.String(allow_none=True)
    body = fields.String(allow_none=True)
    from_id = Guid()
    to_user_ids = fields.List(Guid())
    conversation_id = Guid()
    enrollment_id = Guid(allow_none=True)


class LearningPathItemSchema(CamelCaseSchema):
    enrollment_id = Guid()
    course_id = Guid()
    course_name = fields.String()
    course_type = fields.String()
    status = fields.Integer()
    progress = fields.Float()
    date_due = IsoDateTime(allow_none=True)
    date_completed = IsoDateTime(allow_none=True)
    curriculum_id = Guid(allow_none=True)


LANGUAGE, COURSE_VERSION, PREREQUISITE = LanguageSchema(), CourseVersionSchema(), PrerequisiteSchema()
COURSE_EVALUATION, ATTENDANCE, ATTENDANCE_MARK = CourseEvaluationSchema(), AttendanceSchema(), AttendanceMarkSchema()
CREDIT_TYPE, USER_CREDIT, MESSAGE = CreditTypeSchema(), UserCreditSchema(), MessageSchema()
LEARNING_PATH_ITEM = LearningPathItemSchema()

LANGUAGES = resource_for(LANGUAGE, "LanguageResource")
COURSE_VERSIONS = resource_for(COURSE_VERSION, "CourseVersionResource")
PREREQUISITES = resource_for(PREREQUISITE, "PrerequisiteResource")
COURSE_EVALUATIONS = resource_for(COURSE_EVALUATION, "CourseEvaluationResource")
CREDIT_TYPES = resource_for(CREDIT_TYPE, "CreditTypeResource")


def dump_message(message: Any, names: tuple[str, str]) -> dict[str, Any]:
    """A message's wire form with its ``from`` (sender's name) and ``to`` (recipients' emails)."""
    wire: dict[str, Any] = MESSAGE.dump(message)
    wire["from"], wire["to"] = names
    return wire
