"""The catalogue's availability rules: which learners may see a course in ``my-catalog`` and enroll themselves
(``POST /my-enrollments``, ``POST /enroll/{courseId}``).

A course without a rule (``world.availability`` has no entry) is available to everyone -- the emulator's choice,
so a portal or fixture that sets none behaves as before. A rule names departments (and whether their
sub-departments are included) and groups; a learner whose department is named (or lies under a named one, with
``include_sub_departments``), or who is a member of a named group (its members at this moment, automatic groups
included), may see and enroll. An administrator's enrollment (``users/{userId}/enrollments``) is not held to it.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..core.errors import Unprocessable
from .models import AbsorbWorld, Course, User
from .reference import members

RESTRICTED = 3  # seeded: online courses made available to a department or a group only


@dataclass(slots=True)
class Availability:
    course_id: str
    department_ids: list[str] = field(default_factory=list)
    include_sub_departments: bool = True
    group_ids: list[str] = field(default_factory=list)


def _under(world: AbsorbWorld, department_id: str | None, named: set[str]) -> bool:
    """Whether ``department_id`` or one of its ancestors is in ``named`` (a loop in the tree stops the walk)."""
    seen: set[str] = set()
    while department_id is not None and department_id not in seen:
        if department_id in named:
            return True
        seen.add(department_id)
        parent = world.departments.get(department_id)
        department_id = parent.parent_id if parent is not None else None
    return False


def is_available(world: AbsorbWorld, user: User, course: Course) -> bool:
    rule = world.availability.get(course.id)
    if rule is None:
        return True
    named = set(rule.department_ids)
    if user.department_id in named or (rule.include_sub_departments and _under(world, user.department_id, named)):
        return True
    groups = world.reference.groups if world.reference is not None else {}
    return any(user.id in members(world, groups[g]) for g in rule.group_ids if g in groups)


def check_available(world: AbsorbWorld, user: User, course: Course) -> None:
    """A learner's self-enrollment in a course not available to them: 422 (the emulator's choice)."""
    if not is_available(world, user, course):
        raise Unprocessable("The course is not available to the current user.",
                            validations=[f"courseId: course '{course.id}' is not available to the user's department "
                                         "or groups"])


def seed(world: AbsorbWorld, rng: random.Random) -> None:
    """Restrict a few online courses that no prerequisite, curriculum or first pick of a client depends on: one to
    a department and its sub-departments, one to a single department, one to a group."""
    tied = {p for c in world.courses.values() for p in c.prerequisite_course_ids}
    tied |= {c.id for c in world.courses.values() if c.prerequisite_course_ids}
    if world.catalogue is not None:
        tied |= {i for cur in world.catalogue.curricula.values() for i in cur.course_ids()}
    online = [c for c in world.courses.values() if not c.is_ilc][3:]  # the first ones stay open to everyone
    free = [c for c in online if c.id not in tied and c.id not in world.availability]
    departments = [d for d in world.departments.values() if d.parent_id is not None]
    groups = list(world.reference.groups) if world.reference is not None else []
    picked = rng.sample(free, min(RESTRICTED, len(free))) if departments else []
    for n, course in enumerate(picked):
        if n < 2:
            rule = Availability(course.id, [rng.choice(departments).id], include_sub_departments=n == 0)
        elif groups:
            rule = Availability(course.id, group_ids=[rng.choice(groups)])
        else:
            continue
        world.availability[course.id] = rule
