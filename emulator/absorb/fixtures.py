"""Absorb fixtures: a known portal that REPLACES the generated users, catalogue and enrollments.

The ``absorb`` part of a fixture file::

    {
      "departments"?: [{"id"?, "name", "parentId"?, "externalId"?}],
      "users": [{"id"?, "username", "password", "firstName"?, "lastName"?, "email"?, "jobTitle"?, "admin"?: bool,
                 "departmentId"?, "externalId"?, "customFields"?: {"string1": "...", "decimal1": 1.5, ...}}],
      "courses": [{"id"?, "name", "type"?: "OnlineCourse" | "InstructorLedCourse", "credits"?, "multiSession"?,
                   "chapters"?: [{"id"?, "name", "lessons": [{"id"?, "name", "type"?}]}],
                   "sessions"?: [{"id"?, "name"?, "capacity", "start"?: ISO | "startsInDays"?: n, "hours"?: n}]}],
      "enrollments": [{"id"?, "userId", "courseId", "sessionId"?, "status"?: 0-12 or name, "addedDaysAgo"?: n,
                       "progress"?: 0-100 | "lessons"?: [{"lessonId", "status": "Complete"|"InProgress"|"Failed",
                                                           "score"?}], "score"?}]
    }

References (``userId``, ``courseId``, ``sessionId``, ``lessonId``, ``departmentId``, ``parentId``) name an
entity by its id or by its name (the username for users). Without ``departments`` the portal has one,
"Head Office"; a user without ``departmentId`` belongs to the first department. Ids are optional GUIDs; missing ones are drawn from the world's seeded random
source, so the same fixture and seed give the same ids. At least one user must be an admin (the
portal's API credentials).

Online enrollments get their lesson state from ``lessons`` (explicit), or ``progress`` (the first
``round(progress% x lessons)`` lessons complete, plus the next one in progress when the status is
InProgress), or the status alone (Complete: every lesson; InProgress: the first lesson started). The state
is built with the service functions (attempts started and finished, roll-ups), so chapter and course
progress, status, scores and dates follow the lessons exactly as they do for API calls. Administrative
statuses (Failed, PendingApproval, ...) are set after the lessons. ILC enrollments go through
``enroll_in_session``: a full session puts the learner OnWaitlist, and the fixture must say so.

Everything is validated before anything is built; an error names the entry, e.g.
``absorb.enrollments[3].courseId: unknown course 'x'``.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from jsonschema import Draft202012Validator

from ..core.errors import ValidationFailed
from ..core.clock import to_wire_precision as ms
from ..core.wire import is_guid, new_guid, parse_datetime
from . import service
from .models import (
    CUSTOM_FIELD_NAMES, INSTRUCTOR_LED_COURSE, ONLINE_COURSE, AbsorbWorld, AttemptStatus, Chapter, Course,
    CourseEnrollment, Department, EnrollmentStatus as S, Lesson, Session, User,
)

ROOT = "absorb"
DEFAULT_ADDED_DAYS_AGO = 30
DEFAULT_SESSION_HOURS = 3
LESSON_STATES = {"complete": AttemptStatus.COMPLETE, "inprogress": AttemptStatus.IN_PROGRESS,
                 "failed": AttemptStatus.FAILED}
ROLLED_UP = {S.NOT_STARTED, S.IN_PROGRESS, S.COMPLETE}  # statuses the lessons decide for online courses

_id = {"type": "string"}
_name = {"type": "string", "minLength": 1}
_status = {"oneOf": [{"type": "integer", "minimum": 0, "maximum": 12}, {"type": "string", "minLength": 1}]}
_CUSTOM_TYPES = {"decimal": {"type": ["number", "null"]}, "string": {"type": ["string", "null"]},
                 "datetime": {"type": ["string", "null"], "format": "date-time"}, "bool": {"type": ["boolean", "null"]}}
_custom = {"type": "object", "additionalProperties": False,
           "properties": {name: _CUSTOM_TYPES[name.rstrip("0123456789")] for name in CUSTOM_FIELD_NAMES}}
DEFAULT_DEPARTMENT = "Head Office"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["users"],
    "properties": {
        "departments": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "properties": {"id": _id, "name": _name, "parentId": _name, "externalId": {"type": ["string", "null"]}}}},
        "users": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["username", "password"],
            "properties": {"id": _id, "username": _name, "password": _name, "firstName": _name, "lastName": _name,
                           "email": {"type": "string"}, "jobTitle": {"type": ["string", "null"]},
                           "admin": {"type": "boolean"}, "departmentId": _name,
                           "externalId": {"type": ["string", "null"]}, "customFields": _custom}}},
        "courses": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "properties": {
                "id": _id, "name": _name, "type": {"enum": [ONLINE_COURSE, INSTRUCTOR_LED_COURSE]},
                "credits": {"type": ["number", "null"], "minimum": 0}, "multiSession": {"type": "boolean"},
                "chapters": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["name", "lessons"],
                    "properties": {"id": _id, "name": _name, "lessons": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "additionalProperties": False, "required": ["name"],
                        "properties": {"id": _id, "name": _name, "type": _name}}}}}},
                "sessions": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["capacity"],
                    "properties": {"id": _id, "name": _name, "capacity": {"type": "integer", "minimum": 1},
                                   "start": {"type": "string"}, "startsInDays": {"type": "number"},
                                   "hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 240}}}}}}},
        "enrollments": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["userId", "courseId"],
            "properties": {
                "id": _id, "userId": _name, "courseId": _name, "sessionId": _name, "status": _status,
                "addedDaysAgo": {"type": "number", "minimum": 0, "maximum": 3650},
                "progress": {"type": "number", "minimum": 0, "maximum": 100},
                "score": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
                "lessons": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["lessonId", "status"],
                    "properties": {"lessonId": _name, "status": {"enum": ["Complete", "InProgress", "Failed"]},
                                   "score": {"type": "number", "minimum": 0, "maximum": 100}}}}}}},
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)


def _where(path: Any) -> str:
    text = ROOT
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _status_value(raw: Any) -> S | None:
    if isinstance(raw, int):
        return S(raw)
    key = str(raw).replace(" ", "").replace("_", "").lower()
    for status in S:
        if status.name.replace("_", "").lower() == key:
            return status
    return None


class _Plan:
    """The validated fixture: entities with their ids, and the references resolved."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.ids: set[str] = set()

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def take_id(self, world: AbsorbWorld, raw: Any, where: str) -> str:
        if raw is None:
            value = new_guid(world.rng)
        elif not is_guid(raw):
            self.fail(f"{where}.id", f"'{raw}' is not a GUID")
            value = new_guid(world.rng)
        else:
            value = raw.lower()
        if value in self.ids:
            self.fail(f"{where}.id", f"duplicate id '{value}'")
        self.ids.add(value)
        return value


def _lookup(items: list[tuple[str, str, Any]], ref: str) -> tuple[Any, str | None]:
    """(entity, problem) for a reference by id or by (unique) name."""
    lowered = ref.lower()
    for ident, _, item in items:
        if ident == lowered:
            return item, None
    named = [item for _, name, item in items if name.lower() == lowered]
    if len(named) > 1:
        return None, "ambiguous"
    return (named[0], None) if named else (None, "unknown")


def _validate(world: AbsorbWorld, fixture: Any, anchor: datetime) -> dict[str, Any]:
    shape = sorted(_VALIDATOR.iter_errors(fixture), key=lambda e: list(e.absolute_path))
    if shape:
        problems = [f"{_where(e.absolute_path)}: {e.message}" for e in shape]
        raise ValidationFailed(problems[0], validations=problems)
    plan = _Plan()

    departments: list[tuple[str, str, dict[str, Any]]] = []
    for n, raw in enumerate(fixture.get("departments") or [{"name": DEFAULT_DEPARTMENT}]):
        departments.append((plan.take_id(world, raw.get("id"), f"{ROOT}.departments[{n}]"), raw["name"], dict(raw)))
    for n, (_, _, raw) in enumerate(departments):
        if "parentId" in raw:
            parent, problem = _lookup(departments, raw["parentId"])
            if parent is None or parent is raw:
                plan.fail(f"{ROOT}.departments[{n}].parentId", f"{problem or 'own'} department '{raw['parentId']}'")
            else:
                raw["_parent"] = next(i for i, _, d in departments if d is parent)

    users: list[tuple[str, str, dict[str, Any]]] = []
    usernames: set[str] = set()
    for n, raw in enumerate(fixture["users"]):
        where = f"{ROOT}.users[{n}]"
        ident = plan.take_id(world, raw.get("id"), where)
        if raw["username"].lower() in usernames:
            plan.fail(f"{where}.username", f"duplicate username '{raw['username']}'")
        usernames.add(raw["username"].lower())
        raw = dict(raw, _department=departments[0][0])
        if "departmentId" in raw:
            found, problem = _lookup(departments, raw["departmentId"])
            if found is None:
                plan.fail(f"{where}.departmentId", f"{problem} department '{raw['departmentId']}'")
            else:
                raw["_department"] = next(i for i, _, d in departments if d is found)
        for key, value in (raw.get("customFields") or {}).items():
            if key.startswith("datetime") and value is not None:
                try:
                    raw.setdefault("_dates", {})[key] = parse_datetime(value)
                except ValueError:
                    plan.fail(f"{where}.customFields.{key}", f"'{value}' is not an ISO 8601 date-time")
        users.append((ident, raw["username"], raw))
    if not any(u.get("admin") for _, _, u in users):
        plan.fail(f"{ROOT}.users", "at least one user needs \"admin\": true (the portal's API credentials)")

    courses: list[tuple[str, str, dict[str, Any]]] = []
    lessons_of: dict[str, list[tuple[str, str, Any]]] = {}
    sessions_of: dict[str, list[tuple[str, str, Any]]] = {}
    for n, raw in enumerate(fixture.get("courses", [])):
        where = f"{ROOT}.courses[{n}]"
        ident = plan.take_id(world, raw.get("id"), where)
        kind = raw.get("type") or (INSTRUCTOR_LED_COURSE if raw.get("sessions") else ONLINE_COURSE)
        raw = dict(raw, type=kind, _id=ident)
        if kind == ONLINE_COURSE:
            if raw.get("sessions"):
                plan.fail(f"{where}.sessions", "an online course has chapters, not sessions")
            if not raw.get("chapters"):
                plan.fail(f"{where}.chapters", "an online course needs at least one chapter with lessons")
        else:
            if raw.get("chapters"):
                plan.fail(f"{where}.chapters", "an instructor-led course has sessions, not chapters")
            if not raw.get("sessions"):
                plan.fail(f"{where}.sessions", "an instructor-led course needs at least one session")
        chapter_plan, lesson_refs = [], []
        for c, chapter in enumerate(raw.get("chapters") or []):
            cwhere = f"{where}.chapters[{c}]"
            chapter_id = plan.take_id(world, chapter.get("id"), cwhere)
            lesson_plan = []
            for le, lesson in enumerate(chapter["lessons"]):
                lesson_id = plan.take_id(world, lesson.get("id"), f"{cwhere}.lessons[{le}]")
                lesson_plan.append(dict(lesson, _id=lesson_id))
                lesson_refs.append((lesson_id, lesson["name"], lesson_id))
            chapter_plan.append(dict(chapter, _id=chapter_id, lessons=lesson_plan))
        session_plan = []
        for s, session in enumerate(raw.get("sessions") or []):
            swhere = f"{where}.sessions[{s}]"
            session_id = plan.take_id(world, session.get("id"), swhere)
            if "start" in session and "startsInDays" in session:
                plan.fail(swhere, "give start or startsInDays, not both")
            start = anchor + timedelta(days=session.get("startsInDays", 7), hours=9)
            if "start" in session:
                try:
                    start = ms(parse_datetime(session["start"]))
                except ValueError:
                    plan.fail(f"{swhere}.start", f"'{session['start']}' is not an ISO 8601 date-time")
            name = session.get("name") or f"{raw['name']} — session {s + 1}"
            session_plan.append(dict(session, _id=session_id, _start=start, name=name))
        raw["chapters"], raw["sessions"] = chapter_plan, session_plan
        lessons_of[ident] = lesson_refs
        sessions_of[ident] = [(p["_id"], p["name"], p) for p in session_plan]
        courses.append((ident, raw["name"], raw))

    enrollments = []
    active: set[tuple[str, str]] = set()
    seats: dict[str, int] = {}
    for n, raw in enumerate(fixture.get("enrollments", [])):
        where = f"{ROOT}.enrollments[{n}]"
        ident = plan.take_id(world, raw.get("id"), where)
        user, problem = _lookup(users, raw["userId"])
        if user is None:
            plan.fail(f"{where}.userId", f"{problem} user '{raw['userId']}'")
        course, problem = _lookup(courses, raw["courseId"])
        if course is None:
            plan.fail(f"{where}.courseId", f"{problem} course '{raw['courseId']}'")
        status = _status_value(raw["status"]) if "status" in raw else None
        if "status" in raw and status is None:
            plan.fail(f"{where}.status", f"unknown status '{raw['status']}' (use 0-12 or a name like 'InProgress')")
        if user is None or course is None or ("status" in raw and status is None):
            continue
        user_id = next(i for i, _, u in users if u is user)
        course_id = course["_id"]
        if (user_id, course_id) in active:
            plan.fail(where, f"user '{raw['userId']}' is already enrolled in course '{raw['courseId']}'")
        active.add((user_id, course_id))
        entry: dict[str, Any] = {"_id": ident, "user_id": user_id, "course_id": course_id, "status": status,
                                 "added": anchor - timedelta(days=raw.get("addedDaysAgo", DEFAULT_ADDED_DAYS_AGO)),
                                 "score": raw.get("score"), "where": where}
        if course["type"] == INSTRUCTOR_LED_COURSE:
            _plan_ilc(plan, entry, raw, course, sessions_of[course_id], seats, where)
        else:
            _plan_online(plan, entry, raw, lessons_of[course_id], where)
        enrollments.append(entry)
    if plan.problems:
        raise ValidationFailed(plan.problems[0], validations=plan.problems)
    return {"departments": departments, "users": users, "courses": courses, "enrollments": enrollments}


def _plan_ilc(plan: _Plan, entry: dict[str, Any], raw: dict[str, Any], course: dict[str, Any],
              sessions: list[tuple[str, str, Any]], seats: dict[str, int], where: str) -> None:
    for key in ("lessons", "progress"):
        if key in raw:
            plan.fail(f"{where}.{key}", "instructor-led enrollments have no lessons or progress")
    if course.get("multiSession"):
        plan.fail(f"{where}.courseId", f"course '{raw['courseId']}' is a multi-session ILC (not supported by the API)")
        return
    if "sessionId" in raw:
        session, problem = _lookup(sessions, raw["sessionId"])
        if session is None:
            plan.fail(f"{where}.sessionId", f"{problem} session '{raw['sessionId']}' in course '{raw['courseId']}'")
            return
    elif len(sessions) == 1:
        session = sessions[0][2]
    else:
        plan.fail(f"{where}.sessionId", "required: the course has several sessions")
        return
    taken = seats.get(session["_id"], 0)
    full = taken >= session["capacity"]
    status = entry["status"]
    if full and status not in (None, S.ON_WAITLIST):
        plan.fail(f"{where}.status", f"session '{session['name']}' is full ({taken} of {session['capacity']} seats "
                                     f"taken): this learner can only be OnWaitlist")
    elif not full and status == S.ON_WAITLIST:
        plan.fail(f"{where}.status", f"OnWaitlist but session '{session['name']}' has free seats "
                                     f"({taken} of {session['capacity']} taken)")
    if not full:
        seats[session["_id"]] = taken + 1
    entry["session_id"] = session["_id"]


def _plan_online(plan: _Plan, entry: dict[str, Any], raw: dict[str, Any], lessons: list[tuple[str, str, Any]],
                 where: str) -> None:
    if "sessionId" in raw:
        plan.fail(f"{where}.sessionId", "an online course has no sessions")
    status = entry["status"]
    states: list[tuple[str, AttemptStatus, float | None]] = []
    if "lessons" in raw and "progress" in raw:
        plan.fail(where, "give progress or lessons, not both")
        return
    if "lessons" in raw:
        seen = set()
        for n, item in enumerate(raw["lessons"]):
            lesson_id, problem = _lookup(lessons, item["lessonId"])
            if lesson_id is None:
                plan.fail(f"{where}.lessons[{n}].lessonId", f"{problem} lesson '{item['lessonId']}' in this course")
                continue
            if lesson_id in seen:
                plan.fail(f"{where}.lessons[{n}].lessonId", f"lesson '{item['lessonId']}' listed twice")
            seen.add(lesson_id)
            states.append((lesson_id, LESSON_STATES[item["status"].lower()], item.get("score")))
    else:
        if "progress" in raw:
            done = round(raw["progress"] / 100 * len(lessons))
        else:
            done = len(lessons) if status == S.COMPLETE else 0
        states = [(lid, AttemptStatus.COMPLETE, None) for lid, _, _ in lessons[:done]]
        if done < len(lessons) and (status == S.IN_PROGRESS or (status is None and 0 < done)):
            states.append((lessons[done][0], AttemptStatus.IN_PROGRESS, None))
    complete = sum(1 for _, s, _ in states if s == AttemptStatus.COMPLETE)
    rolled = S.COMPLETE if complete == len(lessons) else S.IN_PROGRESS if states else S.NOT_STARTED
    if status in ROLLED_UP and status != rolled:
        plan.fail(f"{where}.status", f"{status.name.title().replace('_', '')} does not match the lessons "
                                     f"({complete} of {len(lessons)} complete, {len(states)} started): "
                                     f"the lessons make it {rolled.name.title().replace('_', '')}")
    entry["lessons"] = states


def apply_fixture(world: AbsorbWorld, fixture: dict[str, Any], anchor: datetime) -> None:
    """Replace the world's users, catalogue and enrollments with the fixture's (validated first)."""
    plan = _validate(world, fixture, anchor)
    for name in ("users", "departments", "courses", "chapters", "lessons", "sessions", "enrollments", "chapter_enrollments",
                 "lesson_enrollments", "session_enrollments", "attempts", "tokens", "token_by_user", "users_by_name",
                 "by_user", "by_course", "active", "chapters_of", "lessons_of", "sessions_of", "pending"):
        getattr(world, name).clear()
    world.changed()
    # users, departments and courses were added a year before the anchor, or before the earliest enrollment
    added = min([anchor - timedelta(days=365)] + [e["added"] - timedelta(days=1) for e in plan["enrollments"]])
    for ident, name, raw in plan["departments"]:
        world.departments[ident] = Department(id=ident, name=name, date_added=added, date_edited=added,
                                              parent_id=raw.get("_parent"), external_id=raw.get("externalId"))
    for ident, _, raw in plan["users"]:
        first = raw.get("firstName") or raw["username"].split(".")[0].title()
        user = User(
            id=ident, username=raw["username"], password=raw["password"], first_name=first,
            last_name=raw.get("lastName") or ("Administrator" if raw.get("admin") else "Learner"),
            email_address=raw.get("email") or f"{raw['username']}@example.com", job_title=raw.get("jobTitle"),
            avatar=None, is_admin=bool(raw.get("admin")), is_learner=not raw.get("admin"),
            department_id=raw["_department"], external_id=raw.get("externalId"), date_added=added, date_edited=added)
        for key, value in (raw.get("customFields") or {}).items():
            setattr(user.custom_fields, key, raw.get("_dates", {}).get(key, value))
        service.add_user(world, user)
    for ident, _, raw in plan["courses"]:
        _build_course(world, ident, raw, added)
    for entry in plan["enrollments"]:
        _build_enrollment(world, entry, anchor)


def _build_course(world: AbsorbWorld, ident: str, raw: dict[str, Any], added: datetime) -> None:
    course = Course(id=ident, name=raw["name"], course_type=raw["type"], version_id=new_guid(world.rng),
                    credits=raw.get("credits"), multi_session=bool(raw.get("multiSession")), date_added=added,
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
    status: S | None = entry["status"]
    if course.is_ilc:
        enrollment, se = service.enroll_in_session(world, user.id, course.id, entry["session_id"], re_enroll=False,
                                                   cancel_session=False, at=added)
        _set_id(world, enrollment, entry["_id"])
        if status is not None and status != S(se.status):
            started = ms(added + (anchor - added) / 2)
            se.status = enrollment.status = int(status)
            if status in (S.IN_PROGRESS, S.COMPLETE, S.FAILED, S.NOT_COMPLETE, S.ABSENT):
                se.date_started = enrollment.date_started = started
            if status == S.COMPLETE:
                se.date_completed = enrollment.date_completed = started + timedelta(hours=3)
                se.progress = enrollment.progress = 100.0
                se.score = enrollment.score = entry["score"] if entry["score"] is not None else 100.0
            se.date_edited = enrollment.date_edited = max(enrollment.date_edited, started)
        return
    enrollment = service.enroll(world, user.id, course.id, re_enroll=False, at=added)
    _set_id(world, enrollment, entry["_id"])
    lessons: list[tuple[str, AttemptStatus, float | None]] = entry["lessons"]
    step = ms(min(timedelta(days=1), (anchor - added) / (2 * len(lessons) + 2))) if lessons else timedelta(0)
    half = ms(step / 2)
    at = added + step
    for lesson_id, state, score in lessons:
        attempt = service.start_attempt(world, user.id, course.id, lesson_id, at=at)
        if state != AttemptStatus.IN_PROGRESS:
            default = 90.0 if state == AttemptStatus.COMPLETE else 40.0
            service.finish_attempt(world, attempt, status=int(state), score=score if score is not None else default,
                                   start=None, completion=at + half, at=at + half)
        at += step
    if status is not None and status not in ROLLED_UP:
        enrollment.status = int(status)  # administrative statuses are kept as given
        enrollment.date_completed = None
    if entry["score"] is not None:
        enrollment.score = entry["score"]
    service.touch(world, enrollment, None)


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
    for ce in service.chapters_of(world, enrollment):
        ce.course_enrollment_id = ident
    for le in service.lessons_of(world, enrollment):
        le.course_enrollment_id = ident
    for se in service.sessions_of(world, ident):
        se.course_enrollment_id = ident
    world.changed(old)
