"""The checks an Absorb fixture needs beyond its schema (``fixtures.FIXTURE``): ids unique, references
resolved by id or by name, seats and waitlists consistent, lesson states matching the status. The result is
the plan ``fixtures.apply_fixture`` builds the portal from.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulator.core.fixtures import Problems
from emulator.core.wire import new_guid
from emulator.absorb.domain.models import (
    INSTRUCTOR_LED_COURSE, ONLINE_COURSE, AbsorbWorld, AttemptStatus, username_key,
)
from emulator.absorb.domain.models import (
    EnrollmentStatus,
)

ROOT = "absorb"
DEFAULT_DEPARTMENT = "Head Office"
DEFAULT_ADDED_DAYS_AGO = 30
LESSON_STATES = {"Complete": AttemptStatus.COMPLETE, "InProgress": AttemptStatus.IN_PROGRESS,
                 "Failed": AttemptStatus.FAILED}
# statuses the lessons decide for online courses
ROLLED_UP = {EnrollmentStatus.NOT_STARTED, EnrollmentStatus.IN_PROGRESS, EnrollmentStatus.COMPLETE}
Named = tuple[str, str, Any]  # (id, name, entity): what a reference by id or by name is looked up in
LessonState = tuple[str, AttemptStatus, float | None]  # (lesson id, state, score)


class NamedIndex:
    """A list of ``Named`` by id (the first with it: duplicates are reported elsewhere) and by lowered name."""

    def __init__(self, items: list[Named]) -> None:
        self.items, self.size = items, len(items)  # the list is held: its id() stays its own
        self.by_id: dict[str, tuple[str, Any]] = {}
        self.by_name: dict[str, list[tuple[str, Any]]] = {}
        for ident, name, item in items:
            self.by_id.setdefault(ident, (ident, item))
            self.by_name.setdefault(name.lower(), []).append((ident, item))


class Plan:
    """The fixture checked against itself: each entity with its id, each reference resolved, each online
    enrollment's lesson states. Problems are collected, so one answer lists them all."""

    def __init__(self, world: AbsorbWorld, anchor: datetime) -> None:
        self.world, self.anchor = world, anchor
        self.problems = Problems(ROOT)
        self.ids: set[str] = set()
        self.departments: list[Named] = []
        self.users: list[Named] = []
        self.courses: list[Named] = []
        self.enrollments: list[dict[str, Any]] = []
        self.lessons_of: dict[str, list[Named]] = {}
        self.sessions_of: dict[str, list[Named]] = {}
        self._indexes: dict[int, NamedIndex] = {}  # id(list) -> its index (the lists live as long as the plan)

    def fail(self, where: str, message: str) -> None:
        self.problems.add(where, message)

    def take_id(self, given: str | None, where: str) -> str:
        value = given if given is not None else new_guid(self.world.rng)
        if value in self.ids:
            self.fail(f"{where}.id", f"duplicate id '{value}'")
        self.ids.add(value)
        return value

    def find(self, items: list[Named], ref: str, where: str, kind: str, suffix: str = "") -> tuple[str, Any] | None:
        """(id, entity) named by ``ref`` (an id, or a name that only one entity has), else a problem. Looked up in
        ``items``' index (``NamedIndex``), made once per list: a fixture's references cost one lookup each."""
        lowered = ref.lower()
        index = self._indexes.get(id(items))
        if index is None or index.size != len(items):
            index = self._indexes[id(items)] = NamedIndex(items)
        found = index.by_id.get(lowered)
        if found is not None:
            return found
        named = index.by_name.get(lowered, [])
        if len(named) == 1:
            return named[0]
        self.fail(where, f"{'ambiguous' if named else 'unknown'} {kind} '{ref}'{suffix}")
        return None

    def read_departments(self, items: list[dict[str, Any]]) -> None:
        for n, raw in enumerate(items or [{"name": DEFAULT_DEPARTMENT}]):
            self.departments.append((self.take_id(raw.get("id"), f"departments[{n}]"), raw["name"], dict(raw)))
        for n, (_, _, raw) in enumerate(self.departments):
            if "parent_id" not in raw:
                continue
            where = f"departments[{n}].parentId"
            found = self.find(self.departments, raw["parent_id"], where, "department")
            if found is not None and found[1] is raw:
                self.fail(where, f"own department '{raw['parent_id']}'")
            elif found is not None:
                raw["_parent"] = found[0]

    def read_users(self, items: list[dict[str, Any]]) -> None:
        usernames: set[str] = set()
        for n, raw in enumerate(items):
            where = f"users[{n}]"
            ident = self.take_id(raw.get("id"), where)
            if username_key(raw["username"]) in usernames:
                self.fail(f"{where}.username", f"duplicate username '{raw['username']}'")
            usernames.add(username_key(raw["username"]))
            raw = dict(raw, _department=self.departments[0][0])
            if "department_id" in raw:
                found = self.find(self.departments, raw["department_id"], f"{where}.departmentId", "department")
                if found is not None:
                    raw["_department"] = found[0]
            self.users.append((ident, raw["username"], raw))
        if not any(u.get("admin") for _, _, u in self.users):
            self.fail("users", "at least one user needs \"admin\": true (the portal's API credentials)")

    def read_courses(self, items: list[dict[str, Any]]) -> None:
        for n, raw in enumerate(items):
            where = f"courses[{n}]"
            ident = self.take_id(raw.get("id"), where)
            kind = raw.get("type") or (INSTRUCTOR_LED_COURSE if raw.get("sessions") else ONLINE_COURSE)
            if kind == ONLINE_COURSE:
                if raw.get("sessions"):
                    self.fail(f"{where}.sessions", "an online course has chapters, not sessions")
                if not raw.get("chapters"):
                    self.fail(f"{where}.chapters", "an online course needs at least one chapter with lessons")
            else:
                if raw.get("chapters"):
                    self.fail(f"{where}.chapters", "an instructor-led course has sessions, not chapters")
                if not raw.get("sessions"):
                    self.fail(f"{where}.sessions", "an instructor-led course needs at least one session")
            raw = dict(raw, type=kind, _id=ident, chapters=self._chapters(raw, where),
                       sessions=self._sessions(raw, where))
            self.lessons_of[ident] = [(lesson["_id"], lesson["name"], lesson["_id"])
                                      for chapter in raw["chapters"] for lesson in chapter["lessons"]]
            self.sessions_of[ident] = [(s["_id"], s["name"], s) for s in raw["sessions"]]
            if "available_to" in raw:
                found = [self.find(self.departments, ref, f"{where}.availableTo.departmentIds[{d}]", "department")
                         for d, ref in enumerate(raw["available_to"]["department_ids"])]
                raw["_available"] = [f[0] for f in found if f is not None]
            self.courses.append((ident, raw["name"], raw))

    def _chapters(self, course: dict[str, Any], where: str) -> list[dict[str, Any]]:
        chapters = []
        for c, chapter in enumerate(course.get("chapters") or []):
            cwhere = f"{where}.chapters[{c}]"
            chapter_id = self.take_id(chapter.get("id"), cwhere)
            lessons = [dict(lesson, _id=self.take_id(lesson.get("id"), f"{cwhere}.lessons[{le}]"))
                       for le, lesson in enumerate(chapter["lessons"])]
            chapters.append(dict(chapter, _id=chapter_id, lessons=lessons))
        return chapters

    def _sessions(self, course: dict[str, Any], where: str) -> list[dict[str, Any]]:
        sessions = []
        for s, session in enumerate(course.get("sessions") or []):
            swhere = f"{where}.sessions[{s}]"
            session_id = self.take_id(session.get("id"), swhere)
            if "start" in session and "starts_in_days" in session:
                self.fail(swhere, "give start or startsInDays, not both")
            start = session.get("start") or self.anchor + timedelta(days=session.get("starts_in_days", 7), hours=9)
            name = session.get("name") or f"{course['name']} — session {s + 1}"
            sessions.append(dict(session, _id=session_id, _start=start, name=name))
        return sessions

    def read_enrollments(self, items: list[dict[str, Any]]) -> None:
        active: set[tuple[str, str]] = set()
        seats: dict[str, int] = {}
        for n, raw in enumerate(items):
            where = f"enrollments[{n}]"
            ident = self.take_id(raw.get("id"), where)
            user = self.find(self.users, raw["user_id"], f"{where}.userId", "user")
            course = self.find(self.courses, raw["course_id"], f"{where}.courseId", "course")
            if user is None or course is None:
                continue
            (user_id, _), (course_id, course_raw) = user, course
            if (user_id, course_id) in active:
                self.fail(where, f"user '{raw['user_id']}' is already enrolled in course '{raw['course_id']}'")
            active.add((user_id, course_id))
            added = self.anchor - timedelta(days=raw.get("added_days_ago", DEFAULT_ADDED_DAYS_AGO))
            entry: dict[str, Any] = {"_id": ident, "user_id": user_id, "course_id": course_id,
                                     "status": raw.get("status"), "added": added, "score": raw.get("score")}
            if course_raw["type"] == INSTRUCTOR_LED_COURSE:
                self._ilc(entry, raw, course_raw, seats, where)
            else:
                self._online(entry, raw, where)
            self.enrollments.append(entry)

    def _ilc(self, entry: dict[str, Any], raw: dict[str, Any], course: dict[str, Any], seats: dict[str, int],
             where: str) -> None:
        for key in ("lessons", "progress"):
            if key in raw:
                self.fail(f"{where}.{key}", "instructor-led enrollments have no lessons or progress")
        if course.get("multi_session"):
            self.fail(f"{where}.courseId",
                      f"course '{raw['course_id']}' is a multi-session ILC (not supported by the API)")
            return
        sessions = self.sessions_of[course["_id"]]
        if "session_id" in raw:
            found = self.find(sessions, raw["session_id"], f"{where}.sessionId", "session",
                              f" in course '{raw['course_id']}'")
            if found is None:
                return
            session = found[1]
        elif len(sessions) == 1:
            session = sessions[0][2]
        else:
            self.fail(f"{where}.sessionId", "required: the course has several sessions")
            return
        taken, capacity, name = seats.get(session["_id"], 0), session["capacity"], session["name"]
        full = taken >= capacity
        if full and entry["status"] not in (None, EnrollmentStatus.ON_WAITLIST):
            self.fail(f"{where}.status", f"session '{name}' is full ({taken} of {capacity} seats taken): "
                                         "this learner can only be OnWaitlist")
        elif not full and entry["status"] == EnrollmentStatus.ON_WAITLIST:
            self.fail(f"{where}.status", f"OnWaitlist but session '{name}' has free seats "
                                         f"({taken} of {capacity} taken)")
        if not full:
            seats[session["_id"]] = taken + 1
        entry["session_id"] = session["_id"]

    def _online(self, entry: dict[str, Any], raw: dict[str, Any], where: str) -> None:
        if "session_id" in raw:
            self.fail(f"{where}.sessionId", "an online course has no sessions")
        if "lessons" in raw and "progress" in raw:
            self.fail(where, "give progress or lessons, not both")
            return
        lessons = self.lessons_of[entry["course_id"]]
        status: EnrollmentStatus | None = entry["status"]
        states = self._lesson_states(raw, lessons, where) if "lessons" in raw else _derived_states(raw, lessons, status)
        complete = sum(1 for _, s, _ in states if s == AttemptStatus.COMPLETE)
        rolled = (EnrollmentStatus.COMPLETE if complete == len(lessons) else EnrollmentStatus.IN_PROGRESS if states
                  else EnrollmentStatus.NOT_STARTED)
        if status in ROLLED_UP and status != rolled:
            self.fail(f"{where}.status", f"{_title(status)} does not match the lessons ({complete} of "
                                         f"{len(lessons)} complete, {len(states)} started): the lessons make it "
                                         f"{_title(rolled)}")
        entry["lessons"] = states

    def _lesson_states(self, raw: dict[str, Any], lessons: list[Named],
                       where: str) -> list[LessonState]:
        """``lessons`` given explicitly: each named once, in this course."""
        states, seen = [], set()
        for n, item in enumerate(raw["lessons"]):
            lwhere = f"{where}.lessons[{n}].lessonId"
            found = self.find(lessons, item["lesson_id"], lwhere, "lesson", " in this course")
            if found is None:
                continue
            if found[0] in seen:
                self.fail(lwhere, f"lesson '{item['lesson_id']}' listed twice")
            seen.add(found[0])
            states.append((found[0], LESSON_STATES[item["status"]], item.get("score")))
        return states


def _derived_states(raw: dict[str, Any], lessons: list[Named],
                    status: EnrollmentStatus | None) -> list[LessonState]:
    """Lesson states from ``progress`` (that share of lessons complete, the next one started when InProgress)
    or from the status alone (Complete: every lesson)."""
    if "progress" in raw:
        done = round(raw["progress"] / 100 * len(lessons))
    else:
        done = len(lessons) if status == EnrollmentStatus.COMPLETE else 0
    states: list[LessonState] = [
        (lid, AttemptStatus.COMPLETE, None) for lid, _, _ in lessons[:done]]
    if done < len(lessons) and (status == EnrollmentStatus.IN_PROGRESS or (status is None and done > 0)):
        states.append((lessons[done][0], AttemptStatus.IN_PROGRESS, None))
    return states


def _title(status: EnrollmentStatus) -> str:
    return status.name.title().replace("_", "")
