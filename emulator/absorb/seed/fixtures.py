"""Absorb fixtures: a known portal that REPLACES the generated users, catalogue and enrollments.

The ``absorb`` part of a fixture file::

    {
      "departments"?: [{"id"?, "name", "parentId"?, "externalId"?}],
      "users": [{"id"?, "username", "password", "firstName"?, "lastName"?, "email"?, "jobTitle"?, "admin"?: bool,
                 "departmentId"?, "externalId"?, "customFields"?: {"string1": "...", "decimal1": 1.5, ...}}],
      "courses": [{"id"?, "name", "type"?: "OnlineCourse" | "InstructorLedCourse", "credits"?, "multiSession"?,
                   "chapters"?: [{"id"?, "name", "lessons": [{"id"?, "name", "type"?}]}],
                   "sessions"?: [{"id"?, "name"?, "capacity", "start"?: ISO | "startsInDays"?: n, "hours"?: n}],
                   "availableTo"?: {"departmentIds": [ref, ...], "includeSubDepartments"?: bool}}],
      "enrollments": [{"id"?, "userId", "courseId", "sessionId"?, "status"?: 0-12 or name, "addedDaysAgo"?: n,
                       "progress"?: 0-100 | "lessons"?: [{"lessonId", "status": "Complete"|"InProgress"|"Failed",
                                                           "score"?}], "score"?}]
    }

A course with ``availableTo`` is in ``my-catalog`` (and open to self-enrollment) only for learners of those
departments (and of their sub-departments, unless ``includeSubDepartments`` is false); a course without it, for
everyone (``absorb.availability``). A fixture portal gets no other availability rule.

References (``userId``, ``courseId``, ``sessionId``, ``lessonId``, ``departmentId``, ``parentId``) name an
entity by its id or by its name (the username for users). Without ``departments`` the portal has one,
"Head Office"; a user without ``departmentId`` belongs to the first department. Ids are optional GUIDs;
missing ones are drawn from the world's seeded random source, so the same fixture and seed give the same
ids. At least one user must be an admin (the portal's API credentials).

Online enrollments get their lesson state from ``lessons`` (explicit), or ``progress`` (the first
``round(progress% x lessons)`` lessons complete, plus the next one in progress when the status is
InProgress), or the status alone (Complete: every lesson; InProgress: the first lesson started). The state
is built with the service functions (attempts started and finished, roll-ups), so chapter and course
progress, status, scores and dates follow the lessons exactly as they do for API calls. Administrative
statuses (Failed, PendingApproval, ...) are set after the lessons. ILC enrollments go through
``create_ilc_enrollment``: a full session puts the learner OnWaitlist, and the fixture must say so.

Everything is validated before anything is built: each entry against ``FIXTURE`` (its marshmallow
schemas, below), then the fixture as a whole (``fixture_plan``: ids, references, seats, lesson states).
An error names the entry, e.g. ``absorb.enrollments[3].courseId: unknown course 'x'``; one answer lists
every problem found (``core.fixtures``, the mechanism every vendor's fixture part uses).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from emulator.core.clock import to_wire_precision as ms
from emulator.core.fixtures import Boolean, DateTime, Number, Strict, load_part
from emulator.core.wire import Guid, is_guid, new_guid
from emulator.absorb.domain.attempts import finish_attempt, start_attempt
from emulator.absorb.domain.enrollments import create_enrollment
from emulator.absorb.domain.lessons import chapters_of, lessons_of
from emulator.absorb.domain.lookups import add_user, sessions_of, touch
from emulator.absorb.domain.sessions import create_ilc_enrollment
from emulator.absorb.seed.fixture_plan import LESSON_STATES, ROLLED_UP, ROOT, LessonState, Plan
from emulator.absorb.domain.availability import Availability
from emulator.absorb.seed import learning_fixtures
from emulator.absorb.domain.models import (
    CUSTOM_FIELD_NAMES, INSTRUCTOR_LED_COURSE, ONLINE_COURSE, AbsorbWorld, AttemptStatus, Chapter, Course,
    CourseEnrollment, Department, EnrollmentStatus, Lesson, Session, User,
)

DEFAULT_SESSION_HOURS = 3


# -- the format ---------------------------------------------------------------------------------

class Id(Guid):
    """An entity's own id: a GUID, lower-cased (a missing one is drawn from the world's random source)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not is_guid(value):
            raise ValidationError(f"{value!r} is not a GUID.")
        return value.lower()


class Status(fields.Field):
    """An enrollment status: its number (0-12) or its name, spaces and case aside (``InProgress``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> EnrollmentStatus:
        if isinstance(value, int) and not isinstance(value, bool) and value in range(13):
            return EnrollmentStatus(value)
        key = value.replace(" ", "").replace("_", "").lower() if isinstance(value, str) else None
        for status in EnrollmentStatus:
            if key and status.name.replace("_", "").lower() == key:
                return status
        raise ValidationError(f"unknown status {value!r} (use 0-12 or a name like 'InProgress')")


def _name(**kwargs: Any) -> fields.String:
    """A non-empty string: a name, or a reference to an entity by its id or its name."""
    return fields.String(validate=validate.Length(min=1), **kwargs)


def _some(schema: type[Schema], **kwargs: Any) -> fields.List:
    return fields.List(fields.Nested(schema), **kwargs)


def _whole(value: float) -> None:
    if isinstance(value, float) and not value.is_integer():  # 2.0 is a whole number, as in JSON Schema
        raise ValidationError("Not a valid integer.")


NOT_EMPTY = validate.Length(min=1, error="Must not be empty.")
PERCENT = validate.Range(0, 100)
_CUSTOM_KIND = {"decimal": Number, "string": fields.String, "datetime": DateTime, "bool": Boolean}
CustomFieldsSchema = Strict.from_dict(
    {name: _CUSTOM_KIND[name.rstrip("0123456789")](allow_none=True) for name in CUSTOM_FIELD_NAMES},
    name="FixtureCustomFieldsSchema")


class DepartmentSchema(Strict):
    id = Id()
    name = _name(required=True)
    parent_id = _name()
    external_id = fields.String(allow_none=True)


class UserSchema(Strict):
    id = Id()
    username = _name(required=True)
    password = _name(required=True)
    first_name = _name()
    last_name = _name()
    email = fields.String()
    job_title = fields.String(allow_none=True)
    admin = Boolean()
    department_id = _name()
    external_id = fields.String(allow_none=True)
    custom_fields = fields.Nested(CustomFieldsSchema)


class LessonSchema(Strict):
    id = Id()
    name = _name(required=True)
    type = _name()


class ChapterSchema(Strict):
    id = Id()
    name = _name(required=True)
    lessons = _some(LessonSchema, required=True, validate=NOT_EMPTY)


class SessionSchema(Strict):
    id = Id()
    name = _name()
    capacity = Number(required=True, validate=[_whole, validate.Range(min=1)])
    start = DateTime()
    starts_in_days = Number()
    hours = Number(validate=validate.Range(0, 240, min_inclusive=False))


class AvailableToSchema(Strict):
    department_ids = fields.List(_name(), required=True, validate=NOT_EMPTY)
    include_sub_departments = Boolean()


class CourseSchema(Strict):
    id = Id()
    name = _name(required=True)
    type = fields.String(validate=validate.OneOf([ONLINE_COURSE, INSTRUCTOR_LED_COURSE]))
    credits = Number(allow_none=True, validate=validate.Range(min=0))
    multi_session = Boolean()
    chapters = _some(ChapterSchema)
    sessions = _some(SessionSchema)
    available_to = fields.Nested(AvailableToSchema)


class LessonStateSchema(Strict):
    lesson_id = _name(required=True)
    status = fields.String(required=True, validate=validate.OneOf(list(LESSON_STATES)))
    score = Number(validate=PERCENT)


class EnrollmentSchema(Strict):
    id = Id()
    user_id = _name(required=True)
    course_id = _name(required=True)
    session_id = _name()
    status = Status()
    added_days_ago = Number(validate=validate.Range(0, 3650))
    progress = Number(validate=PERCENT)
    score = Number(allow_none=True, validate=PERCENT)
    lessons = _some(LessonStateSchema)


class FixtureSchema(Strict):
    departments = _some(DepartmentSchema)
    users = _some(UserSchema, required=True, validate=NOT_EMPTY)
    courses = _some(CourseSchema)
    enrollments = _some(EnrollmentSchema)
    credit_types = _some(learning_fixtures.CreditTypeFixture)  # issue 29: absorb.learning_fixtures
    messages = _some(learning_fixtures.MessageFixture)


FIXTURE = FixtureSchema()


def _validate(world: AbsorbWorld, fixture: Any, anchor: datetime) -> dict[str, Any]:
    """The fixture read (``FIXTURE``) and checked (``fixture_plan``), or ValidationFailed listing every problem."""
    doc = load_part(FIXTURE, fixture, ROOT)
    plan = Plan(world, anchor)
    plan.read_departments(doc.get("departments") or [])
    plan.read_users(doc["users"])
    plan.read_courses(doc.get("courses", []))
    plan.read_enrollments(doc.get("enrollments", []))
    learning = learning_fixtures.read(plan, doc)
    plan.problems.check()
    return {"departments": plan.departments, "users": plan.users, "courses": plan.courses,
            "enrollments": plan.enrollments, "learning": learning}


def apply_fixture(world: AbsorbWorld, fixture: dict[str, Any], anchor: datetime) -> None:
    """Replace the world's users, catalogue and enrollments with the fixture's (validated first)."""
    plan = _validate(world, fixture, anchor)
    for name in ("users", "departments", "courses", "chapters", "lessons", "sessions", "enrollments",
                 "chapter_enrollments", "lesson_enrollments", "session_enrollments", "attempts", "tokens",
                 "token_by_user", "users_by_name", "by_user", "by_course", "active", "chapters_of", "lessons_of",
                 "sessions_of", "roster", "pending", "certificates", "availability"):
        getattr(world, name).clear()
    world.changed()
    # users, departments and courses were added a year before the anchor, or before the earliest enrollment
    added = min([anchor - timedelta(days=365)] + [e["added"] - timedelta(days=1) for e in plan["enrollments"]])
    for ident, name, raw in plan["departments"]:
        world.departments[ident] = Department(id=ident, name=name, date_added=added, date_edited=added,
                                              parent_id=raw.get("_parent"), external_id=raw.get("external_id"))
    for ident, _, raw in plan["users"]:
        first = raw.get("first_name") or raw["username"].split(".")[0].title()
        user = User(
            id=ident, username=raw["username"], password=raw["password"], first_name=first,
            last_name=raw.get("last_name") or ("Administrator" if raw.get("admin") else "Learner"),
            email_address=raw.get("email") or f"{raw['username']}@example.com", job_title=raw.get("job_title"),
            avatar=None, is_admin=bool(raw.get("admin")), is_learner=not raw.get("admin"),
            department_id=raw["_department"], external_id=raw.get("external_id"), date_added=added, date_edited=added)
        for key, value in (raw.get("custom_fields") or {}).items():
            setattr(user.custom_fields, key, value)
        add_user(world, user)
    for ident, _, raw in plan["courses"]:
        _build_course(world, ident, raw, added)
        if "_available" in raw:
            world.availability[ident] = Availability(ident, raw["_available"],
                                                     bool(raw["available_to"].get("include_sub_departments", True)))
    for entry in plan["enrollments"]:
        _build_enrollment(world, entry, anchor)
    world.learning = None  # issue 29's credit types, messages, evaluations...: the fixture's, or seeded after
    learning_fixtures.apply(world, plan["learning"], anchor)


def _build_course(world: AbsorbWorld, ident: str, raw: dict[str, Any], added: datetime) -> None:
    course = Course(id=ident, name=raw["name"], course_type=raw["type"], version_id=new_guid(world.rng),
                    credits=raw.get("credits"), multi_session=bool(raw.get("multi_session")), date_added=added,
                    date_edited=added)
    world.courses[ident] = course
    for chapter_raw in raw["chapters"]:
        chapter = Chapter(id=chapter_raw["_id"], course_id=ident, name=chapter_raw["name"])
        world.chapters[chapter.id] = chapter
        course.chapter_ids.append(chapter.id)
        for lesson_raw in chapter_raw["lessons"]:
            lesson = Lesson(id=lesson_raw["_id"], course_id=ident, chapter_id=chapter.id, name=lesson_raw["name"],
                            lesson_type=lesson_raw.get("type", "Object"))
            world.lessons[lesson.id] = lesson
            chapter.lesson_ids.append(lesson.id)
    for session_raw in raw["sessions"]:
        start = session_raw["_start"]
        session = Session(id=session_raw["_id"], course_id=ident, name=session_raw["name"],
                          capacity=session_raw["capacity"], start=start,
                          end=start + timedelta(hours=session_raw.get("hours", DEFAULT_SESSION_HOURS)))
        world.sessions[session.id] = session
        course.session_ids.append(session.id)


def _build_enrollment(world: AbsorbWorld, entry: dict[str, Any], anchor: datetime) -> None:
    user, course = world.users[entry["user_id"]], world.courses[entry["course_id"]]
    added: datetime = entry["added"]
    status: EnrollmentStatus | None = entry["status"]
    if course.is_ilc:
        enrollment, se = create_ilc_enrollment(world, user.id, course.id, entry["session_id"], re_enroll=False,
                                                   cancel_session=False, at=added)
        _set_id(world, enrollment, entry["_id"])
        if status is not None and status != EnrollmentStatus(se.status):
            started = ms(added + (anchor - added) / 2)
            se.status = enrollment.status = int(status)
            if status in (EnrollmentStatus.IN_PROGRESS, EnrollmentStatus.COMPLETE, EnrollmentStatus.FAILED,
                          EnrollmentStatus.NOT_COMPLETE, EnrollmentStatus.ABSENT):
                se.date_started = enrollment.date_started = started
            if status == EnrollmentStatus.COMPLETE:
                se.date_completed = enrollment.date_completed = started + timedelta(hours=3)
                se.progress = enrollment.progress = 100.0
                se.score = enrollment.score = entry["score"] if entry["score"] is not None else 100.0
            se.date_edited = enrollment.date_edited = max(enrollment.date_edited, started)
        return
    enrollment = create_enrollment(world, user.id, course.id, re_enroll=False, at=added)
    _set_id(world, enrollment, entry["_id"])
    lessons: list[LessonState] = entry["lessons"]
    step = ms(min(timedelta(days=1), (anchor - added) / (2 * len(lessons) + 2))) if lessons else timedelta(0)
    half = ms(step / 2)
    at = added + step
    for lesson_id, state, score in lessons:
        attempt = start_attempt(world, user.id, course.id, lesson_id, at=at)
        if state != AttemptStatus.IN_PROGRESS:
            default = 90.0 if state == AttemptStatus.COMPLETE else 40.0
            finish_attempt(world, attempt, status=int(state), score=score if score is not None else default,
                                   start=None, completion=at + half, at=at + half)
        at += step
    if status is not None and status not in ROLLED_UP:
        enrollment.status = int(status)  # administrative statuses are kept as given
        enrollment.date_completed = None
    if entry["score"] is not None:
        enrollment.score = entry["score"]
    touch(world, enrollment, None)


def _set_id(world: AbsorbWorld, enrollment: CourseEnrollment, ident: str) -> None:
    """Give a just-created enrollment the fixture's id, keeping every index in step."""
    old = enrollment.id
    if old == ident:
        return
    del world.enrollments[old]
    enrollment.id = ident
    world.enrollments[ident] = enrollment
    for index in (world.by_user[enrollment.user_id], world.by_course[enrollment.course_id]):
        index.discard(old)
        index.add(ident)
    world.active[(enrollment.user_id, enrollment.course_id)] = ident
    for index_name in ("chapters_of", "lessons_of", "sessions_of", "pending"):
        index = getattr(world, index_name)
        if old in index:
            index[ident] = index.pop(old)
    for ce in chapters_of(world, enrollment):
        ce.course_enrollment_id = ident
    for le in lessons_of(world, enrollment):
        le.course_enrollment_id = ident
    for se in sessions_of(world, ident):
        se.course_enrollment_id = ident
    world.changed(old)
