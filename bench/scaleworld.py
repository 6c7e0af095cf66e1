"""Grow a seeded Absorb world to N users in-process, for the scale benches (``bench_scale_reads.py``,
``bench_statewrite.py --users``): each new user is a seeded learner copied under a new id, username, email and
external id (department kept), with ``enrollments`` course enrollments copied likewise. Deterministic per seed.

This is a bench fixture, not the size knob of issue 32 (``serve --users N``): it makes a world big enough to
measure reads and writes over, cheaply, without going through the fixture loader.
"""
from __future__ import annotations

import copy
import random
from typing import Any

from emulator.absorb.domain.lookups import add_enrollment, add_user
from emulator.absorb.domain.models import AbsorbWorld
from emulator.core.wire import new_guid


def grow_absorb(world: AbsorbWorld, users: int, *, enrollments: int = 2, seed: int = 7) -> None:
    """Add learners (and their enrollments) to ``world`` until it has ``users`` users."""
    rng = random.Random(seed)
    learners = [u for u in world.users.values() if not u.is_admin]
    courses = [c for c in world.courses.values() if not c.is_ilc]
    template = next(iter(world.enrollments.values()))
    n = 0
    while len(world.users) < users:
        n += 1
        user = copy.copy(rng.choice(learners))
        user.id = new_guid(rng)
        user.username = f"scale.user{n:06d}"
        user.email_address = f"scale.user{n:06d}@example.com"
        user.external_id = f"EXT-{n:06d}"
        user.cc_email_addresses, user.role_ids = list(user.cc_email_addresses), list(user.role_ids)
        user.custom_fields = copy.copy(user.custom_fields)
        add_user(world, user)
        for course in rng.sample(courses, min(enrollments, len(courses))):
            if (user.id, course.id) in world.active:
                continue
            made: Any = copy.copy(template)
            made.id, made.user_id, made.course_id, made.course_name = new_guid(rng), user.id, course.id, course.name
            made.full_name = f"{user.first_name} {user.last_name}"
            made.credit_type_credits = []
            add_enrollment(world, made)
