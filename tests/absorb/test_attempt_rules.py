"""Absorb attempt scoring at its lowest edge: a best score of 0 is a score, and a later completion without a
score does not erase it. Mutation testing (tools/mutation.py, absorb/rollup) showed it could break with every
other test green."""
from __future__ import annotations

from tests.absorb.test_domain_rules import COMPLETE, _enrolled, _finish, _lesson, _start


def test_a_best_score_of_zero_is_kept_by_a_later_completion_without_a_score(api):
    _, _, base, lessons = _enrolled(api)
    lesson_id = lessons[0]["lessonId"]
    _finish(api, _start(api, base, lesson_id), status=COMPLETE, score=0)
    assert _lesson(api, base, lesson_id)["score"] == 0
    _finish(api, _start(api, base, lesson_id), status=COMPLETE)
    assert _lesson(api, base, lesson_id)["score"] == 0


def test_every_seeded_complete_lesson_has_a_completion_date_and_the_course_the_latest(api):
    """The seeded portal reads as if its attempts had been made over the API: a complete lesson has a
    dateCompleted, and a complete course's is its last lesson's."""
    seeded = [e for e in api.world.enrollments.values() if e.status == COMPLETE and e.is_active
              and api.world.courses[e.course_id].chapter_ids][:3]
    assert seeded
    for enrollment in seeded:
        base = f"/users/{enrollment.user_id}/enrollments/{enrollment.course_id}"
        lessons = api.get(f"{base}/lessons", "lesson-enrollment-list", status=200).body
        assert lessons and all(le["status"] == COMPLETE and le["dateCompleted"] for le in lessons)
        course = api.get(base, "user-course-enrollment", status=200).body
        assert course["dateCompleted"] == max(le["dateCompleted"] for le in lessons)
