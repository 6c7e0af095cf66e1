"""Absorb users, departments and courses: the lookups real integrations make before enrollments."""
from __future__ import annotations

import pytest

GUID = "00000000-0000-4000-8000-000000000000"


def _body(user: dict, **changes) -> dict:
    """The minimal body a sync client writes back (AbsorbSync's shape)."""
    return {"username": user["username"], "departmentId": user["departmentId"], "firstName": user["firstName"],
            "lastName": user["lastName"], **changes}


def test_find_a_user_by_username_and_read_them(api):
    learner = api.learners()[0]
    found = api.get(f"/users?_filter=username eq '{learner.username.upper()}'", "user-page", status=200).body
    assert found["totalItems"] == 1 and found["users"][0]["id"] == learner.id
    one = api.get(f"/users/{learner.id}", "user", status=200).body
    assert one == found["users"][0] and one["departmentId"] in api.world.departments
    api.get(f"/users/{GUID}", status=404)


def test_users_page_in_username_order_and_every_user_has_a_department(api):
    seen, offset = [], 0
    while True:
        page = api.get(f"/users?_limit=20&_offset={offset}", "user-page", status=200).body
        seen += page["users"]
        if len(page["users"]) < 20:
            break
        offset += 1
    assert len(seen) == len(api.world.users) == page["totalItems"]
    names = [u["username"].lower() for u in seen]
    assert names == sorted(names)
    departments = {d["id"] for d in api.get("/departments?_limit=100", "department-page").body["departments"]}
    assert {u["departmentId"] for u in seen} <= departments


def test_nested_custom_field_filters_and_sorts(api):
    empty = api.get("/users?_filter=customFields/string1 eq null&_limit=1000", "user-page").body
    full = api.get("/users?_filter=customFields/string1 ne null&_limit=1000", "user-page").body
    assert empty["totalItems"] and full["totalItems"]
    assert empty["totalItems"] + full["totalItems"] == len(api.world.users)
    assert all(u["customFields"]["string1"] is None for u in empty["users"])
    department = full["users"][0]["departmentId"]
    mine = api.get(f"/users?_filter=departmentId eq guid'{department}' and customFields/decimal1 eq null",
                   "user-page").body["users"]
    assert mine and all(u["departmentId"] == department and u["customFields"]["decimal1"] is None for u in mine)
    ranked = api.get("/users?_sort=-customFields/decimal1&_limit=5", "user-page").body["users"]
    values = [u["customFields"]["decimal1"] for u in ranked]
    assert None not in values and values == sorted(values, reverse=True)
    api.get("/users?_filter=customFields/colour eq 1", status=422)
    api.get("/users?_filter=customFields/decimal1 eq 'x'", status=422)


def test_put_changes_the_given_fields_and_keeps_the_rest(api):
    before = api.get(f"/users/{api.learners()[3].id}", "user").body
    after = api.put(f"/users/{before['id']}", "user", status=200,
                    json=_body(before, jobTitle="Night Auditor", customFields={"string2": "B"})).body
    assert after["jobTitle"] == "Night Auditor" and after["customFields"]["string2"] == "B"
    assert after["customFields"]["string1"] == before["customFields"]["string1"]  # a key left out keeps its value
    assert after["emailAddress"] == before["emailAddress"] and after["externalId"] == before["externalId"]
    assert after["dateEdited"] >= before["dateEdited"]
    assert api.get(f"/users/{before['id']}", "user").body == after


def test_renaming_a_user_shows_in_their_enrollments(api):
    learner = max(api.learners(), key=lambda u: len(api.world.by_user.get(u.id, ())))
    listed = api.get(f"/users/{learner.id}/enrollments", "user-course-enrollment-page").body  # cached now
    course_id = listed["enrollments"][0]["courseId"]
    api.get(f"/users/{learner.id}/enrollments/{course_id}/lessons")  # sub-enrollments made (or not: ILC)
    user = api.get(f"/users/{learner.id}", "user").body
    api.put(f"/users/{learner.id}", "user", status=200, json=_body(user, firstName="Renamed", lastName="Person"))
    again = api.get(f"/users/{learner.id}/enrollments", "user-course-enrollment-page").body["enrollments"]
    assert {e["fullName"] for e in again} == {"Renamed Person"}
    one = api.get(f"/users/{learner.id}/enrollments/{course_id}", "user-course-enrollment").body
    assert one["fullName"] == "Renamed Person"
    by_course = api.get(f"/courses/{course_id}/enrollments?_filter=userId eq guid'{learner.id}'",
                        "course-enrollment-page").body["enrollments"]
    assert by_course and {e["fullName"] for e in by_course} == {"Renamed Person"}
    assert api.get("/users?_filter=firstName eq 'Renamed'", "user-page").body["totalItems"] == 1


def test_post_creates_then_updates_by_username_and_the_new_user_can_log_in(api, anon):
    department = next(iter(api.world.departments))
    body = {"username": "new.hire", "firstName": "New", "lastName": "Hire", "departmentId": department,
            "password": "Welcome1", "customFields": {"decimal1": 42, "datetime1": "2025-01-02T03:04:05Z"}}
    created = api.post("/users", "user", status=201, json=body).body
    assert created["customFields"]["decimal1"] == 42 and created["customFields"]["datetime1"] == "2025-01-02T03:04:05Z"
    updated = api.post("/users", "user", status=200, json={"Username": "NEW.HIRE", "jobTitle": "Clerk"}).body
    assert updated["id"] == created["id"] and updated["jobTitle"] == "Clerk" and updated["firstName"] == "New"
    found = api.get("/users?_filter=username eq 'new.hire'", "user-page").body
    assert found["totalItems"] == 1
    anon.login("new.hire")
    assert anon.get("/my-enrollments", "user-course-enrollment-page", status=200).body["totalItems"] == 0
    course = anon.online_course()
    anon.post(f"/enroll/{course.id}", "enrollment-created", status=201)
    enrolled = api.get(f"/users/{created['id']}/enrollments", "user-course-enrollment-page").body["enrollments"]
    assert [e["fullName"] for e in enrolled] == ["New Hire"]


@pytest.mark.parametrize("body, fragment", [
    ({"username": "x"}, "firstName: required"),
    ({"username": "x", "firstName": "A", "lastName": "B", "departmentId": GUID}, "department"),
    ({"username": "admin", "supervisorId": GUID}, "supervisorId"),
])
def test_post_refuses_what_it_cannot_save(api, body, fragment):
    count = len(api.world.users)
    resp = api.post("/users", status=422, json=body)
    assert any(fragment in v for v in resp.body["validations"]) and len(api.world.users) == count


def test_role_flags_and_dates_in_a_body_are_ignored(api, anon):
    learner = api.learners()[4]
    before = api.get(f"/users/{learner.id}", "user").body
    after = api.put(f"/users/{learner.id}", "user", status=200,
                    json={"isAdmin": True, "dateAdded": "2001-01-01T00:00:00Z", "id": GUID}).body
    assert after["isAdmin"] is False and after["dateAdded"] == before["dateAdded"] and after["id"] == learner.id
    anon.login(learner.username)
    anon.get("/users", status=403)


def test_renaming_to_a_taken_username_is_refused(api):
    a, b = api.learners()[:2]
    resp = api.put(f"/users/{a.id}", status=422, json={"username": b.username.upper()})
    assert "taken" in resp.body["validations"][0]
    assert api.get(f"/users/{a.id}", "user").body["username"] == a.username


@pytest.mark.parametrize("path", ["/users/upload", "/users/upload/"])
def test_upload_creates_and_updates_and_answers_key_value_pairs(api, path):
    users = api.get("/users?_limit=3&_offset=1", "user-page").body["users"]
    department = users[0]["departmentId"]
    batch = [_body(u, externalId=f"X-{n}") for n, u in enumerate(users)]
    batch.append({"username": "uploaded.one", "firstName": "Up", "lastName": "Loaded", "departmentId": department})
    answer = api.post(path, "user-upload-result", status=200, json=batch).body
    assert [p["value"] for p in answer] == [b["username"] for b in batch]
    assert [p["key"] for p in answer[:3]] == [u["id"] for u in users]
    for n, user in enumerate(users):
        assert api.get(f"/users/{user['id']}", "user").body["externalId"] == f"X-{n}"
    new = api.get(f"/users/{answer[3]['key']}", "user").body
    assert new["username"] == "uploaded.one" and new["departmentId"] == department


def test_an_upload_with_one_bad_user_or_over_200_saves_nothing(api):
    users = api.get("/users?_limit=2", "user-page").body["users"]
    bad = [_body(users[0], jobTitle="Changed"), {"username": "no.names", "departmentId": users[0]["departmentId"]}]
    resp = api.post("/users/upload", status=422, json=bad)
    assert resp.body["validations"] == ["[1].firstName: required to create a user",
                                        "[1].lastName: required to create a user"]
    assert api.get(f"/users/{users[0]['id']}", "user").body["jobTitle"] == users[0]["jobTitle"]
    huge = [_body(users[0], jobTitle="Changed")] * 201
    resp = api.post("/users/upload", status=422, json=huge)
    assert resp.body["code"] == 422 and "200" in resp.body["message"]
    assert api.get(f"/users/{users[0]['id']}", "user").body["jobTitle"] == users[0]["jobTitle"]
    twice = [_body(users[1], jobTitle="A"), _body(users[1], jobTitle="B")]
    api.post("/users/upload", status=422, json=twice)
    api.post("/users/upload", status=400, json=[{"username": 5}])
    api.post("/users/upload", status=400, json={"username": "x"})


def test_learners_may_not_list_or_change_users(anon):
    learner = anon.learners()[0]
    anon.login(learner.username)
    anon.get("/users", status=403)
    anon.get(f"/users/{learner.id}", status=403)
    anon.put(f"/users/{learner.id}", status=403, json={"firstName": "Me"})
    anon.post("/users", status=403, json={"username": learner.username})
    anon.post("/users/upload", status=403, json=[])


def test_departments_and_courses_are_listed_and_read(api):
    departments = api.get("/departments", "department-page", status=200).body
    assert departments["totalItems"] == len(api.world.departments)
    root = next(d for d in departments["departments"] if d["parentId"] is None)
    assert api.get(f"/departments/{root['id']}", "department").body == root
    named = api.get(f"/departments?departmentName={root['name']}", "department-page").body
    assert [d["id"] for d in named["departments"]] == [root["id"]]
    api.get(f"/departments/{GUID}", status=404)
    courses = api.get("/courses?_limit=100", "course-page", status=200).body
    assert courses["totalItems"] == len(api.world.courses)
    assert {c["courseType"] for c in courses["courses"]} == {"OnlineCourse", "InstructorLedCourse"}
    assert [c["id"] for c in courses["courses"]] == sorted(c["id"] for c in courses["courses"])  # key order
    ilc = api.get("/courses?_filter=courseType eq 'InstructorLedCourse'", "course-page").body["courses"][0]
    assert api.get(f"/courses/{ilc['id']}", "course").body == ilc
    api.get(f"/courses/{GUID}", status=404)


def test_early_dates_keep_four_digit_years(api):
    """Fuzzing found year 6 written '6-10-26T...' (strftime's %Y): not a date-time. Now '0006-...'."""
    learner = api.learners()[5]
    after = api.put(f"/users/{learner.id}", "user", status=200,
                    json={"dateTerminated": "0006-10-26T23:05:56Z",
                          "customFields": {"datetime2": "0999-01-01T00:00:00Z"}}).body
    assert after["dateTerminated"] == "0006-10-26T23:05:56Z"
    assert after["customFields"]["datetime2"] == "0999-01-01T00:00:00Z"
    api.get("/users?_limit=100", "user-page", status=200)
