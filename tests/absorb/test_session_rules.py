"""Absorb ILC session enrollments as a learner first sees them: a new seat has made no progress yet, on the
learner's own session enrollment and on the session's roster alike. (Mutation testing, tools/mutation.py
absorb/sessions, showed a new seat's progress could start anywhere with every other test green.)"""
from __future__ import annotations

from tests.absorb.test_domain_rules import NOT_STARTED, ON_WAITLIST, _roster, _seat, _small_session


def test_a_new_session_enrollment_starts_with_no_progress_seated_or_waitlisted(api):
    course, session = _small_session(api)
    learners = [u for u in api.learners() if (u.id, course.id) not in api.world.active]
    seated = sum(1 for s in _roster(api, course, session)["enrollments"] if s["status"] != ON_WAITLIST)
    free = session.capacity - seated
    assert len(learners) > free
    seen = []
    for learner in learners[:free + 1]:  # every free seat, then one on the waitlist
        se, ce = _seat(api, learner, course, session)
        assert se["progress"] == 0 and se["score"] is None and se["dateCompleted"] is None
        assert ce["progress"] == 0
        seen.append((se["id"], se["status"]))
    assert [status for _, status in seen] == [NOT_STARTED] * free + [ON_WAITLIST]
    roster = {s["id"]: s for s in _roster(api, course, session)["enrollments"]}
    assert all(roster[i]["progress"] == 0 and roster[i]["status"] == status for i, status in seen)
