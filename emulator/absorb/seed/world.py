"""A deterministic Absorb portal for one tenant: the same seed gives the same world, ids included.

Shape: one admin, LEARNERS learners, ONLINE_COURSES online courses (chapters
and lessons) and ILC_COURSES instructor-led courses (sessions; some
multi-session). Every learner holds several course enrollments; the statuses
cycle through all 13 values, some enrollments carry a historical
(``isActive: false``) predecessor left by a re-enrollment, and online
enrollments carry chapter and lesson enrollments and attempts consistent with
their progress. All dates lie before the tenant's anchor and keep
added <= started <= completed <= edited; each is a whole number of milliseconds (``ms``:
stored precision is wire precision, see ``core.clock``).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from emulator.core.clock import to_wire_precision as ms
from emulator.core.fake import Fake
from emulator.core.store import derive_seed
from emulator.core.vendor import WorldContext
from emulator.core.wire import new_guid
from emulator.absorb.domain.models import (
    INSTRUCTOR_LED_COURSE, ONLINE_COURSE, AbsorbWorld, AttemptStatus, Chapter, Course, CourseEnrollment, Department,
    EnrollmentStatus, Lesson, Session, User,
)
from emulator.absorb.seed.fixtures import apply_fixture
from emulator.absorb.domain import (
    availability, catalogue, certificates, commerce, definitions, learning_state, managers, reference,
)
from emulator.absorb.domain.lessons import create_sub_enrollments
from emulator.absorb.domain.lookups import add_enrollment, add_user
from emulator.absorb.domain.rollup import LessonOutcome, SeededAttempt, aggregate, replay
from emulator.absorb.domain.sessions import new_session_enrollment
from emulator.core import seedrandom
from emulator.core.scale import Scale

LEARNERS = 55
ONLINE_COURSES = 16
ILC_COURSES = 8
ENROLLMENTS_PER_LEARNER = (2, 4)
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "admin"
LEARNER_PASSWORD = "learner"
LESSON_TYPES = ("Object", "Video", "Assessment", "Page")
DEPARTMENTS = ("Head Office", "Sales", "Engineering", "Customer Support", "Operations", "Finance")  # the first: root

ILC_ONLY = {EnrollmentStatus.ON_WAITLIST, EnrollmentStatus.ABSENT}
# Progress bounds per status (online courses); scores only where an outcome exists.
STARTED = {EnrollmentStatus.IN_PROGRESS, EnrollmentStatus.COMPLETE, EnrollmentStatus.NOT_COMPLETE,
           EnrollmentStatus.FAILED, EnrollmentStatus.PENDING_EVALUATION_REQUIRED, EnrollmentStatus.PENDING_PROCTOR,
           EnrollmentStatus.READY_FOR_REVIEW}
FINISHED = {EnrollmentStatus.COMPLETE}
ALL_DONE = {EnrollmentStatus.COMPLETE, EnrollmentStatus.FAILED, EnrollmentStatus.PENDING_EVALUATION_REQUIRED,
            EnrollmentStatus.READY_FOR_REVIEW}


def build_world(ctx: WorldContext) -> AbsorbWorld:
    rng, fake, anchor, scale = ctx.rng, Fake(ctx.rng), ctx.anchor, ctx.scale
    world = AbsorbWorld(portal=f"{ctx.tenant_id}.myabsorb.local", api_key=new_guid(rng), rng=rng)
    world.clock_anchor = anchor  # type: ignore[attr-defined]
    if ctx.fixture:  # the fixture replaces the generated portal: no need to generate it first

        apply_fixture(world, ctx.fixture, anchor)
    else:
        _users(world, fake, scale)
        _catalogue(world, fake, anchor, scale)
        _enrollments(world, anchor)
        _people(world, anchor, scale)
    certificates.award_existing(world)  # draws nothing: every id above stays as it was
    _reference(world, ctx)
    more = random.Random(derive_seed(ctx.seed, ctx.tenant_id, "absorb-catalogue"))  # issue 29's: ids above stay
    catalogue.seed(world, more, anchor)
    managers.seed(world, more)
    learning = random.Random(derive_seed(ctx.seed, ctx.tenant_id, "absorb-learning"))  # ids above stay
    learning_state.seed(world, learning, anchor)
    offerings = random.Random(derive_seed(ctx.seed, ctx.tenant_id, "absorb-offerings"))  # issue 29b's: ids stay
    commerce.seed(world, offerings, anchor)
    definitions.seed(world, offerings, anchor)
    if not ctx.fixture:  # a fixture portal's availability is the fixture's own (``availableTo``)
        availability.seed(world, offerings)
    world.rng = seedrandom.plain(world.rng)  # the same draws from here on, as the state file keeps it
    return world


def _reference(world: AbsorbWorld, ctx: WorldContext) -> None:
    """Groups, roles, countries, provinces, manager roles, from a generator of their own: the entities above keep
    their ids."""
    rng = random.Random(derive_seed(ctx.seed, ctx.tenant_id, "absorb-reference"))
    world.reference = reference.seed(world, rng, ctx.anchor)
    reference.assign_users(world, rng)
    reference.seed_manager_roles(world.reference, rng, ctx.anchor)  # issue 29's last: drawn after the rest


def _users(world: AbsorbWorld, fake: Fake, scale: Scale) -> None:
    rng = world.rng
    taken: set[str] = {ADMIN_USERNAME}
    admin = User(id=new_guid(rng), username=ADMIN_USERNAME, password=ADMIN_PASSWORD, first_name="Portal",
                 last_name="Administrator", email_address="admin@example.com", job_title="LMS Administrator",
                 avatar=None, is_admin=True)
    add_user(world, admin)
    for _ in range(LEARNERS if scale.users is None else scale.users - 1):
        first, last = fake.first_name(), fake.last_name()
        username = fake.username(first, last, taken)
        add_user(world, User(
            id=new_guid(rng), username=username, password=LEARNER_PASSWORD, first_name=first, last_name=last,
            email_address=f"{username}@example.com", job_title=fake.job() if rng.random() < 0.8 else None,
            avatar=f"/Files/Avatars/{username}.png" if rng.random() < 0.3 else None))


def _people(world: AbsorbWorld, anchor: datetime, scale: Scale) -> None:
    """Departments, and the user and course fields beyond what enrollments need.

    Drawn from their own generator (seeded from the portal's key), so the rest of the world -- ids, enrollments
    -- is what it was before these existed. Every user belongs to a department; about half carry
    ``customFields/string1`` (a cost centre) and a third ``customFields/decimal1`` (an associate number). A
    larger world (``scale``) has regional departments under the five divisions, in proportion to its users.
    """
    rng = random.Random(f"{world.api_key}/people")
    root = None
    for name in DEPARTMENTS:
        _department(world, rng, anchor, name, root)
        root = root or next(iter(world.departments))
    divisions = list(world.departments)[1:]
    regions = Fake(rng)
    for n in range(scale.of(len(DEPARTMENTS)) - len(DEPARTMENTS)):
        division = world.departments[divisions[n % len(divisions)]]
        _department(world, rng, anchor, f"{division.name} {regions.city()}", division.id)
    departments = list(world.departments)
    for n, user in enumerate(world.users.values()):
        user.department_id = departments[0] if user.is_admin else rng.choice(departments[1:])
        user.date_added = anchor - timedelta(days=rng.randint(750, 1000), seconds=rng.randint(0, 86399))
        user.date_edited = user.date_added + timedelta(days=rng.randint(0, 300))
        user.external_id = f"E{10000 + n}" if rng.random() < 0.7 else None
        user.employee_number = user.external_id
        user.date_hired = user.date_added - timedelta(days=rng.randint(0, 60))
        user.last_login_date = anchor - timedelta(days=rng.randint(1, 60)) if rng.random() < 0.8 else None
        user.gender = rng.choice((0, 1, 2))
        user.is_learner = not user.is_admin
        if rng.random() < 0.5:
            user.custom_fields.string1 = f"CC-{rng.randint(100, 999)}"
        if rng.random() < 0.33:
            user.custom_fields.decimal1 = float(rng.randint(100000, 999999))
    for course in world.courses.values():
        course.date_added = anchor - timedelta(days=rng.randint(1000, 1100))
        course.date_edited = course.date_added + timedelta(days=rng.randint(0, 200))
        course.description = f"{course.name}: what it covers and who it is for."
        course.external_id = f"C-{rng.randint(1000, 9999)}"
        course.allow_course_evaluation = rng.random() < 0.5
        course.learner_time = float(rng.choice((0.5, 1, 2, 4)))


def _department(world: AbsorbWorld, rng: random.Random, anchor: datetime, name: str, parent: str | None) -> None:
    added = anchor - timedelta(days=rng.randint(1100, 1500))
    department = Department(id=new_guid(rng), name=name, date_added=added, date_edited=added, parent_id=parent,
                            company_name="Example Corp", external_id=f"D-{len(world.departments) + 100}",
                            email_address=f"{name.split()[0].lower()}@example.com")
    world.departments[department.id] = department


def _catalogue(world: AbsorbWorld, fake: Fake, anchor: datetime, scale: Scale) -> None:
    """ONLINE_COURSES online and ILC_COURSES instructor-led courses (in proportion for a larger world), the last
    two ILCs (a ninth of them at size) multi-session."""
    rng = world.rng
    online_courses, ilc_courses = scale.of(ONLINE_COURSES), scale.of(ILC_COURSES, floor=3)
    multi = 2 if scale.default else max(1, ilc_courses // 9)
    for index in range(online_courses + ilc_courses):
        online = index < online_courses
        course = Course(id=new_guid(rng), name=("" if online else "Workshop: ") + fake.topic(),
                        course_type=ONLINE_COURSE if online else INSTRUCTOR_LED_COURSE,
                        version_id=new_guid(rng), credits=float(rng.choice((0, 1, 2, 5))) or None)
        world.courses[course.id] = course
        if online:
            for c in range(rng.randint(2, 3)):
                chapter = Chapter(id=new_guid(rng), course_id=course.id, name=f"Chapter {c + 1}: {fake.topic()}")
                world.chapters[chapter.id] = chapter
                course.chapter_ids.append(chapter.id)
                for n in range(rng.randint(2, 3)):
                    lesson = Lesson(id=new_guid(rng), course_id=course.id, chapter_id=chapter.id,
                                    name=f"Lesson {c + 1}.{n + 1}: {fake.topic()}",
                                    lesson_type=rng.choice(LESSON_TYPES))
                    world.lessons[lesson.id] = lesson
                    chapter.lesson_ids.append(lesson.id)
        else:
            course.multi_session = index >= online_courses + ilc_courses - multi
            for _ in range(3 if course.multi_session else 1):
                start = anchor + timedelta(days=rng.randint(-30, 60), hours=rng.choice((9, 13, 15)))
                session = Session(id=new_guid(rng), course_id=course.id, name=f"{course.name} — {fake.city()}",
                                  capacity=rng.choice((5, 10, 20)), start=start,
                                  end=start + timedelta(hours=rng.choice((2, 3, 6))))
                world.sessions[session.id] = session
                course.session_ids.append(session.id)


def _enrollments(world: AbsorbWorld, anchor: datetime) -> None:
    rng = world.rng
    learners = [u for u in world.users.values() if not u.is_admin]
    online = [c for c in world.courses.values() if not c.is_ilc]
    ilcs = [c for c in world.courses.values() if c.is_ilc and not c.multi_session]
    statuses = list(EnrollmentStatus)
    turn = 0
    for user in learners:
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
                _enroll(world, user, course, earlier, anchor,
                        days_back=(400, 700), active=False)
            _enroll(world, user, course, status, anchor, days_back=(5, 390), active=True)
    # The ILC-only statuses need an ILC: make sure both appear.
    for status in (EnrollmentStatus.ON_WAITLIST, EnrollmentStatus.ABSENT):
        if not any(e.status == status for e in world.enrollments.values()):
            user = rng.choice(learners)
            course = next(c for c in ilcs if (user.id, c.id) not in world.active)
            _enroll(world, user, course, status, anchor, days_back=(5, 100), active=True)


def _enroll(world: AbsorbWorld, user: User, course: Course, status: EnrollmentStatus, anchor: datetime, *,
            days_back: tuple[int, int], active: bool) -> None:
    rng = world.rng
    added = anchor - timedelta(days=rng.randint(*days_back), seconds=rng.randint(0, 86399))
    span = (anchor - added).total_seconds()
    started: datetime | None = None
    completed: datetime | None = None
    if status in STARTED:
        started = ms(added + timedelta(seconds=rng.uniform(0, span * 0.3)))
    if status in FINISHED and started is not None:  # FINISHED is within STARTED
        completed = ms(started + timedelta(seconds=rng.uniform(0, (anchor - started).total_seconds() * 0.5)))
    last = completed or started or added
    edited = ms(last + timedelta(seconds=rng.uniform(0, min(3600 * 24, (anchor - last).total_seconds()))))
    enrollment = CourseEnrollment(
        id=new_guid(rng), user_id=user.id, course_id=course.id, course_name=course.name, full_name=user.full_name,
        status=int(status), progress=0.0, date_added=added, date_edited=edited, date_started=started,
        date_completed=completed, course_version_id=course.version_id, is_active=active,
        accepted_terms_and_conditions=status in STARTED, job_title=user.job_title, avatar=user.avatar,
        date_due=added + timedelta(days=90) if rng.random() < 0.3 else None,
        date_expires=added + timedelta(days=365) if rng.random() < 0.2 else None,
        credits=course.credits if status == EnrollmentStatus.COMPLETE else None,
        certificate_id=new_guid(rng) if status == EnrollmentStatus.COMPLETE and rng.random() < 0.5 else None,
    )
    add_enrollment(world, enrollment)
    if course.is_ilc:
        _ilc_part(world, enrollment, course, status)
    else:
        _online_part(world, enrollment, course, status, anchor)


def _online_part(world: AbsorbWorld, enrollment: CourseEnrollment, course: Course, status: EnrollmentStatus,
                 anchor: datetime) -> None:
    """A plan of attempts whose outcome matches the course status; the course enrollment aggregates it now.

    Attempts are spread evenly between the enrollment's start and the anchor so no date lies in the future.
    The chapter, lesson and attempt entities are made from the plan when first read (``lessons.materialize``).
    """
    rng = world.rng
    lessons = [lid for ch in course.chapter_ids for lid in world.chapters[ch].lesson_ids]
    if status in ALL_DONE:
        done = len(lessons)
    elif status in STARTED:
        done = rng.randint(0, len(lessons) - 1)
    else:
        done = 0
    at = enrollment.date_added
    create_sub_enrollments(world, enrollment, course, at=at)
    if enrollment.date_started is None:
        return
    start = enrollment.date_started
    step = ms(min(timedelta(days=1), (anchor - start) / (2 * len(lessons) + 2)))
    touched = done + (1 if status not in ALL_DONE else 0)
    plan: dict[str, list[SeededAttempt]] = {}
    for position, lesson_id in enumerate(lessons[:touched]):
        finished = position < done
        tries = plan[lesson_id] = []
        if finished and rng.random() < 0.25:  # a failed try first
            tries.append(_planned(rng, start, step, AttemptStatus.FAILED, rng.uniform(20, 60)))
            start += step
        last_status = (AttemptStatus.FAILED if status == EnrollmentStatus.FAILED and position == len(lessons) - 1
                       else AttemptStatus.COMPLETE) if finished else AttemptStatus.IN_PROGRESS
        tries.append(_planned(rng, start, step, last_status, rng.uniform(70, 100) if finished else None))
        start += step
    last_write = max(c or s for tries in plan.values() for s, c, _, _ in tries)
    world.pending[enrollment.id] = (at, plan, last_write)
    untouched = LessonOutcome(date_edited=at)  # aggregate only reads outcomes: one serves them all
    aggregate(enrollment, [replay(LessonOutcome(date_edited=at), plan[lid]) if lid in plan
                                   else untouched for lid in lessons])
    enrollment.date_edited = max(enrollment.date_edited, last_write)
    if status not in (EnrollmentStatus.NOT_STARTED, EnrollmentStatus.IN_PROGRESS, EnrollmentStatus.COMPLETE):
        enrollment.status = int(status)  # administrative statuses are kept as seeded
        enrollment.date_completed = None
    enrollment.date_edited = max(d for d in (enrollment.date_edited, enrollment.date_completed,
                                             enrollment.date_started) if d)


def _planned(rng: Any, start: datetime, step: timedelta, status: AttemptStatus,
             score: float | None) -> SeededAttempt:
    """One attempt lasting under half a step (an in-progress one has no end yet)."""
    end = ms(start + step * rng.uniform(0.05, 0.5))
    if status == AttemptStatus.IN_PROGRESS:
        return (start, None, int(status), None)
    return (start, end, int(status), round(score or 0, 1))


def _ilc_part(world: AbsorbWorld, enrollment: CourseEnrollment, course: Course, status: EnrollmentStatus) -> None:
    session = world.sessions[course.session_ids[0]]
    se = new_session_enrollment(world, enrollment, session, at=enrollment.date_added)
    se.status = int(status)
    se.date_started, se.date_completed = enrollment.date_started, enrollment.date_completed
    if status == EnrollmentStatus.COMPLETE:
        se.progress = enrollment.progress = 100.0
        se.score = enrollment.score = float(world.rng.randint(60, 100))
    se.date_edited = enrollment.date_edited
    se.is_active = enrollment.is_active
