"""Managers and their direct reports: a user's direct reports are the users whose ``supervisorId`` names them."""
from __future__ import annotations

import random

from emulator.absorb.domain.lookups import get_user
from emulator.absorb.domain.models import AbsorbWorld, User

MANAGERS = 4  # seeded learners who supervise others


def direct_reports(world: AbsorbWorld, manager_id: str) -> list[User]:
    """``GET /managers/{managerId}``: 404 for an unknown user; a user who supervises nobody has none."""
    get_user(world, manager_id)
    return [u for u in world.users.values() if u.supervisor_id == manager_id]


def seed(world: AbsorbWorld, rng: random.Random) -> None:
    """A few learners manage others: ``MANAGERS`` of them get ``isManager`` and each supervises some of the rest
    (draws only from ``rng``; a user who already has a supervisor, from a fixture, keeps it)."""
    if any(u.supervisor_id for u in world.users.values()):
        return
    learners = [u for u in world.users.values() if not u.is_admin]
    if len(learners) <= MANAGERS:
        return
    managers = rng.sample(learners, MANAGERS)
    for manager in managers:
        manager.is_manager = True
    manager_ids = {m.id for m in managers}  # not ``user in managers``: that compares every field of every pair
    for user in learners:
        if user.id not in manager_ids and rng.random() < 0.6:
            user.supervisor_id = rng.choice(managers).id
