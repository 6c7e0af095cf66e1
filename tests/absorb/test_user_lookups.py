"""Users point at real reference data, a user's courses, and the users bodies in any casing."""
from __future__ import annotations

from emulator.absorb.domain.reference import fixed_id

G = "9a3b6f1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


def _all(api, path: str, key: str) -> list[dict]:
    found, offset = [], 0
    while True:
        page = api.get(f"{path}?_limit=50&_offset={offset}", status=200).body
        found += page[key]
        if len(page[key]) < 50:
            return found
        offset += 1


def test_every_seeded_user_carries_a_country_province_and_roles_that_resolve(api):
    users = _all(api, "/users", "users")
    countries = {c["id"] for c in _all(api, "/countries", "countries")}
    roles = {r["id"] for r in _all(api, "/roles", "roles")}
    for user in users:
        assert user["countryId"] in countries
        provinces = {p["id"] for p in api.get(f"/provinces?countryId={user['countryId']}", "province-list").body}
        assert user["provinceId"] is None or user["provinceId"] in provinces
        assert set(user["roleIds"]) <= roles
    admin = next(u for u in users if u["username"] == "admin")
    assert [api.get(f"/roles/{r}", "role").body["name"] for r in admin["roleIds"]] == ["System Admin"]


def test_a_user_write_must_name_real_reference_ids(api):
    learner = api.learners()[0]
    us, ca = fixed_id("country", "US"), fixed_id("country", "CA")
    ontario = fixed_id("province", "CA", "Ontario")
    role = api.get("/roles?_filter=name eq 'Reporting Admin'", "role-page").body["roles"][0]["id"]
    for body, problem in (({"countryId": G}, "countryId"), ({"provinceId": G}, "provinceId"),
                          ({"countryId": us, "provinceId": ontario}, "is not in country"),
                          ({"roleIds": [G]}, "roleIds")):
        refused = api.put(f"/users/{learner.id}", status=422, json=body).body
        assert any(problem in v for v in refused["validations"]), refused
    saved = api.put(f"/users/{learner.id}", "user", status=200,
                    json={"CountryId": ca, "ProvinceId": ontario, "RoleIds": [role]}).body
    assert (saved["countryId"], saved["provinceId"], saved["roleIds"]) == (ca, ontario, [role])


def test_users_bodies_bind_in_any_casing_nested_custom_fields_included(api):
    department = api.get("/departments?_limit=1", "department-page").body["departments"][0]["id"]
    created = api.post("/users", "user", status=201, json={
        "Username": "pascal.case", "FirstName": "Pascal", "LastName": "Case", "DepartmentId": department,
        "CustomFields": {"String1": "CC-1", "DECIMAL1": 7}}).body
    assert created["username"] == "pascal.case" and created["customFields"]["string1"] == "CC-1"
    assert created["customFields"]["decimal1"] == 7
    uploaded = api.post("/Users/Upload/", "user-upload-result", status=200, json=[
        {"USERNAME": "pascal.case", "firstname": "Paz", "LastName": "Case", "departmentID": department}]).body
    assert uploaded == [{"key": created["id"], "value": "pascal.case"}]
    assert api.get(f"/users/{created['id']}", "user").body["firstName"] == "Paz"
    everyone = next(g for g in api.get("/groups", "group-page").body["groups"] if g["name"] == "All Learners")
    assert created["id"] in everyone["userIds"]  # an automatic group follows its rule


def test_a_users_courses_are_those_enrolled_or_available(api):
    learner = api.learners()[0]
    enrolled = {e["courseId"] for e in _all(api, f"/users/{learner.id}/enrollments", "enrollments") if e["isActive"]}
    every = {c["id"] for c in _all(api, "/courses", "courses")}
    mine = _all(api, f"/users/{learner.id}/courses", "courses")
    assert {c["id"] for c in mine} == every and enrolled <= every
    assert [c["id"] for c in mine] == sorted(c["id"] for c in mine)
    for course in api.world.courses.values():  # retire every course: only the enrolled ones stay takeable
        course.active_status = 1
    api.world.changed()  # written behind the service's back: announced by hand
    retired = api.get(f"/users/{learner.id}/courses?_limit=50", "course-page", status=200).body
    assert {c["id"] for c in retired["courses"]} == enrolled and retired["totalItems"] == len(enrolled)
    online = api.get(f"/users/{learner.id}/courses?_filter=courseType eq 'OnlineCourse'&_sort=-name",
                     "course-page", status=200).body["courses"]
    assert [c["name"] for c in online] == sorted((c["name"] for c in online), key=str.lower, reverse=True)
    api.get(f"/users/{G}/courses", status=404)
    api.get(f"/Users/{learner.id}/Courses?_sort=colour", status=422)
