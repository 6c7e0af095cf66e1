"""Absorb's wire formats out: the resources' marshmallow schemas and their OData field tables (the bodies
that come in are ``bodies``).

Field order follows the vendor document. Schemas are instantiated once, here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

from marshmallow import Schema, fields

from emulator.core.wire import CamelCaseSchema, Guid, IsoDateTime, TimeSpan, resource_for
from emulator.absorb.domain.models import CUSTOM_FIELD_KINDS, CUSTOM_FIELD_NAMES, AbsorbWorld
from emulator.absorb.domain.lessons import make, materialize_all
from emulator.absorb.wire.lookups import COUNTRY, MANAGER_ROLE, PROVINCE, ROLE, dump_group
from emulator.core.jsonstream import Rows

Number = fields.Float


class UserCourseEnrollmentSchema(CamelCaseSchema):
    """UserCourseEnrollmentResource: one enrollment, a user's list, my-enrollments, the bulk list."""

    id = Guid()
    course_id = Guid()
    course_name = fields.String()
    progress = Number()
    score = Number(allow_none=True)
    status = fields.Integer()
    date_completed = IsoDateTime(allow_none=True)
    date_expires = IsoDateTime(allow_none=True)
    date_edited = IsoDateTime()
    date_added = IsoDateTime()
    full_name = fields.String()
    course_version_id = Guid(allow_none=True)
    user_id = Guid()
    accepted_terms_and_conditions = fields.Boolean()
    time_spent_ticks = fields.Integer()
    time_spent = TimeSpan()
    date_started = IsoDateTime(allow_none=True)
    enrollment_key_id = Guid(allow_none=True)
    certificate_id = Guid(allow_none=True)
    credits = Number(allow_none=True)
    is_active = fields.Boolean()
    date_due = IsoDateTime(allow_none=True)
    access_date = IsoDateTime(allow_none=True)
    job_title = fields.String(allow_none=True)
    course_collection_id = Guid(allow_none=True)
    avatar = fields.String(allow_none=True)


class CourseEnrollmentSchema(UserCourseEnrollmentSchema):
    """CourseEnrollmentResource: items of a course's enrollment list (fewer fields, per the vendor document)."""

    class Meta:
        exclude = ("time_spent_ticks", "access_date", "course_collection_id", "avatar")


class SessionEnrollmentSchema(CamelCaseSchema):
    id = Guid()
    session_id = Guid()
    course_enrollment_id = Guid()
    name = fields.String()
    user_id = Guid()
    full_name = fields.String()
    status = fields.Integer()
    progress = Number()
    score = Number(allow_none=True)
    time_spent = TimeSpan()
    date_enrolled = IsoDateTime()
    date_started = IsoDateTime(allow_none=True)
    date_completed = IsoDateTime(allow_none=True)
    date_edited = IsoDateTime()


class ChapterEnrollmentSchema(CamelCaseSchema):
    id = Guid()
    course_enrollment_id = Guid()
    chapter_id = Guid()
    session_id = Guid(allow_none=True)
    lesson_id = Guid(allow_none=True)
    name = fields.String()
    user_id = Guid()
    full_name = fields.String()
    status = fields.Integer()
    progress = Number()
    score = Number(allow_none=True)
    time_spent = TimeSpan()
    date_enrolled = IsoDateTime()
    date_started = IsoDateTime(allow_none=True)
    date_completed = IsoDateTime(allow_none=True)
    lesson_enrollment_ids = fields.List(Guid())


class LessonEnrollmentSchema(CamelCaseSchema):
    id = Guid()
    chapter_enrollment_id = Guid()
    type = fields.String()
    attempts = fields.Integer()
    failures = fields.Integer()
    last_attempt = IsoDateTime(allow_none=True)
    course_enrollment_id = Guid()
    chapter_id = Guid()
    lesson_id = Guid()
    name = fields.String()
    user_id = Guid()
    full_name = fields.String()
    status = fields.Integer()
    progress = Number()
    score = Number(allow_none=True)
    time_spent = TimeSpan()
    date_enrolled = IsoDateTime()
    date_started = IsoDateTime(allow_none=True)
    date_completed = IsoDateTime(allow_none=True)
    date_edited = IsoDateTime()
    date_added = IsoDateTime()


class AttemptSchema(CamelCaseSchema):
    id = Guid()
    time_spent_ticks = fields.Integer()
    status = fields.Integer()
    score = Number(allow_none=True)
    start_date = IsoDateTime()
    completion_date = IsoDateTime(allow_none=True)


# -- users, departments, courses (the vendor's resource pages; field order as there) -------------

_CUSTOM_KIND: dict[str, Callable[[], fields.Field]] = {
    "decimal": lambda: Number(allow_none=True), "string": lambda: fields.String(allow_none=True),
    "datetime": lambda: IsoDateTime(allow_none=True), "bool": lambda: fields.Boolean(allow_none=True)}
CustomFieldsSchema = Schema.from_dict(
    {name: _CUSTOM_KIND[name.rstrip("0123456789")]() for name in CUSTOM_FIELD_NAMES}, name="CustomFieldsSchema")
assert set(CUSTOM_FIELD_KINDS) == set(_CUSTOM_KIND)


class UserSchema(CamelCaseSchema):
    """UserResource (GET /users, GET /users/{userId})."""

    id = Guid()
    department_id = Guid(allow_none=True)
    first_name = fields.String()
    middle_name = fields.String(allow_none=True)
    last_name = fields.String()
    username = fields.String()
    email_address = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)
    cc_email_addresses = fields.List(fields.String())
    language_id = fields.Integer(allow_none=True)
    gender = fields.Integer()
    address = fields.String(allow_none=True)
    address2 = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    province_id = Guid(allow_none=True)
    country_id = Guid(allow_none=True)
    postal_code = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    employee_number = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    job_title = fields.String(allow_none=True)
    reference_number = fields.String(allow_none=True)
    date_hired = IsoDateTime(allow_none=True)
    date_terminated = IsoDateTime(allow_none=True)
    date_edited = IsoDateTime()
    date_added = IsoDateTime()
    last_login_date = IsoDateTime(allow_none=True)
    notes = fields.String(allow_none=True)
    custom_fields = fields.Nested(CustomFieldsSchema)
    role_ids = fields.List(Guid())
    active_status = fields.Integer()
    is_learner = fields.Boolean()
    is_admin = fields.Boolean()
    is_instructor = fields.Boolean()
    is_manager = fields.Boolean()
    supervisor_id = Guid(allow_none=True)
    has_username = fields.Boolean()


class DepartmentSchema(CamelCaseSchema):
    """DepartmentResource (GET /departments, GET /departments/{departmentId})."""

    id = Guid()
    name = fields.String()
    use_department_contact_details = fields.Boolean()
    company_name = fields.String(allow_none=True)
    phone_number = fields.String(allow_none=True)
    email_address = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)
    parent_id = Guid(allow_none=True)
    currency_id = Guid(allow_none=True)
    date_edited = IsoDateTime()
    date_added = IsoDateTime()


class CourseSchema(CamelCaseSchema):
    """CourseResource (GET /courses, GET /courses/{courseId}): online and instructor-led courses."""

    id = Guid()
    course_type = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)
    access_date = IsoDateTime(allow_none=True)
    expire_type = fields.Integer()
    expire_duration = fields.Dict(allow_none=True)
    expiry_date = IsoDateTime(allow_none=True)
    active_status = fields.Integer()
    tag_ids = fields.List(Guid())
    resource_ids = fields.List(Guid())
    editor_ids = fields.List(Guid())
    prices = fields.List(fields.Dict())
    competency_definition_ids = fields.List(Guid())
    prerequisite_course_ids = fields.List(Guid())
    post_enrollment_course_ids = fields.List(Guid())
    allow_course_evaluation = fields.Boolean()
    category_id = Guid(allow_none=True)
    certificate_url = fields.String(allow_none=True)
    audience = fields.String(allow_none=True)
    goals = fields.String(allow_none=True)
    vendor = fields.String(allow_none=True)
    company_cost = Number(allow_none=True)
    learner_cost = Number(allow_none=True)
    company_time = Number(allow_none=True)
    learner_time = Number(allow_none=True)
    date_edited = IsoDateTime()
    date_added = IsoDateTime()


USER_COURSE_ENROLLMENT = UserCourseEnrollmentSchema()
COURSE_ENROLLMENT = CourseEnrollmentSchema()
SESSION_ENROLLMENT = SessionEnrollmentSchema()
CHAPTER_ENROLLMENT = ChapterEnrollmentSchema()
LESSON_ENROLLMENT = LessonEnrollmentSchema()
ATTEMPT = AttemptSchema()
USER = UserSchema()
DEPARTMENT = DepartmentSchema()
COURSE = CourseSchema()

TIME_SPENT_SORT = {"timeSpent": ("time_spent_ticks", "int")}
USER_COURSE_ENROLLMENTS = resource_for(USER_COURSE_ENROLLMENT, "UserCourseEnrollmentResource", sort_by=TIME_SPENT_SORT)
COURSE_ENROLLMENTS = resource_for(COURSE_ENROLLMENT, "CourseEnrollmentResource", sort_by=TIME_SPENT_SORT)
SESSION_ENROLLMENTS = resource_for(SESSION_ENROLLMENT, "SessionEnrollmentResource", sort_by=TIME_SPENT_SORT)
LESSON_ENROLLMENTS = resource_for(LESSON_ENROLLMENT, "LessonEnrollmentResource", sort_by=TIME_SPENT_SORT)
USERS = resource_for(USER, "UserResource")
DEPARTMENTS = resource_for(DEPARTMENT, "DepartmentResource")
COURSES = resource_for(COURSE, "CourseResource")

# ``Default Sort`` where the vendor's schemas document one; every other list is ordered by its key (``id``).
DEFAULT_SORT = {USER_COURSE_ENROLLMENTS.name: "courseName", USERS.name: "username"}


def dump(world: AbsorbWorld, schema: Any, obj: Any) -> dict[str, Any]:
    """The wire form of an entity, cached until the entity is written (``world.changed``)."""
    return world.wire_cache.dump(schema, obj)


def dump_rows(world: AbsorbWorld) -> dict[str, Any]:
    """``Vendor.dump_world``: the dump to stream (``core.jsonstream``), pending sub-enrollments made as they are
    written and kept nowhere."""
    return dump_world(world, keep_made=False)


def dump_world(world: AbsorbWorld, *, keep_made: bool = True) -> dict[str, Any]:
    """Every entity (the admin API's data.json): wire forms where Absorb has one. The large arrays are ``Rows``,
    made as they are written (``core.jsonstream``), from wire forms cached or made for the dump alone.

    Pending sub-enrollments (``lessons.make``) are made and kept first (``keep_made``), or made as they are
    written and kept nowhere: the same JSON, and a streamed dump of a large world leaves it as it was."""
    if keep_made:
        materialize_all(world)
    pending = list(world.pending.items())

    def made(part: str) -> Iterator[Any]:
        for enrollment_id, entry in pending:
            yield from getattr(make(world, enrollment_id, entry), part)

    wire = world.wire_cache.peek
    return {
        "portal": world.portal,
        "apiKey": world.api_key,
        "departments": Rows(wire(DEPARTMENT, d) for d in world.departments.values()),
        "users": Rows(dict(wire(USER, u), password=u.password) for u in world.users.values()),
        "courses": Rows(dict(wire(COURSE, c), versionId=c.version_id, multiSession=c.multi_session,
                             chapterIds=c.chapter_ids, sessionIds=c.session_ids) for c in world.courses.values()),
        "chapters": Rows({"id": c.id, "courseId": c.course_id, "name": c.name, "lessonIds": c.lesson_ids}
                         for c in world.chapters.values()),
        "lessons": Rows({"id": lesson.id, "courseId": lesson.course_id, "chapterId": lesson.chapter_id,
                         "name": lesson.name, "type": lesson.lesson_type} for lesson in world.lessons.values()),
        "sessions": Rows({"id": s.id, "courseId": s.course_id, "name": s.name, "capacity": s.capacity,
                          "start": s.start.isoformat(), "end": s.end.isoformat()} for s in world.sessions.values()),
        "enrollments": Rows(wire(USER_COURSE_ENROLLMENT, e) for e in world.enrollments.values()),
        "chapterEnrollments": Rows(wire(CHAPTER_ENROLLMENT, e)
                                   for e in chain(world.chapter_enrollments.values(), made("chapters"))),
        "lessonEnrollments": Rows(wire(LESSON_ENROLLMENT, e)
                                  for e in chain(world.lesson_enrollments.values(), made("lessons"))),
        "sessionEnrollments": Rows(wire(SESSION_ENROLLMENT, e) for e in world.session_enrollments.values()),
        "attempts": Rows(dict(wire(ATTEMPT, a), lessonEnrollmentId=a.lesson_enrollment_id)
                         for a in chain(world.attempts.values(), made("attempts"))),
        **_reference_dump(world),
    }


def _reference_dump(world: AbsorbWorld) -> dict[str, Any]:
    """Groups, roles, countries, provinces and manager roles in their wire forms (provinces with their
    countryId)."""
    if world.reference is None:
        return {}
    ref = world.reference
    return {"groups": [dump_group(world, g) for g in ref.groups.values()],
            "roles": [ROLE.dump(r) for r in ref.roles.values()],
            "countries": [COUNTRY.dump(c) for c in ref.countries.values()],
            "provinces": [dict(PROVINCE.dump(p), countryId=p.country_id) for p in ref.provinces.values()],
            "managerRoles": [MANAGER_ROLE.dump(r) for r in ref.manager_roles.values()]}
