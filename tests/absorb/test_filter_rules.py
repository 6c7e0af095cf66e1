"""The ``_filter`` rules of issue 17 through the real list route, answers checked against the schemas:
null through functions, the precedence of ``not``, trailing spaces, and OData's number literals."""
from __future__ import annotations

from typing import Any

import pytest


def listed(api: Any, filter_text: str, status: int = 200) -> Any:
    """Every active and historical enrollment of every learner the filter keeps (ids), or the error body."""
    found: set[str] = set()
    for learner in api.learners()[:12]:
        resp = api.get(f"/users/{learner.id}/enrollments", "user-course-enrollment-page" if status == 200 else None,
                       status=status, query_string={"_filter": filter_text, "_limit": 1000})
        if status != 200:
            return resp.body
        found.update(e["id"] for e in resp.body["enrollments"])
    return found


def every(api: Any, keep: Any) -> set[str]:
    users = {u.id for u in api.learners()[:12]}
    return {e.id for e in api.world.enrollments.values() if e.user_id in users and keep(e)}


def test_a_function_of_null_is_null_so_its_rows_are_left_out(api: Any) -> None:
    with_avatar = every(api, lambda e: e.avatar is not None)
    assert with_avatar and with_avatar != every(api, lambda e: True)
    assert listed(api, "endswith(avatar,'') eq false") == set()
    assert listed(api, "endswith(avatar,'') eq true") == with_avatar
    assert listed(api, "not startswith(jobTitle,'x')") == every(
        api, lambda e: e.job_title is not None and not e.job_title.lower().startswith("x"))
    # comparisons keep the lifted rules: a null score is not 3
    assert listed(api, "score ne 3") == every(api, lambda e: e.score != 3)


def test_not_binds_tighter_than_a_comparison(api: Any) -> None:
    body = listed(api, "not status eq 3", status=422)
    assert body["validations"] == ["_filter: 'not' at position 0 applies to field 'status' (int) alone: 'not' "
                                   "binds tighter than 'eq'. To negate the comparison, write: not (status eq 3)"]
    assert listed(api, "not(status eq 3)") == listed(api, "not (status eq 3)") == every(api, lambda e: e.status != 3)
    assert listed(api, "not isActive eq true") == every(api, lambda e: not e.is_active)


def test_string_equality_ignores_trailing_spaces(api: Any) -> None:
    name = next(iter(api.world.enrollments.values())).course_name
    same = every(api, lambda e: e.course_name == name)
    assert same
    assert listed(api, f"courseName eq '{name.upper()}   '") == same
    assert listed(api, f"courseName ne '{name} '") == every(api, lambda e: e.course_name != name)
    assert listed(api, f"endswith(courseName,'{name[-3:]} ')") == set()  # functions keep them


@pytest.mark.parametrize("text, same_as", [("status eq +3", "status eq 3"), ("progress ge 1e2", "progress ge 100"),
                                           ("progress lt 5E+1", "progress lt 50"), ("score gt 2.5e1", "score gt 25")])
def test_number_literals_of_the_abnf(api: Any, text: str, same_as: str) -> None:
    assert listed(api, text) == listed(api, same_as)


@pytest.mark.parametrize("text", ["progress gt .5", "progress gt 5.", "progress gt 1.e1"])
def test_numbers_the_abnf_does_not_allow_are_a_422_naming_the_forms(api: Any, text: str) -> None:
    body = listed(api, text, status=422)
    assert "malformed number at position 12" in body["validations"][0]
    assert "1e2" in body["validations"][0]
