"""Rules of the last operations of issue 29: a user's resources and an enrollment's resources (the vendor's
Resources pages name both; neither page gives more than the path, so what each holds is the emulator's choice,
listed in docs/VENDOR-NOTES.md), a manager's users, curriculum groups by id, and session details."""
from __future__ import annotations

from dataclasses import dataclass

from emulator.core.errors import NotFound
from emulator.absorb.domain import catalogue
from emulator.absorb.domain.catalogue import CurriculumGroup, Resource, SessionSchedule, Venue
from emulator.absorb.domain.lookups import get_course, get_enrollment, get_user
from emulator.absorb.domain.models import AbsorbWorld, EnrollmentStatus, Session, User


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


@dataclass(frozen=True, slots=True)
class SessionDetail:
    """A session as a learner chooses one: its course's name, its seats now, where and when it is held."""

    session: Session
    course_name: str
    enrolled_count: int  # active session enrollments holding a seat
    waitlist_count: int  # active ones waiting for a seat
    venue: Venue | None
    schedules: list[SessionSchedule]

    @property
    def available_seats(self) -> int:
        return max(self.session.capacity - self.enrolled_count, 0)


def session_details(world: AbsorbWorld, session_ids: list[str], course_id: str | None) -> list[SessionDetail]:
    """``GET /courses/session-details``: the sessions ``sessionIds`` names, in the order asked, each once; with
    ``courseId`` alone, that course's sessions in its own order (none for an online course). With both, every
    session named must be the course's. An unknown course or session (or one not the course's): 404, nothing
    half-answered. Seats are counted from the session's roster at this moment, so an enrollment, a move, a
    cancellation or a waitlisted learner shows at once."""
    course = get_course(world, course_id) if course_id is not None else None
    if session_ids:
        sessions = []
        for session_id in dict.fromkeys(session_ids):
            session = world.sessions.get(session_id)
            if session is None or (course is not None and session.course_id != course.id):
                where = f" in course '{course.id}'" if course is not None else ""
                raise NotFound(f"Session '{session_id}' was not found{where}.",
                               validations=[f"sessionIds: '{session_id}' was not found{where}"])
            sessions.append(session)
    else:
        sessions = [world.sessions[i] for i in course.session_ids] if course is not None else []
    return [_detail(world, s) for s in sessions]


def _detail(world: AbsorbWorld, session: Session) -> SessionDetail:
    held = [se for se in (world.session_enrollments[i] for i in world.roster.get(session.id, ())) if se.is_active]
    waiting = sum(1 for se in held if se.status == EnrollmentStatus.ON_WAITLIST)
    venues = catalogue.catalogue_of(world).venues
    return SessionDetail(session, world.courses[session.course_id].name, len(held) - waiting, waiting,
                         venues.get(session.venue_id) if session.venue_id else None, [catalogue.schedule_of(session)])
