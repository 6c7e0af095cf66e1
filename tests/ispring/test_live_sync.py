"""Over real HTTP (requests against a live server), the two ways public iSpring clients work:

- an organisation sync, as the PHP and Python sync scripts do it: login headers (or a bare token from the
  account host's token endpoint), ``POST {account}/api/v2/user/list`` page by page until a page comes back
  empty, then each user's department with ``Accept: */*``, read as XML;
- a Pipedream-style workflow: a Bearer token, JSON both ways, users, groups and departments listed with
  ``pageSize``/``pageToken``, then a user updated with snake_case profile fields and read back.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests

from emulator.core import contract
from emulator.testing import EmulatorServer


@pytest.fixture(scope="module")
def server():
    with EmulatorServer({"seed": 42}) as running:
        yield running


def _creds(server: EmulatorServer) -> dict[str, Any]:
    return server.store.tenants["default"].world("ispring").credentials()


def _token(server: EmulatorServer, base: str) -> str:
    owner = _creds(server)["clients"][0]
    answer = requests.post(f"{base}/api/v3/token", timeout=5, headers={"Accept": "application/json"}, data={
        "client_id": owner["clientId"], "client_secret": owner["clientSecret"], "grant_type": "client_credentials"})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def _sync(base: str, auth: dict[str, str]) -> dict[str, str]:
    """user id -> department name, the way the sync scripts build it."""
    users: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = requests.post(f"{base}/api/v2/user/list", json={"page": page, "pageSize": 8}, timeout=5,
                               headers={**auth, "Accept": "application/json"})
        assert answer.status_code == 200, answer.text
        contract.validate("ispring", "paged-user-list", answer.json())
        batch = answer.json()["userProfiles"]
        if not batch:
            break
        assert answer.json()["pageNumber"] == page
        users += batch
        page += 1
    assert len(users) == answer.json()["totalUsersNumber"] and page > 2
    names: dict[str, str] = {}
    for user in users:
        email = next(f["value"] for f in user["fields"] if f["name"] == "EMAIL")  # the live list form
        assert "@" in email
        answer = requests.get(f"{base}/api/v2/department/{user['departmentId']}", timeout=5,
                              headers={**auth, "Accept": "*/*"})
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/xml")
        department = ET.fromstring(answer.content).find("department")
        assert department is not None and department.findtext("departmentId") == user["departmentId"]
        names[user["userId"]] = department.findtext("name") or ""
    return names


def _expected(server: EmulatorServer) -> dict[str, str]:
    world = server.store.tenants["default"].world("ispring")
    return {u.id: world.departments[u.department_id].name for u in world.users.values() if u.status != "DELETED"}


def test_organisation_sync_in_login_mode(server):
    login = _creds(server)["logins"][0]
    auth = {"X-Auth-Account-Url": _creds(server)["accountUrl"], "X-Auth-Email": login["email"],
            "X-Auth-Password": login["password"]}
    assert _sync(f"{server.url}/ispring", auth) == _expected(server)


def test_organisation_sync_with_a_bare_token(server):
    base = f"{server.url}/ispring"
    assert _sync(base, {"Authorization": _token(server, base)}) == _expected(server)


def test_organisation_sync_reads_xml_throughout(server):
    """The same client with no Accept at all (the PHP clients): every answer is XML."""
    login = _creds(server)["logins"][0]
    auth = {"X-Auth-Account-Url": _creds(server)["accountUrl"], "X-Auth-Email": login["email"],
            "X-Auth-Password": login["password"], "Content-Type": "application/xml"}
    session = requests.Session()
    session.headers.pop("Accept", None)
    answer = session.post(f"{server.url}/ispring/index.php/api/v2/user/list", timeout=5, headers=auth,
                          data=b"<request><page>1</page><pageSize>5</pageSize></request>")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(answer.content)
    profiles = root.find("userProfiles")
    assert root.tag == "response" and profiles is not None and len(profiles) == 5
    first = profiles[0]
    assert [f.findtext("name") for f in first.find("fields") or []][:2] == ["LOGIN", "EMAIL"]


def _pages(base: str, path: str, key: str, schema: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"pageSize": 4}
    while True:
        answer = requests.get(f"{base}{path}", params=params, headers=headers, timeout=5)
        assert answer.status_code == 200, answer.text
        contract.validate("ispring", schema, answer.json())
        items += answer.json()[key]
        if "nextPageToken" not in answer.json():
            return items
        params["pageToken"] = answer.json()["nextPageToken"]


def test_pipedream_style_workflow(server):
    base = f"{server.url}/ispring"
    headers = {"Authorization": f"Bearer {_token(server, base)}", "Accept": "application/json",
               "Content-Type": "application/json"}
    world = server.store.tenants["default"].world("ispring")
    users = _pages(base, "/users", "userProfiles", "user-page", headers)
    assert [u["userId"] for u in users] == [u.id for u in world.users.values() if u.status != "DELETED"]
    assert len(_pages(base, "/groups", "groups", "group-page", headers)) == len(world.groups)
    assert len(_pages(base, "/departments", "departments", "department-page", headers)) == len(world.departments)

    target = next(u for u in users if u["status"] == 1 and u["role"] == "learner")
    update = requests.post(f"{base}/user/{target['userId']}", headers=headers, timeout=5,
                           json={"fields": {"first_name": "Changed", "job_title": "Pipedream tester"}})
    assert update.status_code == 200 and update.content == b""
    again = requests.get(f"{base}/user/{target['userId']}", headers=headers, timeout=5)
    contract.validate("ispring", "user-profile", again.json())
    fields = again.json()["response"]["fields"]
    assert (fields["first_name"], fields["job_title"]) == ("Changed", "Pipedream tester")
