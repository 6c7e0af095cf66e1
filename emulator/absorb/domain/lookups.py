"""Finding things in an Absorb world, and keeping its indexes in step with every write.

Every write announces itself with ``world.changed(entity)`` (``core.pagecache``): an edit through ``touch``,
which also moves ``dateEdited``; a new entity through ``add_user``/``add_enrollment``; a removal directly.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, TypeVar
from collections.abc import Iterable

from emulator.core.errors import NotFound
from emulator.absorb.domain.choices import CHOICES
from emulator.absorb.domain.models import AbsorbWorld, Course, CourseEnrollment, SessionEnrollment, User, username_key


class Identified(Protocol):
    @property
    def id(self) -> str: ...


Item = TypeVar("Item", bound=Identified)


def not_found(kind: str, item_id: str) -> NotFound:
    """The vendor's 404 for an id that names no ``kind`` of thing: "<kind> '<id>' was not found."."""
    return NotFound(f"{kind} '{item_id}' was not found.")


def find(table: dict[str, Any], item_id: str, kind: str) -> Any:
    """``table[item_id]``, or the vendor's 404 naming the ``kind`` of thing that was not found."""
    found = table.get(item_id)
    if found is None:
        raise not_found(kind, item_id)
    return found


def find_in(items: Iterable[Item], item_id: str, kind: str) -> Item:
    """The first of ``items`` with this id (things derived as they are read, kept in no table: session
    schedules, prerequisites, course versions), or the 404 ``find`` answers."""
    for item in items:
        if item.id == item_id:
            return item
    raise not_found(kind, item_id)


def get_user(world: AbsorbWorld, user_id: str) -> User:
    return find(world.users, user_id, "User")


def add_user(world: AbsorbWorld, user: User) -> None:
    index_user(world, user)
    world.changed(user)


def index_user(world: AbsorbWorld, user: User) -> None:
    """``add_user`` unannounced (no ``world.changed``): for a world being seeded, which nothing has read yet."""
    world.users[user.id] = user
    world.users_by_name[username_key(user.username)] = user.id


def get_course(world: AbsorbWorld, course_id: str) -> Course:
    return find(world.courses, course_id, "Course")


def get_enrollment(world: AbsorbWorld, enrollment_id: str) -> CourseEnrollment:
    return find(world.enrollments, enrollment_id, "Enrollment")


def get_user_enrollment(world: AbsorbWorld, user_id: str, course_id: str) -> CourseEnrollment:
    get_user(world, user_id)
    get_course(world, course_id)
    enrollment_id = world.active.get((user_id, course_id))
    if enrollment_id is None:
        raise NotFound(f"User '{user_id}' has no enrollment in course '{course_id}'.")
    return world.enrollments[enrollment_id]


def _listed(world: AbsorbWorld, ids: Iterable[str]) -> list[CourseEnrollment]:
    """Course enrollments for a list: historical ones too, unless ``CHOICES`` says otherwise."""
    found = [world.enrollments[i] for i in ids]
    return found if CHOICES.lists_include_history else [e for e in found if e.is_active]


def list_user_enrollments(world: AbsorbWorld, user_id: str) -> list[CourseEnrollment]:
    get_user(world, user_id)
    return _listed(world, world.by_user.get(user_id, ()))


def list_course_enrollments(world: AbsorbWorld, course_id: str) -> list[CourseEnrollment]:
    get_course(world, course_id)
    return _listed(world, world.by_course.get(course_id, ()))


def list_bulk_enrollments(world: AbsorbWorld, user_ids: list[str], course_ids: list[str]) -> list[CourseEnrollment]:
    """Enrollments of the listed users in the listed courses; an empty list means 'any'."""
    if user_ids:
        pool: Iterable[str] = (i for u in user_ids for i in world.by_user.get(u, ()))
    elif course_ids:
        pool = (i for c in course_ids for i in world.by_course.get(c, ()))
    else:
        pool = world.enrollments.keys()
    wanted = set(course_ids)
    found = _listed(world, dict.fromkeys(pool))
    return [e for e in found if not wanted or e.course_id in wanted]


def changed_since(items: Iterable[Any], status: int | None, modified_since: datetime | None) -> list[Any]:
    """The ``status`` and ``modifiedSince`` query parameters (edited at or after the instant)."""
    return [e for e in items
            if (status is None or e.status == status) and (modified_since is None or e.date_edited >= modified_since)]


def add_enrollment(world: AbsorbWorld, enrollment: CourseEnrollment) -> None:
    index_enrollment(world, enrollment)
    world.changed(enrollment)


def index_enrollment(world: AbsorbWorld, enrollment: CourseEnrollment) -> None:
    """A new course enrollment in the world and its indexes, unannounced: ``add_enrollment`` without
    ``world.changed``, for a world being seeded (nothing has read, cached or kept it yet)."""
    world.enrollments[enrollment.id] = enrollment
    world.by_user.setdefault(enrollment.user_id, set()).add(enrollment.id)
    world.by_course.setdefault(enrollment.course_id, set()).add(enrollment.id)
    if enrollment.is_active:
        world.active[(enrollment.user_id, enrollment.course_id)] = enrollment.id


def touch(world: AbsorbWorld, entity: Any, at: datetime | None) -> None:
    """Mark an entity edited: ``dateEdited`` moves, and the world is told (``world.changed``)."""
    if at is not None and hasattr(entity, "date_edited"):
        entity.date_edited = max(entity.date_edited, at)
    world.changed(entity)


def sessions_of(world: AbsorbWorld, enrollment_id: str) -> list[SessionEnrollment]:
    return [world.session_enrollments[i] for i in world.sessions_of.get(enrollment_id, ())]
