"""Issue 29's last three operations over real HTTP, against ``lms-emulator serve`` (the README's command, in a child
process): an administrator signs a learner up with ``POST /create-absorb-account``; the account is found by
``GET /users`` and its username look-up, signs in and has no enrollments; ``GET /courses/session-details`` counts
the seat it then takes; ``GET /managers/roles`` lists the Manager Experience's roles to an administrator only."""
from __future__ import annotations

from typing import Any

import requests

from emulator.core import contract
from emulator.testing import EmulatorProcess


def _checked(resp: requests.Response, status: int, schema: str) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    body = resp.json()
    contract.validate("absorb", schema, body)
    return body


def test_sign_up_session_details_and_manager_roles_over_http():
    with EmulatorProcess({"seed": 42}) as server:
        tenant = server.create_tenant(seed=42)
        base = tenant.info["baseUrls"]["absorb"]
        admin = tenant.absorb()
        department = _checked(admin.get(f"{base}/departments", params={"_limit": 1}), 200,
                              "department-page")["departments"][0]

        # the sign-up: a new learner, in every read that should show it
        account = {"username": "ada.signup", "password": "Analytical-1", "firstName": "Ada", "lastName": "Signup",
                   "emailAddress": "ada.signup@example.com", "departmentId": department["id"]}
        made = _checked(admin.post(f"{base}/create-absorb-account", json=account), 201, "user")
        assert made["username"] == "ada.signup" and made["isLearner"] and not made["isAdmin"]
        found = _checked(admin.get(f"{base}/users", params={"_filter": "username eq 'Ada.Signup'"}), 200, "user-page")
        assert [u["id"] for u in found["users"]] == [made["id"]]
        assert made["id"] in {u["id"] for u in _checked(admin.get(f"{base}/users", params={"_limit": 1000}), 200,
                                                      "user-page")["users"]}
        again = _checked(admin.post(f"{base}/create-absorb-account", json={**account, "emailAddress": "x@y.example"}),
                         422, "error")
        assert any(line.startswith("username:") for line in again["validations"])
        _checked(admin.post(f"{base}/create-absorb-account", json={k: v for k, v in account.items()
                                                                    if k != "password"}), 422, "error")

        # the account signs in (the one-token /authenticate) and has no enrollments yet
        me = tenant.absorb("ada.signup", "Analytical-1")
        assert _checked(me.get(f"{base}/my-details"), 200, "user")["id"] == made["id"]
        mine = _checked(me.get(f"{base}/my-enrollments"), 200, "user-course-enrollment-page")
        assert mine["totalItems"] == 0 and mine["enrollments"] == []
        _checked(me.post(f"{base}/create-absorb-account", json={**account, "username": "eve"}), 403, "error")

        # session details: the seat the new learner takes shows at once
        catalog = _checked(me.get(f"{base}/my-catalog", params={"_limit": 30}), 200, "course-page")["courses"]
        # a single-session ILC: enrolling in a multi-session one is refused (422), as the API does
        ilcs = [c for c in catalog if c["courseType"] == "InstructorLedCourse"]
        listed = [(c, _checked(me.get(f"{base}/courses/session-details", params={"courseId": c["id"]}), 200,
                               "session-detail-list")) for c in ilcs]
        ilc, details = next((c, d) for c, d in listed if len(d) == 1)
        session = details[0]
        assert session["courseId"] == ilc["id"] and session["courseName"] == ilc["name"]
        _checked(me.post(f"{base}/my-enrollments", json={"courseId": ilc["id"], "sessionId": session["id"]}), 201,
                 "my-enrollment-created")
        after = _checked(admin.get(f"{base}/courses/session-details", params={"sessionIds": session["id"]}), 200,
                         "session-detail-list")[0]
        held = after["enrolledCount"] + after["waitlistCount"]
        assert held == session["enrolledCount"] + session["waitlistCount"] + 1
        assert after["availableSeats"] == max(after["capacity"] - after["enrolledCount"], 0)
        _checked(admin.get(f"{base}/courses/session-details"), 400, "error")

        # manager roles: the Manager Experience's, to an administrator only
        roles = _checked(admin.get(f"{base}/managers/roles"), 200, "manager-role-page")["managerRoles"]
        assert any(r["isDefault"] and r["name"] == "Manager" for r in roles)
        _checked(me.get(f"{base}/managers/roles"), 403, "error")
