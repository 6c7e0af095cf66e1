"""Issue 29's walk over real HTTP: a learner signs in with OAuth 2.0 (authorize -> code -> token -> refresh),
reads my-catalog and my-courses, self-enrolls in an instructor-led session, completes an online course through
lesson attempts, and an administrator finds the certificate; and /users?_search finds users."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from emulator.core import contract
from emulator.testing import EmulatorServer

CALLBACK = "https://portal-app.example/oauth/callback"


def _checked(resp: requests.Response, status: int, schema: str | None) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    if schema is None:
        return None
    body = resp.json()
    contract.validate("absorb", schema, body)
    return body


def _register(server: EmulatorServer, name: str = "Learner portal") -> dict[str, Any]:
    made = requests.post(f"{server.url}/_emulator/tenants/default/absorb/oauth-clients",
                         json={"name": name, "redirectUris": [CALLBACK]}, timeout=10)
    assert made.status_code == 201, made.text
    return made.json()


def _sign_in(base: str, client: dict[str, Any], username: str, password: str) -> dict[str, Any]:
    """What a browser does: the login page, the login form, the consent page's Allow, the redirect's code."""
    query = {"client_id": client["clientId"], "redirect_uri": CALLBACK, "response_type": "code",
             "scope": "admin.v1", "state": "xyz-123"}
    s = requests.Session()  # a browser: no x-api-key, no Authorization
    page = s.get(f"{base}/oauth/authorize", params=query, allow_redirects=False)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'name="password"' in page.text and "Sign in" in page.text
    consent = s.post(f"{base}/oauth/authorize", data={**query, "username": username, "password": password},
                     allow_redirects=False)
    assert consent.status_code == 200 and "Allow" in consent.text, consent.text[:300]
    ticket = re.search(r'name="ticket" value="([^"]+)"', consent.text)
    assert ticket is not None
    back = s.post(f"{base}/oauth/authorize", data={**query, "ticket": ticket.group(1), "consent": "allow"},
                  allow_redirects=False)
    assert back.status_code == 302
    location = urlsplit(back.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    got = parse_qs(location.query)
    assert got["state"] == ["xyz-123"]
    return {"code": got["code"][0], **query}


def test_a_learner_signs_in_with_oauth_enrolls_completes_and_the_admin_finds_the_certificate():
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        client = _register(server)
        learner = next(u for u in world.users.values() if not u.is_admin)

        # authorize -> code -> token -> refresh
        signed = _sign_in(base, client, learner.username, "learner")
        form = {"grant_type": "authorization_code", "code": signed["code"], "redirect_uri": CALLBACK,
                "client_id": client["clientId"], "client_secret": client["clientSecret"]}
        headers = {"x-api-key": world.api_key}
        first = _checked(requests.post(f"{base}/oauth/token", data=form, headers=headers), 200, "oauth-token")
        again = requests.post(f"{base}/oauth/token", data=form, headers=headers)  # a code is spent once
        assert _checked(again, 400, "oauth-error")["error"] == "invalid_grant"
        refreshed = _checked(requests.post(f"{base}/oauth/token", headers=headers, data={
            "grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": client["clientId"],
            "client_secret": client["clientSecret"]}), 200, "oauth-token")
        assert refreshed["access_token"] != first["access_token"]

        me = requests.Session()
        me.headers.update({"x-api-key": world.api_key, "Authorization": f"Bearer {refreshed['access_token']}"})
        details = _checked(me.get(f"{base}/my-details"), 200, "user")
        assert details["id"] == learner.id

        # the catalogue and the learner's courses
        catalog = _checked(me.get(f"{base}/my-catalog", params={"_limit": 30}), 200, "course-page")
        assert catalog["limit"] == 30 and catalog["totalItems"] > 0
        _checked(me.get(f"{base}/my-catalog", params={"_limit": 31}), 422, "error")
        mine = _checked(me.get(f"{base}/my-courses", params={"_limit": 100}), 200, "my-course-page")
        enrolled = {c for (u, c) in world.active if u == learner.id}
        assert {c["id"] for c in mine["courses"]} == enrolled

        # self-enrollment in an instructor-led session; it shows in the session's roster
        ilc = next(c for c in world.courses.values() if c.is_ilc and not c.multi_session and c.id not in enrolled)
        sessions = _checked(me.get(f"{base}/instructor-led-courses/{ilc.id}/sessions"), 200, "session-page")
        session = sessions["sessions"][0]
        made = _checked(me.post(f"{base}/my-enrollments", json={"courseId": ilc.id, "sessionId": session["id"]}),
                        201, "my-enrollment-created")
        assert made["sessionId"] == session["id"] and made["userId"] == learner.id

        # prerequisites refuse until completed
        blocked = next(c for c in world.courses.values() if c.prerequisite_course_ids
                       and c.id not in enrolled and c.prerequisite_course_ids[0] not in enrolled)
        refused = _checked(me.post(f"{base}/my-enrollments", json={"courseId": blocked.id}), 422, "error")
        assert blocked.prerequisite_course_ids[0] in refused["validations"][0]

        # an online course, completed through its lessons' attempts; the course's prerequisite first
        course = world.courses[blocked.prerequisite_course_ids[0]]
        _checked(me.post(f"{base}/my-enrollments", json={"courseId": course.id}), 201, "my-enrollment-created")
        admin_client = _register(server, "Admin sync")
        admin_code = _sign_in(base, admin_client, "admin", "admin")["code"]
        admin_token = _checked(requests.post(f"{base}/oauth/token", headers=headers, data={
            "grant_type": "authorization_code", "code": admin_code, "client_id": admin_client["clientId"],
            "client_secret": admin_client["clientSecret"]}), 200, "oauth-token")["access_token"]
        admin = requests.Session()
        admin.headers.update({"x-api-key": world.api_key, "Authorization": f"Bearer {admin_token}"})
        roster = _checked(admin.get(f"{base}/courses/{ilc.id}/sessions/{session['id']}/enrollments"), 200,
                          "session-enrollment-page")
        assert learner.id in {e["userId"] for e in roster["enrollments"]}
        lessons = _checked(admin.get(f"{base}/courses/{course.id}/lessons", params={"_limit": 100}), 200,
                           "lesson-page")["lessons"]
        for lesson in lessons:
            started = _checked(admin.post(f"{base}/users/{learner.id}/enrollments/{course.id}/lessons/"
                                          f"{lesson['id']}/attempts"), 200, "attempt-started")
            _checked(admin.put(f"{base}/attempts/{started['attemptId']}", json={"status": 3, "score": 90}), 200,
                     "attempt-finished")
        enrollment = _checked(admin.get(f"{base}/users/{learner.id}/enrollments/{course.id}"), 200,
                              "user-course-enrollment")
        assert enrollment["status"] == 3 and enrollment["certificateId"]
        found = _checked(admin.get(f"{base}/users/{learner.id}/certificates"), 200, "certificate-page")
        cert = next(c for c in found["certificates"] if c["courseId"] == course.id)
        assert cert["id"] == enrollment["certificateId"] and cert["enrollmentId"] == enrollment["id"]
        _checked(admin.get(f"{base}/certificates/{cert['id']}"), 200, "certificate")

        # the learner's resources: the global ones and their courses'
        resources = _checked(me.get(f"{base}/enrollments/my-resources", params={"_limit": 100}), 200,
                             "resource-page")["resources"]
        expected = {r.id for r in world.catalogue.resources.values() if r.is_global} | set(course.resource_ids)
        assert expected <= {r["id"] for r in resources}

        # the prerequisite complete, the blocked course opens
        _checked(me.post(f"{base}/my-enrollments", json={"courseId": blocked.id}), 201, "my-enrollment-created")


def test_users_search_and_the_deprecated_limit_over_http():
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        s = requests.Session()
        s.headers["x-api-key"] = world.api_key
        token = _checked(s.post(f"{base}/authenticate", json={"username": "admin", "password": "admin",
                                                               "privateKey": world.api_key}), 200, "token")
        s.headers["Authorization"] = token
        someone = next(u for u in world.users.values() if not u.is_admin)
        found = _checked(s.get(f"{base}/users", params={"_search": someone.last_name.upper()[:4]}), 200, "user-page")
        assert someone.id in {u["id"] for u in found["users"]}
        assert all(someone.last_name.upper()[:4] in " ".join((u["firstName"], u["middleName"] or "", u["lastName"],
                                                              u["username"])).upper() for u in found["users"])
        one = _checked(s.get(f"{base}/users", params={"limit": 1}), 200, "user-page")
        assert one["limit"] == 1 and one["returnedItems"] == 1
