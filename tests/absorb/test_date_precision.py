"""Stored precision is wire precision: a client that filters with a date-time it was shown finds the row.

For every date field of every resource ``_filter`` applies to, every row -- seeded, loaded from a fixture,
or written through the API on the running clock -- is found by ``eq`` on its own wire value, kept by ``le``
and left out by ``gt`` (the incremental sync of a data connector: ``dateEdited gt datetime'<last seen>'``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.absorb.domain.lessons import materialize_all
from emulator.absorb.wire import schemas
from emulator.core.odata import compile_filter

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def resources(world: Any) -> list[tuple[Any, Any, list[Any]]]:
    """(field table, wire schema, rows) of each list route that takes ``_filter``."""
    materialize_all(world)
    return [
        (schemas.USER_COURSE_ENROLLMENTS, schemas.USER_COURSE_ENROLLMENT, list(world.enrollments.values())),
        # same dates, fewer fields
        (schemas.COURSE_ENROLLMENTS, schemas.COURSE_ENROLLMENT, list(world.enrollments.values())[:20]),
        (schemas.SESSION_ENROLLMENTS, schemas.SESSION_ENROLLMENT, list(world.session_enrollments.values())),
        (schemas.LESSON_ENROLLMENTS, schemas.LESSON_ENROLLMENT, list(world.lesson_enrollments.values())),
    ]


def misses(world: Any, *, orderings: bool = True) -> tuple[int, list[str]]:
    """(date values checked, the filters that did not treat a row as equal to its own wire value)."""
    checked, wrong = 0, []
    for resource, schema, rows in resources(world):
        dates = [f.wire for f in resource.fields if f.type == "datetime" and f.filterable]
        assert dates, resource
        for row in rows:
            wire = schema.dump(row)
            for name in dates:
                if wire[name] is None:
                    continue
                checked += 1
                literal = f"datetime'{wire[name]}'"
                expected = [("eq", True)] + ([("le", True), ("gt", False), ("lt", False)] if orderings else [])
                for op, found in expected:
                    text = f"{name} {op} {literal}"
                    if compile_filter(resource, text)(row) is not found:
                        wrong.append(f"{resource.name}: {text}")
    return checked, wrong


def test_every_seeded_row_is_found_by_eq_on_its_own_wire_value(tenant: Any) -> None:
    checked, wrong = misses(tenant.world("absorb"), orderings=False)
    assert checked > 3000  # every date of ~200 course, ~1000 lesson, session and chapter enrollments
    assert wrong == [], f"{len(wrong)} of {checked}, e.g. {wrong[:3]}"


@pytest.mark.parametrize("name", ["learner-mid-course", "ilc-full-waitlist"])
def test_fixture_rows_are_found_by_their_wire_values(store: Any, name: str) -> None:
    fixture = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    tenant = store.create_tenant(f"precision-{name}", fixture=fixture)
    checked, wrong = misses(tenant.world("absorb"))
    assert checked > 0
    assert wrong == [], wrong[:3]


def test_rows_written_through_the_api_on_the_running_clock_are_found(api: Any) -> None:
    """The clock runs (real time has microseconds) and a body brings seven fractional digits."""
    assert not api.tenant.clock.frozen
    learner = api.learners()[0]
    course = api.online_course(not_enrolled_by=learner.id)
    api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201)
    enrollment = api.world.enrollments[api.world.active[(learner.id, course.id)]]
    lesson_id = api.world.chapters[course.chapter_ids[0]].lesson_ids[0]
    started = api.post(f"/users/{learner.id}/enrollments/{course.id}/lessons/{lesson_id}/attempts", status=200)
    api.put(f"/attempts/{started.body['attemptId']}", status=200,
            json={"status": 3, "score": 80, "completionDate": "2099-01-02T03:04:05.1234567Z"})
    wire = api.get(f"/enrollments/{enrollment.id}", "user-course-enrollment", status=200).body
    assert wire["dateEdited"] and wire["dateAdded"]
    checked, wrong = misses(api.world, orderings=False)
    assert checked > 3000
    assert wrong == [], wrong[:3]
    # and through HTTP: the row comes back for eq and le on the value it was shown, not for gt
    for op, expected in (("eq", [enrollment.id]), ("le", [enrollment.id]), ("gt", [])):
        page = api.get(f"/users/{learner.id}/enrollments", "user-course-enrollment-page", status=200,
                       query_string={"_filter": f"courseId eq guid'{course.id}' and dateEdited {op} "
                                                f"datetime'{wire['dateEdited']}'"}).body
        assert [e["id"] for e in page["enrollments"]] == expected, op


def test_the_helper_rounds_down_to_milliseconds_and_the_clock_uses_it() -> None:
    from datetime import datetime, timedelta, timezone

    from emulator.core.clock import Clock, to_wire_precision

    at = datetime(2025, 4, 14, 18, 53, 49, 308999, tzinfo=timezone.utc)
    assert to_wire_precision(at) == at.replace(microsecond=308000)
    assert to_wire_precision(timedelta(microseconds=2_500_999)) == timedelta(microseconds=2_500_000)
    assert to_wire_precision(None) is None
    clock = Clock()
    clock.freeze(at)
    clock.advance(timedelta(microseconds=1500))
    assert clock.now() == datetime(2025, 4, 14, 18, 53, 49, 310000, tzinfo=timezone.utc)
    assert Clock().now().microsecond % 1000 == 0
