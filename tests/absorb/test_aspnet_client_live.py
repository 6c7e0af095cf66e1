"""Real HTTP clients of Absorb as they are written: ASP.NET casing end to end, and a connector reading everything."""
from __future__ import annotations

import requests

from emulator.core import contract
from emulator.testing import EmulatorServer


def _check(resp: requests.Response, status: int, schema: str | None) -> object:
    assert resp.status_code == status, (resp.request.method, resp.url, resp.status_code, resp.text)
    if schema is None:
        return None
    body = resp.json()
    contract.validate("absorb", schema, body)
    return body


def test_a_client_in_aspnet_casing_works_end_to_end():
    with EmulatorServer({"seed": 42, "strict": True}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        s = requests.Session()
        s.headers.update({"x-api-key": world.api_key})
        auth = s.post(f"{base}/Authenticate", json={"Username": "admin", "Password": "admin",
                                                    "PrivateKey": world.api_key}, timeout=10)
        contract.validate("absorb", "token", _check(auth, 200, "token"))
        assert "body field 'Username'" in auth.headers["X-Emulator-Contract-Violations"]  # --strict tells, and serves
        token = auth.text.strip('"')
        s.headers["Authorization"] = token  # quotes stripped, no scheme: as real v2 clients send it
        learner = next(u for u in world.users.values() if not u.is_admin)
        found = _check(s.get(f"{base}/Users", params={"_Filter": f"UserName eq '{learner.username}'"}, timeout=10),
                       200, "user-page")
        department = _check(s.get(f"{base}/Departments/{found['users'][0]['departmentId']}", timeout=10),
                            200, "department")
        saved = _check(s.put(f"{base}/Users/{learner.id}", timeout=10, json={
            "Username": learner.username, "DepartmentId": department["id"], "FirstName": learner.first_name,
            "LastName": learner.last_name, "CustomFields": {"Decimal1": 42}}), 200, "user")
        assert saved["customFields"]["decimal1"] == 42
        page = _check(s.get(f"{base}/Users/{learner.id}/Enrollments", params={"_Sort": "-dateAdded", "_Limit": 2},
                            timeout=10), 200, "user-course-enrollment-page")
        assert page["limit"] == 2 and page["returnedItems"] == 2
        course = next(c for c in world.courses.values() if not c.is_ilc and (learner.id, c.id) not in world.active)
        created = _check(s.post(f"{base}/Users/{learner.id}/Enrollments", timeout=10,
                                json={"CourseId": course.id, "Status": 1}), 201, "enrollment-created")
        got = _check(s.get(f"{base}/Enrollments/{created['enrollmentId']}", timeout=10), 200, "user-course-enrollment")
        assert got["courseId"] == course.id and got["status"] == 1
        lesson = world.chapters[course.chapter_ids[0]].lesson_ids[0]
        attempt = _check(s.post(f"{base}/Users/{learner.id}/Enrollments/{course.id}/Lessons/{lesson}/Attempts",
                                timeout=10), 200, "attempt-started")
        _check(s.put(f"{base}/Attempts/{attempt['attemptId']}", json={"Status": 3, "Score": 95}, timeout=10),
               200, "attempt-finished")
        lessons = _check(s.get(f"{base}/Users/{learner.id}/Enrollments/{course.id}/Lessons", timeout=10),
                         200, "lesson-enrollment-list")
        assert next(x for x in lessons if x["lessonId"] == lesson)["status"] == 3
        countries = _check(s.get(f"{base}/Countries", params={"_Filter": "CountryCode eq 'CA'"}, timeout=10),
                           200, "country-page")
        canada = countries["countries"][0]["id"]
        provinces = _check(s.get(f"{base}/Provinces", params={"CountryId": canada}, timeout=10), 200, "province-list")
        assert len(provinces) == 13
        _check(s.post(f"{base}/Enrollments/Unenroll", json=[created["enrollmentId"]], timeout=10), 204, None)
        _check(s.get(f"{base}/Enrollments/{created['enrollmentId']}", timeout=10), 404, "error")


def test_a_connector_reads_everything_page_by_page_and_every_id_resolves():
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        s = requests.Session()
        s.headers.update({"x-api-key": world.api_key})  # no x-api-version, raw token: as AbsorbSync does
        s.headers["Authorization"] = s.post(f"{base}/authenticate", timeout=10, json={
            "username": "admin", "password": "admin", "privateKey": world.api_key}).json()

        def read_all(path: str, schema: str, key: str, limit: int = 10) -> list[dict]:
            found, offset = [], 0
            while True:
                page = _check(s.get(f"{base}{path}", params={"_limit": limit, "_offset": offset}, timeout=10),
                              200, schema)
                found += page[key]
                if len(page[key]) < limit:
                    assert len(found) == page["totalItems"]
                    return found
                offset += 1

        users = read_all("/users", "user-page", "users")
        departments = read_all("/departments", "department-page", "departments")
        courses = read_all("/courses", "course-page", "courses")
        groups = read_all("/groups", "group-page", "groups", limit=3)
        roles = read_all("/roles", "role-page", "roles", limit=4)
        countries = read_all("/countries", "country-page", "countries", limit=5)
        for name, items in (("users", users), ("departments", departments), ("courses", courses), ("groups", groups),
                            ("roles", roles), ("countries", countries)):
            assert items, name
            assert len({x["id"] for x in items}) == len(items), name
        provinces: dict[str, set[str]] = {}
        for country in countries:
            listed = _check(s.get(f"{base}/provinces", params={"countryId": country["id"]}, timeout=10),
                            200, "province-list")
            provinces[country["id"]] = {p["id"] for p in listed}
        assert any(provinces.values())
        user_ids, department_ids = {u["id"] for u in users}, {d["id"] for d in departments}
        course_ids, role_ids = {c["id"] for c in courses}, {r["id"] for r in roles}
        assert all(d["parentId"] is None or d["parentId"] in department_ids for d in departments)
        for user in users:
            assert user["departmentId"] in department_ids
            assert user["countryId"] in provinces
            assert user["provinceId"] is None or user["provinceId"] in provinces[user["countryId"]]
            assert set(user["roleIds"]) <= role_ids
            assert user["supervisorId"] is None or user["supervisorId"] in user_ids
        assert all(set(g["userIds"]) <= user_ids and g["userIds"] for g in groups)
        enrollments = 0
        for user in users:
            for e in read_all(f"/users/{user['id']}/enrollments", "user-course-enrollment-page", "enrollments", 2):
                assert e["userId"] == user["id"] and e["courseId"] in course_ids
                enrollments += 1
        assert enrollments > len(users)
        learner = next(u for u in users if u["username"] != "admin")
        assert {c["id"] for c in read_all(f"/users/{learner['id']}/courses", "course-page", "courses")} <= course_ids
