"""A learner's curriculum enrollment, rolled up from the enrollments in its courses.

Rules (the vendor's docs describe a curriculum as groups of courses, each group requiring all its courses or a
number of them; how the learner's standing in it reads is the emulator's choice, listed in docs/VENDOR-NOTES.md):
- a group is complete when ``required`` of its courses (all of them when unset) have an active enrollment at
  Complete; the curriculum is Complete when every group is;
- otherwise it is In Progress once one of its courses is started or complete, Not Started while the learner only
  holds enrollments in it that have not begun; with no enrollment in any of its courses there is none (None);
- ``progress`` is the share of required completions reached, 0-100.
The roll-up is derived on every read from the course enrollments, so it moves the moment a course enrollment does
(attempts rolling up, an admin's upsert, un-enrolling) and can never disagree with them; the writes that move it
already announce the change (``world.changed``), which is all the page cache needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from emulator.core.wire import iso_z
from emulator.absorb.domain.catalogue import Curriculum
from emulator.absorb.domain.models import AbsorbWorld, CourseEnrollment, EnrollmentStatus, User


@dataclass(frozen=True, slots=True)
class CurriculumGroupProgress:
    group_id: str
    name: str
    required: int
    completed: int

    @property
    def is_complete(self) -> bool:
        return self.completed >= self.required


@dataclass(frozen=True, slots=True)
class CurriculumEnrollment:
    curriculum_id: str
    user_id: str
    status: EnrollmentStatus
    progress: float
    date_completed: datetime | None
    groups: tuple[CurriculumGroupProgress, ...]


def _active(world: AbsorbWorld, user: User, course_id: str) -> CourseEnrollment | None:
    enrollment_id = world.active.get((user.id, course_id))
    return world.enrollments.get(enrollment_id) if enrollment_id is not None else None


def curriculum_enrollment(world: AbsorbWorld, user: User, curriculum: Curriculum) -> CurriculumEnrollment | None:
    """``user``'s standing in ``curriculum`` (the rules in the module docstring); None when not enrolled in it."""
    held = {course_id: e for course_id in curriculum.course_ids() if (e := _active(world, user, course_id))}
    if not held:
        return None
    complete = {c: e for c, e in held.items() if e.status == EnrollmentStatus.COMPLETE}
    groups = tuple(
        CurriculumGroupProgress(group.id, group.name,
                                min(len(group.course_ids), group.required or len(group.course_ids)),
                                min(sum(1 for c in group.course_ids if c in complete),
                                    group.required or len(group.course_ids)))
        for group in curriculum.groups)
    required = sum(g.required for g in groups)
    reached = sum(min(g.completed, g.required) for g in groups)
    if all(g.is_complete for g in groups):
        status = EnrollmentStatus.COMPLETE
        dates = [e.date_completed for e in complete.values() if e.date_completed is not None]
        completed_at = max(dates) if dates else None
    else:
        started = complete or any(e.status != EnrollmentStatus.NOT_STARTED or e.progress > 0 for e in held.values())
        status = EnrollmentStatus.IN_PROGRESS if started else EnrollmentStatus.NOT_STARTED
        completed_at = None
    progress = round(100.0 * reached / required, 2) if required else 100.0
    return CurriculumEnrollment(curriculum.id, user.id, status, progress, completed_at, groups)


def to_wire(enrollment: CurriculumEnrollment | None) -> dict[str, object] | None:
    """The ``curriculumEnrollment`` member of ``my-courses?curriculumId=`` (None: not enrolled)."""
    if enrollment is None:
        return None
    return {"curriculumId": enrollment.curriculum_id, "userId": enrollment.user_id,
            "status": int(enrollment.status), "progress": enrollment.progress,
            "dateCompleted": iso_z(enrollment.date_completed),
            "groups": [{"id": g.group_id, "name": g.name, "required": g.required, "completed": g.completed,
                        "isComplete": g.is_complete} for g in enrollment.groups]}
