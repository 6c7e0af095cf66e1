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
