"""Course enrollments: enroll, re-enroll, create or update with a body, un-enroll."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator.core.errors import Unprocessable, ValidationFailed
from emulator.core.wire import new_guid
from emulator.absorb.domain.certificates import award, withdraw
from emulator.absorb.domain.choices import CHOICES
from emulator.absorb.domain.lessons import chapters_of, create_sub_enrollments, lessons_of
from emulator.absorb.domain.lookups import add_enrollment, get_course, get_user, sessions_of, touch
from emulator.absorb.domain.models import AbsorbWorld, Course, CourseEnrollment, User
from emulator.absorb.domain.models import EnrollmentStatus


SETTABLE = ("status", "date_completed", "date_expires", "course_version_id", "accepted_terms_and_conditions",
            "enrollment_key_id", "credits", "score")


def remove_enrollment(world: AbsorbWorld, enrollment: CourseEnrollment) -> None:
    """Un-enroll: the enrollment and everything under it leave every list."""
    world.pending.pop(enrollment.id, None)  # sub-enrollments never made need no removing
    withdraw(world, enrollment)
    for le in lessons_of(world, enrollment):
        for attempt_id in le.attempt_ids:
            world.attempts.pop(attempt_id, None)
            world.changed(attempt_id)
        del world.lesson_enrollments[le.id]
        world.changed(le)
    for ce in chapters_of(world, enrollment):
        del world.chapter_enrollments[ce.id]
        world.changed(ce)
    for se in sessions_of(world, enrollment.id):
        del world.session_enrollments[se.id]
        world.roster[se.session_id].remove(se.id)
        world.changed(se)
    for index in (world.lessons_of, world.chapters_of, world.sessions_of):
        index.pop(enrollment.id, None)
    del world.enrollments[enrollment.id]
    world.by_user[enrollment.user_id].discard(enrollment.id)
    world.by_course[enrollment.course_id].discard(enrollment.id)
    if world.active.get((enrollment.user_id, enrollment.course_id)) == enrollment.id:
        del world.active[(enrollment.user_id, enrollment.course_id)]
    world.changed(enrollment)


def refuse_multi_session(course: Course) -> None:
    if course.multi_session:
        raise Unprocessable("Multi-Session ILCs are not supported.",
                            validations=[f"courseId: course '{course.id}' is a multi-session ILC"])


def _check_enrollable(world: AbsorbWorld, user_id: str, course_id: str, re_enroll: bool) -> tuple[User, Course]:
    user, course = get_user(world, user_id), get_course(world, course_id)
    refuse_multi_session(course)
    if (user_id, course_id) in world.active and not re_enroll:
        refused = Unprocessable("The user is already enrolled in this course. Use reEnroll to enroll again.",
                                validations=["reEnroll: the user has an active enrollment in this course"])
        refused.status = CHOICES.already_enrolled_status
        raise refused
    return user, course


def create_enrollment(world: AbsorbWorld, user_id: str, course_id: str, *, re_enroll: bool,
                      at: datetime) -> CourseEnrollment:
    """Create enrollment for user and course (also the ``my-enrollments`` create)."""
    user, course = _check_enrollable(world, user_id, course_id, re_enroll)
    return new_enrollment(world, user, course, at=at)


def new_enrollment(world: AbsorbWorld, user: User, course: Course, *, at: datetime) -> CourseEnrollment:
    previous_id = world.active.get((user.id, course.id))
    if previous_id is not None:
        previous = world.enrollments[previous_id]
        previous.is_active = False
        touch(world, previous, at)
        for se in sessions_of(world, previous.id):
            if se.is_active:
                se.is_active = False
                touch(world, se, at)
        del world.active[(user.id, course.id)]
    enrollment = CourseEnrollment(
        id=new_guid(world.rng), user_id=user.id, course_id=course.id, course_name=course.name,
        full_name=user.full_name, status=int(EnrollmentStatus.NOT_STARTED), progress=0.0, date_added=at, date_edited=at,
        course_version_id=course.version_id, job_title=user.job_title, avatar=user.avatar)
    add_enrollment(world, enrollment)
    create_sub_enrollments(world, enrollment, course, at=at)
    return enrollment


def upsert_enrollment(world: AbsorbWorld, user_id: str, body: dict[str, Any], *, re_enroll: bool,
                      at: datetime) -> CourseEnrollment:
    """Create or update course enrollment: only the settable properties are applied."""
    course_id = body["course_id"]
    user, course = get_user(world, user_id), get_course(world, course_id)
    refuse_multi_session(course)
    _check_settable(body)
    existing = world.active.get((user_id, course_id))
    enrollment = (world.enrollments[existing] if existing and not re_enroll
                  else new_enrollment(world, user, course, at=at))
    for name in SETTABLE:
        if name in body:
            setattr(enrollment, name, body[name])
    if "status" in body:
        _status_dates(enrollment, at)
    touch(world, enrollment, at)
    award(world, enrollment, at=at)
    return enrollment


def _check_settable(body: dict[str, Any]) -> None:
    problems = []
    if body.get("score") is not None and not 0 <= body["score"] <= 100:
        problems.append("score: must be between 0 and 100")
    if body.get("credits") is not None and body["credits"] < 0:
        problems.append("credits: must not be negative")
    if problems:
        raise ValidationFailed("The enrollment is invalid.", validations=problems)


def _status_dates(enrollment: CourseEnrollment, at: datetime) -> None:
    """A status set by an admin keeps the dates and progress consistent with it."""
    status = enrollment.status
    if status in (EnrollmentStatus.COMPLETE,):
        enrollment.progress = 100.0
        enrollment.date_started = enrollment.date_started or at
        enrollment.date_completed = enrollment.date_completed or at
    elif status in (EnrollmentStatus.NOT_STARTED, EnrollmentStatus.PENDING_APPROVAL, EnrollmentStatus.DECLINED,
                    EnrollmentStatus.ON_WAITLIST, EnrollmentStatus.NOT_APPLICABLE):
        enrollment.date_completed = None
    elif enrollment.date_started is None:
        enrollment.date_started = at


def unenroll(world: AbsorbWorld, enrollment_ids: list[str]) -> None:
    """Un-enroll users from courses: all ids must exist, or nothing is removed."""
    missing = [i for i in enrollment_ids if i not in world.enrollments]
    if missing:
        raise Unprocessable("One or more enrollments were not found.",
                            validations=[f"enrollmentIds: '{i}' was not found" for i in missing])
    for enrollment_id in dict.fromkeys(enrollment_ids):
        remove_enrollment(world, world.enrollments[enrollment_id])
