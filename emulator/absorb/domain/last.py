"""Rules of the last operations of issue 29: a user's resources and an enrollment's resources (the vendor's
Resources pages name both; neither page gives more than the path, so what each holds is the emulator's choice,
listed in docs/VENDOR-NOTES.md)."""
from __future__ import annotations

from dataclasses import dataclass

from emulator.core.errors import NotFound
from emulator.absorb.domain import catalogue
from emulator.absorb.domain.catalogue import CurriculumGroup, Resource
from emulator.absorb.domain.lookups import get_course, get_enrollment, get_user
from emulator.absorb.domain.models import AbsorbWorld, User


def user_resources(world: AbsorbWorld, user_id: str) -> list[Resource]:
    """``GET /users/{userId}/resources``: what that user would read on ``enrollments/my-resources`` (the global
    resources and those of their active enrollments' courses); 404 for an unknown user."""
    return catalogue.my_resources(world, get_user(world, user_id))


def enrollment_resources(world: AbsorbWorld, enrollment_id: str) -> list[Resource]:
    """``GET /enrollments/{id}/resources``: the resources of the enrollment's course; 404 for an unknown
    enrollment."""
    enrollment = get_enrollment(world, enrollment_id)
    return catalogue.course_resources(world, get_course(world, enrollment.course_id))


def managed_users(world: AbsorbWorld, manager_id: str) -> list[User]:
    """``GET /managers/{managerId}/users``: every user below the manager in the supervisor tree (their direct
    reports, those reports' reports, ...), each once; 404 for an unknown user. A cycle in ``supervisorId`` (a
    fixture may write one) ends the walk rather than looping."""
    get_user(world, manager_id)
    reports: dict[str, list[User]] = {}
    for u in world.users.values():
        if u.supervisor_id:
            reports.setdefault(u.supervisor_id, []).append(u)
    found: dict[str, User] = {}
    pending = [manager_id]
    while pending:
        for report in reports.get(pending.pop(), []):
            if report.id not in found and report.id != manager_id:
                found[report.id] = report
                pending.append(report.id)
    return list(found.values())


@dataclass(frozen=True, slots=True)
class PlacedGroup:
    """A curriculum group with the curriculum it belongs to (the group itself does not name it)."""

    curriculum_id: str
    group: CurriculumGroup


def curriculum_group(world: AbsorbWorld, group_id: str) -> PlacedGroup:
    """``GET /curriculums/curriculum-group?curriculumGroupId=``: 404 for an id no curriculum's group has."""
    for curriculum in catalogue.catalogue_of(world).curricula.values():
        for group in curriculum.groups:
            if group.id == group_id:
                return PlacedGroup(curriculum.id, group)
    raise NotFound("Curriculum group not found.", validations=[f"curriculumGroupId: '{group_id}' was not found"])


def curriculum_groups(world: AbsorbWorld, group_ids: list[str]) -> list[PlacedGroup]:
    """``GET /curriculums/multiple-curriculum-groups?curriculumGroupIds=``: in the order asked, each once; one
    unknown id is a 404 (nothing half-answered)."""
    return [curriculum_group(world, g) for g in dict.fromkeys(group_ids)]
