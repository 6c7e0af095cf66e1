"""Absorb rules a user states, each pinned over the HTTP API at its edge: session seats and the waitlist,
un-enrolling what has attempts and a seat, how attempts score and time a lesson and roll up, the settable
properties' bounds, the bulk list's filters and ``modifiedSince``'s boundary. (Mutation testing showed each
could break with every other test still green: tools/mutation.py.)"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from emulator.absorb.domain.rollup import seeded_tries
from tests.vendor_api import AbsorbApi

NOT_STARTED, IN_PROGRESS, COMPLETE, FAILED, ON_WAITLIST = 0, 1, 3, 5, 8
TICKS = 10_000_000  # per second


def _at(wire: str | None) -> datetime | None:
    """A wire date as an instant to the second (whatever the sub-second digits the format carries)."""
    return None if wire is None else datetime.strptime(wire[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)


def _wire(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def now(tenant):
    """The tenant clock stopped on a whole second."""
    at = tenant.clock.now().replace(microsecond=0) + timedelta(seconds=1)
    tenant.clock.freeze(at)
    return at


# -- sessions: seats and the waitlist -------------------------------------------------------------------

def _small_session(api):
    """The single-session ILC whose session has the fewest free seats (ids from the world, facts from the API)."""
    def free(course):
        session = api.world.sessions[course.session_ids[0]]
        return session.capacity - sum(1 for s in api.world.session_enrollments.values()
                                      if s.session_id == session.id and s.is_active and s.status != ON_WAITLIST)
    course = min((c for c in api.world.courses.values() if c.is_ilc and not c.multi_session), key=free)
    return course, api.world.sessions[course.session_ids[0]]


def _roster(api, course, session):
    return api.get(f"/courses/{course.id}/sessions/{session.id}/enrollments?_limit=1000",
                   "session-enrollment-page", status=200).body


def _seat(api, learner, course, session, query=""):
    """Enroll in the session; answer (session enrollment, course enrollment) as the API shows them."""
    created = api.post(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session.id}{query}",
                       "ilc-enrollment-created", status=201).body
    se = api.get(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session.id}", "session-enrollment",
                 status=200).body
    ce = api.get(f"/users/{learner.id}/enrollments/{course.id}", "user-course-enrollment", status=200).body
    assert se["id"] == created["sessionEnrollmentId"] and ce["id"] == created["enrollmentId"]
    return se, ce


def test_a_session_seats_its_capacity_then_waitlists_and_a_freed_seat_goes_to_the_next_learner(api):
    course, session = _small_session(api)
    before = _roster(api, course, session)
    seated = sum(1 for s in before["enrollments"] if s["status"] != ON_WAITLIST)
    free = session.capacity - seated
    assert free >= 1
    learners = [u for u in api.learners() if (u.id, course.id) not in api.world.active]
    assert len(learners) >= free + 3
    mine = []
    for learner in learners[:free]:
        se, ce = _seat(api, learner, course, session)
        assert se["status"] == NOT_STARTED and ce["status"] == se["status"]
        mine.append((learner, se, ce))
    waiting, late = learners[free], learners[free + 1]
    se, ce = _seat(api, waiting, course, session)
    assert se["status"] == ON_WAITLIST and ce["status"] == ON_WAITLIST, "the session is full"
    roster = _roster(api, course, session)
    assert roster["totalItems"] == before["totalItems"] + free + 1
    # a seated learner moving within the session (cancelSession) keeps a seat: their old one is freed first
    mover, old_se, _ = mine[-1]
    moved, moved_ce = _seat(api, mover, course, session, "?cancelSession=true")
    assert moved["id"] != old_se["id"] and moved["status"] == NOT_STARTED and moved_ce["status"] == NOT_STARTED
    assert old_se["id"] not in {s["id"] for s in _roster(api, course, session)["enrollments"]}
    # un-enrolling a seated learner frees the seat: the roster shrinks and the next learner is seated,
    # though someone is still on the waitlist (the waitlist holds no seat)
    api.post("/enrollments/unenroll", json=[moved_ce["id"]], status=204)
    shrunk = _roster(api, course, session)
    assert shrunk["totalItems"] == roster["totalItems"] - 1
    assert moved["id"] not in {s["id"] for s in shrunk["enrollments"]}
    api.get(f"/users/{mover.id}/enrollments/{course.id}/sessions", status=404)
    se, ce = _seat(api, late, course, session)
    assert se["status"] == NOT_STARTED and ce["status"] == NOT_STARTED
    # full again: the next one waits
    se, ce = _seat(api, learners[free + 2], course, session)
    assert se["status"] == ON_WAITLIST and ce["status"] == ON_WAITLIST


def test_seats_are_counted_per_session(api):
    """Enrollments in other ILCs' sessions take none of this session's seats."""
    course, session = _small_session(api)
    others = [c for c in api.world.courses.values() if c.is_ilc and not c.multi_session and c.id != course.id]
    learner = next(u for u in api.learners() if (u.id, course.id) not in api.world.active)
    for other in others:  # every other session gets one more learner (some of them waitlisted: no matter)
        if (learner.id, other.id) not in api.world.active:
            api.post(f"/users/{learner.id}/enrollments/{other.id}/sessions/{other.session_ids[0]}", status=201)
    se, _ = _seat(api, learner, course, session)
    assert se["status"] == NOT_STARTED


# -- un-enrolling what has attempts and a seat ------------------------------------------------------------

def _enrolled(api, index=3):
    learner = api.learners()[index]
    course = next(c for c in api.world.courses.values() if not c.is_ilc and (learner.id, c.id) not in api.world.active
                  and any(len(api.world.chapters[ch].lesson_ids) >= 2 for ch in c.chapter_ids))
    api.post(f"/users/{learner.id}/enrollments/{course.id}", "enrollment-created", status=201)
    base = f"/users/{learner.id}/enrollments/{course.id}"
    lessons = api.get(f"{base}/lessons", "lesson-enrollment-list", status=200).body
    return learner, course, base, lessons


def _start(api, base, lesson_id):
    return api.post(f"{base}/lessons/{lesson_id}/attempts", "attempt-started", status=200).body["attemptId"]


def _finish(api, attempt_id, **body):
    return api.put(f"/attempts/{attempt_id}", "attempt-finished", status=200, json=body).body


def _lesson(api, base, lesson_id):
    return api.get(f"{base}/lessons/{lesson_id}", "lesson-enrollment", status=200).body


def test_unenrolling_removes_the_attempts_with_the_enrollment(api):
    learner, course, base, lessons = _enrolled(api)
    lesson_id = lessons[0]["lessonId"]
    done = _start(api, base, lesson_id)
    _finish(api, done, status=FAILED, score=10)
    open_attempt = _start(api, base, lesson_id)
    listed = api.get(f"{base}/lessons/{lesson_id}/attempts", "attempt-list", status=200).body
    assert [a["id"] for a in listed] == [done, open_attempt]
    chapters = api.get(f"{base}/chapters", "chapter-enrollment-list", status=200).body
    enrollment_id = api.get(base, "user-course-enrollment", status=200).body["id"]
    api.post("/enrollments/unenroll", json=[enrollment_id], status=204)
    for attempt_id in (open_attempt, done):
        assert api.put(f"/attempts/{attempt_id}", json={"status": COMPLETE}, status=404).body["code"] == 404
        api.put(f"{base}/lessons/{lesson_id}/attempts/{attempt_id}", json={"status": COMPLETE}, status=404)
    api.get(f"{base}/lessons/{lesson_id}/attempts", status=404)
    per_lesson = api.get(f"/courses/{course.id}/lessons/{lesson_id}/enrollments?_limit=1000&"
                         f"_filter=userId eq guid'{learner.id}'", "lesson-enrollment-page", status=200).body
    assert per_lesson["totalItems"] == 0
    # nothing of it stays behind in the world, not even a cached wire form
    gone = {done, open_attempt, enrollment_id} | {le["id"] for le in lessons} | {c["id"] for c in chapters}
    assert not gone & set(api.world.attempts) and not gone & set(api.world.wire_cache)
    assert not gone & set(api.world.lesson_enrollments) and not gone & set(api.world.chapter_enrollments)
    assert all(enrollment_id not in index for index in (api.world.lessons_of, api.world.chapters_of,
                                                         api.world.sessions_of, api.world.pending))


def test_unenrolling_an_ilc_enrollment_leaves_no_session_enrollment_behind(api):
    course, session = _small_session(api)
    learner = next(u for u in api.learners() if (u.id, course.id) not in api.world.active)
    se, ce = _seat(api, learner, course, session)
    api.post("/enrollments/unenroll", json=[ce["id"]], status=204)
    assert se["id"] not in {s["id"] for s in _roster(api, course, session)["enrollments"]}
    assert se["id"] not in api.world.session_enrollments and se["id"] not in api.world.wire_cache
    api.get(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session.id}", status=404)


# -- attempts: scores, failures, time ---------------------------------------------------------------------

def test_failing_counts_every_failure_and_shows_the_latest_failed_score(api):
    _, _, base, lessons = _enrolled(api)
    lesson_id = lessons[0]["lessonId"]
    for _ in range(2):
        _finish(api, _start(api, base, lesson_id), status=FAILED, score=40)
    le = _lesson(api, base, lesson_id)
    assert (le["status"], le["failures"], le["attempts"], le["score"]) == (FAILED, 2, 2, 40)
    _finish(api, _start(api, base, lesson_id), status=FAILED, score=30)
    assert (_lesson(api, base, lesson_id)["score"], _lesson(api, base, lesson_id)["failures"]) == (30, 3)
    _finish(api, _start(api, base, lesson_id), status=COMPLETE, score=70)
    _finish(api, _start(api, base, lesson_id), status=FAILED, score=20)  # a complete lesson stays complete
    le = _lesson(api, base, lesson_id)
    assert (le["status"], le["failures"], le["attempts"], le["score"], le["progress"]) == (COMPLETE, 4, 5, 70, 100)


def test_a_completed_lesson_keeps_its_best_score(api):
    _, _, base, lessons = _enrolled(api)
    lesson_id = lessons[0]["lessonId"]
    for score, best in ((90, 90), (70, 90), (95, 95), (None, 95), (95, 95)):
        body = {"status": COMPLETE} if score is None else {"status": COMPLETE, "score": score}
        _finish(api, _start(api, base, lesson_id), **body)
        assert _lesson(api, base, lesson_id)["score"] == best
    attempts = api.get(f"{base}/lessons/{lesson_id}/attempts", "attempt-list", status=200).body
    assert [a["score"] for a in attempts] == [90, 70, 95, None, 95]


def test_a_first_completion_without_a_score_then_with_zero(api):
    _, _, base, lessons = _enrolled(api)
    lesson_id = lessons[0]["lessonId"]
    _finish(api, _start(api, base, lesson_id), status=COMPLETE)
    assert _lesson(api, base, lesson_id)["score"] is None
    _finish(api, _start(api, base, lesson_id), status=COMPLETE, score=0)
    assert _lesson(api, base, lesson_id)["score"] == 0


def test_the_course_and_chapter_score_is_the_rounded_mean_of_complete_lessons(api):
    _, course, base, lessons = _enrolled(api)
    chapter = next(ch for ch in course.chapter_ids if len(api.world.chapters[ch].lesson_ids) >= 2)
    first, second = [le for le in lessons if le["chapterId"] == chapter][:2]
    _finish(api, _start(api, base, first["lessonId"]), status=COMPLETE, score=80)
    _finish(api, _start(api, base, second["lessonId"]), status=COMPLETE, score=91)
    assert api.get(base, "user-course-enrollment").body["score"] == 85.5
    assert api.get(f"{base}/chapters/{chapter}", "chapter-enrollment").body["score"] == 85.5
    rest = [le for le in lessons if le["id"] not in (first["id"], second["id"])]
    _finish(api, _start(api, base, rest[0]["lessonId"]), status=FAILED, score=10)  # not complete: not counted
    assert api.get(base, "user-course-enrollment").body["score"] == 85.5
    _finish(api, _start(api, base, rest[0]["lessonId"]), status=COMPLETE, score=80.004)
    assert api.get(base, "user-course-enrollment").body["score"] == round((80 + 91 + 80.004) / 3, 2) == 83.67


def test_the_course_completes_on_its_last_lessons_completion_date(api, tenant, now):
    _, course, base, lessons = _enrolled(api)
    offsets = [timedelta(hours=5), timedelta(hours=2)] + [timedelta(hours=1)] * (len(lessons) - 2)
    for le, offset in zip(lessons, offsets, strict=False):  # finished in this order, the first one completing last
        attempt = _start(api, base, le["lessonId"])
        _finish(api, attempt, status=COMPLETE, score=90, completionDate=_wire(now + offset))
        assert _at(_lesson(api, base, le["lessonId"])["dateCompleted"]) == now + offset
    enrollment = api.get(base, "user-course-enrollment", status=200).body
    assert enrollment["status"] == COMPLETE and enrollment["progress"] == 100
    assert _at(enrollment["dateCompleted"]) == now + timedelta(hours=5)
    for chapter in api.get(f"{base}/chapters", "chapter-enrollment-list").body:
        mine = [now + o for le, o in zip(lessons, offsets, strict=False) if le["chapterId"] == chapter["chapterId"]]
        assert chapter["status"] == COMPLETE and _at(chapter["dateCompleted"]) == max(mine)


def test_finishing_as_in_progress_records_time_and_score_and_keeps_the_attempt_open(api, tenant, now):
    _, _, base, lessons = _enrolled(api)
    lesson_id = lessons[0]["lessonId"]
    attempt_id = _start(api, base, lesson_id)
    tenant.clock.advance(timedelta(minutes=10))
    _finish(api, attempt_id, status=IN_PROGRESS, score=50)
    (attempt,) = api.get(f"{base}/lessons/{lesson_id}/attempts", "attempt-list").body
    assert (attempt["status"], attempt["score"], attempt["completionDate"]) == (IN_PROGRESS, 50, None)
    assert attempt["timeSpentTicks"] == 600 * TICKS
    le = _lesson(api, base, lesson_id)
    assert (le["status"], le["score"], le["dateCompleted"], le["timeSpent"]) == (IN_PROGRESS, None, None, "00:10:00")
    tenant.clock.advance(timedelta(minutes=5))
    _finish(api, attempt_id, status=COMPLETE)  # still open: it can be finished; the score given before stays
    (attempt,) = api.get(f"{base}/lessons/{lesson_id}/attempts", "attempt-list").body
    assert (attempt["status"], attempt["score"], attempt["timeSpentTicks"]) == (COMPLETE, 50, 900 * TICKS)
    le = _lesson(api, base, lesson_id)
    assert (le["status"], le["score"], le["timeSpent"]) == (COMPLETE, 50, "00:15:00")  # not 10 + 15 min
    assert api.get(base, "user-course-enrollment").body["timeSpentTicks"] == 900 * TICKS


def test_a_zero_length_attempt_spends_no_time_and_time_is_never_negative(api, tenant, now):
    _, _, base, lessons = _enrolled(api)
    first, second = lessons[0]["lessonId"], lessons[1]["lessonId"]
    _finish(api, _start(api, base, first), status=COMPLETE, score=60)
    (attempt,) = api.get(f"{base}/lessons/{first}/attempts", "attempt-list").body
    assert attempt["timeSpentTicks"] == 0 and _at(attempt["completionDate"]) == _at(attempt["startDate"]) == now
    assert _lesson(api, base, first)["timeSpent"] == "00:00:00"
    later = _start(api, base, second)  # an open attempt said to start in an hour has spent nothing yet
    _finish(api, later, status=IN_PROGRESS, startDate=_wire(now + timedelta(hours=1)))
    (attempt,) = api.get(f"{base}/lessons/{second}/attempts", "attempt-list").body
    assert attempt["timeSpentTicks"] == 0 and _at(attempt["startDate"]) == now + timedelta(hours=1)
    assert _lesson(api, base, second)["timeSpent"] == "00:00:00"


def test_explicit_start_and_completion_dates_set_the_attempt_and_its_time(api, now):
    _, _, base, lessons = _enrolled(api)
    lesson_id = lessons[0]["lessonId"]
    start, completion = now - timedelta(hours=1), now + timedelta(minutes=30)
    _finish(api, _start(api, base, lesson_id), status=COMPLETE, score=75, startDate=_wire(start),
            completionDate=_wire(completion))
    (attempt,) = api.get(f"{base}/lessons/{lesson_id}/attempts", "attempt-list").body
    assert (_at(attempt["startDate"]), _at(attempt["completionDate"])) == (start, completion)
    assert attempt["timeSpentTicks"] == 90 * 60 * TICKS
    le = _lesson(api, base, lesson_id)
    assert _at(le["dateCompleted"]) == completion and le["timeSpent"] == "01:30:00"


def test_starting_an_attempt_moves_the_lesson_chapter_and_course_to_in_progress(api, now):
    _, course, base, lessons = _enrolled(api)
    target = lessons[0]
    assert api.get(base, "user-course-enrollment").body["status"] == NOT_STARTED
    fresh = api.get(f"{base}/chapters", "chapter-enrollment-list").body
    assert all(x["progress"] == 0 and x["status"] == NOT_STARTED for x in fresh + lessons)
    _start(api, base, target["lessonId"])
    enrollment = api.get(base, "user-course-enrollment").body
    chapters = {c["chapterId"]: c for c in api.get(f"{base}/chapters", "chapter-enrollment-list").body}
    le = _lesson(api, base, target["lessonId"])
    for level in (enrollment, chapters[target["chapterId"]], le):
        assert level["status"] == IN_PROGRESS and _at(level["dateStarted"]) == now and level["progress"] == 0
    assert _at(le["lastAttempt"]) == now and le["attempts"] == 1
    for chapter_id, chapter in chapters.items():
        if chapter_id != target["chapterId"]:
            assert chapter["status"] == NOT_STARTED and chapter["dateStarted"] is None and chapter["progress"] == 0


# -- the settable properties' bounds -------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [("score", 0), ("score", 100), ("score", 55.5), ("credits", 0),
                                          ("credits", 2.5)])
def test_scores_from_0_to_100_and_credits_from_0_are_accepted(api, field, value):
    learner = api.learners()[9]
    course = api.online_course(not_enrolled_by=learner.id)
    created = api.post(f"/users/{learner.id}/enrollments", "enrollment-created", status=201,
                       json={"courseId": course.id, field: value}).body
    assert api.get(f"/enrollments/{created['enrollmentId']}", "user-course-enrollment").body[field] == value


@pytest.mark.parametrize("body, problems", [
    ({"score": -0.01}, ["score: must be between 0 and 100"]),
    ({"score": 100.01}, ["score: must be between 0 and 100"]),
    ({"credits": -1}, ["credits: must not be negative"]),
    ({"credits": -0.5, "score": 101}, ["score: must be between 0 and 100", "credits: must not be negative"]),
])
def test_a_score_outside_0_to_100_or_negative_credits_is_refused_and_nothing_is_made(api, body, problems):
    learner = api.learners()[9]
    course = api.online_course(not_enrolled_by=learner.id)
    resp = api.post(f"/users/{learner.id}/enrollments", json={"courseId": course.id, **body}, status=400)
    assert resp.body["validations"] == problems
    api.get(f"/users/{learner.id}/enrollments/{course.id}", status=404)


def test_refused_bounds_leave_an_existing_enrollment_unchanged(api):
    learner = api.learners()[9]
    course = api.online_course(not_enrolled_by=learner.id)
    api.post(f"/users/{learner.id}/enrollments", status=201, json={"courseId": course.id, "score": 40, "credits": 1})
    before = api.get(f"/users/{learner.id}/enrollments/{course.id}", "user-course-enrollment").body
    api.post(f"/users/{learner.id}/enrollments", status=400, json={"courseId": course.id, "credits": -1, "status": 3})
    assert api.get(f"/users/{learner.id}/enrollments/{course.id}", "user-course-enrollment").body == before


# -- the bulk list and modifiedSince ----------------------------------------------------------------------

def _ids(rows):
    return sorted(e["id"] for e in rows)


def test_the_bulk_list_filters_by_courses_alone_users_alone_or_both(api):
    busy = sorted(api.world.courses.values(), key=lambda c: -len(api.world.by_course.get(c.id, ())))[:2]
    a, b = busy
    by_course = {c.id: _ids(api.get(f"/courses/{c.id}/enrollments?_limit=1000", "course-enrollment-page").body[
        "enrollments"]) for c in busy}
    assert by_course[a.id] and by_course[b.id]
    only_a = api.get(f"/bulk/student-courses?courseIds={a.id}", "user-course-enrollment-list", status=200).body
    assert _ids(only_a) == by_course[a.id] and {e["courseId"] for e in only_a} == {a.id}
    both = api.get(f"/bulk/student-courses?courseIds={a.id}&courseIds={b.id}", "user-course-enrollment-list").body
    assert _ids(both) == sorted(by_course[a.id] + by_course[b.id])
    learner_id = only_a[0]["userId"]
    by_user = _ids(api.get(f"/users/{learner_id}/enrollments?_limit=1000", "user-course-enrollment-page").body[
        "enrollments"])
    assert _ids(api.get(f"/bulk/student-courses?userIds={learner_id}", "user-course-enrollment-list").body) == by_user
    narrowed = api.get(f"/bulk/student-courses?userIds={learner_id}&courseIds={a.id}",
                       "user-course-enrollment-list").body
    assert _ids(narrowed) == _ids(e for e in only_a if e["userId"] == learner_id)
    everything = api.get("/bulk/student-courses", "user-course-enrollment-list", status=200).body
    assert len(everything) == len(api.world.enrollments) and set(by_course[a.id]) <= set(_ids(everything))


def test_modified_since_includes_an_enrollment_edited_at_that_very_instant(api, tenant, now):
    learner = api.learners()[10]
    course = api.online_course(not_enrolled_by=learner.id)
    tenant.clock.advance(timedelta(days=2))
    api.login("admin")
    edited_at = tenant.clock.now()
    eid = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201).body["enrollmentId"]
    tenant.clock.advance(timedelta(minutes=1))
    assert _at(api.get(f"/enrollments/{eid}", "user-course-enrollment").body["dateEdited"]) == edited_at
    path = f"/users/{learner.id}/enrollments"
    at = api.get(f"{path}?modifiedSince={_wire(edited_at)}", "user-course-enrollment-page").body
    assert [e["id"] for e in at["enrollments"]] == [eid]
    after = api.get(f"{path}?modifiedSince={_wire(edited_at + timedelta(seconds=1))}",
                    "user-course-enrollment-page").body
    assert after["enrollments"] == [] and after["totalItems"] == 0


# -- more edges: seeded attempts, dateEdited, admin-set status, empty lists, wrong parents --------------------

def test_seeded_attempts_read_and_finish_like_attempts_made_through_the_api(api):
    """A seeded learner's attempts: finished ones carry their dates, time and score and cannot be finished
    again (422, not 404: they belong to that user, course and lesson); open ones can be finished (200)."""
    world = api.world
    def lessons(eid: str) -> list[str]:
        course = world.courses[world.enrollments[eid].course_id]
        return [lid for ch in course.chapter_ids for lid in world.chapters[ch].lesson_ids]

    seeded = [(eid, seeded_tries(plan, lessons(eid))) for eid, (_, plan, _) in world.pending.items()
              if plan and world.enrollments[eid].is_active]
    assert seeded
    finished_seen = open_seen = 0
    for eid, plan in seeded[:12]:
        enrollment = world.enrollments[eid]
        base = f"/users/{enrollment.user_id}/enrollments/{enrollment.course_id}"
        for lesson_id in plan:
            attempts = api.get(f"{base}/lessons/{lesson_id}/attempts", "attempt-list", status=200).body
            le = _lesson(api, base, lesson_id)
            assert le["attempts"] == len(attempts) >= 1
            assert _at(le["lastAttempt"]) == max(_at(a["startDate"]) for a in attempts)
            complete = [a["score"] for a in attempts if a["status"] == COMPLETE]
            if complete:  # a seeded lesson keeps its best complete score, as the API's finish does
                assert le["status"] == COMPLETE and le["score"] == max(complete) is not None
            for a in attempts:
                path = f"{base}/lessons/{lesson_id}/attempts/{a['id']}"
                if a["status"] == IN_PROGRESS:
                    assert a["completionDate"] is None and a["score"] is None and a["timeSpentTicks"] == 0
                    api.put(path, "attempt-finished", json={"status": COMPLETE}, status=200)
                    open_seen += 1
                else:
                    assert a["status"] in (COMPLETE, FAILED) and a["completionDate"] is not None
                    spent = (_at(a["completionDate"]) - _at(a["startDate"])).total_seconds() * TICKS
                    assert abs(a["timeSpentTicks"] - spent) < TICKS
                    resp = api.put(path, json={"status": COMPLETE}, status=422)
                    assert "already finished" in resp.body["message"]
                    finished_seen += 1
    assert finished_seen and open_seen


def test_every_write_moves_date_edited_of_what_it_changed(api, tenant, now):
    """Starting and finishing an attempt edit the lesson, its chapter and the course (``dateEdited``, and the
    chapter list's ``modifiedSince``, the chapter having no ``dateEdited`` on the wire)."""
    _, _, base, lessons = _enrolled(api)
    target = lessons[0]
    assert not api.get(f"{base}/chapters?modifiedSince={_wire(now + timedelta(minutes=1))}").body

    def edited(since):
        chapters = api.get(f"{base}/chapters?modifiedSince={_wire(since)}", "chapter-enrollment-list").body
        return (_at(api.get(base, "user-course-enrollment").body["dateEdited"]),
                _at(_lesson(api, base, target["lessonId"])["dateEdited"]), target["chapterId"] in {
                    c["chapterId"] for c in chapters})

    tenant.clock.advance(timedelta(minutes=3))
    attempt = _start(api, base, target["lessonId"])
    at = now + timedelta(minutes=3)
    assert edited(at) == (at, at, True)
    tenant.clock.advance(timedelta(minutes=4))
    _finish(api, attempt, status=COMPLETE, score=50)
    at = now + timedelta(minutes=7)
    assert edited(at) == (at, at, True)


def test_moving_session_moves_the_course_enrollments_date_edited_and_answers_the_new_seat(api, tenant, now):
    course, session = _small_session(api)
    learner = next(u for u in api.learners() if (u.id, course.id) not in api.world.active)
    first, _ = _seat(api, learner, course, session)
    tenant.clock.advance(timedelta(minutes=9))
    moved, ce = _seat(api, learner, course, session, "?cancelSession=true")
    assert moved["id"] != first["id"] and _at(ce["dateEdited"]) == now + timedelta(minutes=9)
    listed = {s["id"]: s for s in api.get(f"/users/{learner.id}/enrollments/{course.id}/sessions",
                                          "session-enrollment-list", status=200).body}
    assert _at(listed[first["id"]]["dateEdited"]) == now + timedelta(minutes=9)  # withdrawn then
    assert _at(moved["dateEnrolled"]) == now + timedelta(minutes=9)


def test_a_status_set_by_an_admin_keeps_dates_and_progress_consistent(api, tenant, now):
    learner = api.learners()[11]
    course = api.online_course(not_enrolled_by=learner.id)
    path = f"/users/{learner.id}/enrollments"
    api.post(path, status=201, json={"courseId": course.id, "status": COMPLETE})
    one = api.get(f"{path}/{course.id}", "user-course-enrollment").body
    assert one["progress"] == 100 and _at(one["dateStarted"]) == _at(one["dateCompleted"]) == now
    tenant.clock.advance(timedelta(hours=1))
    api.post(path, status=201, json={"courseId": course.id, "status": NOT_STARTED})
    one = api.get(f"{path}/{course.id}", "user-course-enrollment").body
    assert one["status"] == NOT_STARTED and one["dateCompleted"] is None and _at(one["dateStarted"]) == now
    api.post(path, status=201, json={"courseId": course.id, "status": COMPLETE})
    one = api.get(f"{path}/{course.id}", "user-course-enrollment").body
    assert _at(one["dateStarted"]) == now and _at(one["dateCompleted"]) == now + timedelta(hours=1)
    api.post(path, status=201, json={"courseId": course.id, "status": ON_WAITLIST})
    assert api.get(f"{path}/{course.id}", "user-course-enrollment").body["dateCompleted"] is None
    other = api.online_course(not_enrolled_by=learner.id)
    api.post(path, status=201, json={"courseId": other.id, "status": FAILED})
    failed = api.get(f"{path}/{other.id}", "user-course-enrollment").body
    assert _at(failed["dateStarted"]) == now + timedelta(hours=1) and failed["dateCompleted"] is None


def test_lists_of_a_course_or_user_with_no_enrollments_are_empty_not_errors(api):
    empty = next(c for c in api.world.courses.values() if not api.world.by_course.get(c.id))
    page = api.get(f"/courses/{empty.id}/enrollments", "course-enrollment-page", status=200).body
    assert page["totalItems"] == 0 and page["enrollments"] == []
    assert api.get(f"/bulk/student-courses?courseIds={empty.id}", "user-course-enrollment-list", status=200).body == []
    idle = next(u for u in api.world.users.values() if not api.world.by_user.get(u.id))
    assert api.get(f"/bulk/student-courses?userIds={idle.id}", "user-course-enrollment-list", status=200).body == []
    assert api.get(f"/users/{idle.id}/enrollments", "user-course-enrollment-page", status=200).body["totalItems"] == 0


def test_lessons_are_found_only_under_their_own_chapter_and_course(api):
    learner, course, base, lessons = _enrolled(api)
    le = lessons[0]
    wrong_chapter = next(ch for ch in course.chapter_ids if ch != le["chapterId"])
    api.get(f"{base}/chapters/{le['chapterId']}/lessons/{le['lessonId']}", "lesson-enrollment", status=200)
    api.get(f"{base}/chapters/{wrong_chapter}/lessons/{le['lessonId']}", status=404)
    other = next(c for c in api.world.courses.values() if not c.is_ilc and c.id != course.id)
    api.get(f"/courses/{other.id}/lessons/{le['lessonId']}/enrollments", status=404)


def test_a_new_enrollments_lessons_are_listed_per_lesson_before_anyone_reads_them(api):
    learner = api.learners()[12]
    course = api.online_course(not_enrolled_by=learner.id)
    eid = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201).body["enrollmentId"]
    lesson_id = api.world.chapters[course.chapter_ids[-1]].lesson_ids[-1]
    page = api.get(f"/courses/{course.id}/lessons/{lesson_id}/enrollments?_filter=userId eq guid'{learner.id}'",
                   "lesson-enrollment-page", status=200).body
    assert page["totalItems"] == 1 and page["lessonEnrollments"][0]["courseEnrollmentId"] == eid
    assert page["lessonEnrollments"][0]["status"] == NOT_STARTED


def test_a_new_enrollment_carries_the_courses_version_and_the_learners_job_title_and_avatar(api):
    """The same values the learner's and the course's other enrollments show."""
    learner = next(u for u in api.learners() if u.job_title and u.avatar and api.world.by_user.get(u.id))
    theirs = api.get(f"/users/{learner.id}/enrollments?_limit=1000", "user-course-enrollment-page").body["enrollments"]
    course = next(c for c in api.world.courses.values() if not c.is_ilc and (learner.id, c.id) not in api.world.active
                  and api.world.by_course.get(c.id))
    others = api.get(f"/courses/{course.id}/enrollments?_limit=1", "course-enrollment-page").body["enrollments"]
    eid = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201).body["enrollmentId"]
    mine = api.get(f"/enrollments/{eid}", "user-course-enrollment").body
    assert mine["jobTitle"] == theirs[0]["jobTitle"] and mine["jobTitle"]
    assert mine["avatar"] == theirs[0]["avatar"] and mine["avatar"]
    assert mine["courseVersionId"] == others[0]["courseVersionId"] and mine["courseVersionId"]



def test_a_fixture_learner_mid_course_reads_as_the_fixture_says(app, store):
    """A fixture's enrollment is built through the same rules (start, finish, roll-up) and served as is."""
    import json
    from pathlib import Path

    doc = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "learner-mid-course.json").read_text())
    tenant = store.create_tenant("mid-course", fixture=doc)
    api = AbsorbApi.of_tenant(app, tenant).login("admin")  # the same validating client, on the fixture's tenant
    learner, course = "a0000000-0000-4000-8000-000000000002", "c0000000-0000-4000-8000-000000000001"
    enrollment = api.get(f"/users/{learner}/enrollments/{course}", "user-course-enrollment", status=200).body
    assert enrollment["status"] == IN_PROGRESS and enrollment["progress"] == 50
    lessons = api.get(f"/users/{learner}/enrollments/{course}/lessons", "lesson-enrollment-list").body
    assert sorted(le["status"] for le in lessons) == [NOT_STARTED] * 2 + [IN_PROGRESS] + [COMPLETE] * 3
