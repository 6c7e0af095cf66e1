"""The seeded iSpring account: shape, determinism, credentials, fixtures and their validation."""
from __future__ import annotations

import copy
import json

import pytest

from emulator.app import create_app
from emulator.core import contract
from emulator.core.errors import ValidationFailed

D1, D2 = "d1000000-0000-4000-8000-000000000001", "d1000000-0000-4000-8000-000000000002"
U1, U2, U3 = ("a1000000-0000-4000-8000-00000000000" + n for n in "123")
S1 = "5e000000-0000-4000-8000-000000000001"
FIXTURE = {"ispring": {
    "departments": [{"id": D1, "name": "Sales"}, {"id": D2, "name": "Support"}],
    "users": [
        {"id": U1, "login": "ana.souza", "firstName": "Ana", "lastName": "Souza", "departmentId": D1,
         "fields": [{"key": "USER_DEFINED_FIELD3", "title": "Hire date", "value": "2020-11-12"}]},
        {"id": U2, "login": "bruno_lima", "departmentId": D2, "status": "TERMINATED"},
        {"id": U3, "login": "owner", "firstName": "Olga", "departmentId": D1, "role": "ACCOUNT_OWNER"},
    ],
    "sessions": [{"id": S1, "title": "Annual review", "status": "IN_PROGRESS", "participantIds": [U1, U2]}],
    "clients": [{"name": "owner", "clientId": "my-client", "clientSecret": "s3cret", "role": "ACCOUNT_OWNER",
                 "userId": U3}],
}}


def _store(seed: int = 42):
    return create_app({"seed": seed}).state.store


def _lone_store():
    """A store holding only this vendor: fixture validation without building the other vendors' worlds."""
    from emulator.core.store import Store
    from emulator.ispring import VENDOR

    return Store([VENDOR], seed=42)


def test_world_shape(world):
    assert world.account_url == "https://default.ispringlearn.local"
    assert {c.role for c in world.clients.values()} == {"ACCOUNT_OWNER", "ACCOUNT_ADMINISTRATOR", "LEARNER"}
    assert all(s.participant_ids for s in world.sessions.values())
    assert any(not u.first_name and not u.last_name for u in world.users.values())
    assert all(u.department_id in world.departments for u in world.users.values())


def test_credentials(creds, world):
    assert creds["accountUrl"] == world.account_url and creds["tokenUrl"] == "/ispring/api/v3/token"
    assert [c["name"] for c in creds["clients"]] == ["owner", "administrator", "learner"]
    assert all(set(c) == {"name", "clientId", "clientSecret", "role"} for c in creds["clients"])
    assert creds["sessions"] and all(s in world.sessions for s in creds["sessions"])
    json.dumps(world.dump())
    assert world.counts()["users"] == len(world.users)


def test_same_seed_and_tenant_give_the_same_world():
    first, second = _store().tenants["default"].world("ispring"), _store().tenants["default"].world("ispring")
    assert first.dump() == second.dump()
    other = _store().create_tenant("other").world("ispring")
    assert set(other.users).isdisjoint(first.users) and set(other.clients).isdisjoint(first.clients)


def test_fixture_replaces_the_world():
    app = create_app({"seed": 42})
    tenant = app.state.store.create_tenant("acme", fixture=FIXTURE)
    world = tenant.world("ispring")
    assert world.counts() == {"departments": 2, "users": 3, "sessions": 1, "participants": 2, "questions": 0,
                              "clients": 1, "groups": 0, "courses": 0, "modules": 0, "enrollments": 0,
                              "subscribers": 0, "trainings": 0, "trainingSessions": 0}
    client = app.test_client()
    token = client.post("/ispring/api/v3/token", data={"client_id": "my-client", "client_secret": "s3cret",
                                                       "grant_type": "client_credentials"}).get_json()["access_token"]
    response = client.post(f"/ispring/performance-management/appraisal/session/{S1}/user/attributes/list",
                           json={"userIds": [U2, U1, U3]},
                           headers={"Authorization": f"Bearer {token}", "X-Auth-Account-Url": "https://acme.ispringlearn.local",
                                    "Accept": "application/json"})
    body = response.get_json()
    contract.validate("ispring", "user-attributes-list", body)
    assert [(i["userId"], i["displayingName"], i["initials"], i["status"], i["departmentName"]) for i in body] == [
        (U2, "bruno_lima", "BL", "TERMINATED", "Support"), (U1, "Ana Souza", "AS", "ACTIVE", "Sales")]
    assert {"key": "USER_DEFINED_FIELD3", "value": "2020-11-12", "title": "Hire date"} in body[1]["attributes"]


def test_fixture_without_clients_gets_the_standard_three():
    doc = copy.deepcopy(FIXTURE)
    del doc["ispring"]["clients"]
    world = _store().create_tenant("acme", fixture=doc).world("ispring")
    assert [c.name for c in world.clients.values()] == ["owner", "administrator", "learner"]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["users"][2].update(departmentId="d1000000-0000-4000-8000-000000000099"),
     "ispring.users[2].departmentId: unknown department"),
    (lambda d: d["users"][1].update(status="GONE"), "ispring.users[1].status:"),
    (lambda d: d["users"][1].update(login="ana.souza"), "ispring.users[1].login: duplicate login"),
    (lambda d: d["sessions"][0]["participantIds"].append("a1000000-0000-4000-8000-000000000099"),
     "ispring.sessions[0].participantIds[2]: unknown user"),
    (lambda d: d["sessions"][0].update(status="DONE"), "ispring.sessions[0].status:"),
    (lambda d: d["clients"][0].update(role="GOD"), "ispring.clients[0].role:"),
    (lambda d: d["clients"][0].update(userId="a1000000-0000-4000-8000-000000000099"),
     "ispring.clients[0].userId: unknown user"),
    (lambda d: d.pop("departments"), "ispring.departments: Missing data for required field."),
])
def test_fixture_validation_names_the_entry(mutate, message):
    doc = copy.deepcopy(FIXTURE)
    mutate(doc["ispring"])
    with pytest.raises(ValidationFailed) as info:
        _lone_store().create_tenant("bad", fixture=doc)
    assert any(v.startswith(message) for v in info.value.validations), info.value.validations


def test_fixture_problems_are_all_listed_before_anything_is_built():
    """The plan checks the whole fixture first (``fixture_plan``): every problem is in one answer, the first
    in the fixture's order is the message."""
    doc = copy.deepcopy(FIXTURE)
    doc["ispring"]["users"][2].update(departmentId="d1000000-0000-4000-8000-000000000099")
    doc["ispring"]["clients"][0].update(userId="a1000000-0000-4000-8000-000000000099")
    with pytest.raises(ValidationFailed) as info:
        _lone_store().create_tenant("bad", fixture=doc)
    assert info.value.message == "ispring.users[2].departmentId: unknown department"
    assert info.value.validations == ["ispring.users[2].departmentId: unknown department",
                                      "ispring.clients[0].userId: unknown user"]
