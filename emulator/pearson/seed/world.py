"""A deterministic Pearson world for one tenant: the same seed gives the same world, ids included.

Shape: CENTERS centers ("BR-SAO-01"...), STUDENTS_PER_CENTER students and
STAFF_PER_CENTER staff members per center, administrators, one holder each of
ProspectWithTrial, User, QA, ISUSTeacher and FocusTool, TEACHERS teachers.
Most students have teacher sessions from a few days before the anchor to a
few weeks after it (so "current or next" moves with the tenant clock), and
encounters for the units they are working on (1..20). A few students have no
session at all (the route answers ``null``).

With a fixture (``ctx.fixture``, see ``schemas.FixtureSchema``) the world holds
exactly the fixture's entities instead.
"""
from __future__ import annotations

import hashlib
import random

from datetime import datetime
from typing import Any

from emulator.core.fake import Fake
from emulator.core.instants import Instants
from emulator.core.seedrandom import SeedRandom, Weighted
from emulator.core.vendor import WorldContext
from emulator.core.wire import new_guid
from emulator.pearson.seed import schedule
from emulator.pearson.domain import service
from emulator.pearson.seed.fixture_plan import plan_fixture
from emulator.core.scale import Scale
from emulator.pearson.domain.models import (
    ADMINISTRATOR, AVAILABLE_CLASS_STATUSES, FOCUS_TOOL, ISUS_TEACHER, PROSPECT_WITH_TRIAL, QA, STAFF_MEMBER,
    STUDENT, USER, Center, Encounter, PearsonWorld, Teacher, TeacherSession, User,
)
from emulator.pearson.wire.schemas import load_fixture, resolve_instant

CENTERS = (("Wall Street English São Paulo Paulista", "BR-SAO-01"), ("Wall Street English Rio Centro", "BR-RIO-01"),
           ("Wall Street English Ciudad de México Reforma", "MX-MEX-01"),
           ("Wall Street English Madrid Sol", "ES-MAD-01"))
STUDENTS_PER_CENTER = 10
STAFF_PER_CENTER = 2
ADMINISTRATORS = 2
OTHER_ROLES = (PROSPECT_WITH_TRIAL, USER, QA, ISUS_TEACHER, FOCUS_TOOL)
TEACHERS = 8
PARTNERS = 2
SESSIONS_PER_STUDENT = (0, 6)  # 0 for some: the sessions route answers null
ENCOUNTERS_PER_STUDENT = (2, 6)
MEETING_HOST = "https://meet.pearsonenglish.local/j/"
# FAST_FIELDS: the seed's most numerous entities are made with their fields by position, in the dataclass's
# order: a keyword call to a dataclass costs ~1.3 us more (its __init__ gets a dict), ~0.8 s of a 50,000-user
# world; the data.json hashes of the seeded worlds (default and sized) did not change.
STATUS_WEIGHTS = (6, 3, 1, 1)  # Available, Booked, Full, Cancelled
STATUS_DRAW = Weighted(AVAILABLE_CLASS_STATUSES, STATUS_WEIGHTS)
SESSION_HOURS = (8, 10, 13, 15, 18, 20)
SESSION_MINUTES = (30, 45, 60)
ENCOUNTER_HOURS = (9, 11, 14, 17, 19)
ENCOUNTER_MINUTES = (60, 90)


def build_world(ctx: WorldContext) -> PearsonWorld:
    rng = ctx.rng
    seeded = f"{rng.getrandbits(256):064x}"
    # The signing key is the incarnation's and the build's: tokens of a deleted tenant fail on one created again
    # with its id and seed, and a reset ends every token, as Absorb's and iSpring's end with their world.
    secret = (hashlib.sha256(f"{seeded}:{ctx.incarnation}:{ctx.build}".encode()).hexdigest()
              if ctx.incarnation or ctx.build else seeded)
    world = PearsonWorld(tenant_id=ctx.tenant_id, secret=secret)
    world.client_id = f"{ctx.tenant_id}.learning-services"
    world.client_secret = hashlib.sha256(f"{secret}:client".encode()).hexdigest()[:32]
    if ctx.fixture is not None:
        apply_fixture(world, ctx.fixture, ctx.anchor, rng)
        world.rng = random.Random(rng.getrandbits(64))
        return world
    fake, scale = Fake(rng), ctx.scale
    centers = [Center(id=new_guid(rng), name=name, reference_id=ref) for name, ref in _centers(scale, fake)]
    world.centers = {c.id: c for c in centers}
    partners = [new_guid(rng) for _ in range(PARTNERS)]
    for _ in range(scale.of(TEACHERS)):
        first, last = fake.first_name(), fake.last_name()
        teacher = Teacher(id=new_guid(rng), name=f"{first} {last}",
                          contact=f"{first}.{last}@teachers.example.com".lower(),
                          photo=f"https://cdn.pearsonenglish.local/teachers/{first.lower()}-{last.lower()}.jpg"
                          if rng.random() < 0.8 else None, partner_id=rng.choice(partners))
        world.teachers[teacher.id] = teacher

    def person(roles: list[str], center: Center | None) -> User:
        first, last = fake.first_name(), fake.last_name()
        user = User(id=new_guid(rng), name=f"{first} {last}", roles=roles, center_id=center.id if center else None,
                    email=f"{first}.{last}@example.com".lower())
        world.users[user.id] = user
        return user

    for center in centers:
        for _ in range(STAFF_PER_CENTER):
            person([STAFF_MEMBER], center)
    for _ in range(ADMINISTRATORS):
        person([ADMINISTRATOR], None)
    for role in OTHER_ROLES:
        person([role], rng.choice(centers) if role in (PROSPECT_WITH_TRIAL, USER) else None)
    teachers = list(world.teachers.values())
    instants = Instants(ctx.anchor)
    for center in centers:
        for s in range(STUDENTS_PER_CENTER):
            student = person([STUDENT], center)
            # the first student of every center always has sessions; the last never (null answer)
            low, high = SESSIONS_PER_STUDENT
            count = high if s == 0 else 0 if s == STUDENTS_PER_CENTER - 1 else rng.randint(low + 1, high)
            _sessions(world, teachers, student, count, instants, rng)
            _encounters(world, student, center, instants, rng)
    # Classes and bookings come last, from a generator of their own: every id seeded before stays the same
    # (a SeedRandom: a random.Random's draws, in one Python frame instead of three).
    schedule.seed_schedule(world, instants, SeedRandom(rng.getrandbits(64)))
    world.rng = random.Random(rng.getrandbits(64))
    return world


def _centers(scale: Scale, fake: Fake) -> list[tuple[str, str]]:
    """The four centers; a larger world (``core.scale``) has a center for every 12 of its users (10 students,
    2 staff), named after a city, in the countries of the four."""
    if scale.users is None:
        return list(CENTERS)
    count = max(1, round((scale.users - len(OTHER_ROLES) - ADMINISTRATORS) / (STUDENTS_PER_CENTER + STAFF_PER_CENTER)))
    found = list(CENTERS[:count])
    countries = [ref.split("-", 1)[0] for _, ref in CENTERS]
    for n in range(len(found), count):
        city = fake.city()
        found.append((f"Wall Street English {city}",
                      f"{countries[n % len(countries)]}-{city[:3].upper()}-{n // len(countries):02d}"))
    return found


def _sessions(world: PearsonWorld, teachers: list[Teacher], student: User, count: int, instants: Instants,
              rng: Any) -> None:
    """Hour-aligned sessions: a couple in the past days, the rest spread over the next weeks."""
    day = -rng.randint(1, 4)
    for _ in range(count):
        hour = rng.choice(SESSION_HOURS) * 60
        start, end = instants.at(day, hour), instants.at(day, hour + rng.choice(SESSION_MINUTES))
        _add_session(world, student, rng.choice(teachers), start, end, rng)
        day += rng.randint(1, 5)


def _add_session(world: PearsonWorld, student: User, teacher: Teacher, start: datetime, end: datetime, rng: Any,
                 *, session_id: str | None = None, meeting_url: str | None = None,
                 content_item_id: str | None = None) -> None:
    sid = session_id or new_guid(rng)
    service.seed_session(world, TeacherSession(  # fields by position (FAST_FIELDS)
        sid, student.id, teacher.id, teacher.name, teacher.contact, teacher.photo, teacher.partner_id,
        content_item_id or new_guid(rng), meeting_url or MEETING_HOST + sid.replace("-", "")[:11], start, end))


def _encounters(world: PearsonWorld, student: User, center: Center, instants: Instants, rng: Any) -> None:
    """Classes for the unit the student is on and the next: in the center or online, 60 or 90 minutes."""
    unit = rng.randint(1, 19)
    day = -rng.randint(0, 3)
    for n in range(rng.randint(*ENCOUNTERS_PER_STUDENT)):
        start = instants.at(day, rng.choice(ENCOUNTER_HOURS) * 60)
        online = rng.random() < 0.4
        status = STATUS_DRAW.pick(rng)
        service.seed_encounter(world, Encounter(  # fields by position (FAST_FIELDS)
            new_guid(rng), student.id, min(20, unit + n // 3), start, rng.choice(ENCOUNTER_MINUTES), status, online,
            center.id, center.name, center.reference_id))
        day += rng.randint(1, 4)


# -- fixtures -------------------------------------------------------------------------------------

def apply_fixture(world: PearsonWorld, data: Any, anchor: datetime, rng: Any) -> None:
    """Fill the (empty) world with exactly the fixture's entities: the whole fixture is checked first
    (``fixture_plan``: every problem listed, nothing built), then built. Ids left out are drawn from ``rng`` in
    the fixture's order, so the same fixture builds the same world."""
    plan = plan_fixture(load_fixture(data), anchor)
    doc = plan.doc
    for c in doc["centers"]:
        world.centers[c["id"]] = Center(id=c["id"], name=c["name"], reference_id=c["reference_id"],
                                        territory_id=c["territory_id"], is_online=c["is_online"])
    default_partner = new_guid(rng)
    for t in doc["teachers"]:
        world.teachers[t["id"]] = Teacher(id=t["id"], name=t["name"], contact=t["contact"], photo=t["photo"],
                                          partner_id=t["partner_id"] or default_partner)
    for u in doc["users"]:
        world.users[u["id"]] = User(id=u["id"], name=u["name"], roles=list(dict.fromkeys(u["roles"])),
                                    center_id=u["center_id"], email=u["email"], completed_unit=u["completed_unit"],
                                    password=u["password"])
    for s, (start, end) in zip(doc["sessions"], plan.session_spans, strict=True):
        _add_session(world, world.users[s["user_id"]], world.teachers[s["teacher_id"]], start, end, rng,
                     session_id=s["id"], meeting_url=s["meeting_url"], content_item_id=s["content_item_id"])
    for e, center_id in zip(doc["encounters"], plan.encounter_centers, strict=True):
        center = world.centers[center_id]
        service.seed_encounter(world, Encounter(
            id=e["id"] or new_guid(rng), user_id=e["user_id"], unit_number=e["unit_number"],
            start=resolve_instant(e["start"], anchor), duration=e["duration"], status=e["status"],
            is_online=e["is_online"], center_id=center.id, center_name=center.name,
            center_reference_id=center.reference_id))
    schedule.apply_schedule(world, plan, anchor, rng)
    world.from_fixture = True
