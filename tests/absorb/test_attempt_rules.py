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
