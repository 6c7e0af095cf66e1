"""Fixtures: by name, inline, into an existing tenant, at start-up, and refused with a message naming the entry."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.app import create_app

from tests.vendor_api import AbsorbApi

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
JORDAN, PRIVACY = "a0000000-0000-4000-8000-000000000002", "c0000000-0000-4000-8000-000000000001"
ILC, SESSION = "c0000000-0000-4000-8000-000000000011", "5e000000-0000-4000-8000-000000000011"


def _absorb_data(client, tid):
    return client.get(f"/_emulator/tenants/{tid}/data.json").get_json()["absorb"]


def test_learner_mid_course(client, new_tenant):
    info = new_tenant(fixture="learner-mid-course")
    assert info["fixture"] == "learner-mid-course"
    headers = AbsorbApi.of_info(client, info).login().headers
    enrollment = client.get(f"/absorb/users/{JORDAN}/enrollments/{PRIVACY}", headers=headers).get_json()
    assert enrollment["id"] == "d0000000-0000-4000-8000-000000000001"
    assert enrollment["status"] == 1 and enrollment["progress"] == 50.0
    lessons = client.get(f"/absorb/users/{JORDAN}/enrollments/{PRIVACY}/lessons", headers=headers).get_json()
    assert sorted(le["status"] for le in lessons) == [0, 0, 1, 3, 3, 3]
    chapters = client.get(f"/absorb/users/{JORDAN}/enrollments/{PRIVACY}/chapters", headers=headers).get_json()
    assert sorted((c["status"], c["progress"]) for c in chapters) == [(1, 0.0), (3, 100.0)]
    # the learner's own credentials from the fixture work too
    learner = AbsorbApi.of_info(client, info).login("jordan.lee", "learner").headers
    assert client.get(f"/absorb/my-enrollments/{PRIVACY}", headers=learner).get_json()["progress"] == 50.0
    data = _absorb_data(client, info["id"])
    assert len(data["users"]) == 3 and len(data["courses"]) == 2  # the generated portal is replaced
    # departments and custom fields from the fixture
    compliance = "de000000-0000-4000-8000-000000000002"
    jordan = client.get(f"/absorb/users/{JORDAN}", headers=headers).get_json()
    assert jordan["departmentId"] == compliance and jordan["externalId"] == "E-1002"
    assert jordan["customFields"]["string1"] == "CC-410" and jordan["customFields"]["decimal1"] == 1002
    assert jordan["customFields"]["bool1"] is True and jordan["customFields"]["string2"] is None
    found = client.get("/absorb/users?_filter=customFields/string1 eq 'CC-410'", headers=headers).get_json()
    assert [u["id"] for u in found["users"]] == [JORDAN]
    department = client.get(f"/absorb/departments/{compliance}", headers=headers).get_json()
    assert department["parentId"] == "de000000-0000-4000-8000-000000000001" and department["name"] == "Compliance"
    others = {u["departmentId"] for u in data["users"] if u["id"] != JORDAN}
    assert others == {"de000000-0000-4000-8000-000000000001"}  # no departmentId: the first department


def test_ilc_full_waitlist(client, new_tenant):
    info = new_tenant(fixture="ilc-full-waitlist")
    headers = AbsorbApi.of_info(client, info).login().headers
    roster = client.get(f"/absorb/courses/{ILC}/sessions/{SESSION}/enrollments", headers=headers).get_json()
    assert sorted(e["status"] for e in roster["enrollments"]) == [0, 0, 8]
    # the next learner also lands on the waitlist
    resp = client.post(f"/absorb/users/a0000000-0000-4000-8000-000000000014/enrollments/{ILC}/sessions/{SESSION}",
                       headers=headers)
    assert resp.status_code == 201
    mine = client.get(f"/absorb/users/a0000000-0000-4000-8000-000000000014/enrollments/{ILC}", headers=headers)
    assert mine.get_json()["status"] == 8


def test_fixture_files_are_valid_and_listed(client):
    names = {f["name"] for f in client.get("/_emulator/fixtures").get_json()["fixtures"]}
    assert {"learner-mid-course", "ilc-full-waitlist"} <= names
    for file in FIXTURES.glob("*.json"):
        data = json.loads(file.read_text())
        assert data["name"] == file.stem and data["description"]


def test_same_fixture_same_ids(client, new_tenant):
    a, b = new_tenant(fixture="learner-mid-course", seed=1), new_tenant(fixture="learner-mid-course", seed=1)
    ids = [sorted(e["id"] for e in _absorb_data(client, t["id"])["enrollments"]) for t in (a, b)]
    assert len(ids[0]) == 2 and "d0000000-0000-4000-8000-000000000001" in ids[0]


def test_inline_fixture_and_reset_keeps_it(client, new_tenant):
    fixture = {"name": "tiny", "absorb": {
        "users": [{"username": "boss", "password": "pw", "admin": True}, {"username": "kim", "password": "pw"}],
        "courses": [{"name": "Intro", "chapters": [{"name": "Only", "lessons": [{"name": "A"}, {"name": "B"}]}]}],
        "enrollments": [{"userId": "kim", "courseId": "Intro", "progress": 50}]}}
    info = new_tenant(fixture=fixture)
    assert info["absorb"]["admin"]["username"] == "boss"
    data = _absorb_data(client, info["id"])
    assert [(e["status"], e["progress"]) for e in data["enrollments"]] == [(1, 50.0)]
    client.post(f"/_emulator/tenants/{info['id']}/reset")
    assert [(e["status"], e["progress"]) for e in _absorb_data(client, info["id"])["enrollments"]] == [(1, 50.0)]


def test_load_into_an_existing_tenant(client, tenant):
    tid = tenant["id"]
    resp = client.post(f"/_emulator/tenants/{tid}/fixture", json={"fixture": "ilc-full-waitlist"})
    assert resp.status_code == 200 and resp.get_json()["counts"]["absorb"]["users"] == 5
    assert resp.get_json()["absorb"]["apiKey"] == tenant["absorb"]["apiKey"]  # same portal key
    # the fixture object itself works too, and a bad one leaves the tenant as it was
    bad = json.loads((FIXTURES / "learner-mid-course.json").read_text())
    bad["absorb"]["enrollments"][1]["courseId"] = "x"
    refused = client.post(f"/_emulator/tenants/{tid}/fixture", json=bad)
    assert refused.status_code == 400
    assert refused.get_json()["message"] == "absorb.enrollments[1].courseId: unknown course 'x'"
    assert client.get(f"/_emulator/tenants/{tid}").get_json()["fixture"] == "ilc-full-waitlist"
    assert client.get(f"/_emulator/tenants/{tid}").get_json()["counts"]["absorb"]["users"] == 5


def _mid_course() -> dict:
    return json.loads((FIXTURES / "learner-mid-course.json").read_text())


def _break(path: str, value: object) -> dict:
    fixture = _mid_course()
    node = fixture["absorb"]
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is KeyError:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return fixture


@pytest.mark.parametrize("fixture, message", [
    (_break("enrollments.0.userId", "nobody"), "absorb.enrollments[0].userId: unknown user 'nobody'"),
    (_break("enrollments.0.status", "Complete"), "absorb.enrollments[0].status: Complete does not match the lessons"),
    (_break("enrollments.0.status", "Sleeping"), "absorb.enrollments[0].status: unknown status 'Sleeping'"),
    (_break("enrollments.0.lessons.0.lessonId", "nope"), "absorb.enrollments[0].lessons[0].lessonId: unknown lesson"),
    (_break("enrollments.1.userId", "jordan.lee"), "absorb.enrollments[1]: user 'jordan.lee' is already enrolled"),
    (_break("users.0.admin", False), "absorb.users: at least one user needs"),
    (_break("users.1.username", "admin"), "absorb.users[1].username: duplicate username 'admin'"),
    (_break("users.1.id", "not-a-guid"), "absorb.users[1].id: 'not-a-guid' is not a GUID"),
    (_break("courses.0.chapters.0.lessons", []), "absorb.courses[0].chapters[0].lessons: Must not be empty."),
    (_break("users.0.password", KeyError), "absorb.users[0].password: Missing data for required"),
    (_break("enrollments.0.progress", 50), "absorb.enrollments[0]: give progress or lessons, not both"),
    (_break("users.1.departmentId", "Nowhere"), "absorb.users[1].departmentId: unknown department 'Nowhere'"),
    (_break("users.1.customFields.string31", "x"), "absorb.users[1].customFields.string31: Unknown field."),
    (_break("users.1.customFields.datetime1", "soon"), "absorb.users[1].customFields.datetime1: 'soon' is not"),
    (_break("departments.1.parentId", "Compliance"), "absorb.departments[1].parentId: own department"),
])
def test_invalid_fixtures_name_the_bad_entry(client, fixture, message):
    resp = client.post("/_emulator/tenants", json={"fixture": fixture})
    assert resp.status_code == 400
    assert resp.get_json()["message"].startswith(message), resp.get_json()


def test_waitlist_must_match_the_seats(client):
    fixture = json.loads((FIXTURES / "ilc-full-waitlist.json").read_text())
    fixture["absorb"]["enrollments"][2]["status"] = "NotStarted"
    msg = client.post("/_emulator/tenants", json={"fixture": fixture}).get_json()["message"]
    assert msg.startswith("absorb.enrollments[2].status: session 'Safety Leadership — Leeds, room 2' is full")
    fixture["absorb"]["courses"][0]["sessions"][0]["capacity"] = 3
    fixture["absorb"]["enrollments"][2]["status"] = "OnWaitlist"
    msg = client.post("/_emulator/tenants", json={"fixture": fixture}).get_json()["message"]
    assert "OnWaitlist but session" in msg and "free seats" in msg


@pytest.mark.parametrize("fixture, words", [
    ({"moodle": {}}, "unknown key"),
    ({"absorb": []}, "must be an object"),
    ({"name": 3}, "must be a string"),
])
def test_bad_envelopes(client, fixture, words):
    resp = client.post("/_emulator/tenants", json={"fixture": fixture})
    assert resp.status_code == 400 and words in resp.get_json()["message"]


def test_serve_with_fixtures_builds_the_default_tenant(tmp_path):
    client = create_app({"fixtures": str(FIXTURES / "ilc-full-waitlist.json")}).test_client()
    shown = client.get("/_emulator/tenants/default").get_json()
    assert shown["fixture"] == "ilc-full-waitlist" and shown["counts"]["absorb"]["users"] == 5
    # a fixture directory is a place to find fixtures by name
    own = tmp_path / "mine.json"
    own.write_text(json.dumps({"name": "mine", "absorb": {"users": [{"username": "a", "password": "b",
                                                                     "admin": True}]}}))
    client = create_app({"fixtures": str(tmp_path)}).test_client()
    assert client.post("/_emulator/tenants", json={"fixture": "mine"}).status_code == 201


def test_an_invalid_fixture_file_at_start_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(Exception, match="not valid JSON"):
        create_app({"fixtures": str(bad)})
