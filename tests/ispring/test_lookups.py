"""The lookups a real integration makes: session list and info, users, departments (JSON answers)."""
from __future__ import annotations

import base64

import pytest

from emulator.app import create_app
from emulator.core import contract
from emulator.ispring.domain import service

NOBODY = "00000000-0000-4000-8000-000000000000"
SESSIONS = "/performance-management/appraisal/session"  # under /ispring


@pytest.fixture
def get(ispring):
    """get(method, path under /ispring, schema, who="owner", **request kwargs) -> response, JSON validated against
    ``schema`` (success) or the error schema."""
    return ispring.as_client


# -- sessions -------------------------------------------------------------------------------------

def test_session_list_without_a_body_lists_every_session(get, world):
    for kwargs in ({}, {"json": {}}, {"data": b"", "content_type": "application/json"}):
        body = get("POST", f"{SESSIONS}/list", "appraisal-session-list", **kwargs).get_json()
        assert [s["sessionId"] for s in body] == list(world.sessions)
    first = body[0]
    session = world.sessions[first["sessionId"]]
    assert (first["name"], first["status"], first["managerId"]) == (session.title, session.status, session.manager_id)


def test_session_list_filters_in_request_order(get, world):
    wanted = list(world.sessions)[:3][::-1]
    body = get("POST", f"{SESSIONS}/list", "appraisal-session-list",
               json={"sessionIds": wanted + [wanted[0].upper()]}).get_json()
    assert [s["sessionId"] for s in body] == wanted
    assert get("POST", f"{SESSIONS}/list", "appraisal-session-list", json={"sessionIds": []}).get_json() == []


def test_session_list_unknown_id_is_404_and_learner_403(get, world):
    response = get("POST", f"{SESSIONS}/list", "appraisal-session-list", json={"sessionIds": [NOBODY]})
    assert response.status_code == 404 and response.get_json() == {"code": 404, "message": "Session not found"}
    assert get("POST", f"{SESSIONS}/list", "appraisal-session-list", who="learner").status_code == 403


def test_session_dates_fit_the_status(get, tenant):
    now = tenant.clock.now().isoformat()[:19]
    for s in get("POST", f"{SESSIONS}/list", "appraisal-session-list").get_json():
        start, end = s["startDate"][:19], s["endDate"][:19]
        assert start < end
        assert {"NOT_STARTED": now < start, "IN_PROGRESS": start <= now < end, "COMPLETED": end <= now}[s["status"]]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_session_info_matches_the_list_and_the_participants(get, world, method):
    session = next(iter(world.sessions.values()))
    info = get(method, f"{SESSIONS}/{session.id}/info", "appraisal-session-info").get_json()
    listed = get("POST", f"{SESSIONS}/list", "appraisal-session-list", json={"sessionIds": [session.id]}).get_json()[0]
    assert {k: info[k] for k in listed} == listed
    assert [e["employeeId"] for e in info["employees"]] == session.participant_ids
    for card in info["employees"]:
        assert {"reviewerId": card["employeeId"], "role": "REVIEWER_ROLE_SELF_REVIEW"} in card["reviewers"]
    assert info["permittedUserIds"] and all(u in world.users for u in info["permittedUserIds"])
    assert len(info["questions"]) == 3 and all(q["targetRoles"] for q in info["questions"])


def test_a_new_participant_shows_in_the_info(get, world):
    session = next(iter(world.sessions.values()))
    outsider = next(u for u in world.users if u not in session.participant_ids)
    service.add_participant(world, session.id, outsider)
    info = get("GET", f"{SESSIONS}/{session.id}/info", "appraisal-session-info").get_json()
    assert info["employees"][-1]["employeeId"] == outsider


def test_session_info_errors(get, world):
    assert get("GET", f"{SESSIONS}/{NOBODY}/info", "appraisal-session-info").status_code == 404
    assert get("GET", f"{SESSIONS}/nope/info", "appraisal-session-info").status_code == 400
    assert get("GET", f"{SESSIONS}/{next(iter(world.sessions))}/info", "appraisal-session-info",
               who="learner").status_code == 403


# -- users ----------------------------------------------------------------------------------------

def test_user_profile_matches_the_world(get, world):
    user = next(u for u in world.users.values() if u.status == "ACTIVE" and u.role == "LEARNER")
    body = get("GET", f"/user/{user.id.upper()}", "user-profile").get_json()["response"]
    assert (body["userId"], body["departmentId"], body["status"], body["role"]) == (user.id, user.department_id, 1,
                                                                                    "learner")
    assert body["fields"]["login"] == user.login and body["fields"]["first_name"] == user.first_name
    assert body["userRoles"] == [{"roleId": body["roleId"], "roleType": "learner"}]


def test_status_codes_and_deleted_users(get, world):
    codes = {u.status: get("GET", f"/user/{u.id}", "user-profile") for u in world.users.values()}
    assert codes["ACTIVE"].get_json()["response"]["status"] == 1
    assert codes["DEACTIVATED"].get_json()["response"]["status"] == 3
    assert codes["TERMINATED"].get_json()["response"]["status"] == 3  # help page: v1 gives 3 for both
    assert codes["DELETED"].status_code == 404 and codes["DELETED"].get_json()["message"] == "Unknown user"


def test_user_list_and_its_filters(get, world):
    everyone = get("GET", "/user", "user-list").get_json()
    assert [u["userId"] for u in everyone] == [u.id for u in world.users.values() if u.status != "DELETED"]
    department = next(iter(world.departments))
    by_department = get("GET", f"/user?departments[]={department}", "user-list").get_json()
    assert by_department and {u["departmentId"] for u in by_department} == {department}
    user = next(u for u in world.users.values() if u.status == "ACTIVE")
    for query in (f"logins[]={user.login.upper()}", f"emails[]={user.email}",
                  f"logins[]={user.login}&departments[]={user.department_id}"):
        assert [u["userId"] for u in get("GET", f"/user?{query}", "user-list").get_json()] == [user.id]
    assert get("GET", f"/user?groups[]={NOBODY}", "user-list").get_json() == []  # no groups in the account
    assert get("GET", f"/user?logins[]={user.login}&departments[]={NOBODY}", "user-list").get_json() == []


# -- departments ----------------------------------------------------------------------------------

def test_departments_page_through_with_tokens(get, world):
    seen, token, pages = [], None, 0
    while True:
        query = "pageSize=4" + (f"&pageToken={token}" if token else "")
        page = get("GET", f"/departments?{query}", "department-page").get_json()
        seen += [d["departmentId"] for d in page["departments"]]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
        assert base64.b64decode(token).decode() in world.departments  # the help page's token: base64 of an id
    assert seen == list(world.departments) and pages == 2
    whole = get("GET", "/departments", "department-page").get_json()
    assert "nextPageToken" not in whole and len(whole["departments"]) == len(world.departments)


def test_department_info(get, world):
    department = next(iter(world.departments.values()))
    body = get("GET", f"/department/{department.id}", "department-info").get_json()["response"]
    assert (body["departmentId"], body["name"], body["code"]) == (department.id, department.name, department.code)
    assert get("GET", f"/department/{NOBODY}", "department-info").status_code == 404


# -- a department administrator sees the departments they manage, and those under them ------------

D1, D2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
U1, U2 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
S1 = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
FIXTURE = {"ispring": {
    "departments": [{"id": D1, "name": "Sales"}, {"id": D2, "name": "Support", "parentDepartmentId": D1}],
    "users": [{"id": U1, "login": "boss", "departmentId": D1, "role": "DEPARTMENT_ADMINISTRATOR"},
              {"id": U2, "login": "helper", "departmentId": D2, "status": "DEACTIVATED"}],
    "sessions": [{"id": S1, "participantIds": [U2], "startDate": "2024-01-01T09:00:00Z"}],
    "clients": [{"name": "dept", "clientId": "dept-client", "clientSecret": "s", "role": "DEPARTMENT_ADMINISTRATOR",
                 "userId": U1},
                {"name": "gone", "clientId": "gone-client", "clientSecret": "s", "role": "ACCOUNT_ADMINISTRATOR",
                 "userId": U2}]}}


@pytest.fixture
def acme():
    app = create_app({"seed": 42})
    app.state.store.create_tenant("acme", fixture=FIXTURE)
    return app.test_client()


def _token(client, client_id):
    return client.post("/ispring/api/v3/token", data={"client_id": client_id, "client_secret": "s",
                                                      "grant_type": "client_credentials"})


def test_department_administrator_scope(acme):
    headers = {"Authorization": f"Bearer {_token(acme, 'dept-client').get_json()['access_token']}",
               "Accept": "application/json"}
    users = acme.get("/ispring/user", headers=headers).get_json()
    assert [u["userId"] for u in users] == [U1, U2]  # D2 is under D1: a department administrator manages both
    assert users[0]["role"] == "department_administrator" and users[0]["manageableDepartmentIds"] == [D1]
    assert acme.get(f"/ispring/user/{U2}", headers=headers).status_code == 200
    assert [d["departmentId"] for d in acme.get("/ispring/departments", headers=headers).get_json()["departments"]] \
        == [D1, D2]
    manager = acme.application.state.store.tenants["acme"].world("ispring").users[U1]
    manager.manageable_department_ids = [D2]  # now D2 only: D1 and its users are out of reach
    assert acme.get(f"/ispring/user/{U1}", headers=headers).status_code == 403
    assert acme.get(f"/ispring/department/{D1}", headers=headers).status_code == 403
    assert acme.post(f"/ispring{SESSIONS}/list", headers=headers).status_code == 403  # owner and administrators


def test_fixture_session_and_department_details(acme):
    """A fixture's session runs 30 days from its start and is managed by its first participant when the
    account has no owner or administrator; a parent department shows as parentDepartmentId."""
    app_world = acme.application.state.store.tenants["acme"].world("ispring")
    session = app_world.sessions[S1]
    assert session.manager_id == U2 and (session.end - session.start).days == 30
    assert app_world.departments[D2].parent_id == D1


def test_token_is_refused_403_when_the_clients_owner_is_not_active(acme):
    """The document lists a 403 for the token endpoint: a valid client whose owner can no longer sign in."""
    response = _token(acme, "gone-client")
    assert response.status_code == 403 and response.get_json() == {"code": 403, "message": "Permission denied"}
    contract.validate("ispring", "error", response.get_json())
    assert _token(acme, "dept-client").status_code == 200
