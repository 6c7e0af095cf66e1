"""A deterministic Pearson world for one tenant: the same seed gives the same world, ids included.

Shape: CENTERS centers ("BR-SAO-01"...), STUDENTS_PER_CENTER students and
STAFF_PER_CENTER staff members per center, administrators, one holder each of
ProspectWithTrial, User, QA, ISUSTeacher and FocusTool, TEACHERS teachers.
Most students have teacher sessions from a few days before the anchor to a
few weeks after it (so "current or next" moves with the tenant clock), and
encounters for the units they are working on (1..20). A few students have no
session at all (the route answers ``null``). A sized world (``core.scale``) has centers of about SIZED_CENTER
people instead (``_shape``) and draws with ``draws.QuickDraws``; the default world with ``draws.Draws``.

With a fixture (``ctx.fixture``, see ``schemas.FixtureSchema``) the world holds
exactly the fixture's entities instead.
"""
from __future__ import annotations

import hashlib
import random

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from emulator.core.fake import Fake
from emulator.core.instants import Instants
from emulator.core.seedrandom import SeedRandom
from emulator.core.vendor import WorldContext
from emulator.core.wire import guid_stream, new_guid
from emulator.pearson.seed import schedule
from emulator.pearson.seed.draws import SESSIONS_PER_STUDENT, Draws, EncounterDraw, QuickDraws, SessionDraw
from emulator.pearson.domain import service
from emulator.pearson.seed.fixture_plan import plan_fixture
from emulator.core.scale import Scale
from emulator.pearson.domain.models import (
    ADMINISTRATOR, FOCUS_TOOL, ISUS_TEACHER, PROSPECT_WITH_TRIAL, QA, STAFF_MEMBER,
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
MEETING_HOST = "https://meet.pearsonenglish.local/j/"
# A sized world (core.scale): centers of about SIZED_CENTER people, one staff member to this many students
SIZED_CENTER = 420
SIZED_CENTER_STUDENTS_PER_STAFF = 20
# FAST_FIELDS: the seed's most numerous entities are made with their fields by position, in the dataclass's
# order: a keyword call to a dataclass costs ~1.3 us more (its __init__ gets a dict), ~0.8 s of a 50,000-user
# world; the data.json hashes of the seeded worlds (default and sized) did not change.


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
    guids = guid_stream(rng, scale.guid_batch)
    shape = _shape(scale)
    centers = [Center(next(guids), name, ref) for name, ref in _centers(scale, fake, len(shape))]
    world.centers = {c.id: c for c in centers}
    partners = [next(guids) for _ in range(PARTNERS)]
    teachers: list[Teacher] = []  # drawn from by the sessions, once they are all made
    draws = (Draws if scale.default else QuickDraws)(rng, guids, teachers, fake)
    for _ in range(scale.of(TEACHERS)):
        first, last = draws.name()
        teacher = Teacher(id=next(guids), name=f"{first} {last}",
                          contact=f"{first}.{last}@teachers.example.com".lower(),
                          photo=f"https://cdn.pearsonenglish.local/teachers/{first.lower()}-{last.lower()}.jpg"
                          if rng.random() < 0.8 else None, partner_id=rng.choice(partners))
        world.teachers[teacher.id] = teacher
        teachers.append(teacher)
    users, name = world.users, draws.name

    def person(roles: list[str], center: Center | None) -> User:
        first, last = name()
        user = User(next(guids), f"{first} {last}", roles, center.id if center else None,  # fields by position
                    f"{first}.{last}@example.com".lower())
        users[user.id] = user
        return user

    for center, (staff, _) in zip(centers, shape, strict=True):
        for _ in range(staff):
            person([STAFF_MEMBER], center)
    for _ in range(ADMINISTRATORS):
        person([ADMINISTRATOR], None)
    for role in OTHER_ROLES:
        person([role], rng.choice(centers) if role in (PROSPECT_WITH_TRIAL, USER) else None)
    instants = Instants(ctx.anchor)
    for center, (_, students) in zip(centers, shape, strict=True):
        for s in range(students):
            student = person([STUDENT], center)
            # the first student of every ten at a center always has sessions; the tenth never (null answer)
            place = s % STUDENTS_PER_CENTER
            count = SESSIONS_PER_STUDENT[1] if place == 0 else 0 if place == STUDENTS_PER_CENTER - 1 \
                else draws.session_count()
            _sessions(world, student, draws.sessions(count), instants)
            _encounters(world, student, center, draws.encounters(), instants)
    # Classes and bookings come last, from a generator of their own: every id seeded before stays the same
    # (a SeedRandom: a random.Random's draws, in one Python frame instead of three).
    schedule.seed_schedule(world, instants, SeedRandom(rng.getrandbits(64)), scale)
    world.rng = random.Random(rng.getrandbits(64))
    return world


def _shape(scale: Scale) -> list[tuple[int, int]]:
    """(staff members, students) of each center. The default world: the four CENTERS of STAFF_PER_CENTER and
    STUDENTS_PER_CENTER. A sized one (``core.scale``): exactly its users, less the administrators and the other
    roles, in centers of about SIZED_CENTER people (the emulator's choice, docs/VENDOR-NOTES.md: a real
    network's centers hold hundreds of students, and a center's classes are made per unit, not per student),
    one staff member to SIZED_CENTER_STUDENTS_PER_STAFF students."""
    if scale.users is None:
        return [(STAFF_PER_CENTER, STUDENTS_PER_CENTER)] * len(CENTERS)
    people = max(2, scale.users - len(OTHER_ROLES) - ADMINISTRATORS - 1)  # and the online center's staff member
    count = max(1, round(people / SIZED_CENTER))
    shape = []
    for n in range(count):
        share = people // count + (n < people % count)
        staff = max(1, round(share / (SIZED_CENTER_STUDENTS_PER_STAFF + 1)))
        shape.append((staff, share - staff))
    return shape


def _centers(scale: Scale, fake: Fake, count: int) -> list[tuple[str, str]]:
    """The four centers; a larger world's (``_shape``) named after a city, in the countries of the four."""
    if scale.users is None:
        return list(CENTERS)
    found = list(CENTERS[:count])
    countries = [ref.split("-", 1)[0] for _, ref in CENTERS]
    for n in range(len(found), count):
        city = fake.city()
        found.append((f"Wall Street English {city}",
                      f"{countries[n % len(countries)]}-{city[:3].upper()}-{n // len(countries):02d}"))
    return found


def _sessions(world: PearsonWorld, student: User, draws: Iterable[SessionDraw], instants: Instants) -> None:
    """The student's sessions, in start order (so its index is appended to, not searched)."""
    made, at, sessions = [], instants.minutes, world.sessions
    for session_id, content_item_id, teacher, start, end in draws:
        sessions[session_id] = _session(student, teacher, at[start], at[end], session_id, content_item_id, None)
        made.append(session_id)
    if made:
        world.sessions_by_user[student.id] = made


def _session(student: User, teacher: Teacher, start: datetime, end: datetime, session_id: str,
             content_item_id: str, meeting_url: str | None) -> TeacherSession:
    return TeacherSession(  # fields by position (FAST_FIELDS)
        session_id, student.id, teacher.id, teacher.name, teacher.contact, teacher.photo, teacher.partner_id,
        content_item_id, meeting_url or MEETING_HOST + session_id.replace("-", "")[:11], start, end)


def _encounters(world: PearsonWorld, student: User, center: Center, draws: Iterable[EncounterDraw],
                instants: Instants) -> None:
    """The student's encounters, in start order (as ``_sessions``)."""
    made, at, encounters = [], instants.minutes, world.encounters
    user_id, center_id, name, reference_id = student.id, center.id, center.name, center.reference_id
    for encounter_id, unit, start, minutes, status, online in draws:
        encounters[encounter_id] = Encounter(  # fields by position (FAST_FIELDS)
            encounter_id, user_id, unit, at[start], minutes, status, online, center_id, name, reference_id)
        made.append(encounter_id)
    if made:
        world.encounters_by_user[student.id] = made


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
        session_id = s["id"] or new_guid(rng)
        service.seed_session(world, _session(world.users[s["user_id"]], world.teachers[s["teacher_id"]], start, end,
                                             session_id, s["content_item_id"] or new_guid(rng), s["meeting_url"]))
    for e, center_id in zip(doc["encounters"], plan.encounter_centers, strict=True):
        center = world.centers[center_id]
        service.seed_encounter(world, Encounter(
            id=e["id"] or new_guid(rng), user_id=e["user_id"], unit_number=e["unit_number"],
            start=resolve_instant(e["start"], anchor), duration=e["duration"], status=e["status"],
            is_online=e["is_online"], center_id=center.id, center_name=center.name,
            center_reference_id=center.reference_id))
    schedule.apply_schedule(world, plan, anchor, rng)
    world.from_fixture = True
