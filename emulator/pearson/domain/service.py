"""Pearson's domain rules: who may read whose sessions and encounters, and which ones they see.

Plain functions taking the world first; routes call them under the tenant's lock.

Authorization (documented on both help pages): the caller is the user named
in the path, OR a StaffMember assigned to the same center as that user; AND
the caller holds one of the route's roles (``ROUTE_ROLES``). For sessions
the vendor lists two role conditions that must both hold; the first lies
inside the second, so the effective set is the first list.

Not emulated: booking or cancelling classes, any route other than the two
read routes, how the real service issues tokens (the admin API does here).
"""
from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta
from typing import Any

from emulator.core.errors import Forbidden, NotFound
from emulator.pearson.domain.choices import CHOICES
from emulator.pearson.domain.models import (
    ADMINISTRATOR, PROSPECT_WITH_TRIAL, STAFF_MEMBER, STUDENT, USER, Encounter, PearsonWorld, TeacherSession, User,
)

# -- the vendor's role tables and token lifetime (the emulator's choices: choices.CHOICES) ---------------
TOKEN_LIFETIME = timedelta(hours=1)  # API-NOTES: Pearson tokens expire after one hour (tenant clock)
ROUTE_ROLES: dict[str, tuple[str, ...]] = {
    "sessions": (STAFF_MEMBER, STUDENT, ADMINISTRATOR, PROSPECT_WITH_TRIAL, USER),
    "encounters": (STAFF_MEMBER, STUDENT),
}

DENIED = "Authorization has been denied for this request."


def get_user(world: PearsonWorld, user_id: str) -> User:
    user = world.users.get(user_id.lower())
    if user is None:
        raise NotFound(f"No user was found with identifier '{user_id}'.")
    return user


def authorize(world: PearsonWorld, caller: User, roles: list[str], center_id: str | None, route: str,
              user_id: str) -> User:
    """The documented rule for ``route``; answers the target user. ``roles``/``center_id`` are the token's claims."""
    if not set(roles) & set(ROUTE_ROLES[route]):
        raise Forbidden(DENIED)
    target = get_user(world, user_id)
    if caller.id == target.id:
        return target
    if STAFF_MEMBER in roles and center_id is not None and center_id == target.center_id:
        return target
    raise Forbidden(DENIED)


def get_user_sessions(world: PearsonWorld, user_id: str, now: datetime) -> TeacherSession | None:
    """The session running at ``now`` (start <= now < end), else the next one to start, else None."""
    sessions = [world.sessions[i] for i in world.sessions_by_user.get(user_id, ())]
    for session in sessions:  # sorted by start: the first not yet ended is current or next
        if session.end > now:
            return session
    return None


def get_user_encounters(world: PearsonWorld, user_id: str, now: datetime) -> list[Encounter]:
    """The user's encounters that have not ended at ``now``, by start time."""
    found = [world.encounters[i] for i in world.encounters_by_user.get(user_id, ())]
    if CHOICES.encounters_upcoming_only:
        found = [e for e in found if e.end > now]
    return found


# -- indexes ------------------------------------------------------------------------------------

def add_session(world: PearsonWorld, session: TeacherSession) -> None:
    seed_session(world, session)
    world.changed(session)


def add_encounter(world: PearsonWorld, encounter: Encounter) -> None:
    seed_encounter(world, encounter)
    world.changed(encounter)


def seed_session(world: PearsonWorld, session: TeacherSession) -> None:
    """A session of a world being built (the seed, a fixture), indexed by its student: no ``world.changed``, as
    nothing can have read a world that is not served yet."""
    world.sessions[session.id] = session
    _insert(world.sessions_by_user.setdefault(session.user_id, []), session.id, (session.start, session.id),
            lambda i: (world.sessions[i].start, i))


def seed_encounter(world: PearsonWorld, encounter: Encounter) -> None:
    """An encounter of a world being built, indexed by its student (as ``seed_session``)."""
    world.encounters[encounter.id] = encounter
    _insert(world.encounters_by_user.setdefault(encounter.user_id, []), encounter.id, (encounter.start, encounter.id),
            lambda i: (world.encounters[i].start, i))


def _insert(ids: list[str], new_id: str, new_key: Any, key: Any) -> None:
    """``new_id`` into ``ids`` kept sorted by ``key``; ``new_key`` is its key."""
    if not ids or key(ids[-1]) <= new_key:  # the seed adds in start order: no search needed
        ids.append(new_id)
        return
    keys = [key(i) for i in ids]
    ids.insert(bisect_right(keys, new_key), new_id)
