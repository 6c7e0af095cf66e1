"""The seeded portal's course enrollments: statuses, dates, session seats and the plan of attempts behind each.

Every learner holds ENROLLMENTS_PER_LEARNER course enrollments; the statuses cycle through all 13 values, some
enrollments carry a historical (``isActive: false``) predecessor left by a re-enrollment, and online enrollments
carry a plan of attempts consistent with their progress (the chapter, lesson and attempt entities are made from
it when first read: ``lessons.materialize``). All dates lie before the tenant's anchor and keep
added <= started <= completed <= edited; each is a whole number of milliseconds (``core.clock``).

This is the hot loop of a large world (170,000 enrollments and 500,000 planned attempts at 50,000 users), so it
is written for speed, not for reuse: the plan is drawn and rolled up into the course enrollment in one pass
(what ``rollup.replay`` on each lesson and ``rollup.aggregate`` on the course give, without making a lesson
outcome per lesson), ``uniform(a, b)`` is spelled out as ``a + (b - a) * random()`` (what ``random.Random``
computes: the same numbers, one Python frame fewer) and the world is filled without announcing each entity (a
world being seeded has nothing cached or kept yet). The draws are the ones, in the order, the default world was
always seeded with: it stays byte for byte what it was (``tests/core/test_scale.py``).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulator.core.wire import new_guid
from emulator.absorb.domain.lookups import index_enrollment
from emulator.absorb.domain.models import AbsorbWorld, Course, CourseEnrollment, EnrollmentStatus, User
from emulator.absorb.domain.sessions import seat

ENROLLMENTS_PER_LEARNER = (2, 4)
ILC_ONLY = {EnrollmentStatus.ON_WAITLIST, EnrollmentStatus.ABSENT}
# Progress bounds per status (online courses); scores only where an outcome exists.
STARTED = {EnrollmentStatus.IN_PROGRESS, EnrollmentStatus.COMPLETE, EnrollmentStatus.NOT_COMPLETE,
           EnrollmentStatus.FAILED, EnrollmentStatus.PENDING_EVALUATION_REQUIRED, EnrollmentStatus.PENDING_PROCTOR,
           EnrollmentStatus.READY_FOR_REVIEW}
FINISHED = {EnrollmentStatus.COMPLETE}
ALL_DONE = {EnrollmentStatus.COMPLETE, EnrollmentStatus.FAILED, EnrollmentStatus.PENDING_EVALUATION_REQUIRED,
            EnrollmentStatus.READY_FOR_REVIEW}
# Statuses the course's rollup sets; the others are administrative and kept as seeded.
ROLLED_UP = {EnrollmentStatus.NOT_STARTED, EnrollmentStatus.IN_PROGRESS, EnrollmentStatus.COMPLETE}

DAY = timedelta(days=1)
DUE, EXPIRES = timedelta(days=90), timedelta(days=365)
MS = timedelta(milliseconds=1)  # core.clock.WIRE_PRECISION
MICROSECOND = timedelta(microseconds=1)
SUB_US = tuple(timedelta(0, 0, us) for us in range(1000))  # what truncating to a millisecond subtracts
# a course's progress with ``done`` of ``count`` lessons complete (seeded courses have 4 to 9), worked out once
PROGRESS = {(done, count): round(100.0 * done / count, 2) for count in range(1, 10) for done in range(count + 1)}
IN_PROGRESS, COMPLETE, FAILED = 1, 3, 5  # AttemptStatus, and EnrollmentStatus's values of the same names


def seed_enrollments(world: AbsorbWorld, anchor: datetime) -> None:
    rng = world.rng
    learners = [u for u in world.users.values() if not u.is_admin]
    online = [c for c in world.courses.values() if not c.is_ilc]
    ilcs = [c for c in world.courses.values() if c.is_ilc and not c.multi_session]
    # each course's lessons in order, worked out once (not per enrollment)
    lessons = {c.id: [lid for ch in c.chapter_ids for lid in world.chapters[ch].lesson_ids] for c in online}
    statuses = list(EnrollmentStatus)
    seen: set[EnrollmentStatus] = set()
    turn = 0
    for user in learners:
        full_name = user.full_name  # once per learner, not per enrollment
        count = rng.randint(*ENROLLMENTS_PER_LEARNER)
        courses = (rng.sample(online, count - 1) + [rng.choice(ilcs)] if rng.random() < 0.5
                   else rng.sample(online, count))
        for course in courses:
            status = statuses[turn % len(statuses)]
            turn += 1
            if course.is_ilc is False and status in ILC_ONLY:
                status = EnrollmentStatus.NOT_STARTED
            if rng.random() < 0.12:  # an earlier run of this course, left as history by a re-enrollment
                earlier = rng.choice((EnrollmentStatus.COMPLETE, EnrollmentStatus.FAILED,
                                      EnrollmentStatus.NOT_COMPLETE))
                _enroll(world, user, full_name, course, earlier, anchor, lessons.get(course.id),
                        days_back=(400, 700), active=False)
                seen.add(earlier)
            _enroll(world, user, full_name, course, status, anchor, lessons.get(course.id), days_back=(5, 390),
                    active=True)
            seen.add(status)
    # The ILC-only statuses need an ILC: make sure both appear.
    for status in (EnrollmentStatus.ON_WAITLIST, EnrollmentStatus.ABSENT):
        if status not in seen:
            user = rng.choice(learners)
            course = next(c for c in ilcs if (user.id, c.id) not in world.active)
            _enroll(world, user, user.full_name, course, status, anchor, None, days_back=(5, 100), active=True)
            seen.add(status)


def _enroll(world: AbsorbWorld, user: User, full_name: str, course: Course, status: EnrollmentStatus,
            anchor: datetime, lessons: list[str] | None, *, days_back: tuple[int, int], active: bool) -> None:
    """One course enrollment; ``lessons``: the online course's lessons in order (None for an ILC)."""
    rng = world.rng
    rand = rng.random
    added = anchor - timedelta(rng.randint(*days_back), rng.randint(0, 86399))  # (days, seconds): positional is faster
    started: datetime | None = None
    completed: datetime | None = None
    if status in STARTED:
        started = added + timedelta(0, (anchor - added).total_seconds() * 0.3 * rand())
        started -= SUB_US[started.microsecond % 1000]  # to_wire_precision (a subtraction: half a replace)
        if status in FINISHED:  # FINISHED is within STARTED
            completed = started + timedelta(0, (anchor - started).total_seconds() * 0.5 * rand())
            completed -= SUB_US[completed.microsecond % 1000]
    last = completed or started or added
    edited = last + timedelta(0, min(3600 * 24, (anchor - last).total_seconds()) * rand())
    edited -= SUB_US[edited.microsecond % 1000]
    complete = status == COMPLETE
    enrollment_id = new_guid(rng)
    due = added + DUE if rand() < 0.3 else None  # drawn in this order: id, due, expiry, certificate
    expires = added + EXPIRES if rand() < 0.2 else None
    certificate = new_guid(rng) if complete and rand() < 0.5 else None
    # by position, in the order of CourseEnrollment's fields (a keyword call costs three times as much)
    enrollment = CourseEnrollment(
        enrollment_id, user.id, course.id, course.name, full_name, int(status), 0.0, added, edited,
        None, started, completed, expires, due, None,  # score, started, completed, expires, due, access date
        0, course.version_id, started is not None, None, certificate,  # ticks, version, terms, key, certificate
        course.credits if complete else None, active, None, user.job_title, user.avatar, [])
    index_enrollment(world, enrollment)
    if lessons is None:
        _ilc_part(world, enrollment, course, status)
    else:
        _online_part(world, enrollment, status, anchor, lessons)


def _online_part(world: AbsorbWorld, enrollment: CourseEnrollment, status: EnrollmentStatus, anchor: datetime,
                 lessons: list[str]) -> None:
    """A plan of attempts whose outcome matches the course status, and the course enrollment rolled up from it.

    Attempts are spread evenly between the enrollment's start and the anchor so no date lies in the future;
    each lasts under half a step (an in-progress one has no end yet), and a finished lesson may have failed
    once first. The rollup is ``rollup.aggregate`` over the lessons ``rollup.replay`` would leave, worked out
    here: times only move forward (an attempt ends, on a whole millisecond as its start is, within half a step
    of its start, and the next starts a step later), so the latest completion and the last write are the last
    ones made; and a lesson's best score is its complete try's (70-100, against a failure's 20-60).
    """
    rng = world.rng
    rand = rng.random
    count = len(lessons)
    if status in ALL_DONE:
        done = count
    elif status in STARTED:
        done = rng.randint(0, count - 1)
    else:
        done = 0
    at = enrollment.date_added
    start = enrollment.date_started
    if start is None:
        world.pending[enrollment.id] = (at, None, None)  # lessons.create_sub_enrollments: made when first read
        return
    step = min(DAY, (anchor - start) / (2 * count + 2))
    step -= step % MS
    step_us = step // MICROSECOND
    step_ms = step_us // 1000
    failing = count - 1 if status == EnrollmentStatus.FAILED else -1  # the lesson whose last try fails
    # the plan, compact (rollup.SeededPlan): four values per attempt, the k-th starting k steps after ``start``
    tries: list[Any] = []
    scores: list[float] = []  # of the lessons complete
    ticks = 0
    offset = completed_ms = last_ms = 0  # milliseconds after ``start``: this attempt's, the last completion, write
    for position in range(done):
        if rand() < 0.25:  # a failed try first
            score = _tenth(20 + (60 - 20) * rand())
            fraction = 0.05 + (0.5 - 0.05) * rand()
            whole, rest = divmod(step_us * fraction, 1000.0)  # _lasting, its common case inline
            lasted = int(whole) if 0.001 < rest < 999.499 else _lasting(step, step_us, fraction)
            tries += (position, lasted, FAILED, score)
            ticks += int(lasted * 1000 / 1_000_000 * 10_000_000)  # rollup.ticks: (end - start).total_seconds()
            offset += step_ms
        score = _tenth(70 + (100 - 70) * rand())
        fraction = 0.05 + (0.5 - 0.05) * rand()
        whole, rest = divmod(step_us * fraction, 1000.0)
        lasted = int(whole) if 0.001 < rest < 999.499 else _lasting(step, step_us, fraction)
        if position == failing:
            tries += (position, lasted, FAILED, score)
        else:
            tries += (position, lasted, COMPLETE, score)
            scores.append(score)
            completed_ms = offset + lasted
        ticks += int(lasted * 1000 / 1_000_000 * 10_000_000)
        last_ms = offset + lasted
        offset += step_ms
    if done < count and status not in ALL_DONE:  # the lesson in progress
        rand()  # the end it does not have yet: drawn all the same
        tries += (done, -1, IN_PROGRESS, None)
        last_ms = offset
    last_write = start + MS * last_ms
    world.pending[enrollment.id] = (at, (start, step, tuple(tries)), last_write)
    progress = PROGRESS.get((len(scores), count))
    enrollment.progress = round(100.0 * len(scores) / count, 2) if progress is None else progress
    enrollment.time_spent_ticks = ticks
    enrollment.score = round(sum(scores) / len(scores), 2) if scores else None
    if len(scores) == count:
        enrollment.status, enrollment.date_completed = COMPLETE, start + MS * completed_ms
    else:
        enrollment.status, enrollment.date_completed = IN_PROGRESS, None
    enrollment.date_edited = max(enrollment.date_edited, last_write)
    if status not in ROLLED_UP:
        enrollment.status = int(status)  # administrative statuses are kept as seeded
        enrollment.date_completed = None


def _tenth(value: float) -> float:
    """``round(value, 1)`` for a positive ``value`` below 2**40, from one product: ``value * 10`` is within a
    hair (1e-12 relative) of the exact product, so unless it lies within 1e-9 of a half (where ``round``
    answers, halves to even) the rounding it gives is the exact one, and ``whole / 10`` is the double nearest to
    that decimal, as ``round``'s is. About 60 % of ``round``'s cost (it converts to decimal text and back)."""
    tenths = value * 10.0
    whole = int(tenths)
    rest = tenths - whole
    if 0.499999999 < rest < 0.500000001:
        return round(value, 1)
    return (whole + 1 if rest > 0.5 else whole) / 10


def _lasting(step: timedelta, step_us: int, fraction: float) -> int:
    """How long an attempt lasts, in whole milliseconds: ``to_wire_precision(start + step * fraction) - start``
    for a start on a whole millisecond, from one float product instead of ``timedelta * float`` (exact, rounded
    half to even to the microsecond) and a truncation. The product is within 1e-5 microseconds of the exact one
    (a step is at most a day: 8.64e10 microseconds), so it gives the same millisecond unless it lies within a
    hair of a millisecond's edge, where the timedelta answers."""
    whole, rest = divmod(step_us * fraction, 1000.0)
    if 0.001 < rest < 999.499:
        return int(whole)
    if 999.501 < rest < 999.999:  # rounds up to the next millisecond
        return int(whole) + 1
    return (step * fraction) // MS


def _ilc_part(world: AbsorbWorld, enrollment: CourseEnrollment, course: Course, status: EnrollmentStatus) -> None:
    session = world.sessions[course.session_ids[0]]
    se = seat(world, enrollment, session, at=enrollment.date_added)
    se.status = int(status)
    se.date_started, se.date_completed = enrollment.date_started, enrollment.date_completed
    if status == EnrollmentStatus.COMPLETE:
        se.progress = enrollment.progress = 100.0
        se.score = enrollment.score = float(world.rng.randint(60, 100))
    se.date_edited = enrollment.date_edited
    se.is_active = enrollment.is_active
