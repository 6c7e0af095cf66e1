"""One live-server walk through the README's Absorb steps, with requests over real HTTP."""
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
