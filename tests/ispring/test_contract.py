"""The contract: every iSpring operation the emulator serves is one of the vendor's OpenAPI ("Learn Rest Api"
3.0), with at least the document's status codes, and every answer validates against the schema written from
that document. The app runs in strict mode, so a response that breaks its schema would come back as a 500."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from emulator.app import create_app
from emulator.core import contract
from tests.ispring.test_people import PEOPLE_OPERATIONS

# (method, path) -> the vendor document's operationId and response codes. The info route's POST is the
# help page's form ("Getting Detailed Information About a Session"); the document has GET.
VENDOR_OPERATIONS = {
    ("post", "/api/v3/token"): ("AccessRequest", {200, 400, 401, 403}),
    ("post", "/performance-management/appraisal/session/list"): ("ListAppraisalSessions", {200, 400, 401, 403, 404}),
    ("get", "/performance-management/appraisal/session/{session_id}/info"): ("GetAppraisalSessionInfo",
                                                                            {200, 400, 401, 403, 404}),
    ("post", "/performance-management/appraisal/session/{session_id}/info"): ("help page: as the GET",
                                                                             {200, 400, 401, 403, 404}),
    ("post", "/performance-management/appraisal/session/{session_id}/user/attributes/list"): (
        "ListAppraisalSessionUserAttributes", {200, 400, 401, 403, 404}),
    ("get", "/user"): ("GetUsers", {200, 400, 401, 403}),
    ("get", "/user/{user_id}"): ("GetUserProfile", {200, 400, 401, 403}),
    ("get", "/departments"): ("ListDepartments", {200, 400, 401, 403}),
    ("get", "/department/{department_id}"): ("GetDepartment", {200, 400, 401, 403}),
}

VENDOR_OPERATIONS |= PEOPLE_OPERATIONS  # users, departments, groups: tests/ispring/test_people.py


@pytest.fixture(scope="module")
def strict():
    app = create_app({"seed": 42, "strict": True})
    world = app.state.store.tenants["default"].world("ispring")
    client = app.test_client()
    owner = world.credentials()["clients"][0]
    token = client.post("/ispring/api/v3/token", data={"client_id": owner["clientId"], "client_secret":
                                                       owner["clientSecret"], "grant_type": "client_credentials"})
    return app, client, world, token.get_json()["access_token"]


def test_every_operation_is_the_vendors_with_its_status_codes(strict):
    app, client, _world, _token = strict
    document = client.get("/ispring/openapi.json").get_json()
    served = {(method, path): op for path, item in document["paths"].items() for method, op in item.items()}
    assert set(served) == set(VENDOR_OPERATIONS)
    for key, (_operation, statuses) in VENDOR_OPERATIONS.items():
        documented = {int(s) for s in served[key]["responses"]}
        assert statuses <= documented, key
        assert documented - statuses <= {404, 406}, key  # ours: unknown ids, Accept allowing neither
        for response in served[key]["responses"].values():
            assert set(response.get("content", {})) in (set(), {"application/json", "application/xml"})


def _calls(world):
    session = next(iter(world.sessions.values()))
    user = next(u for u in world.users.values() if u.status == "ACTIVE")
    department = next(iter(world.departments))
    base = "/ispring/performance-management/appraisal/session"
    return [
        ("POST", f"{base}/list", {}, "appraisal-session-list"),
        ("POST", f"{base}/list", {"json": {"sessionIds": [session.id]}}, "appraisal-session-list"),
        ("GET", f"{base}/{session.id}/info", {}, "appraisal-session-info"),
        ("POST", f"{base}/{session.id}/info", {}, "appraisal-session-info"),
        ("POST", f"{base}/{session.id}/user/attributes/list", {"json": {"userIds": session.participant_ids}},
         "user-attributes-list"),
        ("GET", "/ispring/user", {}, "user-list"),
        ("GET", f"/ispring/user?departments[]={department}", {}, "user-list"),
        ("GET", f"/ispring/user/{user.id}", {}, "user-profile"),
        ("GET", "/ispring/departments?pageSize=5", {}, "department-page"),
        ("GET", f"/ispring/department/{department}", {}, "department-info"),
        ("GET", f"/ispring/department/{'0' * 8}-0000-4000-8000-{'0' * 12}", {}, "error"),
        ("POST", f"{base}/list", {"json": {"sessionIds": ["x"]}}, "error"),
    ]


@pytest.mark.parametrize("account", [True, False], ids=["with-account-url", "token-only"])
def test_every_answer_validates_against_its_schema(strict, account):
    _app, client, world, token = strict
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if account:
        headers["X-Auth-Account-Url"] = world.account_url
    for method, path, kwargs, schema in _calls(world):
        response = client.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code == (200 if schema != "error" else response.status_code), (path, response.data)
        assert response.status_code < 500, (path, response.get_json())  # strict mode: a broken answer is a 500
        contract.validate("ispring", schema, response.get_json())
        if schema != "error":  # a bad request is reported as such by strict mode, and answered 400
            assert "X-Emulator-Contract-Violations" not in response.headers, response.headers


def test_every_xml_answer_is_well_formed_and_rooted_at_response(strict):
    _app, client, world, token = strict
    for method, path, kwargs, _schema in _calls(world):
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {token}",
                                                            "Accept": "application/xml"}, **kwargs)
        assert response.mimetype == "application/xml" and ET.fromstring(response.data).tag == "response", path
