"""The size of a seeded world: ``serve --users N``, ``POST /_emulator/tenants {"users": N}``.

Without a size (``None``) every vendor seeds its default world, byte for byte what it was before sizes existed
(tests compare it). With one, each vendor grows its world to ``N`` users and everything that hangs off users
(courses, enrollments, departments, groups, sessions, classes...) in proportion to its default shape:
``Scale.of(default)`` is the default count times ``N / DEFAULT_USERS``, never below the floor the vendor names.

The limit (``MAX_USERS``, emulator's choice) keeps one tenant's build in the range measured by
``bench/bench_scale.py``: ~15 s of CPU and ~1.5 GB at 50,000 users, so 100,000 is the most a 2-core, 4 GB
machine is asked to hold; ``MIN_USERS`` is the smallest world every vendor's default shape still fits (iSpring's
three API clients and appraisal sessions of 8 participants, Pearson's roles).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .env import whole_number

DEFAULT_USERS = 56  # Absorb's default portal: an administrator and 55 learners
MIN_USERS = 20
MAX_USERS = 100_000


def check_users(value: Any) -> int | None:
    """``value`` as a world size: None (the default world) or an integer from MIN_USERS to MAX_USERS.
    ``ValueError`` with a message that says what is accepted otherwise."""
    if value is None:
        return None
    number = whole_number(value, f"a number of users ({MIN_USERS}-{MAX_USERS})")
    if not MIN_USERS <= number <= MAX_USERS:
        raise ValueError(f"{number} users is outside {MIN_USERS}-{MAX_USERS} (the emulator's limit per tenant)")
    return number


@dataclass(frozen=True)
class Scale:
    """A world's size: ``users`` None is the default world."""

    users: int | None = None

    @property
    def default(self) -> bool:
        return self.users is None

    @property
    def factor(self) -> float:
        return 1.0 if self.users is None else self.users / DEFAULT_USERS

    @property
    def guid_batch(self) -> int:
        """How many GUIDs a seeder draws at once (``core.wire.GuidStream``): one at a time in the default world,
        where each was drawn when it is made; a sized world's may be drawn ahead, a batch at a time (~4x faster)."""
        return 1 if self.users is None else 1024

    def of(self, default: int, *, floor: int = 1) -> int:
        """``default`` as is for the default world, else in proportion to the size (at least ``floor``)."""
        if self.users is None:
            return default
        return max(floor, round(default * self.factor))
