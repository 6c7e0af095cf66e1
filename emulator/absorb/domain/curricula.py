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
from emulator.core.errors import Unprocessable
from emulator.core.wire import new_guid
from emulator.absorb.domain.catalogue import catalogue_of, get_curriculum
from emulator.absorb.domain.choices import CHOICES
from emulator.absorb.domain.enrollments import new_enrollment, unenroll as unenroll_courses
from emulator.absorb.domain.learning_state import CurriculumEnrollmentRecord, learning_of
from emulator.absorb.domain.lookups import get_user, touch
from emulator.absorb.domain.models import ACTIVE


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
    if not held and enrolled_record(world, user.id, curriculum.id) is None:
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


# -- enrolling in a curriculum as such ------------------------------------------------------------------------------
# ``POST /users/{userId}/enrollments/{courseId}`` with a curriculum's id: the vendor's curricula are course
# collections (an enrollment's ``courseCollectionId`` names one), enrolled in through the course routes.

def is_curriculum(world: AbsorbWorld, course_id: str) -> bool:
    return course_id not in world.courses and course_id in catalogue_of(world).curricula


def enrolled_record(world: AbsorbWorld, user_id: str, curriculum_id: str) -> CurriculumEnrollmentRecord | None:
    return next((r for r in learning_of(world).curriculum_enrollments.values()
                 if r.user_id == user_id and r.curriculum_id == curriculum_id), None)


def enroll_in_curriculum(world: AbsorbWorld, user_id: str, curriculum_id: str, *, re_enroll: bool,
                         at: datetime) -> CurriculumEnrollmentRecord:
    """Enroll a user in a curriculum: a curriculum enrollment, and an enrollment in each of its online courses the
    user is not already enrolled in (``courseCollectionId``: the curriculum); an instructor-led course of it is
    enrolled in later, through one of its sessions. Existing course enrollments count toward it as they are."""
    user, curriculum = get_user(world, user_id), get_curriculum(world, curriculum_id)
    if curriculum.active_status != ACTIVE:
        raise Unprocessable("The curriculum is not available for enrollment.",
                            validations=[f"courseId: curriculum '{curriculum_id}' is inactive"])
    state = learning_of(world)
    existing = enrolled_record(world, user.id, curriculum.id)
    if existing is not None and not re_enroll:
        refused = Unprocessable("The user is already enrolled in this curriculum. Use reEnroll to enroll again.",
                                validations=["reEnroll: the user has an active enrollment in this curriculum"])
        status = CHOICES.already_enrolled_status
        refused.status = status if isinstance(status, int) else refused.status
        raise refused
    if existing is not None:
        del state.curriculum_enrollments[existing.id]
    record = CurriculumEnrollmentRecord(new_guid(world.rng), user.id, curriculum.id, at)
    for course_id in dict.fromkeys(curriculum.course_ids()):
        course = world.courses.get(course_id)
        if course is None or course.is_ilc or course.active_status != ACTIVE:
            continue
        enrollment = _active(world, user, course_id)
        if enrollment is None or re_enroll:
            enrollment = new_enrollment(world, user, course, at=at)
            enrollment.course_collection_id = curriculum.id
            touch(world, enrollment, at)
        record.course_enrollment_ids.append(enrollment.id)
    state.curriculum_enrollments[record.id] = record
    world.changed(record)
    return record


def as_course_enrollment(world: AbsorbWorld, user: User, curriculum: Curriculum) -> CourseEnrollment | None:
    """The user's curriculum enrollment in the form of a course enrollment (``GET /users/{userId}/enrollments/
    {curriculumId}``), its status, progress and completion rolled up; None when they hold none."""
    record = enrolled_record(world, user.id, curriculum.id)
    rolled = curriculum_enrollment(world, user, curriculum)
    if record is None or rolled is None:
        return None
    return CourseEnrollment(
        id=record.id, user_id=user.id, course_id=curriculum.id, course_name=curriculum.name,
        full_name=user.full_name, status=int(rolled.status), progress=rolled.progress, date_added=record.date_added,
        date_edited=record.date_added, date_completed=rolled.date_completed, job_title=user.job_title,
        avatar=user.avatar)


def unenroll(world: AbsorbWorld, enrollment_ids: list[str]) -> None:
    """``POST /enrollments/unenroll``, whose ids may name curriculum enrollments too (the vendor's page: "Online
    Course, ILC, Curriculum or Course Bundle"): all must exist or nothing is removed. A curriculum enrollment
    leaves alone; the course enrollments it made stay (they are the learner's own progress)."""
    records = learning_of(world).curriculum_enrollments
    courses = [i for i in enrollment_ids if i not in records]
    if courses:
        unenroll_courses(world, courses)  # refuses unknown ids before removing anything
    for record_id in dict.fromkeys(i for i in enrollment_ids if i in records):
        world.changed(records.pop(record_id))
