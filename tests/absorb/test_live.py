"""Live-server walks over real HTTP: the README's Absorb steps, and two real v2 clients' first calls."""
from __future__ import annotations

import requests

from emulator.core import contract
from emulator.testing import EmulatorServer


def test_authenticate_list_enroll_reenroll_unenroll_over_http():
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        s = requests.Session()
        s.headers.update({"x-api-key": world.api_key, "x-api-version": "2"})
        token = s.post(f"{base}/authenticate", json={"username": "admin", "password": "admin",
                                                      "privateKey": world.api_key})
        assert token.status_code == 200
        s.headers["Authorization"] = f"Bearer {token.json()}"
        learner = next(u for u in world.users.values() if not u.is_admin)
        page = s.get(f"{base}/users/{learner.id}/enrollments", params={"_sort": "-dateAdded", "_limit": 5})
        assert page.status_code == 200 and page.headers["Content-Type"] == "application/json"
        contract.validate("absorb", "user-course-enrollment-page", page.json())
        course = next(c for c in world.courses.values() if not c.is_ilc and (learner.id, c.id) not in world.active)
        first = s.post(f"{base}/users/{learner.id}/enrollments/{course.id}")
        assert first.status_code == 201
        contract.validate("absorb", "enrollment-created", first.json())
        again = s.post(f"{base}/users/{learner.id}/enrollments/{course.id}", params={"reEnroll": "true"})
        assert again.status_code == 201
        gone = s.post(f"{base}/enrollments/unenroll", json=[again.json()["enrollmentId"]])
        assert gone.status_code == 204 and gone.content == b""
        missing = s.get(f"{base}/users/{learner.id}/enrollments/{course.id}")
        assert missing.status_code == 404
        contract.validate("absorb", "error", missing.json())
        history = s.get(f"{base}/enrollments/{first.json()['enrollmentId']}")
        assert history.status_code == 200 and history.json()["isActive"] is False


def _checked(resp: requests.Response, status: int, schema: str) -> object:
    """The body of ``resp`` after checking its status and its schema (the error schema for an error)."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    body = resp.json()
    contract.validate("absorb", schema if status < 400 else "error", body)
    return body


def test_a_real_v2_client_with_a_raw_token_and_no_version_looks_up_and_enrolls_a_learner():
    """What workbench-style clients do first: x-api-key only, the token raw, ids looked up before enrolling."""
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        s = requests.Session()
        s.headers["x-api-key"] = world.api_key  # no x-api-version, ever
        token = _checked(s.post(f"{base}/authenticate", json={"username": "admin", "password": "admin",
                                                               "privateKey": world.api_key}), 200, "token")
        s.headers["Authorization"] = token  # raw: no "Bearer "
        found = _checked(s.get(f"{base}/users", params={"_filter": "username eq 'brady.miranda'"}), 200, "user-page")
        assert found["totalItems"] == 1
        learner = found["users"][0]
        active = _checked(s.get(f"{base}/users/{learner['id']}/enrollments", params={"_filter": "isActive"}),
                          200, "user-course-enrollment-page")
        assert active["totalItems"] and all(e["isActive"] for e in active["enrollments"])
        names = [e["courseName"].lower() for e in active["enrollments"]]
        assert names == sorted(names)  # the vendor's default sort
        mine = {e["courseId"] for e in active["enrollments"]}
        courses = _checked(s.get(f"{base}/courses", params={"_filter": "courseType eq 'OnlineCourse'",
                                                             "_limit": 100}), 200, "course-page")
        course = next(c for c in courses["courses"] if c["id"] not in mine)
        created = _checked(s.post(f"{base}/users/{learner['id']}/enrollments/{course['id']}"), 201,
                           "enrollment-created")
        again = _checked(s.get(f"{base}/users/{learner['id']}/enrollments",
                               params={"_filter": f"isActive and courseId eq guid'{course['id']}'"}),
                         200, "user-course-enrollment-page")
        assert [e["id"] for e in again["enrollments"]] == [created["enrollmentId"]]
        assert again["enrollments"][0]["fullName"] == f"{learner['firstName']} {learner['lastName']}"
        _checked(s.get(f"{base}/users", headers={"x-api-version": "1"}), 400, "error")


def test_a_sync_client_pages_every_user_and_uploads_them_back_in_batches_of_200():
    """AbsorbSync's loop: GET /users 500 at a time, then POST /users/upload/ with minimal bodies, 200 per call."""
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        s = requests.Session()
        s.headers["x-api-key"] = world.api_key
        s.headers["Authorization"] = _checked(s.post(f"{base}/authenticate", json={
            "username": "admin", "password": "admin", "privateKey": world.api_key}), 200, "token")
        departments = _checked(s.get(f"{base}/departments"), 200, "department-page")["departments"]
        hires = [{"username": f"hire.{n:04d}", "firstName": "Hire", "lastName": f"N{n}",
                  "departmentId": departments[n % len(departments)]["id"]} for n in range(450)]
        for start in range(0, len(hires), 200):  # enough users for two pages of 500
            _checked(s.post(f"{base}/users/upload/", json=hires[start:start + 200]), 200, "user-upload-result")

        def every_user(params: dict | None = None) -> list[dict]:
            users, offset = [], 0
            while True:
                page = _checked(s.get(f"{base}/users", params={"_limit": 500, "_offset": offset, **(params or {})}),
                                200, "user-page")
                users += page["users"]
                if len(page["users"]) < 500:
                    return users
                offset += 1

        before = every_user()
        assert len(before) == page_total(s, base) > 500
        assert any(u["customFields"]["string1"] is None for u in before)
        bodies = [{"username": u["username"], "departmentId": u["departmentId"], "firstName": u["firstName"],
                   "lastName": u["lastName"], "customFields": {"string1": f"SYNC-{u['username']}"}} for u in before]
        keys: dict[str, str] = {}
        for start in range(0, len(bodies), 200):
            batch = bodies[start:start + 200]
            answer = _checked(s.post(f"{base}/users/upload/", json=batch), 200, "user-upload-result")
            assert [pair["value"] for pair in answer] == [b["username"] for b in batch]
            keys.update({pair["key"]: pair["value"] for pair in answer})
        assert keys == {u["id"]: u["username"] for u in before}
        after = {u["id"]: u for u in every_user()}
        assert len(after) == len(before)
        for old in before:
            new = after[old["id"]]
            assert new["customFields"]["string1"] == f"SYNC-{old['username']}"
            assert new["dateEdited"] >= old["dateEdited"] and new["externalId"] == old["externalId"]
        assert every_user({"_filter": "customFields/string1 eq null"}) == []


def page_total(s: requests.Session, base: str) -> int:
    return _checked(s.get(f"{base}/users", params={"_limit": 1}), 200, "user-page")["totalItems"]
