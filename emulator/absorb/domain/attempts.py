"""Attempts: started on an active lesson enrollment, finished with a status; every change rolls up."""
from __future__ import annotations

from datetime import datetime

from emulator.core.errors import NotFound, Unprocessable, ValidationFailed
from emulator.core.wire import new_guid
from emulator.absorb.domain.certificates import award
from emulator.absorb.domain.lessons import get_lesson_enrollment, lessons_of
from emulator.absorb.domain.lookups import get_course, get_user, not_found, touch
from emulator.absorb.domain.models import AbsorbWorld, Attempt, AttemptStatus, CourseEnrollment, LessonEnrollment
from emulator.absorb.domain.rollup import aggregate, lesson_finished, lesson_started, ticks


def list_attempts(world: AbsorbWorld, user_id: str, course_id: str, lesson_id: str) -> list[Attempt]:
    le = get_lesson_enrollment(world, user_id, course_id, lesson_id)
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
    lesson_started(le, attempt.start_date)
    touch(world, le, at)
    if roll:
        roll_up(world, world.enrollments[le.course_enrollment_id], at=at)


def get_attempt(world: AbsorbWorld, attempt_id: str, *, user_id: str | None = None, course_id: str | None = None,
                lesson_id: str | None = None) -> Attempt:
    attempt = world.attempts.get(attempt_id)
    if attempt is None or any(want is not None and want != have for want, have in (
            (user_id, attempt and attempt.user_id), (course_id, attempt and attempt.course_id),
            (lesson_id, attempt and attempt.lesson_id))):
        raise not_found("Attempt", attempt_id)
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
    previous_ticks = attempt.time_spent_ticks
    attempt.status, attempt.start_date = status, start
    attempt.score = score if score is not None else attempt.score
    attempt.completion_date = completion
    end = completion or at
    attempt.time_spent_ticks = ticks(start, end)
    world.changed(attempt)
    lesson_finished(le, status, attempt.score, completion, attempt.time_spent_ticks - previous_ticks)
    touch(world, le, at)
    if roll:
        roll_up(world, world.enrollments[le.course_enrollment_id], at=at)


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
    if at is not None:  # a live completion (the seeder rolls up with at=None; its certificates come after)
        award(world, enrollment, at=at)
