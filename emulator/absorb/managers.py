"""Managers and their direct reports: a user's direct reports are the users whose ``supervisorId`` names them."""
from __future__ import annotations

from .lookups import get_user
from .models import AbsorbWorld, User


def direct_reports(world: AbsorbWorld, manager_id: str) -> list[User]:
    """``GET /managers/{managerId}``: 404 for an unknown user; a user who supervises nobody has none."""
    get_user(world, manager_id)
    return [u for u in world.users.values() if u.supervisor_id == manager_id]
