"""iSpring Learn's enrollments: learners enrolled in courses, their access and due dates.

Plain functions taking the world first; routes call them under the tenant's lock.

- ``POST /enrollment`` enrolls every learner named in every course named; every id is checked before any
  enrollment is made (a bad one: 400, nothing written). A learner already enrolled in a course keeps that
  enrollment (emulator's choice: no second one is made, and no event says so). The new enrollments are one
  ``LEARNERS_ENROLLED_IN_COURSE`` event, a payload per course (Pipedream's test event).
- Due dates: ``unlimited`` none; ``due_date`` the ``dueDate`` given (required); ``due_period`` ``duePeriod``
  days after the access date (required, at least 1); ``default`` the course's default due period (none when
  the course has none). An enrollment is overdue once the tenant's clock passes its due date and the course is
  not completed (``results``).
- ``accessDate`` is a date; a date-time is taken as its date (Pipedream sends ``new Date().toISOString()``);
  absent, it is the tenant clock's day.
- Re-enrolling keeps the enrollment's id, sets the new dates and starts the learner's progress over (an
  issued certificate is no longer the enrollment's).

Seeding (``seed_enrollments``): every ENROLLED_EVERY-th active learner is enrolled in 1..3 courses, with
progress from ``results.seed_progress``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from itertools import permutations
from datetime import date, datetime, timedelta
from typing import Any

from emulator.core.errors import BadRequest
from emulator.core.scale import Scale
from emulator.core.seedrandom import Weighted, stream
from emulator.core.wire import guid_stream, new_guid
from emulator.ispring.domain import webhooks
from emulator.ispring.domain.lookups import lookup
from emulator.ispring.domain.models import ContentItem, Enrollment, ISpringWorld

DUE_DATE_TYPES = ("unlimited", "default", "due_date", "due_period")
ENROLLED_EVERY = 2  # every 2nd active learner has enrollments in the seeded account
COURSES_PER_LEARNER = (1, 3)


def parse_day(name: str, value: Any) -> date:
    """A ``yyyy-mm-dd`` date, or the date of an ISO 8601 date-time."""
    if isinstance(value, str) and len(value.strip()) >= 10:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise BadRequest(f"{name}: '{value}' is not a date (yyyy-mm-dd).")


def _course(world: ISpringWorld, course_id: str) -> ContentItem:
    item = world.content.get(course_id)
    if item is None or item.content_type != "Course":
        raise BadRequest(f"courseIds: '{course_id}' is not a course of this account.")
    return item


def _learner(world: ISpringWorld, learner_id: str) -> str:
    user = world.users.get(learner_id)
    if user is None or user.status == "DELETED":
        raise BadRequest(f"learnerIds: '{learner_id}' is not a user of this account.")
    return user.id


def due_date(world: ISpringWorld, enrollment: Enrollment) -> date | None:
    if enrollment.due_type == "due_date":
        return enrollment.due
    if enrollment.due_type == "due_period" and enrollment.due_period:
        return enrollment.access + timedelta(days=enrollment.due_period)
    if enrollment.due_type == "default":
        course = world.content.get(enrollment.course_id)
        if course is not None and course.due_days:
            return enrollment.access + timedelta(days=course.due_days)
    return None


def check_due(due_type: str, due: date | None, period: int | None) -> None:
    if due_type not in DUE_DATE_TYPES:
        raise BadRequest(f"dueDateType: '{due_type}' is not one of {', '.join(DUE_DATE_TYPES)}.")
    if due_type == "due_date" and due is None:
        raise BadRequest("dueDate: required when dueDateType is due_date.")
    if due_type == "due_period" and (period is None or period < 1):
        raise BadRequest("duePeriod: a number of days (at least 1) is required when dueDateType is due_period.")


def enroll(world: ISpringWorld, learner_ids: list[str], course_ids: list[str], *, due_type: str,
           due: date | None, period: int | None, access: date | None, lock: bool, now: datetime) -> list[Enrollment]:
    """The new enrollments (see the module docstring); an event for them."""
    check_due(due_type, due, period)
    if not learner_ids or not course_ids:
        raise BadRequest("learnerIds and courseIds: at least one id each.")
    learners = [_learner(world, i) for i in dict.fromkeys(learner_ids)]
    courses = [_course(world, i) for i in dict.fromkeys(course_ids)]
    made: list[Enrollment] = []
    for course in courses:
        for learner in learners:
            if find_one(world, learner, course.id) is not None:
                continue
            enrollment = Enrollment(id=new_guid(world.rng), course_id=course.id, learner_id=learner,
                                    access=access or now.date(), due_type=due_type, due=due if due_type ==
                                    "due_date" else None, due_period=period if due_type == "due_period" else None,
                                    lock_after_due=lock, created=now)
            world.enrollments[enrollment.id] = enrollment
            made.append(enrollment)
    by_course: dict[str, list[str]] = {}
    for e in made:
        by_course.setdefault(e.course_id, []).append(e.learner_id)
    if by_course:
        webhooks.emit(world, "LEARNERS_ENROLLED_IN_COURSE",
                      [{"courseId": c, "learnerIds": ids} for c, ids in by_course.items()])
    return made


def find_one(world: ISpringWorld, learner_id: str, course_id: str) -> Enrollment | None:
    return next((e for e in world.enrollments.values() if e.learner_id == learner_id and e.course_id == course_id),
                None)


def find(world: ISpringWorld, *, learner_ids: list[str], course_ids: list[str],
         enrollment_ids: list[str]) -> list[Enrollment]:
    """Every enrollment matching every filter given (an id list left out or empty filters nothing)."""
    learners, courses, ids = set(learner_ids), set(course_ids), set(enrollment_ids)
    return [e for e in world.enrollments.values() if (not learners or e.learner_id in learners)
            and (not courses or e.course_id in courses) and (not ids or e.id in ids)]


def get_enrollment(world: ISpringWorld, enrollment_id: str) -> Enrollment:
    return lookup(world.enrollments, enrollment_id.lower(), "Enrollment")


def update(world: ISpringWorld, enrollment_id: str, *, access: date, due_type: str, due: date | None,
           period: int | None, lock: bool | None) -> Enrollment:
    enrollment = get_enrollment(world, enrollment_id)
    check_due(due_type, due, period)
    enrollment.access, enrollment.due_type = access, due_type
    enrollment.due = due if due_type == "due_date" else None
    enrollment.due_period = period if due_type == "due_period" else None
    if lock is not None:
        enrollment.lock_after_due = lock
    return enrollment


def reenroll(world: ISpringWorld, enrollment_id: str, *, access: date, due_type: str, due: date | None,
             period: int | None, lock: bool | None, now: datetime) -> Enrollment:
    """New dates and a fresh start: the learner's progress in the course is cleared."""
    enrollment = update(world, enrollment_id, access=access, due_type=due_type, due=due, period=period, lock=lock)
    enrollment.modules.clear()
    enrollment.course_status, enrollment.completed, enrollment.score, enrollment.reason = None, None, None, ""
    enrollment.certificate_id, enrollment.certificate_issued = None, None
    enrollment.created = now
    webhooks.emit(world, "LEARNERS_ENROLLED_IN_COURSE",
                  [{"courseId": enrollment.course_id, "learnerIds": [enrollment.learner_id]}])
    return enrollment


def delete(world: ISpringWorld, enrollment_ids: list[str]) -> None:
    """Every id must name an enrollment (else 400 and nothing is deleted)."""
    if not enrollment_ids:
        raise BadRequest("enrollmentIds: at least one id.")
    for enrollment_id in enrollment_ids:
        if enrollment_id not in world.enrollments:
            raise BadRequest(f"enrollmentIds: '{enrollment_id}' is not an enrollment of this account.")
    for enrollment_id in dict.fromkeys(enrollment_ids):
        del world.enrollments[enrollment_id]


def seed_enrollments(world: ISpringWorld, rng: Any, anchor: datetime, scale: Scale) -> list[Enrollment]:
    """Enrollments of the seeded account (see the module docstring); progress is seeded by ``results``."""
    courses = [c for c in world.content.values() if c.content_type == "Course"]
    learners = [u for u in world.users.values() if u.status == "ACTIVE" and u.role == "LEARNER"]
    made = []
    dates: dict[int, tuple[date, datetime]] = {}  # days before the anchor -> (access day, its midnight), made once
    draw, pick_courses = _enrollment_draws(rng, scale), _course_picks(rng, courses, scale)
    for learner in learners[::ENROLLED_EVERY]:
        for course in pick_courses():
            days, due_type, enrollment_id, locked, type_group, due_days = draw()
            if days not in dates:
                day = (anchor - timedelta(days=days)).date()
                dates[days] = (day, datetime.combine(day, datetime.min.time(), anchor.tzinfo))
            access, created = dates[days]
            # id, course, learner, access, due type, due, due period, lock, type group, created: by position
            enrollment = Enrollment(enrollment_id, course.id, learner.id, access, due_type,
                                    access + timedelta(due_days) if due_type == "due_date" else None,
                                    due_days if due_type == "due_period" else None, locked, type_group, created)
            world.enrollments[enrollment_id] = enrollment
            made.append(enrollment)
    return made


def _course_picks(rng: Any, courses: list[ContentItem], scale: Scale) -> Callable[[], Sequence[ContentItem]]:
    """A learner's courses: 1..3 of them, in a random order. ``rng.sample`` in the default account; a sized one's
    (``core.scale``) a ``next()`` on a stream of every such choice, weighted as ``sample`` draws them (when the
    catalogue is small enough to list them: the seeded one has 8 courses, 400 choices)."""
    low, high = COURSES_PER_LEARNER
    if scale.default or len(courses) > 12:
        return lambda: rng.sample(courses, rng.randint(low, high))  # type: ignore[no-any-return]
    choices: list[tuple[ContentItem, ...]] = []
    weights: list[float] = []
    for count in range(low, min(high, len(courses)) + 1):
        ordered = list(permutations(courses, count))
        choices += ordered
        weights += [1 / len(ordered)] * len(ordered)
    return partial(next, Weighted(choices, weights).stream(rng))


def _enrollment_draws(rng: Any, scale: Scale) -> Callable[[], tuple[int, str, str, bool, int, int]]:
    """What an enrollment draws: its access day (days before the anchor), due date type, id, whether it locks
    after the due date, type group (0 by an administrator, 1 from the catalogue) and due days (a due date's days
    after access, or the due period). One ``random`` call each in the default account, in the order it always
    drew them; a sized one's (``core.scale``) from streams (``results._module_draws``)."""
    if scale.default:
        def drawn() -> tuple[int, str, str, bool, int, int]:
            days, due_type, enrollment_id = rng.randint(3, 120), rng.choice(DUE_DATE_TYPES), new_guid(rng)
            locked, type_group = rng.random() < 0.2, 0 if rng.random() < 0.8 else 1
            due_days = rng.randint(14, 90) if due_type == "due_date" else rng.randint(7, 60) \
                if due_type == "due_period" else 0
            return days, due_type, enrollment_id, locked, type_group, due_days
        return drawn
    days, due_types, ids = stream(rng, range(3, 121)), stream(rng, DUE_DATE_TYPES), guid_stream(rng, 1024)
    locks, groups = stream(rng, (True, False), cum_weights=(0.2, 1.0)), stream(rng, (0, 1), cum_weights=(0.8, 1.0))
    due_dates, due_periods = stream(rng, range(14, 91)), stream(rng, range(7, 61))

    def streamed() -> tuple[int, str, str, bool, int, int]:
        due_type = next(due_types)
        return (next(days), due_type, next(ids), next(locks), next(groups),
                next(due_dates) if due_type == "due_date" else next(due_periods) if due_type == "due_period" else 0)
    return streamed
