"""Issue 4: a learner's path through a course, through the HTTP API only, checking every roll-up."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

GUID = "9a3b6f1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


def _instants(wire, *names):
    return [datetime.fromisoformat(wire[n]) for n in names]


def _enrolled(api, tenant):
    learner = api.learners()[3]
    course = api.online_course(not_enrolled_by=learner.id)
    api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201)
    base = f"/users/{learner.id}/enrollments/{course.id}"
    return learner, course, base


def test_walk_a_learner_through_a_whole_online_course(api, tenant):
    learner, course, base = _enrolled(api, tenant)
    tenant.clock.freeze()
    chapters = api.get(f"{base}/chapters", "chapter-enrollment-list").body
    lessons = api.get(f"{base}/lessons", "lesson-enrollment-list").body
    assert {le["chapterEnrollmentId"] for le in lessons} == {c["id"] for c in chapters}
    assert sorted(i for c in chapters for i in c["lessonEnrollmentIds"]) == sorted(le["id"] for le in lessons)
    assert all(le["status"] == 0 and le["attempts"] == 0 and le["lastAttempt"] is None for le in lessons)
    total = len(lessons)
    for done, lesson in enumerate(lessons, start=1):
        lesson_id = lesson["lessonId"]
        if done % 2 == 0:  # fail once first
            failed = api.post(f"{base}/lessons/{lesson_id}/attempts", "attempt-started", status=200).body
            tenant.clock.advance(timedelta(minutes=10))
            api.put(f"/attempts/{failed['attemptId']}", "attempt-finished", status=200, json={"status": 5, "score": 40})
            after_fail = api.get(f"{base}/lessons/{lesson_id}", "lesson-enrollment").body
            assert after_fail["status"] == 5 and after_fail["failures"] == 1 and after_fail["attempts"] == 1
        started = api.post(f"{base}/lessons/{lesson_id}/attempts", "attempt-started", status=200).body
        assert started["userId"] == learner.id and started["courseId"] == course.id
        in_progress = api.get(f"{base}/lessons/{lesson_id}", "lesson-enrollment").body
        assert in_progress["status"] == 1 and in_progress["lastAttempt"] == api.get(
            f"{base}/lessons/{lesson_id}/attempts", "attempt-list").body[-1]["startDate"]
        tenant.clock.advance(timedelta(minutes=20))
        finish_path = (f"{base}/lessons/{lesson_id}/attempts/{started['attemptId']}" if done % 3 == 0
                       else f"/attempts/{started['attemptId']}")
        api.put(finish_path, "attempt-finished", status=200, json={"status": 3, "score": 90})
        tenant.clock.advance(timedelta(minutes=1))
        # lesson
        le = api.get(f"{base}/chapters/{lesson['chapterId']}/lessons/{lesson_id}", "lesson-enrollment").body
        assert le["status"] == 3 and le["progress"] == 100 and le["score"] == 90 and le["dateCompleted"]
        assert le["attempts"] == (2 if done % 2 == 0 else 1) and le["failures"] == (1 if done % 2 == 0 else 0)
        assert le["timeSpent"] == ("00:30:00" if done % 2 == 0 else "00:20:00")
        attempts = api.get(f"{base}/lessons/{lesson_id}/attempts", "attempt-list").body
        assert [a["status"] for a in attempts] == ([5, 3] if done % 2 == 0 else [3])
        assert attempts[-1]["timeSpentTicks"] == 20 * 60 * 10_000_000
        # chapter
        chapter = api.get(f"{base}/chapters/{lesson['chapterId']}", "chapter-enrollment").body
        chapter_lessons = api.get(f"{base}/chapters/{lesson['chapterId']}/lessons", "lesson-enrollment-list").body
        complete_in_chapter = sum(1 for x in chapter_lessons if x["status"] == 3)
        assert chapter["progress"] == round(100 * complete_in_chapter / len(chapter_lessons), 2)
        assert chapter["status"] == (3 if complete_in_chapter == len(chapter_lessons) else 1)
        # course
        enrollment = api.get(base, "user-course-enrollment").body
        assert enrollment["progress"] == round(100 * done / total, 2)
        assert enrollment["status"] == (3 if done == total else 1)
        assert enrollment["dateStarted"] is not None
        assert (enrollment["dateCompleted"] is not None) == (done == total)
    final = api.get(base, "user-course-enrollment").body
    attempts = [x for lesson in lessons for x in api.get(f"{base}/lessons/{lesson['lessonId']}/attempts").body]
    assert final["score"] == 90 and final["timeSpentTicks"] == sum(x["timeSpentTicks"] for x in attempts)
    # as instants, not text: a whole second is written without milliseconds ("...37Z" sorts after "...37.001Z")
    dates = _instants(final, "dateAdded", "dateStarted", "dateCompleted", "dateEdited")
    assert dates == sorted(dates)
    completed = api.get(f"/users/{learner.id}/enrollments?status=3&_limit=1000", "user-course-enrollment-page").body
    assert final["id"] in {e["id"] for e in completed["enrollments"]}
    per_lesson = api.get(f"/courses/{course.id}/lessons/{lessons[0]['lessonId']}/enrollments?"
                         f"_filter=userId eq guid'{learner.id}'", "lesson-enrollment-page").body
    assert per_lesson["totalItems"] == 1 and per_lesson["lessonEnrollments"][0]["status"] == 3


def test_attempt_errors_leave_the_world_unchanged(api, tenant):
    learner, course, base = _enrolled(api, tenant)
    lesson_id = api.get(f"{base}/lessons").body[0]["lessonId"]
    attempt = api.post(f"{base}/lessons/{lesson_id}/attempts", status=200).body["attemptId"]
    snapshot = api.get(f"{base}/lessons/{lesson_id}").body
    api.put(f"/attempts/{attempt}", json={"status": 2}, status=400)
    api.put(f"/attempts/{attempt}", json={"score": 10}, status=400)
    api.put(f"/attempts/{attempt}", json={"status": 3, "startDate": "2030-01-02T00:00:00Z",
                                          "completionDate": "2030-01-01T00:00:00Z"}, status=400)
    api.put(f"/attempts/{GUID}", json={"status": 3}, status=404)
    other = api.learners()[4]
    api.put(f"/users/{other.id}/enrollments/{course.id}/lessons/{lesson_id}/attempts/{attempt}",
            json={"status": 3}, status=404)
    assert api.get(f"{base}/lessons/{lesson_id}").body == snapshot
    api.put(f"/attempts/{attempt}", json={"status": 3, "score": 80}, status=200)
    resp = api.put(f"/attempts/{attempt}", json={"status": 3, "score": 80}, status=422)
    assert "already finished" in resp.body["message"]


def test_start_attempt_needs_an_active_enrollment(api):
    learner = api.learners()[5]
    course = api.online_course(not_enrolled_by=learner.id)
    lesson_id = api.world.chapters[course.chapter_ids[0]].lesson_ids[0]
    assert api.post(f"/users/{learner.id}/enrollments/{course.id}/lessons/{lesson_id}/attempts",
                    status=422).body["code"] == 422
    assert api.post(f"/users/{learner.id}/enrollments/{course.id}/lessons/{GUID}/attempts",
                    status=404).body["code"] == 404


def test_reenroll_and_unenroll_effects_on_sub_enrollments(api, tenant):
    learner, course, base = _enrolled(api, tenant)
    lesson_id = api.get(f"{base}/lessons").body[0]["lessonId"]
    attempt = api.post(f"{base}/lessons/{lesson_id}/attempts", status=200).body["attemptId"]
    old_id = api.get(base).body["id"]
    new_id = api.post(f"{base}?reEnroll=true", status=201).body["enrollmentId"]
    fresh = api.get(f"{base}/lessons", "lesson-enrollment-list").body
    assert all(le["courseEnrollmentId"] == new_id and le["status"] == 0 for le in fresh)
    resp = api.put(f"/attempts/{attempt}", json={"status": 3}, status=422)  # belongs to history now
    assert "historical" in " ".join(resp.body["validations"])
    assert api.get(f"/enrollments/{old_id}").body["isActive"] is False
    api.post("/enrollments/unenroll", json=[new_id], status=204)
    api.get(f"{base}/lessons", status=404)
    api.get(f"{base}/chapters", status=404)


def test_ilc_enroll_cancel_reenroll_and_roster(api, tenant):
    learner = api.learners()[6]
    course = api.ilc(not_enrolled_by=learner.id)
    session_id = course.session_ids[0]
    created = api.post(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session_id}",
                       "ilc-enrollment-created", status=201).body
    assert created["sessionId"] == session_id
    se = api.get(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session_id}", "session-enrollment").body
    assert se["id"] == created["sessionEnrollmentId"] and se["courseEnrollmentId"] == created["enrollmentId"]
    listed = api.get(f"/users/{learner.id}/enrollments/{course.id}/sessions", "session-enrollment-list").body
    assert [s["id"] for s in listed] == [se["id"]]
    roster_path = f"/courses/{course.id}/sessions/{session_id}/enrollments"
    roster = api.get(f"{roster_path}?_filter=userId eq guid'{learner.id}'", "session-enrollment-page").body
    assert [s["id"] for s in roster["enrollments"]] == [se["id"]]
    # again without flags: refused, nothing changes
    api.post(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session_id}", status=422)
    # cancelSession: withdrawn from the roster, enrolled anew in the course's session
    moved = api.post(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session_id}?cancelSession=true",
                     "ilc-enrollment-created", status=201).body
    assert moved["enrollmentId"] == created["enrollmentId"] and moved["sessionEnrollmentId"] != se["id"]
    roster = api.get(f"{roster_path}?_filter=userId eq guid'{learner.id}'", "session-enrollment-page").body
    assert [s["id"] for s in roster["enrollments"]] == [moved["sessionEnrollmentId"]]
    # reEnroll: a new course enrollment, the old one becomes history
    again = api.post(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session_id}?reEnroll=true",
                     "ilc-enrollment-created", status=201).body
    assert again["enrollmentId"] != created["enrollmentId"]
    assert api.get(f"/enrollments/{created['enrollmentId']}").body["isActive"] is False
    roster = api.get(f"{roster_path}?_filter=userId eq guid'{learner.id}'&_sort=-dateEnrolled",
                     "session-enrollment-page").body
    assert [s["id"] for s in roster["enrollments"]] == [again["sessionEnrollmentId"]]


def test_ilc_errors(api):
    learner = api.learners()[7]
    course = api.ilc(not_enrolled_by=learner.id)
    multi = api.ilc(multi=True)
    online = api.online_course()
    other_session = multi.session_ids[0]
    assert api.post(f"/users/{learner.id}/enrollments/{course.id}/sessions/{GUID}", status=404).body["code"] == 404
    assert api.post(f"/users/{learner.id}/enrollments/{course.id}/sessions/{other_session}",
                    status=404).body["code"] == 404
    assert api.post(f"/users/{learner.id}/enrollments/{multi.id}/sessions/{other_session}",
                    status=422).body["code"] == 422
    assert api.post(f"/users/{learner.id}/enrollments/{online.id}/sessions/{other_session}",
                    status=422).body["code"] == 422
    assert api.get(f"/courses/{course.id}/sessions/{GUID}/enrollments", status=404).body["code"] == 404
    assert api.get(f"/users/{learner.id}/enrollments/{course.id}", status=404).body["code"] == 404


def test_full_session_puts_the_learner_on_the_waitlist(api):
    course = api.ilc()
    session = api.world.sessions[course.session_ids[0]]
    learners = [u for u in api.learners() if (u.id, course.id) not in api.world.active]
    statuses = [api.post(f"/users/{u.id}/enrollments/{course.id}/sessions/{session.id}", status=201).body
                for u in learners[: session.capacity + 2]]
    roster = api.get(f"/courses/{course.id}/sessions/{session.id}/enrollments?_limit=1000&status=8",
                     "session-enrollment-page").body
    assert roster["totalItems"] >= 2
    assert {s["sessionEnrollmentId"] for s in statuses[-2:]} <= {e["id"] for e in roster["enrollments"]}


@pytest.mark.parametrize("path", ["chapters", "lessons", "sessions"])
def test_sub_lists_need_an_enrollment(api, path):
    learner = api.learners()[8]
    course = api.online_course(not_enrolled_by=learner.id)
    assert api.get(f"/users/{learner.id}/enrollments/{course.id}/{path}", status=404).body["code"] == 404
