"""Issue 29's last operations, each over real state: a user's and an enrollment's resources follow enrollments
and the catalogue; unknown ids answer 404 in the vendor's error shape."""
from __future__ import annotations

from emulator.absorb.domain.catalogue import catalogue_of
from tests.vendor_api import AbsorbApi

G = "00000000-0000-0000-0000-0000000000ff"


def _course_with_resources(api: AbsorbApi, learner_id: str) -> str:
    return next(c.id for c in api.world.courses.values()
                if c.resource_ids and not c.is_ilc and (learner_id, c.id) not in api.world.active)


def test_a_users_resources_are_the_global_ones_and_gain_a_new_enrollments_course(api):
    learner = api.learners()[0]
    course_id = _course_with_resources(api, learner.id)
    cat = catalogue_of(api.world)
    before = {r["id"] for r in api.get(f"/users/{learner.id}/resources?_limit=1000", "resource-page",
                                      status=200).body["resources"]}
    assert {r.id for r in cat.resources.values() if r.is_global} <= before
    api.post(f"/users/{learner.id}/enrollments/{course_id}", status=201)
    after = {r["id"] for r in api.get(f"/users/{learner.id}/resources?_limit=1000", "resource-page",
                                     status=200).body["resources"]}
    assert set(api.world.courses[course_id].resource_ids) <= after
    assert before <= after


def test_a_users_resources_page_and_refuse_an_unknown_user_and_a_learner(app, tenant, api):
    learner = api.learners()[0]
    page = api.get(f"/users/{learner.id}/resources?_limit=1&_offset=0", "resource-page", status=200).body
    assert page["returnedItems"] == 1 and page["totalItems"] >= 1
    api.get(f"/users/{G}/resources", status=404)
    me = AbsorbApi.of_tenant(app, tenant).login(learner.username)
    me.get(f"/users/{learner.id}/resources", status=403)


def test_an_enrollments_resources_are_its_courses(api):
    learner = api.learners()[1]
    course_id = _course_with_resources(api, learner.id)
    made = api.post(f"/users/{learner.id}/enrollments/{course_id}", status=201)
    enrollment_id = api.world.active[(learner.id, course_id)]
    assert made.status_code == 201
    got = api.get(f"/enrollments/{enrollment_id}/resources", "resource-page", status=200).body
    assert sorted(r["id"] for r in got["resources"]) == sorted(api.world.courses[course_id].resource_ids)
    api.get(f"/enrollments/{G}/resources", status=404)
    api.get(f"/enrollments/{enrollment_id}/resources?_limit=0", status=422)


def test_a_managers_users_reach_down_the_supervisor_tree_and_follow_a_write(api):
    manager = next(u for u in api.world.users.values() if u.is_manager)
    direct = {r["id"] for r in api.get(f"/managers/{manager.id}?_limit=1000", "direct-report-page",
                                      status=200).body["directReports"]}
    users = {u["id"] for u in api.get(f"/managers/{manager.id}/users?_limit=1000", "user-page",
                                     status=200).body["users"]}
    assert direct and direct <= users and manager.id not in users
    # a user placed under one of the manager's reports is the manager's user too (two levels down)
    report = sorted(direct)[0]
    outsider = next(u for u in api.learners() if u.id not in users and u.id != manager.id and not u.is_manager)
    body = api.get(f"/users/{outsider.id}", "user", status=200).body
    api.put(f"/users/{outsider.id}", json={**body, "supervisorId": report}, status=200)
    users = {u["id"] for u in api.get(f"/managers/{manager.id}/users?_limit=1000", "user-page",
                                     status=200).body["users"]}
    assert outsider.id in users
    api.get(f"/managers/{G}/users", status=404)


def test_curriculum_groups_by_id_name_their_curriculum_and_keep_the_order_asked(app, tenant, api):
    curricula = list(catalogue_of(api.world).curricula.values())
    first, second = curricula[0].groups[0], curricula[-1].groups[-1]
    one = api.get(f"/curriculums/curriculum-group?curriculumGroupId={first.id}", "curriculum-group", status=200).body
    assert one == {"id": first.id, "curriculumId": curricula[0].id, "name": first.name,
                   "courseIds": first.course_ids, "requiredCourseCount": first.required}
    many = api.get(f"/curriculums/multiple-curriculum-groups?curriculumGroupIds={second.id},{first.id},{second.id}",
                   "curriculum-group-list", status=200).body
    assert [g["id"] for g in many] == [second.id, first.id]
    assert many[0]["curriculumId"] == curricula[-1].id
    api.get(f"/curriculums/multiple-curriculum-groups?curriculumGroupIds={first.id}&curriculumGroupIds={G}",
            status=404)
    learner = api.learners()[0]
    me = AbsorbApi.of_tenant(app, tenant).login(learner.username)
    me.get(f"/curriculums/curriculum-group?curriculumGroupId={first.id}", "curriculum-group", status=200)
