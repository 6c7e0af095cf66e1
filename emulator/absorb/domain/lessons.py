"""Chapter and lesson enrollments: made when first read, listed and found per user, course and lesson."""
from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.core.errors import NotFound
from emulator.core.wire import new_guid
from emulator.absorb.domain.lookups import get_user_enrollment, get_course
from emulator.absorb.domain.models import (
    AbsorbWorld, Attempt, AttemptStatus, ChapterEnrollment, Course, CourseEnrollment, EnrollmentStatus,
    LessonEnrollment,
)
from emulator.absorb.domain.rollup import SeededAttempt, aggregate, replay, seeded_tries, ticks


def lessons_of(world: AbsorbWorld, enrollment: CourseEnrollment) -> list[LessonEnrollment]:
    if enrollment.id in world.pending:
        materialize(world, enrollment.id)
    return [world.lesson_enrollments[i] for i in world.lessons_of.get(enrollment.id, ())]


def chapters_of(world: AbsorbWorld, enrollment: CourseEnrollment) -> list[ChapterEnrollment]:
    if enrollment.id in world.pending:
        materialize(world, enrollment.id)
    return [world.chapter_enrollments[i] for i in world.chapters_of.get(enrollment.id, ())]


def create_sub_enrollments(world: AbsorbWorld, enrollment: CourseEnrollment, course: Course, *, at: datetime) -> None:
    """Online courses: one chapter enrollment per chapter, one lesson enrollment per lesson, all NotStarted.

    They are made on first use (``materialize``): until a learner starts, they are all alike, and a tenant
    holds hundreds of enrollments that most tests never open. Every path to them goes through
    ``lessons_of``, ``chapters_of``, ``list_lesson_enrollments_for_lesson`` or ``materialize_all``.
    """
    if course.chapter_ids:
        world.pending[enrollment.id] = (at, None, None)


def materialize(world: AbsorbWorld, enrollment_id: str) -> None:
    """Make a course enrollment's pending chapter and lesson enrollments (``make``) and keep them."""
    entry = world.pending.pop(enrollment_id, None)
    if entry is None:
        return
    world.changed(world.enrollments[enrollment_id])  # the same answers either way; so a page never mixes both
    made = make(world, enrollment_id, entry)
    chapter_ids = world.chapters_of.setdefault(enrollment_id, [])
    lesson_ids = world.lessons_of.setdefault(enrollment_id, [])
    for ce in made.chapters:
        world.chapter_enrollments[ce.id] = ce
        chapter_ids.append(ce.id)
    for le in made.lessons:
        world.lesson_enrollments[le.id] = le
        lesson_ids.append(le.id)
    for attempt in made.attempts:
        world.attempts[attempt.id] = attempt


@dataclass(slots=True)
class Made:
    """A course enrollment's chapter and lesson enrollments and attempts, made from its pending entry."""

    chapters: list[ChapterEnrollment] = field(default_factory=list)
    lessons: list[LessonEnrollment] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)


def make(world: AbsorbWorld, enrollment_id: str, entry: tuple[Any, ...]) -> Made:
    """The chapter and lesson enrollments (and attempts) a pending entry stands for, kept nowhere.

    Their ids come from a generator seeded with the enrollment's id, so they are the same whenever (and
    whether or not) they are made, and making them draws nothing from the world's generator. A seeded
    enrollment may carry a plan (``rollup.SeededPlan``, and the last write): its attempts are made
    and replayed on the lessons, and the chapters aggregated, giving what the course already shows.
    ``data.json`` dumps a pending enrollment's entities this way without keeping them (flat memory).
    """
    at, plan, last_write = entry
    enrollment = world.enrollments[enrollment_id]
    course = world.courses[enrollment.course_id]
    if plan is not None:
        plan = seeded_tries(plan, [lid for ch in course.chapter_ids for lid in world.chapters[ch].lesson_ids])
    rng = random.Random(enrollment_id)
    made = Made()
    for chapter_id in course.chapter_ids:
        chapter = world.chapters[chapter_id]
        ce = ChapterEnrollment(id=new_guid(rng), course_enrollment_id=enrollment.id, chapter_id=chapter.id,
                               user_id=enrollment.user_id, full_name=enrollment.full_name, name=chapter.name,
                               status=int(EnrollmentStatus.NOT_STARTED), progress=0.0, date_enrolled=at, date_edited=at)
        made.chapters.append(ce)
        lessons = []
        for lesson_id in chapter.lesson_ids:
            lesson = world.lessons[lesson_id]
            le = LessonEnrollment(
                id=new_guid(rng), course_enrollment_id=enrollment.id, chapter_enrollment_id=ce.id,
                course_id=course.id, chapter_id=chapter.id, lesson_id=lesson.id, user_id=enrollment.user_id,
                full_name=enrollment.full_name, name=lesson.name, type=lesson.lesson_type,
                status=int(EnrollmentStatus.NOT_STARTED), progress=0.0, date_enrolled=at, date_added=at, date_edited=at)
            made.lessons.append(le)
            lessons.append(le)
            ce.lesson_enrollment_ids.append(le.id)
            if plan and lesson.id in plan:
                made.attempts += _seeded_attempts(le, plan[lesson.id], rng)
        if plan:  # the chapter follows its lessons, as rolling up after the seeded attempts did
            aggregate(ce, lessons)
            ce.date_edited = max(ce.date_edited, last_write)
    return made


def _seeded_attempts(le: LessonEnrollment, tries: list[SeededAttempt], rng: random.Random) -> list[Attempt]:
    made = []
    for start, completion, status, score in tries:
        finished = status != AttemptStatus.IN_PROGRESS
        attempt = Attempt(id=new_guid(rng), lesson_enrollment_id=le.id, user_id=le.user_id, course_id=le.course_id,
                          lesson_id=le.lesson_id, status=status, start_date=start,
                          score=score if finished else None, completion_date=completion if finished else None,
                          time_spent_ticks=ticks(start, completion) if finished and completion else 0)
        made.append(attempt)
        le.attempt_ids.append(attempt.id)
    replay(le, tries)
    return made


def materialize_all(world: AbsorbWorld, enrollment_ids: Iterable[str] | None = None) -> None:
    """Make the pending sub-enrollments of these course enrollments (all when None): lists and dumps."""
    for enrollment_id in [e for e in (world.pending if enrollment_ids is None else enrollment_ids)
                          if e in world.pending]:
        materialize(world, enrollment_id)


def list_chapter_enrollments(world: AbsorbWorld, user_id: str, course_id: str) -> list[ChapterEnrollment]:
    enrollment = get_user_enrollment(world, user_id, course_id)
    return chapters_of(world, enrollment)


def get_chapter_enrollment(world: AbsorbWorld, user_id: str, course_id: str, chapter_id: str) -> ChapterEnrollment:
    for ce in list_chapter_enrollments(world, user_id, course_id):
        if ce.chapter_id == chapter_id:
            return ce
    raise NotFound(f"Chapter '{chapter_id}' was not found in the user's enrollment.")


def list_user_lesson_enrollments(world: AbsorbWorld, user_id: str, course_id: str,
                       chapter_id: str | None = None) -> list[LessonEnrollment]:
    enrollment = get_user_enrollment(world, user_id, course_id)
    if chapter_id is not None and chapter_id not in get_course(world, course_id).chapter_ids:
        raise NotFound(f"Chapter '{chapter_id}' was not found in course '{course_id}'.")
    return [le for le in lessons_of(world, enrollment) if chapter_id is None or le.chapter_id == chapter_id]


def get_lesson_enrollment(world: AbsorbWorld, user_id: str, course_id: str, lesson_id: str,
                      chapter_id: str | None = None) -> LessonEnrollment:
    for le in list_user_lesson_enrollments(world, user_id, course_id, chapter_id):
        if le.lesson_id == lesson_id:
            return le
    raise NotFound(f"Lesson '{lesson_id}' was not found in the user's enrollment.")


def list_lesson_enrollments_for_lesson(world: AbsorbWorld, course_id: str, lesson_id: str) -> list[LessonEnrollment]:
    get_course(world, course_id)
    lesson = world.lessons.get(lesson_id)
    if lesson is None or lesson.course_id != course_id:
        raise NotFound(f"Lesson '{lesson_id}' was not found in course '{course_id}'.")
    enrollment_ids = world.by_course.get(course_id, ())
    materialize_all(world, enrollment_ids)
    # the course's enrollments' lesson enrollments (``lessons_of``), not a scan of every lesson enrollment
    return [le for le in (world.lesson_enrollments[i] for e in enrollment_ids for i in world.lessons_of.get(e, ()))
            if le.lesson_id == lesson_id]
