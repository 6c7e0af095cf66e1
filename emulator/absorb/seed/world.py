"""A deterministic Absorb portal for one tenant: the same seed gives the same world, ids included.

Shape: one admin, LEARNERS learners, ONLINE_COURSES online courses (chapters
and lessons) and ILC_COURSES instructor-led courses (sessions; some
multi-session). Every learner holds several course enrollments (``seed.enrollments``).
All dates lie before the tenant's anchor; each is a whole number of milliseconds
(stored precision is wire precision, see ``core.clock``).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from emulator.core.fake import Fake
from emulator.core.store import derive_seed
from emulator.core.vendor import WorldContext
from emulator.core.wire import new_guid
from emulator.absorb.domain.models import (
    INSTRUCTOR_LED_COURSE, ONLINE_COURSE, AbsorbWorld, Chapter, Course, Department,
    Lesson, Session, User,
)
from emulator.absorb.seed.fixtures import apply_fixture
from emulator.absorb.domain import (
    availability, catalogue, certificates, commerce, definitions, learning_state, managers, reference,
)
from emulator.absorb.domain.lookups import index_user
from emulator.absorb.seed.enrollments import seed_enrollments
from emulator.core import seedrandom
from emulator.core.seedrandom import SeedRandom
from emulator.core.scale import Scale

LEARNERS = 55
ONLINE_COURSES = 16
ILC_COURSES = 8
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "admin"
LEARNER_PASSWORD = "learner"
LESSON_TYPES = ("Object", "Video", "Assessment", "Page")
GENDERS = (0, 1, 2)
DEPARTMENTS = ("Head Office", "Sales", "Engineering", "Customer Support", "Operations", "Finance")  # the first: root


def build_world(ctx: WorldContext) -> AbsorbWorld:
    rng, fake, anchor, scale = ctx.rng, Fake(ctx.rng), ctx.anchor, ctx.scale
    world = AbsorbWorld(portal=f"{ctx.tenant_id}.myabsorb.local", api_key=new_guid(rng), rng=rng)
    world.clock_anchor = anchor  # type: ignore[attr-defined]
    if ctx.fixture:  # the fixture replaces the generated portal: no need to generate it first

        apply_fixture(world, ctx.fixture, anchor)
    else:
        _users(world, fake, scale)
        _catalogue(world, fake, anchor, scale)
        seed_enrollments(world, anchor)
        _people(world, anchor, scale)
    certificates.award_existing(world)  # draws nothing: every id above stays as it was
    _reference(world, ctx)
    more = SeedRandom(derive_seed(ctx.seed, ctx.tenant_id, "absorb-catalogue"))  # issue 29's: ids above stay
    catalogue.seed(world, more, anchor)
    managers.seed(world, more)
    learning = SeedRandom(derive_seed(ctx.seed, ctx.tenant_id, "absorb-learning"))  # ids above stay
    learning_state.seed(world, learning, anchor)
    offerings = SeedRandom(derive_seed(ctx.seed, ctx.tenant_id, "absorb-offerings"))  # issue 29b's: ids stay
    commerce.seed(world, offerings, anchor)
    definitions.seed(world, offerings, anchor)
    if not ctx.fixture:  # a fixture portal's availability is the fixture's own (``availableTo``)
        availability.seed(world, offerings)
    world.rng = seedrandom.plain(world.rng)  # the same draws from here on, as the state file keeps it
    return world


def _reference(world: AbsorbWorld, ctx: WorldContext) -> None:
    """Groups, roles, countries, provinces, manager roles, from a generator of their own: the entities above keep
    their ids."""
    rng = SeedRandom(derive_seed(ctx.seed, ctx.tenant_id, "absorb-reference"))
    world.reference = reference.seed(world, rng, ctx.anchor)
    reference.assign_users(world, rng)
    reference.seed_manager_roles(world.reference, rng, ctx.anchor)  # issue 29's last: drawn after the rest


def _users(world: AbsorbWorld, fake: Fake, scale: Scale) -> None:
    rng = world.rng
    taken: set[str] = {ADMIN_USERNAME}
    admin = User(id=new_guid(rng), username=ADMIN_USERNAME, password=ADMIN_PASSWORD, first_name="Portal",
                 last_name="Administrator", email_address="admin@example.com", job_title="LMS Administrator",
                 avatar=None, is_admin=True)
    index_user(world, admin)  # add_user unannounced: nothing is cached or kept yet
    for _ in range(LEARNERS if scale.users is None else scale.users - 1):
        first, last = fake.first_name(), fake.last_name()
        username = fake.username(first, last, taken)
        index_user(world, User(
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
    rng = SeedRandom(f"{world.api_key}/people")
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
    head_office, regional = departments[0], departments[1:]  # not sliced per user: 5,000 departments at 50k
    for n, user in enumerate(world.users.values()):
        user.department_id = head_office if user.is_admin else rng.choice(regional)
        # timedelta(days, seconds): positional arguments cost half what keywords do
        user.date_added = anchor - timedelta(rng.randint(750, 1000), rng.randint(0, 86399))
        user.date_edited = user.date_added + timedelta(rng.randint(0, 300))
        user.external_id = f"E{10000 + n}" if rng.random() < 0.7 else None
        user.employee_number = user.external_id
        user.date_hired = user.date_added - timedelta(rng.randint(0, 60))
        user.last_login_date = anchor - timedelta(rng.randint(1, 60)) if rng.random() < 0.8 else None
        user.gender = rng.choice(GENDERS)
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
