"""Instructor-led session attendance (the vendor's Attendances page: ``/instructor-led-course-sessions/{sessionId}``).

Rules (the page names the paths only; the shapes and rules are the emulator's choices, in ``CHOICES`` and
docs/VENDOR-NOTES.md):
- a session's attendance is one row per active session enrollment (its roster), waitlisted learners included
  with ``attended`` null: they hold no seat to attend;
- marking a learner attended completes their session enrollment and their course enrollment (progress 100, the
  score given, dates set), which awards the course's certificate and its credits, as any completion does;
  marking them absent sets both to Absent (status 9); a certificate already awarded stays (it is history);
- a mark names a learner by ``userId``; one who is not on the session's roster, or is waitlisted, refuses the
  whole request (422, every problem named) and nothing is marked.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.core.errors import Unprocessable
from emulator.absorb.domain.certificates import award
from emulator.absorb.domain.learning_state import Attendance, learning_of
from emulator.absorb.domain.lookups import find, touch
from emulator.absorb.domain.models import AbsorbWorld, EnrollmentStatus as S, Session, SessionEnrollment


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    session_id: str
    course_id: str
    session_enrollment_id: str
    enrollment_id: str
    user_id: str
    full_name: str
    status: int
    attended: bool | None
    score: float | None
    date_marked: datetime | None


def _roster(world: AbsorbWorld, session: Session) -> list[SessionEnrollment]:
    return [s for s in world.session_enrollments.values() if s.session_id == session.id and s.is_active]


def session_attendance(world: AbsorbWorld, session_id: str) -> list[AttendanceRow]:
    session = find(world.sessions, session_id, "Session")
    marks = learning_of(world).attendance
    rows = []
    for se in _roster(world, session):
        mark = marks.get(se.id)
        rows.append(AttendanceRow(session.id, session.course_id, se.id, se.course_enrollment_id, se.user_id,
                                  se.full_name, se.status, mark.attended if mark else None,
                                  mark.score if mark else None, mark.date_marked if mark else None))
    return rows


def mark_attendance(world: AbsorbWorld, session_id: str, marks: list[dict[str, Any]], *,
                    at: datetime) -> list[AttendanceRow]:
    """Mark learners attended or absent (the rules in the module docstring); the session's attendance after."""
    session = find(world.sessions, session_id, "Session")
    roster = {se.user_id: se for se in _roster(world, session)}
    problems = []
    for n, mark in enumerate(marks):
        se = roster.get(mark["user_id"])
        if se is None:
            problems.append(f"[{n}].userId: user '{mark['user_id']}' is not enrolled in session '{session.id}'")
        elif se.status == S.ON_WAITLIST:
            problems.append(f"[{n}].userId: user '{mark['user_id']}' is on the session's waitlist")
    if problems:
        raise Unprocessable("The attendance could not be marked.", validations=problems)
    state = learning_of(world)
    for mark in marks:
        se = roster[mark["user_id"]]
        score = mark.get("score")
        state.attendance[se.id] = Attendance(se.id, mark["attended"], score, at)
        _apply(world, se, mark["attended"], score, at)
    return session_attendance(world, session.id)


def _apply(world: AbsorbWorld, se: SessionEnrollment, attended: bool, score: float | None, at: datetime) -> None:
    enrollment = world.enrollments[se.course_enrollment_id]
    for target in (se, enrollment):
        if attended:
            target.status, target.progress = int(S.COMPLETE), 100.0
            target.date_started = target.date_started or at
            target.date_completed = target.date_completed or at
        else:
            target.status, target.date_completed = int(S.ABSENT), None
        if score is not None:
            target.score = score
        touch(world, target, at)
    award(world, enrollment, at=at)
