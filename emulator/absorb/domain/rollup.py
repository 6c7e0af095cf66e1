"""How attempts move a lesson, and how lessons roll up into chapters and courses (no world needed).

Shared by the API's attempts (``attempts``), the chapter and lesson enrollments made on first read
(``lessons.materialize``) and the seeder, so all three give the same state.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from collections.abc import Iterable

from emulator.absorb.domain.models import AttemptStatus
from emulator.absorb.domain.models import EnrollmentStatus


def ticks(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() * 10_000_000))


def lesson_started(le: Any, start: datetime) -> None:
    """What starting an attempt does to its lesson (a LessonEnrollment or a seeded LessonOutcome)."""
    le.attempts += 1
    le.last_attempt = start
    le.date_started = le.date_started or start
    if le.status != EnrollmentStatus.COMPLETE:
        le.status = int(EnrollmentStatus.IN_PROGRESS)


def lesson_finished(le: Any, status: int, score: float | None, completion: datetime | None, ticks: int) -> None:
    """What finishing an attempt does to its lesson: Complete completes it (best score kept), Failed counts a
    failure (a lesson already complete stays complete), InProgress only adds time."""
    le.time_spent_ticks += ticks
    if status == AttemptStatus.COMPLETE:
        if le.status != EnrollmentStatus.COMPLETE:
            le.status, le.progress, le.date_completed = int(EnrollmentStatus.COMPLETE), 100.0, completion
        le.score = score if le.score is None or (score or 0) > le.score else le.score
    elif status == AttemptStatus.FAILED:
        le.failures += 1
        if le.status != EnrollmentStatus.COMPLETE:
            le.status = int(EnrollmentStatus.FAILED)
            le.score = score


# A seeded attempt: (start, completion or None, attempt status, score or None).
SeededAttempt = tuple[datetime, "datetime | None", int, "float | None"]
# A seeded enrollment's plan of attempts, as the seeder keeps it (``AbsorbWorld.pending``): the first attempt's
# start, the step between attempts' starts (the k-th starts k steps after the first), and four values per attempt
# in order: the lesson's position in the course, its length in whole milliseconds (-1: in progress, no end yet),
# its status and its score (None in progress). A tuple of numbers per enrollment, not a tuple of datetimes per
# attempt: a 50,000-user world has half a million planned attempts (~150 MB kept as tuples, ~60 as numbers).
SeededPlan = tuple[datetime, timedelta, tuple[Any, ...]]
MS = timedelta(milliseconds=1)


def seeded_tries(plan: Any, lesson_ids: list[str]) -> dict[str, list[SeededAttempt]]:
    """A seeded plan's attempts per lesson id (``lesson_ids``: the course's lessons in order). A plan kept by an
    older version (a state file) is already that dict."""
    if isinstance(plan, dict):
        return plan
    start, step, flat = plan
    tries: dict[str, list[SeededAttempt]] = {}
    for n in range(0, len(flat), 4):
        position, lasted, status, score = flat[n:n + 4]
        end = None if lasted < 0 else start + MS * lasted
        tries.setdefault(lesson_ids[position], []).append((start, end, status, score))
        start += step
    return tries


@dataclass(slots=True)
class LessonOutcome:
    """The fields a lesson's attempts leave on it, without the lesson: seeding aggregates with these and
    makes the entities only when they are first read (``materialize``)."""

    date_edited: datetime
    status: int = int(EnrollmentStatus.NOT_STARTED)
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
        lesson_started(le, start)
        le.date_edited = max(le.date_edited, start)
        if status != AttemptStatus.IN_PROGRESS and completion is not None:
            lesson_finished(le, status, score, completion, ticks(start, completion))
            le.date_edited = max(le.date_edited, completion)
    return le


def aggregate(target: Any, lessons: list[Any]) -> None:
    """Set a chapter's or course's progress, status, dates, time and score from its lessons
    (LessonEnrollments, or the LessonOutcomes of a seeded plan)."""
    complete = [le for le in lessons if le.status == EnrollmentStatus.COMPLETE]
    started = [le.date_started for le in lessons if le.date_started]
    target.progress = round(100.0 * len(complete) / len(lessons), 2)
    target.time_spent_ticks = sum(le.time_spent_ticks for le in lessons)
    scores = [le.score for le in complete if le.score is not None]
    target.score = round(sum(scores) / len(scores), 2) if scores else None
    target.date_started = min(started) if started else None
    if len(complete) == len(lessons):
        target.status = int(EnrollmentStatus.COMPLETE)
        target.date_completed = max(le.date_completed or le.date_edited for le in complete)
    else:
        target.status = int(EnrollmentStatus.IN_PROGRESS if started else EnrollmentStatus.NOT_STARTED)
        target.date_completed = None
