"""Absorb's domain rules: enrolling, re-enrolling, un-enrolling, sessions, attempts and roll-ups.

Plain functions taking the world first. Routes call them under the tenant's
lock; each checks everything before it changes anything, so a refused call
leaves the world as it was.

Rules the emulator keeps (the vendor's behaviour as far as documented; the
rest is the emulator's choice, listed in ``CHOICES``):
- One active course enrollment per (user, course). Enrolling again without
  ``reEnroll`` is refused (422). With ``reEnroll`` the active enrollment becomes
  history (``isActive: false``, its chapter, lesson and session enrollments stay
  with it as history) and a fresh active enrollment starts at NotStarted.
- Un-enrolling removes the course enrollment with all its chapter, lesson and
  session enrollments and attempts: it leaves every list.
- Online course enrollments get one chapter enrollment per chapter and one
  lesson enrollment per lesson when created.
- Starting an attempt needs an active lesson enrollment. Finishing it with 3
  (Complete) completes the lesson; with 5 (Failed) counts a failure (a lesson
  already complete stays complete); with 1 (InProgress) records time and score
  but leaves the attempt open. Every change rolls up: the chapter and the
  course get progress = share of complete lessons, status NotStarted /
  InProgress / Complete, the earliest start, the completion date when all
  lessons are complete, summed time and the mean score of complete lessons.
- ILC: one session enrollment per course enrollment. ``cancelSession``
  withdraws the current session enrollment (it leaves the session's list and
  frees the seat) before enrolling in the new session; a full session puts the
  learner OnWaitlist. Multi-session ILCs are refused (422).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from ..core.errors import NotFound, Unprocessable, ValidationFailed
from ..core.wire import new_guid
from .users import add_user, get_user  # noqa: F401 - part of this module's interface
from .models import (
    AbsorbWorld, Attempt, AttemptStatus, ChapterEnrollment, Course, CourseEnrollment, EnrollmentStatus as S,
    LessonEnrollment, Session, SessionEnrollment, User,
)

# The emulator's choices where Absorb's documents are silent: one table, one edit to change.
CHOICES = {
    "already_enrolled_status": 422,
    "full_session_status": S.ON_WAITLIST,
    "lists_include_history": True,
    # users (absorb.users): bodies are partial -- a field left out of PUT /users/{id}, POST /users or an upload
    # keeps its value, null clears it, and customFields keys likewise
    "user_fields_missing_keep_values": True,
    "user_required_to_create": ("username", "firstName", "lastName", "departmentId"),
    "user_matched_by": "username",  # POST /users and /users/upload; an id in the body is ignored
    "user_write_status": {"PUT": 200, "POST created": 201, "POST updated": 200, "upload": 200},
    "user_write_answer": "UserResource",  # PUT and POST /users answer the saved user
    "upload_duplicate_username": 422,  # the same username twice in one batch refuses the batch
    "inactive_user_can_authenticate": False,
    "rename_moves_enrollment_date_edited": False,
    "authenticate_moves_last_login_date": False,  # seeded values only: a login would drop every cached page
    # ASP.NET's case-insensitivity (core.casefold): query parameter names too, as its model binder does
    "case_insensitive": ("path segments", "query parameter names", "JSON body property names"),
    "duplicate_body_key_spellings": "the later wins",
    # the documented rate limit (core.ratelimit): off unless switched on, per tenant, on the tenant's clock
    "rate_limit_default": "off",
    "rate_limit_clock": "tenant",
    # reference data (absorb.reference, absorb.lookup_routes)
    "roles_collection_key": "roles",
    "provinces_paged_only_when_asked": True,  # a bare array: every match unless _limit or _offset is given
    "provinces_of_unknown_country": "[]",
    "user_courses": "active enrollment, or course activeStatus 0",
    "user_reference_ids_checked": True,  # countryId, provinceId (of that country), roleIds must exist: 422
}

SETTABLE = ("status", "date_completed", "date_expires", "course_version_id", "accepted_terms_and_conditions",
            "enrollment_key_id", "credits", "score")


# -- lookups ------------------------------------------------------------------

def get_course(world: AbsorbWorld, course_id: str) -> Course:
    course = world.courses.get(course_id)
    if course is None:
        raise NotFound(f"Course '{course_id}' was not found.")
    return course


def get_enrollment(world: AbsorbWorld, enrollment_id: str) -> CourseEnrollment:
    enrollment = world.enrollments.get(enrollment_id)
    if enrollment is None:
        raise NotFound(f"Enrollment '{enrollment_id}' was not found.")
    return enrollment


def active_enrollment(world: AbsorbWorld, user_id: str, course_id: str) -> CourseEnrollment:
    get_user(world, user_id)
    get_course(world, course_id)
    enrollment_id = world.active.get((user_id, course_id))
    if enrollment_id is None:
        raise NotFound(f"User '{user_id}' has no enrollment in course '{course_id}'.")
    return world.enrollments[enrollment_id]


def _listed(world: AbsorbWorld, ids: Iterable[str]) -> list[CourseEnrollment]:
    """Course enrollments for a list: historical ones too, unless ``CHOICES`` says otherwise."""
    found = [world.enrollments[i] for i in ids]
    return found if CHOICES["lists_include_history"] else [e for e in found if e.is_active]


def user_enrollments(world: AbsorbWorld, user_id: str) -> list[CourseEnrollment]:
    get_user(world, user_id)
    return _listed(world, world.by_user.get(user_id, ()))


def course_enrollments(world: AbsorbWorld, course_id: str) -> list[CourseEnrollment]:
    get_course(world, course_id)
    return _listed(world, world.by_course.get(course_id, ()))


def bulk_enrollments(world: AbsorbWorld, user_ids: list[str], course_ids: list[str]) -> list[CourseEnrollment]:
    """Enrollments of the listed users in the listed courses; an empty list means 'any'."""
    if user_ids:
        pool: Iterable[str] = (i for u in user_ids for i in world.by_user.get(u, ()))
    elif course_ids:
        pool = (i for c in course_ids for i in world.by_course.get(c, ()))
    else:
        pool = world.enrollments.keys()
    wanted = set(course_ids)
    found = _listed(world, dict.fromkeys(pool))
    return [e for e in found if not wanted or e.course_id in wanted]


def changed_since(items: Iterable[Any], status: int | None, modified_since: datetime | None) -> list[Any]:
    """The ``status`` and ``modifiedSince`` query parameters (edited at or after the instant)."""
    return [e for e in items
            if (status is None or e.status == status) and (modified_since is None or e.date_edited >= modified_since)]


# -- indexes --------------------------------------------------------------------

def add_enrollment(world: AbsorbWorld, enrollment: CourseEnrollment) -> None:
    world.pages.clear()
    world.enrollments[enrollment.id] = enrollment
    world.by_user.setdefault(enrollment.user_id, set()).add(enrollment.id)
    world.by_course.setdefault(enrollment.course_id, set()).add(enrollment.id)
    if enrollment.is_active:
        world.active[(enrollment.user_id, enrollment.course_id)] = enrollment.id


def touch(world: AbsorbWorld, entity: Any, at: datetime | None) -> None:
    """Mark an entity written: ``dateEdited`` moves and its cached wire form is dropped."""
    if at is not None and hasattr(entity, "date_edited"):
        entity.date_edited = max(entity.date_edited, at)
    forget(world, entity.id)


def forget(world: AbsorbWorld, entity_id: str) -> None:
    """Drop what was derived from an entity: its wire forms and every cached list page."""
    world.wire_cache.pop(entity_id, None)
    world.pages.clear()


def lessons_of(world: AbsorbWorld, enrollment: CourseEnrollment) -> list[LessonEnrollment]:
    if enrollment.id in world.pending:
        materialize(world, enrollment.id)
    return [world.lesson_enrollments[i] for i in world.lessons_of.get(enrollment.id, ())]


def chapters_of(world: AbsorbWorld, enrollment: CourseEnrollment) -> list[ChapterEnrollment]:
    if enrollment.id in world.pending:
        materialize(world, enrollment.id)
    return [world.chapter_enrollments[i] for i in world.chapters_of.get(enrollment.id, ())]


def sessions_of(world: AbsorbWorld, enrollment_id: str) -> list[SessionEnrollment]:
    return [world.session_enrollments[i] for i in world.sessions_of.get(enrollment_id, ())]


def remove_enrollment(world: AbsorbWorld, enrollment: CourseEnrollment) -> None:
    """Un-enroll: the enrollment and everything under it leave every list."""
    world.pending.pop(enrollment.id, None)  # sub-enrollments never made need no removing
    for le in lessons_of(world, enrollment):
        for attempt_id in le.attempt_ids:
            world.attempts.pop(attempt_id, None)
            forget(world, attempt_id)
        del world.lesson_enrollments[le.id]
        forget(world, le.id)
    for ce in chapters_of(world, enrollment):
        del world.chapter_enrollments[ce.id]
        forget(world, ce.id)
    for se in sessions_of(world, enrollment.id):
        del world.session_enrollments[se.id]
        forget(world, se.id)
    for index in (world.lessons_of, world.chapters_of, world.sessions_of):
        index.pop(enrollment.id, None)
    del world.enrollments[enrollment.id]
    world.by_user[enrollment.user_id].discard(enrollment.id)
    world.by_course[enrollment.course_id].discard(enrollment.id)
    if world.active.get((enrollment.user_id, enrollment.course_id)) == enrollment.id:
        del world.active[(enrollment.user_id, enrollment.course_id)]
    forget(world, enrollment.id)


# -- course enrollments -----------------------------------------------------------

def _refuse_multi_session(course: Course) -> None:
    if course.multi_session:
        raise Unprocessable("Multi-Session ILCs are not supported.",
                            validations=[f"courseId: course '{course.id}' is a multi-session ILC"])


def _check_enrollable(world: AbsorbWorld, user_id: str, course_id: str, re_enroll: bool) -> tuple[User, Course]:
    user, course = get_user(world, user_id), get_course(world, course_id)
    _refuse_multi_session(course)
    if (user_id, course_id) in world.active and not re_enroll:
        refused = Unprocessable("The user is already enrolled in this course. Use reEnroll to enroll again.",
                                validations=["reEnroll: the user has an active enrollment in this course"])
        refused.status = CHOICES["already_enrolled_status"]
        raise refused
    return user, course


def enroll(world: AbsorbWorld, user_id: str, course_id: str, *, re_enroll: bool, at: datetime) -> CourseEnrollment:
    """Create enrollment for user and course (also the ``my-enrollments`` create)."""
    user, course = _check_enrollable(world, user_id, course_id, re_enroll)
    return _new_enrollment(world, user, course, at=at)


def _new_enrollment(world: AbsorbWorld, user: User, course: Course, *, at: datetime) -> CourseEnrollment:
    previous_id = world.active.get((user.id, course.id))
    if previous_id is not None:
        previous = world.enrollments[previous_id]
        previous.is_active = False
        touch(world, previous, at)
        for se in sessions_of(world, previous.id):
            if se.is_active:
                se.is_active = False
                touch(world, se, at)
        del world.active[(user.id, course.id)]
    enrollment = CourseEnrollment(
        id=new_guid(world.rng), user_id=user.id, course_id=course.id, course_name=course.name,
        full_name=user.full_name, status=int(S.NOT_STARTED), progress=0.0, date_added=at, date_edited=at,
        course_version_id=course.version_id, job_title=user.job_title, avatar=user.avatar)
    add_enrollment(world, enrollment)
    create_sub_enrollments(world, enrollment, course, at=at)
    return enrollment


def upsert(world: AbsorbWorld, user_id: str, body: dict[str, Any], *, re_enroll: bool, at: datetime) -> CourseEnrollment:
    """Create or update course enrollment: only the settable properties are applied."""
    course_id = body["course_id"]
    user, course = get_user(world, user_id), get_course(world, course_id)
    _refuse_multi_session(course)
    _check_settable(body)
    existing = world.active.get((user_id, course_id))
    enrollment = (world.enrollments[existing] if existing and not re_enroll
                  else _new_enrollment(world, user, course, at=at))
    for name in SETTABLE:
        if name in body:
            setattr(enrollment, name, body[name])
    if "status" in body:
        _status_dates(enrollment, at)
    touch(world, enrollment, at)
    return enrollment


def _check_settable(body: dict[str, Any]) -> None:
    problems = []
    if body.get("score") is not None and not 0 <= body["score"] <= 100:
        problems.append("score: must be between 0 and 100")
    if body.get("credits") is not None and body["credits"] < 0:
        problems.append("credits: must not be negative")
    if problems:
        raise ValidationFailed("The enrollment is invalid.", validations=problems)


def _status_dates(enrollment: CourseEnrollment, at: datetime) -> None:
    """A status set by an admin keeps the dates and progress consistent with it."""
    status = enrollment.status
    if status in (S.COMPLETE,):
        enrollment.progress = 100.0
        enrollment.date_started = enrollment.date_started or at
        enrollment.date_completed = enrollment.date_completed or at
    elif status in (S.NOT_STARTED, S.PENDING_APPROVAL, S.DECLINED, S.ON_WAITLIST, S.NOT_APPLICABLE):
        enrollment.date_completed = None
    elif enrollment.date_started is None:
        enrollment.date_started = at


def unenroll(world: AbsorbWorld, enrollment_ids: list[str]) -> None:
    """Un-enroll users from courses: all ids must exist, or nothing is removed."""
    missing = [i for i in enrollment_ids if i not in world.enrollments]
    if missing:
        raise Unprocessable("One or more enrollments were not found.",
                            validations=[f"enrollmentIds: '{i}' was not found" for i in missing])
    for enrollment_id in dict.fromkeys(enrollment_ids):
        remove_enrollment(world, world.enrollments[enrollment_id])


# -- chapters and lessons ------------------------------------------------------------

def create_sub_enrollments(world: AbsorbWorld, enrollment: CourseEnrollment, course: Course, *, at: datetime) -> None:
    """Online courses: one chapter enrollment per chapter, one lesson enrollment per lesson, all NotStarted.

    They are made on first use (``materialize``): until a learner starts, they are all alike, and a tenant
    holds hundreds of enrollments that most tests never open. Every path to them goes through
    ``lessons_of``, ``chapters_of``, ``lesson_enrollments_for_lesson`` or ``materialize_all``.
    """
    if course.chapter_ids:
        world.pending[enrollment.id] = (at, None, None)


def materialize(world: AbsorbWorld, enrollment_id: str) -> None:
    """Make a course enrollment's pending chapter and lesson enrollments.

    Their ids come from a generator seeded with the enrollment's id, so they are the same whenever (and
    whether or not) they are made, and making them draws nothing from the world's generator. A seeded
    enrollment may carry a plan (lesson id -> seeded attempts, and the last write): its attempts are made
    and replayed on the lessons, and the chapters aggregated, giving what the course already shows.
    """
    entry = world.pending.pop(enrollment_id, None)
    if entry is None:
        return
    world.pages.clear()  # the same answers either way; cleared so a page never mixes before and after
    at, plan, last_write = entry
    enrollment = world.enrollments[enrollment_id]
    course = world.courses[enrollment.course_id]
    rng = random.Random(enrollment_id)
    chapter_ids, lesson_ids = world.chapters_of.setdefault(enrollment_id, []), world.lessons_of.setdefault(enrollment_id, [])
    for chapter_id in course.chapter_ids:
        chapter = world.chapters[chapter_id]
        ce = ChapterEnrollment(id=new_guid(rng), course_enrollment_id=enrollment.id, chapter_id=chapter.id,
                               user_id=enrollment.user_id, full_name=enrollment.full_name, name=chapter.name,
                               status=int(S.NOT_STARTED), progress=0.0, date_enrolled=at, date_edited=at)
        world.chapter_enrollments[ce.id] = ce
        chapter_ids.append(ce.id)
        for lesson_id in chapter.lesson_ids:
            lesson = world.lessons[lesson_id]
            le = LessonEnrollment(
                id=new_guid(rng), course_enrollment_id=enrollment.id, chapter_enrollment_id=ce.id,
                course_id=course.id, chapter_id=chapter.id, lesson_id=lesson.id, user_id=enrollment.user_id,
                full_name=enrollment.full_name, name=lesson.name, type=lesson.lesson_type,
                status=int(S.NOT_STARTED), progress=0.0, date_enrolled=at, date_added=at, date_edited=at)
            world.lesson_enrollments[le.id] = le
            lesson_ids.append(le.id)
            ce.lesson_enrollment_ids.append(le.id)
            if plan and lesson.id in plan:
                _seeded_attempts(world, le, plan[lesson.id], rng)
        if plan:  # the chapter follows its lessons, as rolling up after the seeded attempts did
            aggregate(ce, [world.lesson_enrollments[i] for i in ce.lesson_enrollment_ids])
            ce.date_edited = max(ce.date_edited, last_write)


def _seeded_attempts(world: AbsorbWorld, le: LessonEnrollment, tries: list[SeededAttempt], rng: random.Random) -> None:
    for start, completion, status, score in tries:
        finished = status != AttemptStatus.IN_PROGRESS
        attempt = Attempt(id=new_guid(rng), lesson_enrollment_id=le.id, user_id=le.user_id, course_id=le.course_id,
                          lesson_id=le.lesson_id, status=status, start_date=start,
                          score=score if finished else None, completion_date=completion if finished else None,
                          time_spent_ticks=_ticks(start, completion) if finished and completion else 0)
        world.attempts[attempt.id] = attempt
        le.attempt_ids.append(attempt.id)
    replay(le, tries)


def materialize_all(world: AbsorbWorld, enrollment_ids: Iterable[str] | None = None) -> None:
    """Make the pending sub-enrollments of these course enrollments (all when None): lists and dumps."""
    for enrollment_id in [e for e in (world.pending if enrollment_ids is None else enrollment_ids)
                          if e in world.pending]:
        materialize(world, enrollment_id)


def chapter_enrollments(world: AbsorbWorld, user_id: str, course_id: str) -> list[ChapterEnrollment]:
    enrollment = active_enrollment(world, user_id, course_id)
    return chapters_of(world, enrollment)


def chapter_enrollment(world: AbsorbWorld, user_id: str, course_id: str, chapter_id: str) -> ChapterEnrollment:
    for ce in chapter_enrollments(world, user_id, course_id):
        if ce.chapter_id == chapter_id:
            return ce
    raise NotFound(f"Chapter '{chapter_id}' was not found in the user's enrollment.")


def lesson_enrollments(world: AbsorbWorld, user_id: str, course_id: str,
                       chapter_id: str | None = None) -> list[LessonEnrollment]:
    enrollment = active_enrollment(world, user_id, course_id)
    if chapter_id is not None and chapter_id not in get_course(world, course_id).chapter_ids:
        raise NotFound(f"Chapter '{chapter_id}' was not found in course '{course_id}'.")
    return [le for le in lessons_of(world, enrollment) if chapter_id is None or le.chapter_id == chapter_id]


def lesson_enrollment(world: AbsorbWorld, user_id: str, course_id: str, lesson_id: str,
                      chapter_id: str | None = None) -> LessonEnrollment:
    for le in lesson_enrollments(world, user_id, course_id, chapter_id):
        if le.lesson_id == lesson_id:
            return le
    raise NotFound(f"Lesson '{lesson_id}' was not found in the user's enrollment.")


def lesson_enrollments_for_lesson(world: AbsorbWorld, course_id: str, lesson_id: str) -> list[LessonEnrollment]:
    get_course(world, course_id)
    lesson = world.lessons.get(lesson_id)
    if lesson is None or lesson.course_id != course_id:
        raise NotFound(f"Lesson '{lesson_id}' was not found in course '{course_id}'.")
    materialize_all(world, world.by_course.get(course_id, ()))
    return [le for le in world.lesson_enrollments.values() if le.lesson_id == lesson_id]


# -- attempts ----------------------------------------------------------------------------

def attempts(world: AbsorbWorld, user_id: str, course_id: str, lesson_id: str) -> list[Attempt]:
    le = lesson_enrollment(world, user_id, course_id, lesson_id)
    return [world.attempts[i] for i in le.attempt_ids]


def start_attempt(world: AbsorbWorld, user_id: str, course_id: str, lesson_id: str, *, at: datetime) -> Attempt:
    """Start attempt for an active lesson enrollment (422 when the enrollment is not active)."""
    get_user(world, user_id)
    course = get_course(world, course_id)
    if lesson_id not in world.lessons or world.lessons[lesson_id].course_id != course.id:
        raise NotFound(f"Lesson '{lesson_id}' was not found in course '{course_id}'.")
    enrollment_id = world.active.get((user_id, course_id))
    if enrollment_id is None:
        raise Unprocessable("The user has no active enrollment in this course.",
                            validations=["lessonId: no active lesson enrollment"])
    le = next(le for le in lessons_of(world, world.enrollments[enrollment_id]) if le.lesson_id == lesson_id)
    attempt = Attempt(id=new_guid(world.rng), lesson_enrollment_id=le.id, user_id=user_id, course_id=course_id,
                      lesson_id=lesson_id, status=int(AttemptStatus.IN_PROGRESS), start_date=at)
    add_attempt(world, le, attempt, at=at)
    return attempt


def add_attempt(world: AbsorbWorld, le: LessonEnrollment, attempt: Attempt, *, at: datetime,
                roll: bool = True) -> None:
    """Record a started attempt on its lesson; ``roll=False`` leaves the roll-up to the caller (the seeder
    rolls up once per enrollment, which gives the same world as rolling up after every attempt)."""
    world.attempts[attempt.id] = attempt
    le.attempt_ids.append(attempt.id)
    _lesson_started(le, attempt.start_date)
    touch(world, le, at)
    if roll:
        roll_up(world, world.enrollments[le.course_enrollment_id], at=at)


def get_attempt(world: AbsorbWorld, attempt_id: str, *, user_id: str | None = None, course_id: str | None = None,
                lesson_id: str | None = None) -> Attempt:
    attempt = world.attempts.get(attempt_id)
    if attempt is None or any(want is not None and want != have for want, have in (
            (user_id, attempt and attempt.user_id), (course_id, attempt and attempt.course_id),
            (lesson_id, attempt and attempt.lesson_id))):
        raise NotFound(f"Attempt '{attempt_id}' was not found.")
    return attempt


def finish_attempt(world: AbsorbWorld, attempt: Attempt, *, status: int, score: float | None,
                   start: datetime | None, completion: datetime | None, at: datetime) -> Attempt:
    """Finish attempt: checks everything first, then updates the lesson and rolls up."""
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise Unprocessable("The attempt is already finished.", validations=[f"attemptId: '{attempt.id}' is finished"])
    if attempt.lesson_enrollment_id not in world.lesson_enrollments:
        raise Unprocessable("The lesson enrollment is no longer active.")
    enrollment = world.enrollments[world.lesson_enrollments[attempt.lesson_enrollment_id].course_enrollment_id]
    if not enrollment.is_active:
        raise Unprocessable("The lesson enrollment is no longer active.",
                            validations=["attemptId: the attempt belongs to a historical enrollment"])
    start = start or attempt.start_date
    completion = completion or (at if status != AttemptStatus.IN_PROGRESS else None)
    if completion is not None and completion < start:
        raise ValidationFailed("The completion date is before the start date.",
                               validations=["completionDate: must not be before startDate"])
    apply_finish(world, attempt, status=status, score=score, start=start, completion=completion, at=at)
    return attempt


def apply_finish(world: AbsorbWorld, attempt: Attempt, *, status: int, score: float | None,
                 start: datetime, completion: datetime | None, at: datetime, roll: bool = True) -> None:
    le = world.lesson_enrollments[attempt.lesson_enrollment_id]
    forget(world, attempt.id)
    previous_ticks = attempt.time_spent_ticks
    attempt.status, attempt.start_date = status, start
    attempt.score = score if score is not None else attempt.score
    attempt.completion_date = completion
    end = completion or at
    attempt.time_spent_ticks = _ticks(start, end)
    _lesson_finished(le, status, attempt.score, completion, attempt.time_spent_ticks - previous_ticks)
    touch(world, le, at)
    if roll:
        roll_up(world, world.enrollments[le.course_enrollment_id], at=at)


def _ticks(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() * 10_000_000))


def _lesson_started(le: Any, start: datetime) -> None:
    """What starting an attempt does to its lesson (a LessonEnrollment or a seeded LessonOutcome)."""
    le.attempts += 1
    le.last_attempt = start
    le.date_started = le.date_started or start
    if le.status != S.COMPLETE:
        le.status = int(S.IN_PROGRESS)


def _lesson_finished(le: Any, status: int, score: float | None, completion: datetime | None, ticks: int) -> None:
    """What finishing an attempt does to its lesson: Complete completes it (best score kept), Failed counts a
    failure (a lesson already complete stays complete), InProgress only adds time."""
    le.time_spent_ticks += ticks
    if status == AttemptStatus.COMPLETE:
        if le.status != S.COMPLETE:
            le.status, le.progress, le.date_completed = int(S.COMPLETE), 100.0, completion
        le.score = score if le.score is None or (score or 0) > le.score else le.score
    elif status == AttemptStatus.FAILED:
        le.failures += 1
        if le.status != S.COMPLETE:
            le.status = int(S.FAILED)
            le.score = score


# A seeded attempt: (start, completion or None, attempt status, score or None).
SeededAttempt = tuple[datetime, "datetime | None", int, "float | None"]


@dataclass(slots=True)
class LessonOutcome:
    """The fields a lesson's attempts leave on it, without the lesson: seeding aggregates with these and
    makes the entities only when they are first read (``materialize``)."""

    date_edited: datetime
    status: int = int(S.NOT_STARTED)
    progress: float = 0.0
    score: float | None = None
    date_started: datetime | None = None
    date_completed: datetime | None = None
    time_spent_ticks: int = 0
    attempts: int = 0
    failures: int = 0
    last_attempt: datetime | None = None


def replay(le: Any, tries: Iterable[SeededAttempt]) -> Any:
    """Apply seeded attempts to a lesson enrollment or a LessonOutcome, as the API's start and finish would."""
    for start, completion, status, score in tries:
        _lesson_started(le, start)
        le.date_edited = max(le.date_edited, start)
        if status != AttemptStatus.IN_PROGRESS and completion is not None:
            _lesson_finished(le, status, score, completion, _ticks(start, completion))
            le.date_edited = max(le.date_edited, completion)
    return le


def roll_up(world: AbsorbWorld, enrollment: CourseEnrollment, *, at: datetime | None) -> None:
    """Chapter and course enrollments follow their lessons."""
    lessons_by_chapter: dict[str, list[LessonEnrollment]] = {}
    for le in lessons_of(world, enrollment):
        lessons_by_chapter.setdefault(le.chapter_enrollment_id, []).append(le)
    if not lessons_by_chapter:
        return
    every: list[LessonEnrollment] = []
    for chapter_enrollment_id, lessons in lessons_by_chapter.items():
        aggregate(world.chapter_enrollments[chapter_enrollment_id], lessons)
        touch(world, world.chapter_enrollments[chapter_enrollment_id], at)
        every.extend(lessons)
    aggregate(enrollment, every)
    touch(world, enrollment, at)


def aggregate(target: Any, lessons: list[Any]) -> None:
    """Set a chapter's or course's progress, status, dates, time and score from its lessons
    (LessonEnrollments, or the LessonOutcomes of a seeded plan)."""
    complete = [le for le in lessons if le.status == S.COMPLETE]
    started = [le.date_started for le in lessons if le.date_started]
    target.progress = round(100.0 * len(complete) / len(lessons), 2)
    target.time_spent_ticks = sum(le.time_spent_ticks for le in lessons)
    scores = [le.score for le in complete if le.score is not None]
    target.score = round(sum(scores) / len(scores), 2) if scores else None
    target.date_started = min(started) if started else None
    if len(complete) == len(lessons):
        target.status = int(S.COMPLETE)
        target.date_completed = max(le.date_completed or le.date_edited for le in complete)
    else:
        target.status = int(S.IN_PROGRESS if started else S.NOT_STARTED)
        target.date_completed = None


# -- ILC sessions ------------------------------------------------------------------------------

def get_session(world: AbsorbWorld, course: Course, session_id: str) -> Session:
    session = world.sessions.get(session_id)
    if session is None or session.course_id != course.id:
        raise NotFound(f"Session '{session_id}' was not found in course '{course.id}'.")
    return session


def session_enrollments_for_user(world: AbsorbWorld, user_id: str, course_id: str) -> list[SessionEnrollment]:
    enrollment = active_enrollment(world, user_id, course_id)
    return sessions_of(world, enrollment.id)


def session_enrollment_for_user(world: AbsorbWorld, user_id: str, course_id: str, session_id: str) -> SessionEnrollment:
    for se in session_enrollments_for_user(world, user_id, course_id):
        if se.session_id == session_id and se.is_active:
            return se
    raise NotFound(f"The user has no enrollment in session '{session_id}'.")


def session_roster(world: AbsorbWorld, course_id: str, session_id: str) -> list[SessionEnrollment]:
    session = get_session(world, get_course(world, course_id), session_id)
    return [s for s in world.session_enrollments.values() if s.session_id == session.id and s.is_active]


def new_session_enrollment(world: AbsorbWorld, enrollment: CourseEnrollment, session: Session, *,
                           at: datetime) -> SessionEnrollment:
    seated = sum(1 for s in world.session_enrollments.values()
                 if s.session_id == session.id and s.is_active and s.status != S.ON_WAITLIST)
    status = CHOICES["full_session_status"] if seated >= session.capacity else S.NOT_STARTED
    se = SessionEnrollment(id=new_guid(world.rng), session_id=session.id, course_id=session.course_id,
                           course_enrollment_id=enrollment.id, user_id=enrollment.user_id,
                           full_name=enrollment.full_name, name=session.name, status=int(status), progress=0.0,
                           date_enrolled=at, date_edited=at)
    world.pages.clear()
    world.session_enrollments[se.id] = se
    world.sessions_of.setdefault(enrollment.id, []).append(se.id)
    return se


def enroll_in_session(world: AbsorbWorld, user_id: str, course_id: str, session_id: str, *, re_enroll: bool,
                      cancel_session: bool, at: datetime) -> tuple[CourseEnrollment, SessionEnrollment]:
    """Create ILC enrollment for user: the course enrollment and the session enrollment together."""
    user, course = get_user(world, user_id), get_course(world, course_id)
    if not course.is_ilc:
        raise Unprocessable("The course is not an instructor-led course.",
                            validations=[f"courseId: course '{course_id}' is not an ILC"])
    _refuse_multi_session(course)
    session = get_session(world, course, session_id)
    enrollment_id = world.active.get((user_id, course_id))
    current = [s for s in sessions_of(world, enrollment_id) if s.is_active] if enrollment_id else []
    if enrollment_id and not re_enroll and current and not cancel_session:
        raise Unprocessable("The user is already enrolled in a session of this course. "
                            "Use cancelSession to move or reEnroll to enroll again.",
                            validations=["sessionId: the user has an active session enrollment"])
    if enrollment_id is None or re_enroll:
        enrollment = _new_enrollment(world, user, course, at=at)
    else:
        enrollment = world.enrollments[enrollment_id]
        for se in current:  # cancelSession: withdraw from the old session
            se.is_active = False
            touch(world, se, at)
    se = new_session_enrollment(world, enrollment, session, at=at)
    enrollment.status = se.status
    touch(world, enrollment, at)
    return enrollment, se
