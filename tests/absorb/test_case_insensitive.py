"""ASP.NET's case-insensitivity: literal path segments, query parameter names and JSON body keys (core.casefold)."""
from __future__ import annotations

from emulator.app import create_app
from emulator.core import contract
from emulator.core.casefold import Shape, body_shape, fold_keys
from emulator.core.strict import HEADER


def test_pascal_case_authenticate_gives_a_working_token(anon):
    key = anon.world.api_key
    resp = anon.post("/Authenticate", "token", status=200,
                     json={"Username": "admin", "Password": "admin", "PrivateKey": key})
    anon.headers["Authorization"] = f"Bearer {resp.body}"
    learner = anon.learners()[0]
    assert anon.get(f"/users/{learner.id}/enrollments", "user-course-enrollment-page",
                    status=200).body["totalItems"] > 0


def test_literal_segments_match_in_any_case_and_answer_the_same(api):
    learner = api.learners()[0]
    lower = api.get(f"/users/{learner.id}/enrollments?_limit=3", "user-course-enrollment-page", status=200).body
    upper = api.get(f"/USERS/{learner.id.upper()}/Enrollments?_limit=3", "user-course-enrollment-page", status=200).body
    assert upper == lower
    enrollment = lower["enrollments"][0]["id"]
    assert api.get(f"/Enrollments/{enrollment}", "user-course-enrollment", status=200).body["id"] == enrollment


def test_an_unknown_route_stays_unknown_in_any_case(api):
    api.get("/No/Such/Route", status=404)
    api.get("/Users/not-a-guid/Enrollments", status=404)


def test_query_parameter_names_bind_case_insensitively(api):
    learner = api.learners()[0]
    canonical = api.get(f"/users/{learner.id}/enrollments?_limit=2&_sort=-dateAdded&_offset=1",
                        "user-course-enrollment-page", status=200).body
    shouted = api.get(f"/users/{learner.id}/enrollments?_LIMIT=2&_Sort=-dateAdded&_Offset=1",
                      "user-course-enrollment-page", status=200).body
    assert shouted == canonical and shouted["limit"] == 2 and shouted["offset"] == 1
    course = api.online_course(not_enrolled_by=learner.id)
    api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201)
    again = api.post(f"/users/{learner.id}/enrollments/{course.id}?REENROLL=true", "enrollment-created", status=201)
    assert again.body["courseId"] == course.id


def test_body_keys_bind_case_insensitively_at_any_depth(api):
    learner = api.learners()[0]
    course = api.online_course(not_enrolled_by=learner.id)
    body = {"COURSEID": course.id.upper(), "Status": 3, "score": 10, "Score": 88,
            "CreditTypeCredits": [{"CREDITTYPEID": course.id, "Credits": 1}]}
    created = api.post(f"/users/{learner.id}/enrollments", "enrollment-created", status=201, json=body)
    got = api.get(f"/enrollments/{created.body['enrollmentId']}", "user-course-enrollment", status=200).body
    assert got["courseId"] == course.id and got["status"] == 3
    assert got["score"] == 88  # the later spelling wins, as the .NET JSON readers do


def test_attempt_finish_body_is_case_insensitive(api):
    learner = api.learners()[0]
    course = api.online_course(not_enrolled_by=learner.id)
    api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201)
    lesson = api.world.chapters[course.chapter_ids[0]].lesson_ids[0]
    started = api.post(f"/users/{learner.id}/enrollments/{course.id}/lessons/{lesson}/attempts", status=200).body
    api.put(f"/Attempts/{started['attemptId']}", "attempt-finished", status=200, json={"Status": 3, "SCORE": 91})
    got = api.get(f"/users/{learner.id}/enrollments/{course.id}/lessons/{lesson}", "lesson-enrollment", status=200)
    assert got.body["status"] == 3 and got.body["score"] == 91


def test_a_wrongly_typed_value_is_still_refused_under_any_spelling(api):
    learner = api.learners()[0]
    resp = api.post(f"/users/{learner.id}/enrollments", status=400, json={"CourseId": 42})
    assert any("courseId" in v for v in resp.body["validations"])


def test_strict_mode_reports_each_non_canonical_spelling_without_refusing():
    app = create_app({"seed": 42, "strict": True})
    world = app.state.store.tenants["default"].world("absorb")
    client = app.test_client()
    headers = {"x-api-key": world.api_key, "x-api-version": "2"}
    resp = client.post("/absorb/Authenticate", headers=headers,
                       json={"Username": "admin", "password": "admin", "PrivateKey": world.api_key})
    assert resp.status_code == 200
    contract.validate("absorb", "token", resp.get_json())
    reported = resp.headers[HEADER]
    assert "path segment 'Authenticate'" in reported and "'authenticate'" in reported
    assert "body field 'Username'" in reported and "body field 'PrivateKey'" in reported
    assert "'password'" not in reported and "not documented" not in reported
    headers["Authorization"] = f"Bearer {resp.get_json()}"
    learner = next(u for u in world.users.values() if not u.is_admin)
    page = client.get(f"/absorb/users/{learner.id.upper()}/enrollments?_Limit=1", headers=headers)
    assert page.status_code == 200 and page.get_json()["limit"] == 1
    assert page.headers[HEADER] == "query parameter '_Limit' is not in the documented spelling '_limit'"
    canonical = client.get(f"/absorb/users/{learner.id}/enrollments?_limit=1", headers=headers)
    assert HEADER not in canonical.headers


def test_the_journal_shows_the_path_as_sent(api):
    api.get("/My-Enrollments", status=200)
    entries = api.client.get("/_emulator/tenants/default/journal?limit=1").get_json()["entries"]
    assert entries[-1]["path"] == "/absorb/My-Enrollments" and entries[-1]["status"] == 200


def test_openapi_keeps_the_canonical_spelling(client):
    paths = client.get("/absorb/openapi.json").get_json()["paths"]
    assert "/authenticate" in paths and "/Authenticate" not in paths
    assert all(p == p.lower() or "{" in p for p in paths)


def test_fold_keys_follows_refs_and_leaves_unknown_keys_alone():
    shape = body_shape("absorb", "course-enrollment-upsert")
    assert shape is not None and shape.props["courseid"][0] == "courseId"
    notes: list[str] = []
    folded = fold_keys({"courseID": "x", "Colour": "red"}, shape, notes)
    assert folded == {"courseId": "x", "Colour": "red"} and len(notes) == 1
    assert fold_keys([{"A": 1}], Shape(items=Shape(props={"a": ("a", None)})), []) == [{"a": 1}]
