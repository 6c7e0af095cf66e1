"""Users, departments and groups: every route of the document that the emulator serves, in strict mode, over
JSON and XML, with both auth modes and every base path; and the rules that connect them (a write shows in every
read, the tree stays a tree, smart groups follow their rules, schedules follow the tenant's clock)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest

from emulator.app import create_app
from emulator.core import contract
from emulator.ispring.wire.schemas import dump_world
from emulator.core.jsonstream import plain

# (method, path) -> the vendor document's operationId and response codes (read by test_contract too).
PEOPLE_OPERATIONS = {
    ("post", "/user/list"): ("GetPagedUsersList", {200, 400, 401, 403}),
    ("get", "/user/v2"): ("GetUsersV2", {200, 400, 401, 403}),
    ("get", "/users"): ("ListUsers", {200, 400, 401, 403}),
    ("get", "/users/v2"): ("ListUsersV2", {200, 400, 401, 403}),
    ("post", "/users/v2"): ("ListUsersV2ByPost", {200, 400, 401, 403}),
    ("get", "/user/{user_id}/v2"): ("GetUserProfileV2", {200, 400, 401, 403}),
    ("post", "/users/find_existing"): ("FindExistingUsers", {200, 400, 401, 403}),
    ("get", "/user/profile/fields"): ("GetUserProfileFields", {200, 400, 401, 403}),
    ("get", "/role"): ("GetRoles", {200, 400, 401, 403}),
    ("post", "/user"): ("AddUser", {201, 400, 401, 403}),
    ("post", "/user/{user_id}"): ("UpdateUserProfile", {200, 400, 401, 403}),
    ("delete", "/user/{user_id}"): ("RemoveUser", {204, 400, 401, 403}),
    ("post", "/user/{user_id}/password"): ("UpdateUserPassword", {200, 400, 401, 403}),
    ("post", "/user/{user_id}/status"): ("ChangeUserStatus", {200, 400, 401, 403}),
    ("post", "/user/{user_id}/subordination"): ("ChangeUserSubordination", {204, 400, 401, 403}),
    ("post", "/user/{user_id}/scheduled_deactivation"): ("ScheduleUserDeactivation", {200, 400, 401, 403}),
    ("delete", "/user/{user_id}/scheduled_deactivation"): ("RemoveScheduledUserDeactivation", {200, 400, 401, 403}),
    ("post", "/user/{user_id}/scheduled_termination"): ("ScheduleUserTermination", {200, 400, 401, 403}),
    ("delete", "/user/{user_id}/scheduled_termination"): ("RemoveScheduledUserTermination", {200, 400, 401, 403}),
    ("post", "/user/{user_id}/groups/remove"): ("RemoveUserFromGroups", {200, 400, 401, 403}),
    ("post", "/users/activate"): ("Activate users", {200, 400, 401, 403}),
    ("post", "/users/deactivate"): ("Deactivate users", {200, 400, 401, 403}),
    ("post", "/users/terminate"): ("Terminate users", {200, 400, 401, 403}),
    ("post", "/users/work-leave-status"): ("UpdateWorkLeaveStatuses", {200, 400, 401, 403}),
    ("post", "/users/work-leave-status/delete"): ("RemoveWorkLeaveStatuses", {200, 400, 401, 403}),
    ("get", "/department"): ("GetDepartments", {200, 400, 401, 403}),
    ("post", "/department"): ("AddDepartment", {201, 400, 401, 403}),
    ("post", "/department/{department_id}"): ("UpdateDepartment", {204, 400, 401, 403}),
    ("delete", "/department/{department_id}"): ("RemoveDepartment", {204, 400, 401, 403}),
    ("post", "/department/{department_id}/subordination"): ("ChangeDepartmentSubordination", {204, 400, 401, 403}),
    ("post", "/department/{department_id}/user/move"): ("MoveUsersToDepartment", {204, 400, 401, 403, 404}),
    ("post", "/department/{parent_id}/department/move"): ("MoveDepartments", {204, 400, 401, 403, 404}),
    ("get", "/group"): ("GetGroups", {200, 400, 401, 403}),
    ("post", "/group"): ("AddGroup", {201, 400, 401, 403}),
    ("post", "/group/smart"): ("AddSmartGroup", {201, 400, 401, 403}),
    ("post", "/group/smart/{group_id}"): ("EditSmartGroup", {200, 400, 401, 403}),
    ("get", "/group/smart/{group_id}/rules"): ("GetSmartGroupRules", {200, 400, 401, 403}),
    ("get", "/group/{group_id}"): ("GetGroup", {200, 400, 401, 403}),
    ("post", "/group/{group_id}"): ("UpdateGroup", {200, 400, 401, 403}),
    ("delete", "/group/{group_id}"): ("RemoveGroup", {204, 400, 401, 403}),
    ("post", "/group/{group_id}/members"): ("UpdateGroupMembers", {200, 400, 401, 403}),
    ("get", "/groups"): ("ListGroups", {200, 400, 401, 403}),
}
JSON, XML = "application/json", "application/xml"


class Account:
    """A fresh strict-mode app, its default account, and calls in either auth mode."""

    def __init__(self) -> None:
        self.app = create_app({"seed": 42, "strict": True})
        self.tenant = self.app.state.store.tenants["default"]
        self.world = self.tenant.world("ispring")
        self.client = self.app.test_client()
        creds = self.world.credentials()
        owner = creds["clients"][0]
        self.token = self.client.post("/ispring/api/v3/token", data={
            "client_id": owner["clientId"], "client_secret": owner["clientSecret"],
            "grant_type": "client_credentials"}).get_json()["access_token"]
        self.login = {"X-Auth-Account-Url": creds["accountUrl"], "X-Auth-Email": creds["logins"][0]["email"],
                      "X-Auth-Password": creds["logins"][0]["password"]}

    def call(self, method: str, path: str, schema: str | None = None, *, status: int = 200, media: str = JSON,
             mode: str = "bearer", base: str = "", **kwargs: Any) -> Any:
        """The answer (JSON data, an XML root, or None for no body), its status and schema checked."""
        auth = {"bearer": {"Authorization": f"Bearer {self.token}"}, "bare": {"Authorization": self.token},
                "login": self.login}[mode]
        headers = {**auth, "Accept": media, **kwargs.pop("headers", {})}
        response = self.client.open(f"/ispring{base}{path}", method=method, headers=headers, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.data)
        assert "X-Emulator-Contract-Violations" not in response.headers or status >= 400, response.headers
        if not response.data:
            assert schema is None, (path, "no body")
            return None
        if media == XML:
            assert response.mimetype == XML
            return ET.fromstring(response.data)
        body = response.get_json()
        contract.validate("ispring", schema if status < 400 else "error", body)
        return body


@pytest.fixture
def acct() -> Account:
    return Account()


def _active(acct: Account) -> list[Any]:
    return [u for u in acct.world.users.values() if u.status == "ACTIVE" and u.role == "LEARNER"]


# -- every route, strict mode, both media, both auth modes, every base --------------------------------

@pytest.mark.parametrize("mode", ["bearer", "bare", "login"])
@pytest.mark.parametrize("base", ["", "/api/v2", "/index.php/api/v2"])
def test_reads_in_every_mode_and_base(acct, mode, base):
    kw = {"mode": mode, "base": base}
    listed = acct.call("POST", "/user/list", "paged-user-list", json={"page": 1, "pageSize": 10}, **kw)
    assert listed["pageNumber"] == 1 and len(listed["userProfiles"]) == 10
    user = listed["userProfiles"][0]
    assert {"name": "LOGIN", "value": acct.world.users[user["userId"]].login} in user["fields"]
    acct.call("GET", "/user/v2", "user-list", **kw)
    acct.call("GET", "/users?pageSize=5", "user-page", **kw)
    acct.call("GET", "/users/v2?pageSize=5", "user-page", **kw)
    acct.call("POST", "/users/v2?pageSize=5", "user-page", json={"userIds": [user["userId"]]}, **kw)
    acct.call("GET", f"/user/{user['userId']}/v2", "user-profile", **kw)
    acct.call("POST", "/users/find_existing", "id-list", json={"userIds": [user["userId"]]}, **kw)
    acct.call("GET", "/user/profile/fields", "profile-field-list", **kw)
    acct.call("GET", "/role", "role-list", **kw)
    acct.call("GET", "/department", "department-list", **kw)
    acct.call("GET", "/group", "group-list", **kw)
    groups = acct.call("GET", "/groups?pageSize=2", "group-page", **kw)
    assert groups["nextPageToken"]
    group = groups["groups"][0]["groupId"]
    acct.call("GET", f"/group/{group}", "group-detail", **kw)
    smart = next(g.id for g in acct.world.groups.values() if g.smart_rules is not None)
    acct.call("GET", f"/group/smart/{smart}/rules", "smart-group-rules", **kw)


def test_every_xml_answer_is_rooted_at_response(acct):
    user = _active(acct)[0]
    smart = next(g.id for g in acct.world.groups.values() if g.smart_rules is not None)
    for method, path, kwargs in [("POST", "/user/list", {"json": {}}), ("GET", "/user/v2", {}),
                                 ("GET", "/users", {}), ("POST", "/users/v2", {"data": b""}),
                                 ("GET", f"/user/{user.id}/v2", {}), ("GET", "/role", {}),
                                 ("POST", "/users/find_existing", {"json": {"userIds": [user.id]}}),
                                 ("GET", "/user/profile/fields", {}), ("GET", "/department", {}),
                                 ("GET", "/group", {}), ("GET", "/groups", {}),
                                 ("GET", f"/group/smart/{smart}/rules", {})]:
        assert acct.call(method, path, media=XML, **kwargs).tag == "response", path


# -- users ------------------------------------------------------------------------------------------

def test_paging_by_page_number_reaches_every_user_once(acct):
    seen, page = [], 1
    while True:
        body = acct.call("POST", "/user/list", "paged-user-list", json={"page": page, "pageSize": 7})
        if not body["userProfiles"]:
            break
        seen += [u["userId"] for u in body["userProfiles"]]
        page += 1
    assert len(seen) == len(set(seen)) == body["totalUsersNumber"]
    assert set(seen) == {u.id for u in acct.world.users.values() if u.status != "DELETED"}


def test_user_list_filters(acct):
    user = _active(acct)[0]
    job = next(f.value for f in user.fields if f.key == "JOB_TITLE")
    body = acct.call("POST", "/user/list", "paged-user-list", json={
        "departments": [user.department_id], "profileFields": [{"name": "job_title", "values": [job]}]})
    assert user.id in [u["userId"] for u in body["userProfiles"]]
    assert all(u["departmentId"] == user.department_id for u in body["userProfiles"])
    assert acct.call("POST", "/user/list", json={"profileFields": [{"name": "nope", "values": []}]},
                     status=400)["code"] == 400


def test_create_update_read_back_and_delete(acct):
    department = next(iter(acct.world.departments))
    new = acct.call("POST", "/user", "new-id", status=201, json={
        "departmentId": department, "fields": {"login": "new.hire", "email": "new.hire@example.com",
                                               "first_name": "New", "last_name": "Hire"}, "password": "pw"})
    got = acct.call("GET", f"/user/{new}", "user-profile")["response"]
    assert got["fields"]["login"] == "new.hire" and got["fields"]["first_name"] == "New" and got["status"] == 1
    assert acct.call("POST", f"/user/{new}", json={"fields": {"first_name": "Renamed", "job_title": "Clerk"}}) is None
    assert acct.call("POST", f"/user/{new}", json={"fields": [{"name": "LAST_NAME", "value": "Listed"}]}) is None
    got = acct.call("GET", f"/user/{new}/v2", "user-profile")["response"]["fields"]
    assert (got["first_name"], got["last_name"], got["job_title"]) == ("Renamed", "Listed", "Clerk")
    assert acct.call("POST", "/user", json={"departmentId": department, "fields": {"login": "NEW.HIRE"}},
                     status=400)["code"] == 400  # logins are unique
    acct.call("DELETE", f"/user/{new}", status=204)
    acct.call("GET", f"/user/{new}", status=404)
    assert acct.call("POST", "/users/find_existing", "id-list", json={"userIds": [new]}) == []


def test_xml_bodies_are_read_like_json(acct):
    department = next(iter(acct.world.departments))
    body = (f"<?xml version=\"1.0\"?><request><departmentId>{department}</departmentId><password>pw</password>"
            "<fields><login>xml.user</login><email>xml.user@example.com</email><first_name>Ex</first_name></fields>"
            "<role>learner</role><sendLoginEmail>true</sendLoginEmail></request>").encode()
    root = acct.call("POST", "/user", status=201, media=XML, data=body, content_type="application/xml")
    new = root.text
    acct.call("POST", f"/user/{new}/status", data=b"<request><status>3</status></request>",
              content_type="application/xml")
    assert acct.world.users[new].status == "DEACTIVATED"
    found = acct.call("POST", "/users/find_existing", media=XML, content_type="application/xml",
                      data=f"<request><userIds><id>{new}</id></userIds></request>".encode())
    assert [e.text for e in found] == [new]
    assert acct.call("POST", "/user", data=b"<request><!DOCTYPE x></request>", content_type="application/xml",
                     status=400)["code"] == 400


def test_status_password_and_bulk(acct):
    a, b = _active(acct)[:2]
    acct.call("POST", f"/user/{a.id}/status", json={"status": 5})
    assert acct.world.users[a.id].status == "TERMINATED"
    acct.call("POST", f"/user/{a.id}/status", json={"status": 7}, status=400)
    acct.call("POST", "/users/deactivate", json={"userIds": [a.id, b.id]})
    assert {acct.world.users[a.id].status, acct.world.users[b.id].status} == {"DEACTIVATED"}
    acct.call("POST", "/users/activate", json={"userIds": [a.id, b.id]})
    acct.call("POST", f"/user/{a.id}/password", json={"password": "n3w"})
    login = {"X-Auth-Account-Url": acct.world.account_url, "X-Auth-Email": a.email, "X-Auth-Password": "n3w"}
    assert acct.client.get("/ispring/user", headers={**login, "Accept": JSON}).status_code == 403  # a learner
    acct.call("POST", "/users/terminate", json={"userIds": [b.id, "00000000-0000-4000-8000-000000000000"]},
              status=404)
    assert acct.world.users[b.id].status == "ACTIVE"  # nothing changed


def test_schedules_follow_the_tenant_clock(acct):
    user = _active(acct)[0]
    day = (acct.tenant.clock.now() + timedelta(days=3)).date().isoformat()
    acct.call("POST", f"/user/{user.id}/scheduled_deactivation", json={"date": day})
    acct.call("POST", f"/user/{user.id}/scheduled_termination", json={"date": day})
    acct.call("DELETE", f"/user/{user.id}/scheduled_termination")
    assert acct.call("GET", f"/user/{user.id}", "user-profile")["response"]["status"] == 1
    acct.tenant.clock.advance(timedelta(days=4))  # the token expired meanwhile: login mode
    assert acct.call("GET", f"/user/{user.id}", "user-profile", mode="login")["response"]["status"] == 3
    acct.call("POST", f"/user/{user.id}/scheduled_deactivation", json={"date": "not a date"}, status=400, mode="login")


def test_subordination_work_leave_and_groups(acct):
    a, b = _active(acct)[:2]
    acct.call("POST", f"/user/{a.id}/subordination", status=204, json={
        "subordination": {"subordinationType": "manual", "supervisorId": b.id}})
    acct.call("POST", f"/user/{a.id}/subordination", status=400, json={
        "subordination": {"subordinationType": "manual", "supervisorId": a.id}})
    acct.call("POST", "/users/work-leave-status", json={"workLeaveStatuses": [
        {"userId": a.id, "workLeaveReason": "OnVacation", "startDate": "2030-01-01", "endDate": "2030-01-10"}]})
    got = acct.call("GET", f"/user/{a.id}", "user-profile")["response"]
    assert got["subordination"] == {"subordinationType": "manual", "supervisorId": b.id}
    assert got["workLeaveStatus"]["workLeaveReason"] == "OnVacation"
    acct.call("POST", "/users/work-leave-status/delete", json={"userIds": [a.id]})
    assert "workLeaveStatus" not in acct.call("GET", f"/user/{a.id}", "user-profile")["response"]
    group = acct.call("POST", "/group", "new-id", status=201, json={"name": "Pilots", "userIds": [a.id]})
    assert group in acct.call("GET", f"/user/{a.id}", "user-profile")["response"]["groups"]
    acct.call("POST", f"/user/{a.id}/groups/remove", json={"groupIds": [group]})
    assert group not in acct.call("GET", f"/user/{a.id}", "user-profile")["response"]["groups"]


# -- departments ------------------------------------------------------------------------------------

def test_department_tree_stays_a_tree(acct):
    root = next(iter(acct.world.departments))
    child = acct.call("POST", "/department", "new-id", status=201, json={"name": "Inside", "parentDepartmentId": root})
    grandchild = acct.call("POST", "/department", "new-id", status=201,
                           json={"name": "Deeper", "parentDepartmentId": child, "code": "D-1"})
    acct.call("POST", f"/department/{root}", status=400, json={"parentDepartmentId": grandchild})  # a cycle
    acct.call("POST", f"/department/{child}", status=204, json={"name": "Renamed"})
    assert acct.call("GET", "/department?code=D-1", "department-list")["departments"][0]["departmentId"] == grandchild
    user = _active(acct)[0]
    acct.call("POST", f"/department/{grandchild}/user/move", status=204, json={"userIds": [user.id]})
    acct.call("DELETE", f"/department/{grandchild}", status=204)
    assert acct.call("GET", f"/user/{user.id}", "user-profile")["response"]["departmentId"] == child
    other = list(acct.world.departments)[1]
    acct.call("POST", f"/department/{other}/department/move", status=204, json={"departmentIds": [child]})
    assert acct.call("GET", f"/department/{child}", "department-info")["response"]["parentDepartmentId"] == other
    acct.call("POST", f"/department/{child}/department/move", status=400, json={"departmentIds": [other]})
    acct.call("DELETE", f"/department/{other}", status=400)  # top level, holds users
    acct.call("POST", f"/department/{child}/subordination", status=204,
              json={"coSubordination": {"subordinationType": "inherit"}})


# -- groups -----------------------------------------------------------------------------------------

def test_smart_group_follows_its_rules(acct):
    first, second = list(acct.world.departments)[:2]
    smart = acct.call("POST", "/group/smart", "new-id", status=201, json={"name": "Second dept", "rules": {
        "and": [{"or": [{"rule": {"attributeType": 1, "operator": 1, "value": second}}]}]}})
    user = next(u for u in _active(acct) if u.department_id == first)
    assert user.id not in acct.call("GET", f"/group/{smart}", "group-detail")["userIds"]
    acct.call("POST", f"/department/{second}/user/move", status=204, json={"userIds": [user.id]})
    members = acct.call("GET", f"/group/{smart}", "group-detail")
    assert user.id in members["userIds"] and members["usersCount"] == len(members["userIds"])
    assert user.id in [u["userId"] for u in acct.call("GET", f"/users?groups[]={smart}", "user-page")["userProfiles"]]
    acct.call("POST", f"/group/{smart}/members", status=400, json={"userIds": []})
    acct.call("POST", f"/group/smart/{smart}", json={"rules": {"and": [{"or": [
        {"rule": {"attributeType": 3, "attributeId": "login", "operator": 1, "value": user.login}}]}]}})
    assert acct.call("GET", f"/group/{smart}", "group-detail")["userIds"] == [user.id]


def test_group_writes(acct):
    a, b = _active(acct)[:2]
    group = acct.call("POST", "/group", "new-id", status=201, json={"name": "Readers"})
    acct.call("POST", "/group", status=400, json={"name": "readers"})
    acct.call("POST", f"/group/{group}/members", json={"userIds": [a.id, b.id]})
    acct.call("POST", f"/group/{group}", json={"name": "Writers"})
    got = acct.call("GET", f"/group/{group}", "group-detail")
    assert (got["name"], got["userIds"], got["isSmart"]) == ("Writers", [a.id, b.id], False)
    acct.call("DELETE", f"/group/{group}", status=204)
    acct.call("GET", f"/group/{group}", status=404)


# -- who may call -----------------------------------------------------------------------------------

def test_login_mode_refusals(acct):
    creds = acct.world.credentials()
    good = acct.login
    for headers in ({**good, "X-Auth-Password": "wrong"}, {**good, "X-Auth-Email": "nobody@example.com"},
                    {k: v for k, v in good.items() if k != "X-Auth-Account-Url"},
                    {**good, "X-Auth-Account-Url": "https://elsewhere.ispringlearn.com"}):
        response = acct.client.get("/ispring/user", headers={**headers, "Accept": JSON})
        assert response.status_code == 401, headers
        contract.validate("ispring", "error", response.get_json())
    variant = {**good, "X-Auth-Account-Url": creds["accountUrl"].replace("https://", "http://").upper() + "/"}
    assert acct.client.get("/ispring/user", headers={**variant, "Accept": JSON}).status_code == 200
    assert acct.client.get("/ispring/user", headers={"Authorization": "nonsense", "Accept": JSON}).status_code == 401


# -- fixtures -------------------------------------------------------------------------------------------

D, U, V, G = ("11111111-1111-4111-8111-111111111111", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
              "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "99999999-9999-4999-8999-999999999999")
PEOPLE_FIXTURE = {"ispring": {
    "departments": [{"id": D, "name": "Head office"}],
    "users": [{"id": U, "login": "boss", "email": "boss@acme.test", "password": "letmein", "departmentId": D,
               "role": "ACCOUNT_OWNER"},
              {"id": V, "login": "clerk", "email": "clerk@acme.test", "departmentId": D}],
    "groups": [{"id": G, "name": "Everyone", "userIds": [U, V]}]}}


def test_a_fixture_sets_passwords_and_groups():
    from emulator.core.errors import ValidationFailed

    app = create_app({"seed": 42})
    tenant = app.state.store.create_tenant("acme", fixture=PEOPLE_FIXTURE)
    world = tenant.world("ispring")
    assert world.credentials()["logins"] == [{"email": "boss@acme.test", "password": "letmein",
                                              "role": "ACCOUNT_OWNER"}]
    headers = {"X-Auth-Account-Url": "https://acme.ispringlearn.local", "X-Auth-Email": "boss@acme.test",
               "X-Auth-Password": "letmein", "Accept": JSON}
    group = app.test_client().get(f"/ispring/group/{G}", headers=headers).get_json()
    assert group == {"groupId": G, "name": "Everyone", "isSmart": False, "usersCount": 2, "userIds": [U, V]}
    assert plain(dump_world(world))["groups"] == [{"id": G, "name": "Everyone", "userIds": [U, V]}]
    bad = {"ispring": {**PEOPLE_FIXTURE["ispring"], "groups": [{"id": G, "name": "X", "userIds": [D]}]}}
    with pytest.raises(ValidationFailed) as info:
        app.state.store.create_tenant("broken", fixture=bad)
    assert "groups[0].userIds[0]" in str(info.value.validations)


def test_header_forms_of_the_inputs(acct):
    """The document's X-* headers, in OpenAPI's simple style: arrays a,b and objects k,v,k,v; the body wins."""
    department = next(iter(acct.world.departments))
    new = acct.call("POST", "/user", "new-id", status=201, headers={
        "X-Department-Id": department, "X-Fields": "login,hdr.user,email,hdr.user@example.com,first_name,Head",
        "X-Password": "pw"})
    got = acct.call("GET", f"/user/{new}", "user-profile")["response"]
    fields = got["fields"]
    assert (got["departmentId"], fields["login"], fields["first_name"]) == (department, "hdr.user", "Head")
    a, b = _active(acct)[:2]
    acct.call("POST", "/users/deactivate", headers={"X-User-Ids": f"{a.id},{b.id}"})
    assert {acct.world.users[a.id].status, acct.world.users[b.id].status} == {"DEACTIVATED"}
    acct.call("POST", f"/user/{a.id}/status", headers={"X-Status": "1"})
    acct.call("POST", f"/user/{b.id}/status", headers={"X-Status": "1"}, json={"status": 5})  # the body wins
    assert (acct.world.users[a.id].status, acct.world.users[b.id].status) == ("ACTIVE", "TERMINATED")
    made = acct.call("POST", "/department", "new-id", status=201,
                     headers={"X-Name": "From headers", "X-Parent-Department-Id": department})
    assert acct.world.departments[made].parent_id == department
    acct.call("POST", "/user", status=400, headers={"X-Department-Id": department, "X-Fields": "login"})
