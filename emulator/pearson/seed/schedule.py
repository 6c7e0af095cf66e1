"""Seeding of the booking world: territories, the online center, student progress, contracts, classes, bookings.

Shape (all from the seed, dates from the tenant's anchor): one territory per country of the seeded centers
plus a global one for the online center; one staff member of the online center; every student a completed
unit (0..18), an active contract and, for about half, a future one; at each center encounters for the units
its students book next (three each, from two days before the anchor to ten after), the online center's for
every student's next unit (two each), complementary classes, social clubs and workshops; about a third of the
students booked into an encounter of their next unit.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from operator import attrgetter

from emulator.core.fake import Fake
from emulator.core.instants import Instants
from emulator.core.scale import Scale
from emulator.core.wire import guid_stream, new_guid
from emulator.pearson.domain.bookings import add_booking
from emulator.pearson.domain.choices import CLASS_TYPE_NAMES, SEATS, BookMode, ClassType
from emulator.pearson.domain.classes import add_class
from emulator.pearson.domain.models import (
    STAFF_MEMBER, STUDENT, Booking, Center, Contract, PearsonClass, PearsonWorld, Territory, User,
)
from emulator.pearson.domain.people import add_contract
from emulator.pearson.wire.schemas import resolve_instant
from emulator.pearson.seed.draws import Draws, QuickDraws
from emulator.pearson.seed.fixture_plan import Plan

COUNTRIES = {"BR": "Brazil", "MX": "Mexico", "ES": "Spain"}
ONLINE = ("Wall Street English Online Center", "ONLINE-01")
DAYS = range(-2, 11)
HOURS = (8, 9, 11, 14, 17, 19, 20)
CATEGORIES = (["Grammar"], ["Pronunciation"], ["Business English"], ["Conversation", "Vocabulary"])
ENCOUNTERS_PER_UNIT = 3
ONLINE_ENCOUNTERS_PER_UNIT = 2
OTHER_CLASSES = {ClassType.COMPLEMENTARY_CLASS: 6, ClassType.SOCIAL_CLUB: 4, ClassType.WORKSHOP: 2}
BOOKED_SHARE = 0.35
BOOK_MODES = (BookMode.STAFF, BookMode.SELF)
BY_START = attrgetter("start", "id")  # classes in start order (ties by id)


def seed_schedule(world: PearsonWorld, instants: Instants, rng: random.Random, scale: Scale) -> None:
    anchor = instants.anchor
    guids = guid_stream(rng, scale.guid_batch)
    draws = (Draws if scale.default else QuickDraws)(rng, guids, (), Fake(rng))
    territories = _territories(world, anchor, rng, guids)
    online = Center(id=next(guids), name=ONLINE[0], reference_id=ONLINE[1], territory_id=territories["GLOBAL"].id,
                    is_online=True)
    world.centers[online.id] = online
    staff = User(id=next(guids), name="Olivia Online", roles=[STAFF_MEMBER], center_id=online.id,
                 email="olivia.online@example.com")
    world.users[staff.id] = staff
    students = [u for u in world.users.values() if STUDENT in u.roles]
    for student in students:
        student.completed_unit = draws.completed_unit()
        _contracts(world, student, instants, draws)
    counter = iter(range(1, 1_000_000))
    teachers = sorted(world.teachers)
    at_center: dict[str | None, list[User]] = {}
    for student in students:
        at_center.setdefault(student.center_id, []).append(student)
    for center in list(world.centers.values()):
        reached = students if center.is_online else at_center.get(center.id, [])
        per_unit = ONLINE_ENCOUNTERS_PER_UNIT if center.is_online else ENCOUNTERS_PER_UNIT
        for unit in sorted({s.completed_unit + 1 for s in reached}):
            for _ in range(per_unit):
                _class(world, center, ClassType.ENCOUNTER, unit, instants, rng, guids, next(counter), teachers)
        for class_type, count in OTHER_CLASSES.items():
            for _ in range(count):
                _class(world, center, class_type, 0, instants, rng, guids, next(counter), teachers)
    encounters: dict[tuple[str, int], list[PearsonClass]] = {}  # (center, unit) -> its encounters
    for cls in world.classes.values():
        if cls.class_type == ClassType.ENCOUNTER:
            encounters.setdefault((cls.center_id, cls.unit_number), []).append(cls)
    for student in students:
        if rng.random() < BOOKED_SHARE:
            _book_next(world, student, anchor, rng, guids, encounters, online.id)


def _territories(world: PearsonWorld, anchor: datetime, rng: random.Random,
                 guids: Iterator[str]) -> dict[str, Territory]:
    found: dict[str, Territory] = {}
    for code, name in (*COUNTRIES.items(), ("GLOBAL", "Global Online")):
        ident = next(guids)
        found[code] = Territory(id=ident, reference_id=f"WSE-{code}", name=f"Wall Street English {name}",
                                created=anchor - timedelta(days=rng.randint(400, 3000), seconds=rng.randint(0, 86399)),
                                client_id=f"{world.tenant_id}.territory-{code.lower()}",
                                client_secret=f"{rng.getrandbits(128):032x}")
        world.territories[ident] = found[code]
    for center in world.centers.values():
        country = center.reference_id.split("-", 1)[0]
        center.territory_id = found[country].id if country in found else found["GLOBAL"].id
    return found


def _contracts(world: PearsonWorld, student: User, instants: Instants, draws: Draws) -> None:
    """An active contract and, for about half the students, the next one (made as ``people.add_contract`` makes
    them, without its change notification: the world is not served yet)."""
    center = world.centers[student.center_id] if student.center_id else None
    prefix = center.reference_id if center else "WSE"
    at = instants.minutes
    for contract_id, number, start, end in draws.contracts():  # fields by position (world.FAST_FIELDS)
        world.contracts[contract_id] = Contract(contract_id, f"{prefix}-C{number}", student.id, at[start],
                                                at[end])


def _class(world: PearsonWorld, center: Center, class_type: ClassType, unit: int, instants: Instants,
           rng: random.Random, guids: Iterator[str], number: int, teachers: list[str]) -> None:
    """A class, made as ``classes.add_class`` makes it, without its change notification (not served yet)."""
    start = instants.at(rng.choice(DAYS), rng.choice(HOURS) * 60)
    duration = 60 if class_type in (ClassType.ENCOUNTER, ClassType.COMPLEMENTARY_CLASS) else 90
    categories = [] if class_type == ClassType.ENCOUNTER else list(rng.choice(CATEGORIES))
    label = f"Unit {unit} encounter" if class_type == ClassType.ENCOUNTER \
        else f"{CLASS_TYPE_NAMES[class_type]}: {', '.join(categories)}"
    cls = PearsonClass(  # fields by position (world.FAST_FIELDS)
        next(guids), f"{center.reference_id}-{number:05d}", int(class_type), unit, center.id,
        rng.choice(teachers) if teachers else None, start, duration, SEATS[class_type], label, categories)
    world.classes[cls.id] = cls


def _book_next(world: PearsonWorld, student: User, anchor: datetime, rng: random.Random, guids: Iterator[str],
               encounters: dict[tuple[str, int], list[PearsonClass]], online: str) -> None:
    """A seat in an encounter of the student's next unit that starts after the anchor, if one has room, in the
    student's center or online (``encounters``: by center and unit, so a large world books in linear time)."""
    unit = student.completed_unit + 1
    nearby = [*encounters.get((student.center_id or "", unit), ()), *encounters.get((online, unit), ())]
    booked = world.bookings_by_class
    open_classes = sorted((c for c in nearby if c.start > anchor and len(booked.get(c.id, ())) < c.seats),
                          key=BY_START)
    if not open_classes:
        return
    cls = rng.choice(open_classes)
    mode = rng.choice(BOOK_MODES)
    # id, class, student, mode, booked by, created: by position (a keyword call costs ~1.3 us more)
    add_booking(world, Booking(next(guids), cls.id, student.id, int(mode), student.id,
                               anchor - timedelta(rng.randint(1, 10))))


# -- fixtures ---------------------------------------------------------------------------------------

def apply_schedule(world: PearsonWorld, plan: Plan, anchor: datetime, rng: random.Random) -> None:
    """A fixture's territories, classes, bookings and contracts, as planned (``fixture_plan``: checked already;
    its centers and users are in)."""
    doc = plan.doc
    for t in doc["territories"]:
        world.territories[t["id"]] = Territory(
            id=t["id"], reference_id=t["reference_id"], name=t["name"], created=resolve_instant(t["created"], anchor),
            client_id=t["client_id"] or f"{world.tenant_id}.territory-{t['reference_id'].lower()}",
            client_secret=t["client_secret"] or f"{rng.getrandbits(128):032x}")
    for i, c in enumerate(doc["classes"]):
        center, kind = world.centers[c["center_id"]], ClassType(c["class_type"])
        add_class(world, PearsonClass(
            id=c["id"] or new_guid(rng), ref_class_id=c["ref_class_id"] or f"{center.reference_id}-{i + 1:05d}",
            class_type=int(kind), unit_number=c["unit_number"], center_id=center.id, teacher_id=c["teacher_id"],
            start=resolve_instant(c["start"], anchor), duration=c["duration"], seats=c["seats"] or SEATS[kind],
            description=c["description"] or CLASS_TYPE_NAMES[kind], categories=list(c["categories"]),
            closed=c["closed"]))
    for b in doc["bookings"]:
        add_booking(world, Booking(id=b["id"] or new_guid(rng), class_id=b["class_id"], student_id=b["student_id"],
                                   book_mode=b["book_mode"], booked_by=b["student_id"], created=anchor))
    for k, (start, end) in zip(doc["contracts"], plan.contract_spans, strict=True):
        add_contract(world, Contract(id=k["id"] or new_guid(rng), contract_id=k["contract_id"],
                                     student_id=k["student_id"], start=start, end=end))
