"""What the seed draws for each user of the account: names, status, department, profile fields and dates.

Two ways, one shape (as ``pearson.seed.draws``). ``Draws`` makes one ``random`` call per value, in the order the
default account was first seeded in, so it stays byte for byte what it was (``tests/core/test_scale.py``).
``QuickDraws`` is a sized account's (``core.scale``: deterministic per seed, anchor and size, not what it was):
the same distributions, each value a ``next()`` on an endless stream drawn a thousand at a time
(``core.seedrandom.stream``, GUIDs from ``core.wire.guid_stream``) instead of a Python frame or two: a
50,000-user account draws ~800,000 of them. ``world.build_world`` makes the users from either.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from random import Random

from emulator.core.fake import Fake
from emulator.core.seedrandom import Weighted, stream
from emulator.core.wire import guid_stream, new_guid
from emulator.ispring.domain.models import USER_STATUSES, Department

STATUS_WEIGHTS = (16, 2, 1, 1)  # ACTIVE, DEACTIVATED, DELETED, TERMINATED
STATUS_DRAW = Weighted(USER_STATUSES, STATUS_WEIGHTS)
ALWAYS_ACTIVE = 3  # the first users (the owner, an administrator, a learner) are active
HIRED_DAYS = (30, 3650)  # hire date and addedDate: this many days before the anchor
PHONE_SHARE = 0.6
LAST_LOGIN_DAYS = (0, 60)
DAY_SECONDS = (0, 86399)


# What a user's making draws: its first and last name, status, days since its hire date, id, department id, job
# title, phone, employee number and office (a plain tuple: the cheapest thing to make, 50,000 times)
UserDraw = tuple[str, str, str, int, str, str, str, str, int, str]

# A user's addedDate and last login: days and seconds before the anchor, each
TimesDraw = tuple[int, int, int, int]


class Draws:
    """The default account's draws: one ``random`` call per value, in the first seed's order."""

    def __init__(self, rng: Random, fake: Fake, departments: Sequence[Department]) -> None:
        self.rng, self.fake, self.departments = rng, fake, departments

    def users(self, count: int) -> Iterator[UserDraw]:
        rng, fake = self.rng, self.fake
        for n in range(count):
            first, last = fake.first_name(), fake.last_name()
            status = "ACTIVE" if n < ALWAYS_ACTIVE else STATUS_DRAW.pick(rng)
            days = rng.randint(*HIRED_DAYS)
            user_id, department, job = new_guid(rng), rng.choice(self.departments).id, fake.job()
            phone = f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}" if rng.random() < PHONE_SHARE else ""
            yield first, last, status, days, user_id, department, job, phone, rng.randint(10000, 99999), fake.city()

    def times(self, count: int) -> Iterator[TimesDraw]:
        randint = self.rng.randint
        for _ in range(count):
            yield randint(*HIRED_DAYS), randint(*DAY_SECONDS), randint(*LAST_LOGIN_DAYS), randint(*DAY_SECONDS)


class QuickDraws(Draws):
    """A sized account's draws: the same distributions, each value a ``next()`` on a stream."""

    def users(self, count: int) -> Iterator[UserDraw]:
        rng, t = self.rng, self.fake.t
        firsts, lasts, jobs = stream(rng, t["first"]), stream(rng, t["last"]), stream(rng, t["job"])
        statuses, days, ids = STATUS_DRAW.stream(rng), stream(rng, range(HIRED_DAYS[0], HIRED_DAYS[1] + 1)), \
            guid_stream(rng, 1024)
        departments = stream(rng, [d.id for d in self.departments])
        phones = stream(rng, (True, False), cum_weights=(PHONE_SHARE, 1.0))
        exchanges, lines, numbers = stream(rng, range(100, 1000)), stream(rng, range(1000, 10000)), \
            stream(rng, range(10000, 100000))
        prefixes, suffixes = stream(rng, t["city_prefix"]), stream(rng, t["city_suffix"])
        for n in range(count):
            yield (next(firsts), next(lasts), "ACTIVE" if n < ALWAYS_ACTIVE else next(statuses), next(days),
                   next(ids), next(departments), next(jobs),
                   f"+1-555-{next(exchanges)}-{next(lines)}" if next(phones) else "", next(numbers),
                   f"{next(prefixes)} {next(lasts)}{next(suffixes)}")

    def times(self, count: int) -> Iterator[TimesDraw]:
        rng = self.rng
        hired, logins = stream(rng, range(HIRED_DAYS[0], HIRED_DAYS[1] + 1)), \
            stream(rng, range(LAST_LOGIN_DAYS[0], LAST_LOGIN_DAYS[1] + 1))
        seconds = stream(rng, range(DAY_SECONDS[0], DAY_SECONDS[1] + 1))
        for _ in range(count):
            yield next(hired), next(seconds), next(logins), next(seconds)
