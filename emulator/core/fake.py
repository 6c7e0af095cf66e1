"""Deterministic fake data drawn from Faker's en_US word lists with a seeded ``random.Random``.

Calling Faker's generator costs tens of microseconds per value and shares one
seed per instance; picking from its data tables with the world's own ``rng``
is fast enough to build a tenant in milliseconds and gives the same values
for the same seed, whatever else runs in the process.
"""
from __future__ import annotations

import random
from functools import lru_cache

from faker.providers.address.en_US import Provider as _Address
from faker.providers.company.en_US import Provider as _Company
from faker.providers.job.en_US import Provider as _Job
from faker.providers.person.en_US import Provider as _Person


@lru_cache(maxsize=1)
def _tables() -> dict[str, tuple[str, ...]]:
    return {
        "first": tuple(_Person.first_names),
        "last": tuple(_Person.last_names),
        "job": tuple(_Job.jobs),
        "adjective": tuple(_Company.catch_phrase_words[0]),
        "noun": tuple(_Company.catch_phrase_words[2]),
        "city": tuple(_Address.city_prefixes + _Address.city_suffixes),
    }


class Fake:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.t = _tables()

    def first_name(self) -> str:
        return self.rng.choice(self.t["first"])

    def last_name(self) -> str:
        return self.rng.choice(self.t["last"])

    def job(self) -> str:
        return self.rng.choice(self.t["job"])

    def topic(self) -> str:
        """A course-like title: 'Advanced Synergy'."""
        return f"{self.rng.choice(self.t['adjective'])} {self.rng.choice(self.t['noun']).title()}"

    def city(self) -> str:
        first = self.rng.choice(_Address.city_prefixes)
        return f"{first} {self.last_name()}{self.rng.choice(_Address.city_suffixes)}"

    def username(self, first: str, last: str, taken: set[str]) -> str:
        base = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}{n}"
        taken.add(name)
        return name

    def password(self) -> str:
        letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "".join(self.rng.choice(letters) for _ in range(12))
