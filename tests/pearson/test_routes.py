"""Pearson routes: status codes, wire formats, and which session / encounters the tenant clock selects."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from emulator.core import contract
from emulator.core.wire import parse_iso_datetime

DOTNET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}\+00:00$")
SESSION_KEYS = ["Name", "Contact", "Photo", "StartDate", "EndDate", "PartnerId", "ContentItemId", "TeacherId",
                "MeetingUrl", "StartDateTime", "EndDateTime"]
ENCOUNTER_KEYS = ["UnitNumber", "Id", "DateTime", "EndDate", "Duration", "Status", "IsOnline", "CenterId",
                  "CenterName", "CenterReferenceId"]


def test_session_wire_format(get, token, people):
    body = get(f"/users/{people['student'].id}/sessions", token(people["student"])).get_json()
    assert list(body) == SESSION_KEYS
    assert DOTNET.match(body["StartDateTime"]) and DOTNET.match(body["EndDateTime"])
    assert body["StartDate"] == int(parse_iso_datetime(body["StartDateTime"]).timestamp())
    assert body["EndDate"] == int(parse_iso_datetime(body["EndDateTime"]).timestamp())
    assert body["MeetingUrl"].startswith("https://")


def test_encounter_wire_format(get, token, people, world, tenant):
    student = next(u for u in world.users.values() if world.encounters_by_user.get(u.id)
                   and any(world.encounters[i].end > tenant.clock.now() for i in world.encounters_by_user[u.id]))
    body = get(f"/users/{student.id}/encounters", token(student)).get_json()
    assert body, "a seeded student has upcoming encounters"
    for item in body:
        assert list(item) == ENCOUNTER_KEYS
        assert DOTNET.match(item["DateTime"]) and DOTNET.match(item["EndDate"])
        assert 1 <= item["UnitNumber"] <= 20
        assert item["Status"] in ("Available", "Booked", "Full", "Cancelled")
        end = parse_iso_datetime(item["DateTime"]) + timedelta(minutes=item["Duration"])
        assert parse_iso_datetime(item["EndDate"]) == end
        assert re.match(r"^[A-Z]{2}-[A-Z]{3}-\d{2}$", item["CenterReferenceId"])
    assert [i["DateTime"] for i in body] == sorted(i["DateTime"] for i in body)


def test_session_is_current_then_next_then_null(get, token, people, world, tenant):
    student = people["student"]
    sessions = [world.sessions[i] for i in world.sessions_by_user[student.id]]
    upcoming = [s for s in sessions if s.start > tenant.clock.now()]
    first = upcoming[0]
    tenant.clock.freeze(first.start + (first.end - first.start) / 2)  # inside the session: it is current
    path = f"/users/{student.id}/sessions"
    assert get(path, token(student)).get_json()["StartDate"] == first.start_unix
    tenant.clock.freeze(first.end)  # it has ended: the next one
    nxt = upcoming[1]
    assert get(path, token(student)).get_json()["StartDate"] == nxt.start_unix
    tenant.clock.freeze(sessions[-1].end + timedelta(minutes=1))  # all over
    response = get(path, token(student))
    assert response.status_code == 200 and response.get_json() is None
    assert response.data.strip() == b"null"


def test_student_without_sessions_gets_null(get, token, world):
    student = next(u for u in world.users.values() if "Student" in u.roles and not world.sessions_by_user.get(u.id))
    response = get(f"/users/{student.id}/sessions", token(student))
    assert response.status_code == 200 and response.get_json() is None


def test_encounters_leave_the_list_once_ended(get, token, people, world, tenant):
    student = people["student"]
    path = f"/users/{student.id}/encounters"
    before = get(path, token(student)).get_json()
    last_end = max(world.encounters[i].end for i in world.encounters_by_user[student.id])
    tenant.clock.freeze(last_end)
    assert get(path, token(student)).get_json() == []
    assert len(before) >= 1


@pytest.mark.parametrize("route", ["sessions", "encounters"])
def test_unknown_user_is_404(get, token, people, route):
    response = get(f"/users/00000000-0000-4000-8000-000000000000/{route}", token(people["staff"]))
    assert response.status_code == 404
    assert response.get_json()["Message"]


@pytest.mark.parametrize("identifier", ["42", "not-a-guid", "00000000-0000-4000-8000-00000000000"])
def test_non_guid_identifier_is_404(get, token, people, identifier):
    response = get(f"/users/{identifier}/sessions", token(people["student"]))
    assert response.status_code == 404
    assert set(response.get_json()) == {"Message"}


def test_upper_case_guid_is_the_same_user(get, token, people):
    response = get(f"/users/{people['student'].id.upper()}/sessions", token(people["student"]))
    assert response.status_code == 200


def test_unknown_route_and_method(client, token, people):
    response = client.post(f"/pearson/users/{people['student'].id}/sessions",
                           headers={"Authorization": f"Bearer {token(people['student'])}"})
    assert response.status_code == 405
    contract.validate("pearson", "error", response.get_json())
    response = client.get("/pearson/nothing-here")
    assert response.status_code == 404
    contract.validate("pearson", "error", response.get_json())


def test_a_session_and_an_encounter_sharing_an_id_keep_their_own_shapes(client):
    """Wire forms are cached per (schema, id): a fixture may reuse an id across kinds."""
    import json
    from pathlib import Path
    from typing import Any

    from emulator.core import contract

    shipped = Path(__file__).resolve().parents[2] / "fixtures" / "pearson-center-with-staff.json"
    fixture = json.loads(shipped.read_text())
    pearson = fixture["pearson"]

    def shown(tenant_id: str, user_id: str) -> tuple[Any, Any]:
        token = client.post(f"/_emulator/tenants/{tenant_id}/pearson/tokens", json={"userId": user_id}).get_json()
        headers = {"Authorization": f"Bearer {token['token']}"}
        return (client.get(f"/pearson/users/{user_id}/sessions", headers=headers).get_json(),
                client.get(f"/pearson/users/{user_id}/encounters", headers=headers).get_json())

    assert client.post("/_emulator/tenants", json={"id": "ids", "fixture": {"pearson": pearson}}).status_code == 201
    student, session, encounters = next((u["id"], *shown("ids", u["id"])) for u in pearson["users"]
                                        if u["roles"] == ["Student"] and all(shown("ids", u["id"])))
    shared = session["ContentItemId"]  # any id: the session's own is not in its wire form
    for raw in pearson["sessions"]:
        if raw["userId"] == student and raw["teacherId"] == session["TeacherId"]:
            raw["id"] = shared
    first = next(e for e in pearson["encounters"] if e.get("id") == encounters[0]["Id"])  # the fixture names ids
    first["id"] = shared
    created = client.post("/_emulator/tenants", json={"id": "shared-ids", "fixture": {"pearson": pearson}})
    assert created.status_code == 201
    session_after, encounters_after = shown("shared-ids", student)  # the session is dumped first
    contract.validate("pearson", "teacher-session", session_after)
    contract.validate("pearson", "available-encounter-list", encounters_after)
    assert encounters_after[0]["Id"] == shared and "UnitNumber" in encounters_after[0]
