"""Deterministic fake data drawn from Faker's en_US word lists with a seeded ``random.Random``.

Calling Faker's generator costs tens of microseconds per value and shares one
seed per instance; picking from its data tables with the world's own ``rng``
is fast enough to build a tenant in milliseconds and gives the same values
for the same seed, whatever else runs in the process.

Importing Faker costs ~0.1 s (``faker.config`` scans every locale), a fifth of
the start-up budget, for a few static lists. So the lists are kept in a small
JSON file per Faker version (``LMS_EMULATOR_CACHE`` or ``~/.cache/lms-emulator``);
when it is missing or unwritable, Faker is imported as before.
"""
from __future__ import annotations

import json
import os
import random
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .env import switches

TABLES = ("first", "last", "job", "adjective", "noun", "city_prefix", "city_suffix")


def _from_faker() -> dict[str, tuple[str, ...]]:
    # here: Faker's providers load only when the cached word lists are missing (once per Faker version)
    from faker.providers.address.en_US import Provider as Address
    from faker.providers.company.en_US import Provider as Company
    from faker.providers.job.en_US import Provider as Job
    from faker.providers.person.en_US import Provider as Person

    return {
        "first": tuple(Person.first_names), "last": tuple(Person.last_names), "job": tuple(Job.jobs),
        "adjective": tuple(Company.catch_phrase_words[0]), "noun": tuple(Company.catch_phrase_words[2]),
        "city_prefix": tuple(Address.city_prefixes), "city_suffix": tuple(Address.city_suffixes),
    }


def _cache_file() -> Path | None:
    try:
        version = metadata.version("faker")
    except metadata.PackageNotFoundError:
        return None
    return switches().cache / f"faker-{version}-en_US.json"


@lru_cache(maxsize=1)
def _tables() -> dict[str, tuple[str, ...]]:
    path = _cache_file()
    if path is not None:
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if set(cached) == set(TABLES):
                return {name: tuple(values) for name, values in cached.items()}
        except (OSError, ValueError):
            pass
    tables = _from_faker()
    if path is not None:
        try:  # atomic: a concurrent reader sees the old file or the whole new one
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as handle:
                json.dump({name: list(values) for name, values in tables.items()}, handle)
            os.replace(handle.name, path)
        except OSError:
            pass
    return tables


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
        first = self.rng.choice(self.t["city_prefix"])
        return f"{first} {self.last_name()}{self.rng.choice(self.t['city_suffix'])}"

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
