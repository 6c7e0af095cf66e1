"""Issue 29's last operations, each over real state: a user's and an enrollment's resources follow enrollments
and the catalogue; unknown ids answer 404 in the vendor's error shape."""
from __future__ import annotations

import pytest

from emulator.app import create_app

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


# -- POST /create-absorb-account ---------------------------------------------------------------------------------

def _account(api: AbsorbApi, **change: object) -> dict[str, object]:
    department = next(iter(api.world.departments))
    return {"username": "sign.up", "password": "Sign-up-1", "firstName": "Signe", "lastName": "Upton",
            "emailAddress": "signe.upton@example.com", "departmentId": department, **change}


def test_a_created_account_shows_in_every_read_and_signs_in_to_no_enrollments(app, tenant, api):
    body = _account(api)
    made = api.post("/create-absorb-account", "user", status=201, json=body).body
    assert made["username"] == "sign.up" and made["emailAddress"] == body["emailAddress"]
    assert made["departmentId"] == body["departmentId"] and made["isLearner"] and not made["isAdmin"]
    assert api.get(f"/users/{made['id']}", "user", status=200).body == made
    listed = api.get("/users?_limit=1000", "user-page", status=200).body["users"]
    assert made in listed
    found = api.get("/users?_filter=username eq 'SIGN.UP'", "user-page", status=200).body
    assert [u["id"] for u in found["users"]] == [made["id"]]
    assert api.get("/users?_search=upton", "user-page", status=200).body["users"] == [made]
    me = AbsorbApi.of_tenant(app, tenant).login("sign.up", "Sign-up-1")
    assert me.get("/my-details", "user", status=200).body["id"] == made["id"]
    mine = me.get("/my-enrollments", "user-course-enrollment-page", status=200).body
    assert mine["totalItems"] == 0 and mine["enrollments"] == []
    me.post("/create-absorb-account", status=403, json=_account(api, username="other", emailAddress="o@x.example"))


@pytest.mark.parametrize(("change", "status", "says"), [
    ({"username": "admin"}, 422, "username"),  # taken (usernames compare case-insensitively)
    ({"username": "ADMIN "}, 422, "username"),
    ({"emailAddress": "ADMIN@example.com"}, 422, "emailAddress"),  # the seeded admin's address
    ({"password": None}, 422, "password"),
    ({"emailAddress": None}, 422, "emailAddress"),
    ({"departmentId": G}, 422, "departmentId"),
    ({"password": ""}, 400, "password"),
    ({"password": "x" * 256}, 400, "password"),
    ({"departmentId": "nope"}, 400, "departmentId"),
])
def test_a_refused_account_says_why_and_creates_nothing(api, change, status, says):
    before = len(api.world.users)
    body = _account(api, **change)
    refused = api.post("/create-absorb-account", status=status, json=body).body
    assert any(says in line for line in refused["validations"]), refused
    assert len(api.world.users) == before


@pytest.mark.parametrize("left_out", ["username", "password", "firstName", "lastName", "emailAddress",
                                      "departmentId"])
def test_every_account_field_is_required(api, left_out):
    before = len(api.world.users)
    body = {k: v for k, v in _account(api).items() if k != left_out}
    refused = api.post("/create-absorb-account", status=422, json=body).body
    assert [line for line in refused["validations"] if line.startswith(f"{left_out}:")], refused
    assert len(api.world.users) == before


def test_creating_an_account_needs_the_key_and_a_token(api):
    api.post("/create-absorb-account", status=401, json=_account(api), headers={"Authorization": None})
    api.post("/create-absorb-account", status=401, json=_account(api), headers={"x-api-key": None})
    api.put("/create-absorb-account", status=405, json=_account(api))


# -- GET /courses/session-details -------------------------------------------------------------------------------

def test_session_details_by_course_or_by_id_in_the_order_asked(api):
    world = api.world
    course = next(c for c in world.courses.values() if c.is_ilc and len(c.session_ids) > 1)
    first, second = course.session_ids[0], course.session_ids[1]
    by_course = api.get(f"/courses/session-details?courseId={course.id}", "session-detail-list", status=200).body
    assert [d["id"] for d in by_course] == course.session_ids
    asked = api.get(f"/courses/session-details?sessionIds={second},{first}&sessionIds={second}",
                    "session-detail-list", status=200).body
    assert [d["id"] for d in asked] == [second, first]
    detail, session = asked[1], world.sessions[first]
    assert detail["courseName"] == course.name and detail["capacity"] == session.capacity
    assert detail["availableSeats"] == max(session.capacity - detail["enrolledCount"], 0)
    assert detail["sessionSchedules"][0]["sessionId"] == first
    assert (detail["venue"] or {}).get("id") == session.venue_id


def test_session_details_follow_a_self_enrollment(app, tenant, api):
    world = api.world
    course = next(c for c in world.courses.values() if c.is_ilc and not c.multi_session
                  and c.id not in world.availability and not c.prerequisite_course_ids)
    first = course.session_ids[0]
    detail = api.get(f"/courses/session-details?sessionIds={first}", "session-detail-list", status=200).body[0]
    learner = next(u for u in api.learners() if (u.id, course.id) not in world.active)
    me = AbsorbApi.of_tenant(app, tenant).login(learner.username)
    me.post("/my-enrollments", "my-enrollment-created", status=201, json={"courseId": course.id, "sessionId": first})
    after = me.get(f"/courses/session-details?sessionIds={first}", "session-detail-list", status=200).body[0]
    seated = detail["enrolledCount"] < world.sessions[first].capacity
    assert (after["enrolledCount"], after["waitlistCount"]) == (
        (detail["enrolledCount"] + 1, detail["waitlistCount"]) if seated
        else (detail["enrolledCount"], detail["waitlistCount"] + 1))


def test_a_full_session_waitlists_and_shows_no_free_seat(api):
    world = api.world
    course = next(c for c in world.courses.values() if c.is_ilc and not c.multi_session)
    session = world.sessions[course.session_ids[0]]
    session.capacity = 0  # a full session (capacity is seeded; no route writes it)
    learner = next(u for u in api.learners() if (u.id, course.id) not in world.active)
    api.post(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session.id}", status=201)
    got = api.get(f"/courses/session-details?sessionIds={session.id}", "session-detail-list", status=200).body[0]
    assert got["availableSeats"] == 0 and got["waitlistCount"] >= 1


@pytest.mark.parametrize(("query", "status"), [
    ("", 400), ("courseId=", 400), ("sessionIds=x", 400), ("courseId=x", 400), (f"sessionIds={G}", 404),
    (f"courseId={G}", 404),
])
def test_session_details_refusals(api, query, status):
    api.get(f"/courses/session-details?{query}", status=status)


def test_session_details_of_another_course_are_not_found_and_an_online_course_has_none(api):
    world = api.world
    ilcs = [c for c in world.courses.values() if c.is_ilc and c.session_ids]
    online = next(c for c in world.courses.values() if not c.is_ilc)
    api.get(f"/courses/session-details?courseId={ilcs[0].id}&sessionIds={ilcs[1].session_ids[0]}", status=404)
    both = api.get(f"/courses/session-details?courseId={ilcs[0].id}&sessionIds={ilcs[0].session_ids[0]}",
                   "session-detail-list", status=200).body
    assert [d["id"] for d in both] == [ilcs[0].session_ids[0]]
    assert api.get(f"/courses/session-details?courseId={online.id}", "session-detail-list", status=200).body == []


# -- GET /managers/roles ----------------------------------------------------------------------------------------

def test_manager_roles_are_the_manager_experiences_not_the_admin_roles(app, tenant, api):
    page = api.get("/managers/roles", "manager-role-page", status=200).body
    roles = page["managerRoles"]
    assert page["totalItems"] == len(roles) == 2
    default = next(r for r in roles if r["isDefault"])
    assert default["name"] == "Manager" and default["permissions"] == ["Users - View", "Users - Modify - Enroll"]
    assert all("Users - View" in r["permissions"] for r in roles)
    admin_roles = {r["id"] for r in api.get("/roles?_limit=100", "role-page", status=200).body["roles"]}
    assert admin_roles.isdisjoint(r["id"] for r in roles)
    assert roles == sorted(roles, key=lambda r: r["id"])  # default order: id
    custom = api.get("/managers/roles?_filter=isDefault eq false", "manager-role-page", status=200).body
    assert [r["name"] for r in custom["managerRoles"]] == ["Team Viewer"]
    assert api.get("/managers/roles?limit=1&offset=1", "manager-role-page", status=200).body["managerRoles"] == \
        roles[1:]
    api.get("/managers/roles?_filter=nope eq 1", status=422)
    learner = api.learners()[0]
    AbsorbApi.of_tenant(app, tenant).login(learner.username).get("/managers/roles", status=403)


def test_manager_roles_are_the_same_for_a_seed_and_shown_in_the_counts(app):
    """Seeded from the tenant's own generator: the same seed and tenant give the same ids; another tenant's differ."""
    store = create_app({"seed": 42}).state.store
    again = store.tenants["default"].world("absorb")
    world = app.state.store.tenants["default"].world("absorb")
    assert list(again.reference.manager_roles) == list(world.reference.manager_roles)
    other = app.state.store.create_tenant("other-portal").world("absorb")
    assert set(other.reference.manager_roles).isdisjoint(world.reference.manager_roles)
    assert world.counts()["managerRoles"] == 2
