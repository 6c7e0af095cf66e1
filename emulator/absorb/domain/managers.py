"""Managers, their direct reports (the users whose ``supervisorId`` names them) and the Manager Experience's
roles."""
from __future__ import annotations

import random

from emulator.absorb.domain.lookups import get_user
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.domain.reference import ManagerRole

MANAGERS = 4  # seeded learners who supervise others


def direct_reports(world: AbsorbWorld, manager_id: str) -> list[User]:
    """``GET /managers/{managerId}``: 404 for an unknown user; a user who supervises nobody has none."""
    get_user(world, manager_id)
    return [u for u in world.users.values() if u.supervisor_id == manager_id]


def manager_roles(world: AbsorbWorld) -> list[ManagerRole]:
    """``GET /managers/roles``: the portal's manager roles (the Manager Experience's, not the admin roles of
    ``/roles``): the vendor's locked default "Manager" and the custom ones; none in a world built before they
    were seeded."""
    return list(world.reference.manager_roles.values()) if world.reference is not None else []


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
