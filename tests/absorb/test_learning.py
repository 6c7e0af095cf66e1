"""Languages, course versions, prerequisites, course evaluations, attendance, credits, messages, learning paths and
direct curriculum enrollment: each read against the state it comes from, and each write seen by every read that
should see it."""
from __future__ import annotations

from typing import Any

import requests

from emulator.absorb.domain.catalogue import catalogue_of
from emulator.absorb.domain.learning_state import learning_of
from emulator.core import contract
from emulator.testing import EmulatorServer
from tests.vendor_api import AbsorbApi


def _learner_without(api: AbsorbApi, course_ids: list[str]) -> Any:
    return next(u for u in api.learners() if not any((u.id, c) in api.world.active for c in course_ids))


# -- languages, versions, prerequisites ---------------------------------------------------------------------------

def test_languages_list_get_and_404(api):
    page = api.get("/languages?_limit=100", "language-page").body
    assert page["totalItems"] == len(page["languages"]) >= 5
    english = api.get("/languages/1", "language").body
    assert english == {"id": 1, "name": "English", "cultureCode": "en-US"}
    api.get("/languages/999", status=404)
    assert api.get("/LANGUAGES?_filter=name eq 'French'", "language-page").body["totalItems"] == 1


def test_a_course_version_is_the_one_its_enrollments_name(api):
    enrollment = next(iter(api.world.enrollments.values()))
    course = api.world.courses[enrollment.course_id]
    versions = api.get(f"/course/{course.id}/versions", "course-version-page").body["courseVersions"]
    assert [v["id"] for v in versions] == [enrollment.course_version_id] == [course.version_id]
    got = api.get(f"/course-versions/{course.version_id}", "course-version").body
    assert got["courseId"] == course.id and got["isCurrent"] is True
    api.get("/course-versions/00000000-0000-0000-0000-000000000001", status=404)
    api.get("/course/00000000-0000-0000-0000-000000000001/versions", status=404)


def test_prerequisites_follow_the_courses_and_bind_self_enrollment(app, tenant, api):
    page = api.get("/prerequisites?_limit=100", "prerequisite-page").body
    required = {c.id: c.prerequisite_course_ids for c in api.world.courses.values() if c.prerequisite_course_ids}
    assert {p["courseId"]: p["courseIds"] for p in page["prerequisites"]} == required
    one = page["prerequisites"][0]
    assert api.get(f"/prerequisites/{one['id']}", "prerequisite").body == one
    mine = api.get(f"/course/{one['courseId']}/prerequisites", "prerequisite-page").body["prerequisites"]
    assert mine == [one]
    free = next(c for c in api.world.courses.values() if not c.prerequisite_course_ids)
    assert api.get(f"/course/{free.id}/prerequisites", "prerequisite-page").body["totalItems"] == 0
    api.get("/prerequisites/00000000-0000-0000-0000-000000000001", status=404)
    # the prerequisite is what POST /my-enrollments enforces: 422 naming the course, then open once complete
    learner = _learner_without(api, [one["courseId"], *one["courseIds"]])
    me = AbsorbApi.of_tenant(app, tenant).login(learner.username)
    refused = me.post("/my-enrollments", json={"courseId": one["courseId"]}, status=422).body
    assert any(one["courseIds"][0] in v for v in refused["validations"])
    for first in one["courseIds"]:
        api.post(f"/users/{learner.id}/enrollments", status=201, json={"courseId": first, "status": 3})
    me.post("/my-enrollments", "my-enrollment-created", json={"courseId": one["courseId"]}, status=201)


# -- evaluations ---------------------------------------------------------------------------------------------------

def test_course_evaluations_are_of_existing_enrollments(api):
    evaluations = learning_of(api.world).evaluations
    evaluation = next(iter(evaluations.values()))
    page = api.get(f"/courses/{evaluation.course_id}/evaluations?_limit=100", "course-evaluation-page").body
    assert evaluation.id in [e["id"] for e in page["courseEvaluations"]]
    api.post("/enrollments/unenroll", json=[evaluation.enrollment_id], status=204)
    page = api.get(f"/courses/{evaluation.course_id}/evaluations?_limit=100", "course-evaluation-page").body
    assert evaluation.id not in [e["id"] for e in page["courseEvaluations"]]
    api.get("/courses/00000000-0000-0000-0000-000000000001/evaluations", status=404)


# -- attendance ------------------------------------------------------------------------------------------------------

def test_marking_attendance_completes_the_enrollment_awards_certificate_and_credits(api):
    course = api.ilc()
    session = api.world.sessions[course.session_ids[0]]
    learner = _learner_without(api, [course.id])
    api.post(f"/users/{learner.id}/enrollments/{course.id}/sessions/{session.id}", status=201)
    rows = api.get(f"/instructor-led-course-sessions/{session.id}/attendance", "attendance-list").body
    mine = next(r for r in rows if r["userId"] == learner.id)
    assert mine["attended"] is None and mine["dateMarked"] is None
    credits_before = api.get(f"/credits/users/{learner.id}", "user-credit-list").body

    rows = api.put(f"/instructor-led-course-sessions/{session.id}/attendance", "attendance-list", status=200,
                   json=[{"userId": learner.id, "attended": True, "score": 88}]).body
    mine = next(r for r in rows if r["userId"] == learner.id)
    assert mine["attended"] is True and mine["score"] == 88 and mine["status"] == 3 and mine["dateMarked"]
    enrollment = api.get(f"/users/{learner.id}/enrollments/{course.id}", "user-course-enrollment").body
    assert enrollment["status"] == 3 and enrollment["progress"] == 100
    roster = api.get(f"/courses/{course.id}/sessions/{session.id}/enrollments?_limit=100",
                     "session-enrollment-page").body["enrollments"]
    assert any(r["userId"] == learner.id and r["status"] == 3 for r in roster)
    certificates = api.get(f"/users/{learner.id}/certificates?_limit=100", "certificate-page").body["certificates"]
    assert course.id in [c["courseId"] for c in certificates]
    credits_after = api.get(f"/credits/users/{learner.id}", "user-credit-list").body
    earned = [c for c in credits_after if c["courseId"] == course.id]
    assert (len(earned) == 1) == bool(course.credits) and len(credits_after) == len(credits_before) + len(earned)

    # absent: both enrollments Absent; a learner not on the roster refuses the whole request
    refused = api.put(f"/instructor-led-course-sessions/{session.id}/attendance", status=422,
                      json=[{"userId": learner.id, "attended": False},
                            {"userId": "00000000-0000-0000-0000-000000000001", "attended": True}]).body
    assert "[1].userId" in refused["validations"][0]
    assert api.get(f"/users/{learner.id}/enrollments/{course.id}").body["status"] == 3
    api.put(f"/instructor-led-course-sessions/{session.id}/attendance", "attendance-list",
            json=[{"userId": learner.id, "attended": False}], status=200)
    assert api.get(f"/users/{learner.id}/enrollments/{course.id}").body["status"] == 9


def test_attendance_refuses_bad_bodies_and_unknown_sessions(api):
    session = next(iter(api.world.sessions.values()))
    url = f"/instructor-led-course-sessions/{session.id}/attendance"
    api.put(url, json={"userId": "x"}, status=400)
    api.put(url, json=[{"userId": "not-a-guid", "attended": True}], status=400)
    api.put(url, json=[{"userId": "00000000-0000-0000-0000-000000000001", "attended": "yes"}], status=400)
    api.put(url, json=[{"userId": "00000000-0000-0000-0000-000000000001", "attended": True, "score": 101}],
            status=400)
    api.get("/instructor-led-course-sessions/00000000-0000-0000-0000-000000000001/attendance", status=404)


# -- credits, messages, learning path -----------------------------------------------------------------------------

def test_credit_types_and_credits_follow_completions(api):
    types = api.get("/credits/credit-types", "credit-type-page").body["creditTypes"]
    assert sum(t["isDefault"] for t in types) == 1
    course = next(c for c in api.world.courses.values() if not c.is_ilc and c.credits)
    learner = _learner_without(api, [course.id])
    api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201)
    assert course.id not in [c["courseId"] for c in api.get(f"/credits/users/{learner.id}").body]
    api.post(f"/users/{learner.id}/enrollments", status=201, json={"courseId": course.id, "status": 3})
    earned = [c for c in api.get(f"/credits/users/{learner.id}", "user-credit-list").body
              if c["courseId"] == course.id]
    default = next(t for t in types if t["isDefault"])
    assert [(c["credits"], c["creditTypeId"]) for c in earned] == [(course.credits, default["id"])]
    api.get("/credits/users/00000000-0000-0000-0000-000000000001", status=404)


def test_messages_by_id_and_a_users_sent_messages(api):
    message = next(iter(learning_of(api.world).messages.values()))
    got = api.get(f"/messages/{message.id}", "message").body
    sender = api.world.users[message.from_id]
    assert got["fromId"] == sender.id and got["from"] == sender.full_name and got["toUserIds"] == message.to_user_ids
    sent = api.get(f"/users/{sender.id}/messages", "message-list").body
    assert message.id in [m["id"] for m in sent] and all(m["fromId"] == sender.id for m in sent)
    api.get("/messages/00000000-0000-0000-0000-000000000001", status=404)
    api.get("/users/00000000-0000-0000-0000-000000000001/messages", status=404)


def test_learning_path_lists_active_enrollments_incomplete_first(api):
    learner = max(api.learners(), key=lambda u: len(api.world.by_user.get(u.id, ())))
    path = api.get(f"/learning-path/{learner.id}", "learning-path").body
    active = {e for (u, _), e in api.world.active.items() if u == learner.id}
    assert {c["enrollmentId"] for c in path["courses"]} == active
    done = [c["status"] == 3 for c in path["courses"]]
    assert done == sorted(done)
    api.get("/learning-path/00000000-0000-0000-0000-000000000001", status=404)


# -- direct curriculum enrollment -------------------------------------------------------------------------------

def test_enrolling_in_a_curriculum_enrolls_its_courses_and_rolls_up(app, tenant, api):
    curriculum = next(iter(catalogue_of(api.world).curricula.values()))
    learner = _learner_without(api, curriculum.course_ids())
    api.get(f"/users/{learner.id}/enrollments/{curriculum.id}", status=404)
    made = api.post(f"/users/{learner.id}/enrollments/{curriculum.id}", "enrollment-created", status=201).body
    assert made["courseId"] == curriculum.id
    api.post(f"/users/{learner.id}/enrollments/{curriculum.id}", status=422)  # already enrolled
    standing = api.get(f"/users/{learner.id}/enrollments/{curriculum.id}", "user-course-enrollment").body
    assert standing["id"] == made["enrollmentId"] and standing["status"] == 0 and standing["progress"] == 0
    online = [c for c in curriculum.course_ids() if not api.world.courses[c].is_ilc]
    for course_id in online:
        enrollment = api.get(f"/users/{learner.id}/enrollments/{course_id}", "user-course-enrollment").body
        assert enrollment["status"] == 0
    path = api.get(f"/learning-path/{learner.id}", "learning-path").body
    assert {c["courseId"] for c in path["courses"] if c["curriculumId"] == curriculum.id} == set(online)
    for course_id in online:
        api.post(f"/users/{learner.id}/enrollments", status=201, json={"courseId": course_id, "status": 3})
    standing = api.get(f"/users/{learner.id}/enrollments/{curriculum.id}", "user-course-enrollment").body
    assert standing["status"] == 3 and standing["progress"] == 100 and standing["dateCompleted"]
    me = AbsorbApi.of_tenant(app, tenant).login(learner.username)
    mine = me.get(f"/my-courses?curriculumId={curriculum.id}&_limit=100", "my-course-page").body
    assert mine["curriculumEnrollment"]["status"] == 3
    again = api.post(f"/users/{learner.id}/enrollments/{curriculum.id}?reEnroll=true", status=201).body
    assert again["enrollmentId"] != made["enrollmentId"]
    assert api.get(f"/users/{learner.id}/enrollments/{curriculum.id}").body["status"] == 0
    # un-enrolling the curriculum enrollment (the vendor's unenroll takes curricula too): gone; its courses stay
    api.post("/enrollments/unenroll", json=[again["enrollmentId"]], status=204)
    api.get(f"/users/{learner.id}/enrollments/{curriculum.id}", status=404)
    assert api.get(f"/users/{learner.id}/enrollments/{online[0]}", "user-course-enrollment").body["status"] == 0


# -- fixtures and counts -----------------------------------------------------------------------------------------

FIXTURE = {"name": "learning", "absorb": {
    "users": [{"username": "admin", "password": "admin", "admin": True},
              {"username": "walter", "password": "pw", "email": "walter@example.com"},
              {"username": "donny", "password": "pw", "email": "donny@example.com"}],
    "creditTypes": [{"name": "CPD"}, {"name": "CEU", "default": True}],
    "messages": [{"from": "admin", "to": ["walter", "donny"], "subject": "Lanes", "body": "Saturday.",
                  "sentDaysAgo": 2}]}}


def test_a_fixture_gives_credit_types_and_messages(client):
    made = client.post("/_emulator/tenants", json={"fixture": FIXTURE})
    assert made.status_code == 201, made.get_json()
    info = made.get_json()
    api = AbsorbApi(client, info["absorb"]["apiKey"], info=info).login("admin")
    types = api.get("/credits/credit-types", "credit-type-page").body["creditTypes"]
    assert sorted((t["name"], t["isDefault"]) for t in types) == [("CEU", True), ("CPD", False)]
    admin_id = info["absorb"]["admin"]["userId"]
    sent = api.get(f"/users/{admin_id}/messages", "message-list").body
    assert [(m["subject"], m["to"]) for m in sent] == [("Lanes", "walter@example.com, donny@example.com")]
    counts = client.get(f"/_emulator/tenants/{info['id']}").get_json()["counts"]["absorb"]
    assert counts["creditTypes"] == 2 and counts["messages"] == 1 and counts["curriculumEnrollments"] == 0


def test_a_fixture_refuses_bad_learning_parts(client):
    bad = {"name": "bad", "absorb": {**FIXTURE["absorb"],
                                     "creditTypes": [{"name": "A", "default": True}, {"name": "B", "default": True}],
                                     "messages": [{"from": "nobody", "to": []}]}}
    answer = client.post("/_emulator/tenants", json={"fixture": bad})
    assert answer.status_code == 400
    message = answer.get_json()["message"]
    assert "messages[0].to" in message
    bad["absorb"]["messages"] = [{"from": "nobody", "to": ["walter"]}]
    answer = client.post("/_emulator/tenants", json={"fixture": bad}).get_json()
    problems = " ".join([answer["message"], *answer.get("validations", [])])
    assert "messages[0].from" in problems and "creditTypes" in problems, answer


# -- over real HTTP -------------------------------------------------------------------------------------------------

def test_an_instructor_marks_attendance_and_the_learner_earns_certificate_credits_and_curriculum_over_http():
    """A real client's walk: enroll a learner in a session, mark them attended, read their certificate, credits and
    learning path; enroll them in a curriculum and read its roll-up; every answer valid against its schema."""
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        headers = {"x-api-key": world.api_key, "x-api-version": "2"}
        token = requests.post(f"{base}/authenticate", headers=headers, timeout=10,
                              json={"username": "admin", "password": "admin", "privateKey": world.api_key}).json()
        s = requests.Session()
        s.headers.update({**headers, "Authorization": f"Bearer {token}"})

        def call(method: str, path: str, status: int, schema: str | None = None, **kw: Any) -> Any:
            resp = s.request(method, base + path, timeout=10, **kw)
            assert resp.status_code == status, (resp.status_code, resp.text[:300])
            body = resp.json() if resp.content else None
            if schema or status >= 400:
                contract.validate("absorb", schema or "error", body)
            return body

        course = next(c for c in world.courses.values() if c.is_ilc and not c.multi_session and c.credits)
        session_id = course.session_ids[0]
        curriculum = next(iter(world.catalogue.curricula.values()))
        learner = next(u for u in world.users.values() if not u.is_admin and not any(
            (u.id, c) in world.active for c in [course.id, *curriculum.course_ids()]))
        call("POST", f"/users/{learner.id}/enrollments/{course.id}/sessions/{session_id}", 201)
        rows = call("PUT", f"/instructor-led-course-sessions/{session_id}/attendance", 200, "attendance-list",
                    json=[{"userId": learner.id, "attended": True, "score": 95}])
        assert next(r for r in rows if r["userId"] == learner.id)["status"] == 3
        certificates = call("GET", f"/users/{learner.id}/certificates", 200, "certificate-page")["certificates"]
        assert course.id in [c["courseId"] for c in certificates]
        credits = call("GET", f"/credits/users/{learner.id}", 200, "user-credit-list")
        assert [c["credits"] for c in credits if c["courseId"] == course.id] == [course.credits]
        path = call("GET", f"/learning-path/{learner.id}", 200, "learning-path")
        assert path["courses"][-1]["courseId"] == course.id  # complete: last

        made = call("POST", f"/users/{learner.id}/enrollments/{curriculum.id}", 201, "enrollment-created")
        standing = call("GET", f"/users/{learner.id}/enrollments/{curriculum.id}", 200, "user-course-enrollment")
        assert standing["id"] == made["enrollmentId"] and standing["status"] == 0
        call("GET", f"/USERS/{learner.id}/MESSAGES", 200, "message-list")  # case-insensitive, as the vendor's
