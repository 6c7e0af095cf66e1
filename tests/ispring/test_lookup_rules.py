"""iSpring lookups, rules a client relies on at their edges: the departments' page size and page token (the
help page's token is base64 of the id the next page starts at), and who reviews each employee of an appraisal
session (themself, and the session's manager unless they are the manager). Mutation testing
(tools/mutation.py) showed each could break with every other test green."""
from __future__ import annotations

import base64

import pytest

from emulator.app import create_app
from emulator.core import contract
from emulator.ispring.domain import service
from emulator.ispring.domain.models import ProfileField

SESSIONS = "/ispring/performance-management/appraisal/session"
NOBODY = "00000000-0000-4000-8000-000000000000"
SELF, MANAGER = "REVIEWER_ROLE_SELF_REVIEW", "REVIEWER_ROLE_DIRECT_MANAGER"


@pytest.fixture
def get(client, token):
    bearer = token("owner")

    def call(path, schema):
        response = client.get(path, headers={"Authorization": f"Bearer {bearer}", "Accept": "application/json"})
        contract.validate("ispring", schema if response.status_code == 200 else "error", response.get_json())
        return response

    return call


def _token_of(department_id: str) -> str:
    return base64.b64encode(department_id.encode()).decode()


def test_a_page_size_of_one_pages_through_one_department_at_a_time(get, world):
    seen, token = [], None
    while True:
        page = get("/ispring/departments?pageSize=1" + (f"&pageToken={token}" if token else ""),
                   "department-page").get_json()
        assert len(page["departments"]) == 1
        seen.append(page["departments"][0]["departmentId"])
        token = page.get("nextPageToken")
        if token is None:
            break
    assert seen == list(world.departments)


@pytest.mark.parametrize("size", ["0", "-1", "one"])
def test_a_page_size_below_one_or_not_a_number_is_refused(get, size):
    response = get(f"/ispring/departments?pageSize={size}", "department-page")
    assert response.status_code == 400 and "pageSize" in response.get_json()["message"]


def test_a_page_token_starts_the_page_at_the_department_it_names_the_first_one_included(get, world):
    ids = list(world.departments)
    for start in (0, 1, len(ids) - 1):
        page = get(f"/ispring/departments?pageSize=2&pageToken={_token_of(ids[start])}", "department-page").get_json()
        assert [d["departmentId"] for d in page["departments"]] == ids[start:start + 2]
        assert page.get("nextPageToken") == (_token_of(ids[start + 2]) if start + 2 < len(ids) else None)


@pytest.mark.parametrize("mangle", [lambda first: _token_of(NOBODY), lambda first: "not base64!",
                                    lambda first: "!" + _token_of(first), lambda first: _token_of(first) + "*"],
                         ids=["no such department", "not base64", "junk before", "junk after"])
def test_a_page_token_that_names_no_department_or_is_not_base64_is_refused(get, world, mangle):
    """Base64 decoding that skips foreign characters would turn a mangled token into some page."""
    response = get(f"/ispring/departments?pageToken={mangle(next(iter(world.departments)))}", "department-page")
    assert response.status_code == 400 and "pageToken" in response.get_json()["message"]


def test_each_employee_is_reviewed_by_themself_and_by_the_manager_unless_they_are_the_manager(client, token, world):
    session = next(s for s in world.sessions.values() if s.manager_id)
    if session.manager_id not in session.participant_ids:
        service.add_participant(world, session.id, session.manager_id)
    response = client.get(f"{SESSIONS}/{session.id}/info",
                          headers={"Authorization": f"Bearer {token('owner')}", "Accept": "application/json"})
    assert response.status_code == 200
    contract.validate("ispring", "appraisal-session-info", response.get_json())
    cards = {card["employeeId"]: card["reviewers"] for card in response.get_json()["employees"]}
    assert len(cards) >= 2
    for employee, reviewers in cards.items():
        expected = [{"reviewerId": employee, "role": SELF}]
        if employee != session.manager_id:
            expected.append({"reviewerId": session.manager_id, "role": MANAGER})
        assert reviewers == expected


def test_the_profile_names_the_standard_fields_in_lower_case_and_keeps_the_email(get, world):
    """The document's UserProfileFields: login, email, first_name, last_name, then job_title, phone and the
    account's own fields by key; the user's names win over a profile field of the same name."""
    user = next(u for u in world.users.values() if u.status == "ACTIVE" and u.email)
    user.fields = [ProfileField("JOB_TITLE", "Job title", "Buyer"), ProfileField("PHONE", "Phone", "+1 555 0100"),
                   ProfileField("FIRST_NAME", "First name", "Not the name"),
                   ProfileField("USER_DEFINED_FIELD1", "Shoe size", "44")]
    world.pages.clear()
    fields = get(f"/ispring/user/{user.id}", "user-profile").get_json()["response"]["fields"]
    assert fields == {"login": user.login, "email": user.email, "first_name": user.first_name,
                      "last_name": user.last_name, "job_title": "Buyer", "phone": "+1 555 0100",
                      "USER_DEFINED_FIELD1": "44"}


D1, U1 = "11111111-1111-4111-8111-111111111111", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"


def test_a_department_administrator_client_with_no_user_sees_no_department_and_no_user():
    """A client acts with its owner's role and scope: with no owner, a department administrator manages nothing."""
    app = create_app({"seed": 42})
    app.state.store.create_tenant("acme", fixture={"ispring": {
        "departments": [{"id": D1, "name": "Sales"}],
        "users": [{"id": U1, "login": "boss", "departmentId": D1, "role": "ACCOUNT_OWNER"}],
        "clients": [{"name": "dept", "clientId": "dept-client", "clientSecret": "s",
                     "role": "DEPARTMENT_ADMINISTRATOR"}]}})
    client = app.test_client()
    granted = client.post("/ispring/api/v3/token", data={"client_id": "dept-client", "client_secret": "s",
                                                         "grant_type": "client_credentials"})
    assert granted.status_code == 200
    headers = {"Authorization": f"Bearer {granted.get_json()['access_token']}", "Accept": "application/json"}
    for path, schema, empty in (("/ispring/user", "user-list", []),
                                ("/ispring/departments", "department-page", {"departments": []})):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_json()
        contract.validate("ispring", schema, response.get_json())
        assert response.get_json() == empty
    for path in (f"/ispring/user/{U1}", f"/ispring/department/{D1}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403
        contract.validate("ispring", "error", response.get_json())
