"""ILC session enrollments: one per course enrollment; moving, waitlists, rosters."""
from __future__ import annotations

from datetime import datetime

from emulator.core.errors import NotFound, Unprocessable
from emulator.core.wire import new_guid
from emulator.absorb.domain.choices import CHOICES
from emulator.absorb.domain.enrollments import new_enrollment, refuse_multi_session
from emulator.absorb.domain.lookups import get_user_enrollment, get_course, get_user, sessions_of, touch
from emulator.absorb.domain.models import (
    AbsorbWorld, Course, CourseEnrollment, Session, SessionEnrollment,
)
from emulator.absorb.domain.models import (
    EnrollmentStatus,
)


def get_session(world: AbsorbWorld, course: Course, session_id: str) -> Session:
    session = world.sessions.get(session_id)
    if session is None or session.course_id != course.id:
        raise NotFound(f"Session '{session_id}' was not found in course '{course.id}'.")
    return session


def list_user_session_enrollments(world: AbsorbWorld, user_id: str, course_id: str) -> list[SessionEnrollment]:
    enrollment = get_user_enrollment(world, user_id, course_id)
    return sessions_of(world, enrollment.id)


def get_user_session_enrollment(world: AbsorbWorld, user_id: str, course_id: str, session_id: str) -> SessionEnrollment:
    for se in list_user_session_enrollments(world, user_id, course_id):
        if se.session_id == session_id and se.is_active:
            return se
    raise NotFound(f"The user has no enrollment in session '{session_id}'.")


def list_session_enrollments(world: AbsorbWorld, course_id: str, session_id: str) -> list[SessionEnrollment]:
    session = get_session(world, get_course(world, course_id), session_id)
    # the course's enrollments' session enrollments (``sessions_of``), not a scan of every session enrollment
    return [s for s in (world.session_enrollments[i] for e in world.by_course.get(session.course_id, ())
                        for i in world.sessions_of.get(e, ()))
            if s.session_id == session.id and s.is_active]


def new_session_enrollment(world: AbsorbWorld, enrollment: CourseEnrollment, session: Session, *,
                           at: datetime) -> SessionEnrollment:
    se = seat(world, enrollment, session, at=at)
    world.changed(se)
    return se


def seat(world: AbsorbWorld, enrollment: CourseEnrollment, session: Session, *, at: datetime) -> SessionEnrollment:
    """``new_session_enrollment`` unannounced (no ``world.changed``): for a world being seeded, which nothing has
    read, cached or kept yet."""
    held = (world.session_enrollments[i] for i in world.roster.get(session.id, ()))  # the session's, not all
    seated = sum(1 for s in held if s.is_active and s.status != EnrollmentStatus.ON_WAITLIST)
    status = CHOICES.full_session_status if seated >= session.capacity else EnrollmentStatus.NOT_STARTED
    se = SessionEnrollment(id=new_guid(world.rng), session_id=session.id, course_id=session.course_id,
                           course_enrollment_id=enrollment.id, user_id=enrollment.user_id,
                           full_name=enrollment.full_name, name=session.name, status=int(status), progress=0.0,
                           date_enrolled=at, date_edited=at)
    world.session_enrollments[se.id] = se
    world.sessions_of.setdefault(enrollment.id, []).append(se.id)
    world.roster.setdefault(session.id, []).append(se.id)
    return se


def create_ilc_enrollment(world: AbsorbWorld, user_id: str, course_id: str, session_id: str, *, re_enroll: bool,
                      cancel_session: bool, at: datetime) -> tuple[CourseEnrollment, SessionEnrollment]:
    """Create ILC enrollment for user: the course enrollment and the session enrollment together."""
    user, course = get_user(world, user_id), get_course(world, course_id)
    if not course.is_ilc:
        raise Unprocessable("The course is not an instructor-led course.",
                            validations=[f"courseId: course '{course_id}' is not an ILC"])
    refuse_multi_session(course)
    session = get_session(world, course, session_id)
    enrollment_id = world.active.get((user_id, course_id))
    current = [s for s in sessions_of(world, enrollment_id) if s.is_active] if enrollment_id else []
    if enrollment_id and not re_enroll and current and not cancel_session:
        raise Unprocessable("The user is already enrolled in a session of this course. "
                            "Use cancelSession to move or reEnroll to enroll again.",
                            validations=["sessionId: the user has an active session enrollment"])
    if enrollment_id is None or re_enroll:
        enrollment = new_enrollment(world, user, course, at=at)
    else:
        enrollment = world.enrollments[enrollment_id]
        for se in current:  # cancelSession: withdraw from the old session
            se.is_active = False
            touch(world, se, at)
    se = new_session_enrollment(world, enrollment, session, at=at)
    enrollment.status = se.status
    touch(world, enrollment, at)
    return enrollment, se
