"""The seeded Pearson world: shape, determinism, credentials, fixtures and their validation."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from emulator.app import create_app
from emulator.core.errors import ValidationFailed
from emulator.pearson.wire.schemas import dump_world
from emulator.core.jsonstream import plain

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "pearson-center-with-staff.json"
ANA, BRUNO, CARLA = ("a1000000-0000-4000-8000-00000000000" + n for n in "123")
DIEGO, FABIO, GABRIELA = "b2000000-0000-4000-8000-000000000001", "b2000000-0000-4000-8000-000000000003", \
    "c3000000-0000-4000-8000-000000000001"


def _store(seed: int = 42):
    return create_app({"seed": seed}).state.store


def _lone_store():
    """A store holding only this vendor: fixture validation without building the other vendors' worlds."""
    from emulator.core.store import Store
    from emulator.pearson import VENDOR

    return Store([VENDOR], seed=42)


def test_world_has_every_role_and_believable_data(world):
    roles = {r for u in world.users.values() for r in u.roles}
    assert roles == {"Student", "StaffMember", "Administrator", "ProspectWithTrial", "User", "QA", "ISUSTeacher",
                     "FocusTool"}
    assert all(u.center_id in world.centers for u in world.users.values() if {"Student", "StaffMember"} & set(u.roles))
    assert {c.reference_id for c in world.centers.values()} >= {"BR-SAO-01"}
    assert all(1 <= e.unit_number <= 20 for e in world.encounters.values())
    assert all(s.end > s.start and s.meeting_url.startswith("https://") for s in world.sessions.values())
    assert all(world.users[s.user_id].roles == ["Student"] for s in world.sessions.values())


def test_same_seed_and_tenant_give_the_same_world():
    first, second = _store().tenants["default"], _store().tenants["default"]
    assert plain(dump_world(first.world("pearson"))) == plain(dump_world(second.world("pearson")))
    # the signing key is the incarnation's, not the seed's: tokens of one never verify on the other
    assert first.world("pearson").secret != second.world("pearson").secret


def test_a_reset_makes_a_new_signing_key():
    """Issue 31: a reset ends Pearson's tokens as it ends Absorb's and iSpring's (the same ids, a new key)."""
    store = _store()
    before = store.tenants["default"].world("pearson")
    after = store.reset("default").world("pearson")
    assert after.secret != before.secret and list(after.users) == list(before.users)


def test_other_tenant_or_seed_gives_another_world():
    store = _store()
    default, other = store.tenants["default"].world("pearson"), store.create_tenant("other").world("pearson")
    assert set(default.users).isdisjoint(other.users)
    assert default.secret != other.secret
    assert set(_store(7).tenants["default"].world("pearson").users).isdisjoint(default.users)


def test_a_sized_world_has_centers_of_hundreds_and_keeps_the_default_shares():
    """A sized world (issue 32): exactly its users, centers of ~420 people, one staff member to 20 students; every
    tenth student without sessions, as in the default world's centers of ten; bookings within the seats of
    encounters of the student's next unit, at the student's center or the online center."""
    from emulator.core.store import Store
    from emulator.pearson import VENDOR

    world = Store([VENDOR], seed=42).create_tenant("t", users=3000).world("pearson")
    assert len(world.users) == 3000
    students = [u for u in world.users.values() if "Student" in u.roles]
    staff = [u for u in world.users.values() if "StaffMember" in u.roles]
    centers = [c for c in world.centers.values() if not c.is_online]
    assert len(centers) == 7 and 19 <= len(students) / (len(staff) - 1) <= 21
    without = sum(1 for s in students if s.id not in world.sessions_by_user)
    assert abs(without / len(students) - 0.1) < 0.01
    assert 3.2 < len(world.sessions) / len(students) < 3.6 and 3.8 < len(world.encounters) / len(students) < 4.2
    assert 0.36 < sum(e.is_online for e in world.encounters.values()) / len(world.encounters) < 0.44
    assert len(world.classes) < len(students) / 5  # per center and unit, not per student
    online = next(c.id for c in world.centers.values() if c.is_online)
    assert 0.3 < len(world.bookings) / len(students) < 0.36
    for class_id, booked in world.bookings_by_class.items():
        cls = world.classes[class_id]
        assert len(booked) <= cls.seats
        for booking in (world.bookings[b] for b in booked):
            student = world.users[booking.student_id]
            assert cls.center_id in (student.center_id, online) and cls.unit_number == student.completed_unit + 1
    for ids in world.sessions_by_user.values():  # the index in start order, as the routes read it
        assert [world.sessions[i].start for i in ids] == sorted(world.sessions[i].start for i in ids)


def test_credentials(world):
    creds = world.credentials()
    assert creds["tokenEndpoint"] == "POST /_emulator/tenants/default/pearson/tokens"
    users = creds["users"]
    assert all(set(u) == {"id", "name", "roles", "centerId"} for u in users)
    student = next(u for u in users if u["roles"] == ["Student"])
    assert any(u["roles"] == ["StaffMember"] and u["centerId"] == student["centerId"] for u in users)
    assert any(u["roles"] == ["StaffMember"] and u["centerId"] != student["centerId"] for u in users)
    assert any(u["roles"] == ["Administrator"] for u in users)
    assert world.sessions_by_user[student["id"]], "the advertised student has sessions"
    json.dumps(plain(dump_world(world)))  # JSON-ready
    assert world.counts()["users"] == len(world.users)


def test_fixture_replaces_the_world(get, token):
    store = _store()
    tenant = store.create_tenant("fx", fixture=json.loads(FIXTURE.read_text()))
    world = tenant.world("pearson")
    assert world.counts() == {"centers": 2, "users": 7, "teachers": 2, "sessions": 2, "encounters": 3,
                              "territories": 0, "classes": 0, "bookings": 0, "contracts": 0, "walkthroughs": 0}
    assert set(world.users) >= {ANA, BRUNO, CARLA, DIEGO, FABIO, GABRIELA}
    session = world.sessions["d4000000-0000-4000-8000-000000000002"]
    assert session.start == tenant.anchor.replace(hour=15) + __import__("datetime").timedelta(days=2)
    assert session.name == "Marcus Reed" and session.meeting_url.endswith("ana-unit-4")
    assert world.credentials()["users"][0]["id"] == ANA


def test_fixture_tenant_over_http():
    app = create_app({"seed": 42})
    store = app.state.store
    tenant = store.create_tenant("fx", fixture=json.loads(FIXTURE.read_text()))
    from emulator.core import contract
    from emulator.pearson.domain.signing import issue_token

    client = app.test_client()

    def call(caller: str, user: str, route: str):
        bearer = issue_token(tenant.world("pearson"), caller, tenant.clock.now())
        response = client.get(f"/pearson/users/{user}/{route}", headers={"Authorization": f"Bearer {bearer}"})
        contract.validate("pearson", {"sessions": "teacher-session", "encounters": "available-encounter-list"}[route]
                          if response.status_code == 200 else "error", response.get_json())
        return response

    assert call(DIEGO, ANA, "sessions").get_json()["TeacherId"] == "7e1d2c3b-4a59-4687-9a8b-1c2d3e4f5a02"
    assert call(DIEGO, BRUNO, "sessions").get_json() is None
    assert [e["UnitNumber"] for e in call(DIEGO, ANA, "encounters").get_json()] == [4, 5]
    assert call(FABIO, ANA, "encounters").status_code == 403
    assert call(GABRIELA, CARLA, "sessions").status_code == 403
    assert call(CARLA, CARLA, "encounters").get_json() == []


def _bad(mutate) -> ValidationFailed:
    doc = copy.deepcopy(json.loads(FIXTURE.read_text()))
    mutate(doc["pearson"])
    with pytest.raises(ValidationFailed) as info:
        _lone_store().create_tenant("bad", fixture=doc)
    return info.value


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["users"][2].update(centerId="0b6f3c1e-5a4d-4e2b-9c71-2f8d7a6b5c99"),
     "pearson.users[2].centerId: unknown center"),
    (lambda d: d["users"][1].update(roles=["Wizard"]), "pearson.users[1].roles[0]:"),
    (lambda d: d["users"][0].update(id="nope"), "pearson.users[0].id: Not a valid GUID."),
    (lambda d: d["users"][0].pop("name"), "pearson.users[0].name:"),
    (lambda d: d["users"][1].update(id=d["users"][0]["id"]), "pearson.users[1].id: duplicate id"),
    (lambda d: d["users"][3].pop("centerId"), "pearson.users[3].centerId: students and staff members need a center"),
    (lambda d: d["sessions"][1].update(teacherId="7e1d2c3b-4a59-4687-9a8b-1c2d3e4f5a99"),
     "pearson.sessions[1].teacherId: unknown teacher"),
    (lambda d: d["sessions"][0].update(userId="a1000000-0000-4000-8000-000000000099"),
     "pearson.sessions[0].userId: unknown user"),
    (lambda d: d["sessions"][0].update(start="tomorrow"), "pearson.sessions[0].start:"),
    (lambda d: d["sessions"][0].update(end="-20h"), "pearson.sessions[0].end: must be after start"),
    (lambda d: d["encounters"][2].update(unitNumber=21), "pearson.encounters[2].unitNumber:"),
    (lambda d: d["encounters"][0].update(status="Open"), "pearson.encounters[0].status:"),
    (lambda d: d.update(extra=[]), "pearson.extra: Unknown field."),
    (lambda d: d.pop("users"), "pearson.users: Missing data for required field."),
])
def test_fixture_validation_names_the_entry(mutate, message):
    error = _bad(mutate)
    assert any(v.startswith(message) for v in error.validations), error.validations
    assert error.status == 400


def test_fixture_must_be_an_object():
    with pytest.raises(ValidationFailed, match="pearson"):
        _lone_store().create_tenant("bad", fixture={"pearson": []})


def test_fixture_problems_are_all_listed_before_anything_is_built():
    """The plan checks the whole fixture first (``fixture_plan``): every problem is in one answer, the first
    in the fixture's order is the message."""
    def two(d):
        d["users"][2].update(centerId="0b6f3c1e-5a4d-4e2b-9c71-2f8d7a6b5c99")
        d["sessions"][1].update(teacherId="7e1d2c3b-4a59-4687-9a8b-1c2d3e4f5a99")

    error = _bad(two)
    assert error.message == "pearson.users[2].centerId: unknown center"
    assert error.validations[:2] == ["pearson.users[2].centerId: unknown center",
                                     "pearson.sessions[1].teacherId: unknown teacher"]
