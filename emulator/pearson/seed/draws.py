"""What the seed draws for each student: its sessions, encounters, progress and contracts.

Two ways, one shape. ``Draws`` makes one ``random`` call per value, in the order the default world was first
seeded in, so that world stays byte for byte what it was (``tests/core/test_scale.py``). ``QuickDraws`` is a
sized world's (``core.scale``: it must be deterministic per seed, anchor and size, not what it was): the same
distributions, drawn from endless streams a thousand values at a time (``core.seedrandom.stream``, GUIDs from
``core.wire.guid_stream``), so that each value is a ``next()`` (a C call) instead of a Python frame or three:
a 50,000-user world draws ~2 million of them. The world and the schedule make the entities from either.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice, product
from random import Random

from emulator.core.fake import Fake
from emulator.core.instants import MINUTES_A_DAY
from emulator.core.seedrandom import Weighted, stream
from emulator.pearson.domain.models import AVAILABLE_CLASS_STATUSES, Teacher

SESSIONS_PER_STUDENT = (0, 6)  # 0 for some: the sessions route answers null
SESSION_HOURS = (8, 10, 13, 15, 18, 20)
SESSION_MINUTES = (30, 45, 60)
ENCOUNTERS_PER_STUDENT = (2, 6)
ENCOUNTER_HOURS = (9, 11, 14, 17, 19)
ENCOUNTER_MINUTES = (60, 90)
ONLINE_SHARE = 0.4
STATUS_WEIGHTS = (6, 3, 1, 1)  # Available, Booked, Full, Cancelled
STATUS_DRAW = Weighted(AVAILABLE_CLASS_STATUSES, STATUS_WEIGHTS)
UNITS = (0, 18)  # a student's last completed unit
CONTRACT_DAYS = (30, 300)  # the active contract began this many days before the anchor, ends this many after
CONTRACT_NUMBERS = (100000, 999999)
NEXT_CONTRACT_SHARE = 0.5

# A session's draws: its id and content item, its teacher, its start and end (minutes from the anchor).
SessionDraw = tuple[str, str, Teacher, int, int]
# An encounter's draws: its id, unit, start (minutes from the anchor), length, status and whether it is online.
EncounterDraw = tuple[str, int, int, int, str, bool]
# A contract's draws: its id, its number, its start and end (minutes from the anchor, whole days).
ContractDraw = tuple[str, int, int, int]


class Draws:
    """The default world's draws: one ``random`` call per value, in the first seed's order."""

    def __init__(self, rng: Random, guids: Iterator[str], teachers: Sequence[Teacher], fake: Fake) -> None:
        """``teachers``: filled before the first session is drawn."""
        self.rng, self.guids, self.teachers, self.fake = rng, guids, teachers, fake

    def name(self) -> tuple[str, str]:
        """A person's first and last name."""
        return self.fake.first_name(), self.fake.last_name()

    def session_count(self) -> int:
        """How many sessions a student has who is neither the first nor the last of ten."""
        return self.rng.randint(SESSIONS_PER_STUDENT[0] + 1, SESSIONS_PER_STUDENT[1])

    def sessions(self, count: int) -> Iterator[SessionDraw]:
        """Hour-aligned sessions: a couple in the past days, the rest spread over the next weeks."""
        rng, guids = self.rng, self.guids
        day = -rng.randint(1, 4)
        for _ in range(count):
            hour = rng.choice(SESSION_HOURS) * 60
            minutes = rng.choice(SESSION_MINUTES)
            teacher = rng.choice(self.teachers)
            session_id, start = next(guids), day * MINUTES_A_DAY + hour
            yield session_id, next(guids), teacher, start, start + minutes
            day += rng.randint(1, 5)

    def encounters(self) -> Iterator[EncounterDraw]:
        """Classes for the unit the student is on and the next: in the center or online, 60 or 90 minutes."""
        rng, guids = self.rng, self.guids
        unit = rng.randint(1, 19)
        day = -rng.randint(0, 3)
        for n in range(rng.randint(*ENCOUNTERS_PER_STUDENT)):
            hour = rng.choice(ENCOUNTER_HOURS) * 60
            online = rng.random() < ONLINE_SHARE
            status = STATUS_DRAW.pick(rng)
            encounter_id = next(guids)
            yield (encounter_id, min(20, unit + n // 3), day * MINUTES_A_DAY + hour, rng.choice(ENCOUNTER_MINUTES),
                   status, online)
            day += rng.randint(1, 4)

    def completed_unit(self) -> int:
        return self.rng.randint(*UNITS)

    def contracts(self) -> Iterator[ContractDraw]:
        """An active contract and, for about half the students, the next one."""
        rng, guids = self.rng, self.guids
        started, ends = -rng.randint(*CONTRACT_DAYS), rng.randint(*CONTRACT_DAYS)
        yield next(guids), rng.randint(*CONTRACT_NUMBERS), started * MINUTES_A_DAY, ends * MINUTES_A_DAY
        if rng.random() < NEXT_CONTRACT_SHARE:
            yield next(guids), rng.randint(*CONTRACT_NUMBERS), (ends + 1) * MINUTES_A_DAY, (ends + 366) * MINUTES_A_DAY


class QuickDraws(Draws):
    """A sized world's draws: the same distributions, each value a ``next()`` on a stream (module docstring)."""

    def __init__(self, rng: Random, guids: Iterator[str], teachers: Sequence[Teacher], fake: Fake) -> None:
        super().__init__(rng, guids, teachers, fake)
        self._first_names, self._last_names = stream(rng, fake.t["first"]), stream(rng, fake.t["last"])
        self._session_counts = stream(rng, range(SESSIONS_PER_STUDENT[0] + 1, SESSIONS_PER_STUDENT[1] + 1))
        self._first_session_days = stream(rng, range(-1, -5, -1))
        self._session_slots = stream(rng, SESSION_SLOTS)
        self._teachers = stream(rng, teachers)  # drawn from once the first session is
        self._encounter_starts = stream(rng, ENCOUNTER_STARTS)
        self._encounter_slots = ENCOUNTER_SLOTS.stream(rng)
        self._units = stream(rng, range(UNITS[0], UNITS[1] + 1))
        self._contract_days = stream(rng, range(CONTRACT_DAYS[0], CONTRACT_DAYS[1] + 1))
        self._contract_numbers = stream(rng, range(CONTRACT_NUMBERS[0], CONTRACT_NUMBERS[1] + 1))
        self._next_contracts = stream(rng, (True, False), cum_weights=(NEXT_CONTRACT_SHARE, 1.0))

    def name(self) -> tuple[str, str]:
        return next(self._first_names), next(self._last_names)

    def session_count(self) -> int:
        return next(self._session_counts)

    def sessions(self, count: int) -> Iterator[SessionDraw]:
        guids, teachers = self.guids, self._teachers
        day = next(self._first_session_days)
        for hour, minutes, step in islice(self._session_slots, count):
            start = day * MINUTES_A_DAY + hour
            yield next(guids), next(guids), next(teachers), start, start + minutes
            day += step

    def encounters(self) -> Iterator[EncounterDraw]:
        guids = self.guids
        unit, day, count = next(self._encounter_starts)
        for n, (hour, minutes, online, status, step) in enumerate(islice(self._encounter_slots, count)):
            yield next(guids), min(20, unit + n // 3), day * MINUTES_A_DAY + hour, minutes, status, online
            day += step

    def completed_unit(self) -> int:
        return next(self._units)

    def contracts(self) -> Iterator[ContractDraw]:
        guids, days, numbers = self.guids, self._contract_days, self._contract_numbers
        started, ends = -next(days), next(days)
        yield next(guids), next(numbers), started * MINUTES_A_DAY, ends * MINUTES_A_DAY
        if next(self._next_contracts):
            yield next(guids), next(numbers), (ends + 1) * MINUTES_A_DAY, (ends + 366) * MINUTES_A_DAY


# QuickDraws' combinations, each drawn at once: a session's minute of the day, length and the days to the next;
# an encounter's unit, first day and count; an encounter's minute of the day, length, place, status and the days
# to the next (weighted as Draws draws them).
SESSION_SLOTS = tuple(product([h * 60 for h in SESSION_HOURS], SESSION_MINUTES, range(1, 6)))
ENCOUNTER_STARTS = tuple(product(range(1, 20), range(0, -4, -1),
                                 range(ENCOUNTERS_PER_STUDENT[0], ENCOUNTERS_PER_STUDENT[1] + 1)))


def _encounter_slots() -> Weighted[tuple[int, int, bool, str, int]]:
    slots, weights = [], []
    statuses = zip(AVAILABLE_CLASS_STATUSES, STATUS_WEIGHTS, strict=True)
    for hour, minutes, online, (status, weight), step in product(
            ENCOUNTER_HOURS, ENCOUNTER_MINUTES, (True, False), statuses, range(1, 5)):
        slots.append((hour * 60, minutes, online, status, step))
        weights.append(weight * (ONLINE_SHARE if online else 1 - ONLINE_SHARE))
    return Weighted(slots, weights)


ENCOUNTER_SLOTS = _encounter_slots()
