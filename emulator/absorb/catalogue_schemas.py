"""Wire forms of the catalogue and of certificates: marshmallow schemas and their OData field tables.

Field names follow the vendor's conventions (camelCase, ``id``, ``dateAdded``/``dateEdited``); where the stored
vendor material gives no field list the fields are the emulator's choice, listed in docs/VENDOR-NOTES.md and in
each ``schemas/absorb/*.json``'s ``$comment``.
"""
from __future__ import annotations

from marshmallow import fields

from ..core.wire import CamelCaseSchema, Guid, IsoDateTime, resource_for


class CertificateSchema(CamelCaseSchema):
    id = Guid()
    user_id = Guid()
    full_name = fields.String()
    course_id = Guid()
    course_name = fields.String()
    enrollment_id = Guid()
    acquired_date = IsoDateTime()
    expiry_date = IsoDateTime(allow_none=True)
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class CategorySchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    parent_id = Guid(allow_none=True)
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class TagSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()


class VenueSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    country_id = Guid(allow_none=True)
    province_id = Guid(allow_none=True)
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class CurriculumGroupSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    course_ids = fields.List(Guid())
    required_course_count = fields.Integer(attribute="required", allow_none=True)


class CurriculumSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)
    active_status = fields.Integer()
    category_id = Guid(allow_none=True)
    curriculum_groups = fields.List(fields.Nested(CurriculumGroupSchema), attribute="groups")
    prices = fields.List(fields.Dict())
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class ChapterSchema(CamelCaseSchema):
    id = Guid()
    course_id = Guid()
    name = fields.String()
    lesson_ids = fields.List(Guid())


class LessonSchema(CamelCaseSchema):
    id = Guid()
    course_id = Guid()
    chapter_id = Guid()
    name = fields.String()
    type = fields.String(attribute="lesson_type")
    passing_score = fields.Float()


class SessionSchema(CamelCaseSchema):
    """A session of an instructor-led course; ``venueId`` and dates are its schedule's."""

    id = Guid()
    course_id = Guid()
    name = fields.String()
    capacity = fields.Integer()
    venue_id = Guid(allow_none=True)
    start_date = IsoDateTime(attribute="start")
    end_date = IsoDateTime(attribute="end")


class SessionScheduleSchema(CamelCaseSchema):
    """One sitting of a session (the emulator's sessions have one each)."""

    id = Guid()
    session_id = Guid()
    course_id = Guid()
    venue_id = Guid(allow_none=True)
    start_date = IsoDateTime()
    end_date = IsoDateTime()


class DirectReportSchema(CamelCaseSchema):
    id = Guid()
    username = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    email_address = fields.String(allow_none=True)
    department_id = Guid(allow_none=True)
    job_title = fields.String(allow_none=True)
    active_status = fields.Integer()


class ResourceSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    url = fields.String()
    resource_category_id = Guid(allow_none=True)
    is_global = fields.Boolean()
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class ResourceCategorySchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)


RESOURCE, RESOURCE_CATEGORY = ResourceSchema(), ResourceCategorySchema()
RESOURCES = resource_for(RESOURCE, "ResourceResource")
RESOURCE_CATEGORIES = resource_for(RESOURCE_CATEGORY, "ResourceCategoryResource")
CERTIFICATE, CATEGORY, TAG, VENUE = CertificateSchema(), CategorySchema(), TagSchema(), VenueSchema()
CURRICULUM, CHAPTER, LESSON = CurriculumSchema(), ChapterSchema(), LessonSchema()
SESSION, SESSION_SCHEDULE, DIRECT_REPORT = SessionSchema(), SessionScheduleSchema(), DirectReportSchema()

CERTIFICATES = resource_for(CERTIFICATE, "CertificateResource")
CATEGORIES = resource_for(CATEGORY, "CategoryResource")
TAGS = resource_for(TAG, "TagResource")
VENUES = resource_for(VENUE, "VenueResource")
CURRICULA = resource_for(CURRICULUM, "CurriculumResource")
CHAPTERS = resource_for(CHAPTER, "ChapterResource")
LESSONS = resource_for(LESSON, "LessonResource")
SESSIONS = resource_for(SESSION, "SessionResource")
SESSION_SCHEDULES = resource_for(SESSION_SCHEDULE, "SessionScheduleResource")
DIRECT_REPORTS = resource_for(DIRECT_REPORT, "DirectReportResource")

