"""A learner's curriculum enrollment rolls up from the enrollments in its courses (``absorb.curricula``), read on
``my-courses?curriculumId=`` (its ``curriculumEnrollment``), through the page cache between writes."""
from __future__ import annotations

from typing import Any

from emulator.absorb.domain.catalogue import catalogue_of
from tests.vendor_api import AbsorbApi


def _fresh_pair(api: AbsorbApi) -> tuple[Any, Any]:
    """A learner holding no enrollment in any course of a curriculum, and that curriculum."""
    for curriculum in catalogue_of(api.world).curricula.values():
        for learner in api.learners():
            if not any((learner.id, c) in api.world.active for c in curriculum.course_ids()):
                return learner, curriculum
    raise AssertionError("the seeded world has no learner outside a curriculum")


def _standing(me: AbsorbApi, curriculum_id: str) -> Any:
    return me.get(f"/my-courses?curriculumId={curriculum_id}&_limit=100", "my-course-page").body


def test_curriculum_enrollment_follows_its_courses_and_completes_with_every_group(app, tenant, api):
    learner, curriculum = _fresh_pair(api)
    me = AbsorbApi.of_tenant(app, tenant).login(learner.username)
    assert _standing(me, curriculum.id)["curriculumEnrollment"] is None
    first, second = curriculum.groups[0].course_ids
    elective = curriculum.groups[1].course_ids[0]

    api.post(f"/users/{learner.id}/enrollments/{first}", status=201)
    page = _standing(me, curriculum.id)
    standing = page["curriculumEnrollment"]
    assert [c["id"] for c in page["courses"]] == [first]
    assert standing["status"] == 0 and standing["progress"] == 0 and standing["dateCompleted"] is None
    assert [g["required"] for g in standing["groups"]] == [2, 1]

    api.post(f"/users/{learner.id}/enrollments", status=201, json={"courseId": first, "status": 3})
    standing = _standing(me, curriculum.id)["curriculumEnrollment"]
    assert standing["status"] == 1 and standing["progress"] == 33.33
    assert [(g["completed"], g["isComplete"]) for g in standing["groups"]] == [(1, False), (0, False)]

    api.post(f"/users/{learner.id}/enrollments", status=201, json={"courseId": second, "status": 3})
    standing = _standing(me, curriculum.id)["curriculumEnrollment"]
    assert standing["status"] == 1 and standing["groups"][0]["isComplete"] and not standing["groups"][1]["isComplete"]

    api.post(f"/users/{learner.id}/enrollments", status=201, json={"courseId": elective, "status": 3})
    standing = _standing(me, curriculum.id)["curriculumEnrollment"]
    assert standing["status"] == 3 and standing["progress"] == 100 and standing["dateCompleted"]
    assert standing["curriculumId"] == curriculum.id and standing["userId"] == learner.id


def test_my_courses_without_curriculum_carries_no_standing(app, tenant, api):
    learner = api.learners()[0]
    me = AbsorbApi.of_tenant(app, tenant).login(learner.username)
    assert me.get("/my-courses", "my-course-page").body["curriculumEnrollment"] is None
