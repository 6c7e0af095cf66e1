"""XML answers (``Accept: application/xml``): the element names of the vendor's OpenAPI, the same data as JSON.

Each test asks for the same thing twice, as JSON and as XML, parses the XML with ElementTree and compares
it with the JSON element by element, naming the elements the document names (not read from our schemas).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from emulator.app import create_app

SESSIONS = "/ispring/performance-management/appraisal/session"
JSON, XML = "application/json", "application/xml"


@pytest.fixture
def both(client, token):
    """both(method, path, **kwargs) -> (JSON body, XML root element), the same request in each media type."""

    def call(method, path, who="owner", **kwargs):
        headers = {"Authorization": f"Bearer {token(who)}"}
        as_json = client.open(path, method=method, headers={**headers, "Accept": JSON}, **kwargs)
        as_xml = client.open(path, method=method, headers={**headers, "Accept": XML}, **kwargs)
        assert as_xml.status_code == as_json.status_code
        assert as_xml.mimetype == XML and as_json.mimetype == JSON and "Accept" in as_xml.headers["Vary"]
        assert as_xml.data.startswith(b"<?xml")
        return as_json.get_json(), ET.fromstring(as_xml.data)

    return call


def text(element, name):
    child = element.find(name)
    assert child is not None, f"<{element.tag}> has no <{name}>: {ET.tostring(element)[:300]!r}"
    return child.text or ""


def test_token_answer(client, creds):
    owner = creds["clients"][0]
    response = client.post("/ispring/api/v3/token", headers={"Accept": XML}, data={
        "client_id": owner["clientId"], "client_secret": owner["clientSecret"], "grant_type": "client_credentials"})
    root = ET.fromstring(response.data)
    assert response.status_code == 200 and root.tag == "response"  # TokenResponse: xml name response
    assert [c.tag for c in root] == ["access_token", "expires_in", "token_type"]
    assert text(root, "expires_in") == "1800" and text(root, "token_type") == "bearer"
    bearer = text(root, "access_token")
    assert client.post(f"{SESSIONS}/list", headers={"Authorization": f"Bearer {bearer}"}).status_code == 200


def test_attributes_list(both, world):
    session = next(iter(world.sessions.values()))
    data, root = both("POST", f"{SESSIONS}/{session.id}/user/attributes/list",
                      json={"userIds": session.participant_ids[:3]})
    assert root.tag == "response"
    items = list(root)
    assert len(items) == len(data) == 3 and {i.tag for i in items} == {"appraisalSessionUserAttributes"}
    for item, expected in zip(items, data, strict=True):
        for key in ("sessionId", "userId", "displayingName", "initials", "departmentId", "departmentName", "status"):
            assert text(item, key) == expected[key]
        attributes = item.find("attributes")  # wrapped
        assert [{"key": text(a, "key"), "value": text(a, "value"), "title": text(a, "title")}
                for a in attributes.findall("appraisalSessionUserAttribute")] == expected["attributes"]


def test_empty_list_is_an_empty_response(both, world):
    session = next(iter(world.sessions))
    data, root = both("POST", f"{SESSIONS}/{session}/user/attributes/list", json={"userIds": []})
    assert data == [] and root.tag == "response" and len(root) == 0


def test_session_list(both):
    data, root = both("POST", f"{SESSIONS}/list")
    assert root.tag == "response" and len(root) == len(data)
    for item, expected in zip(root, data, strict=True):
        assert item.tag == "appraisalSession"
        assert {c.tag: c.text for c in item} == expected


def test_session_info(both, world):
    session = next(iter(world.sessions.values()))
    data, root = both("GET", f"{SESSIONS}/{session.id}/info")
    assert root.tag == "response"
    for key in ("sessionId", "name", "description", "managerId", "startDate", "endDate", "status", "profileId",
                "instruction", "selfReviewInstruction"):
        assert text(root, key) == data[key]
    questions = root.findall("questions")  # an unwrapped array: one element per item, named by the property
    assert [(text(q, "id"), text(q, "isRequired"), [t.text for t in q.findall("targetRoles")]) for q in questions] == \
        [(q["id"], str(q["isRequired"]).lower(), q["targetRoles"]) for q in data["questions"]]
    employees = root.findall("employees")
    assert [text(e, "employeeId") for e in employees] == [e["employeeId"] for e in data["employees"]]
    assert [[(text(r, "reviewerId"), text(r, "role")) for r in e.findall("reviewers")] for e in employees] == \
        [[(r["reviewerId"], r["role"]) for r in e["reviewers"]] for e in data["employees"]]
    assert [p.text for p in root.findall("permittedUserIds")] == data["permittedUserIds"]


def test_user_profile_and_list(both, world):
    user = next(u for u in world.users.values() if u.status == "ACTIVE")
    data, root = both("GET", f"/ispring/user/{user.id}")
    profile = root.find("userProfile")  # <response><userProfile>, as the help page's sample
    assert root.tag == "response" and profile is not None
    expected = data["response"]
    for key in ("userId", "role", "roleId", "departmentId", "addedDate", "lastLoginDate"):
        assert text(profile, key) == expected[key]
    assert text(profile, "status") == str(expected["status"])
    assert {f.tag: f.text or "" for f in profile.find("fields")} == expected["fields"]
    assert [text(r, "roleType") for r in profile.findall("userRole")] == [r["roleType"] for r in expected["userRoles"]]
    assert text(profile.find("subordination"), "subordinationType") == expected["subordination"]["subordinationType"]
    listed, root = both("GET", "/ispring/user")
    assert root.tag == "response" and [text(p, "userId") for p in root.findall("userProfile")] == \
        [u["userId"] for u in listed]


def test_departments(both, world):
    data, root = both("GET", "/ispring/departments?pageSize=2")
    wrapper = root.find("departments")  # wrapped, items <department>
    assert root.tag == "response" and wrapper is not None
    assert [text(d, "departmentId") for d in wrapper.findall("department")] == \
        [d["departmentId"] for d in data["departments"]]
    assert text(root, "nextPageToken") == data["nextPageToken"]
    department = next(iter(world.departments))
    data, root = both("GET", f"/ispring/department/{department}")
    one = root.find("department")  # <response><department>, as the help page's sample
    assert {c.tag: c.text for c in one if len(c) == 0} == {k: v for k, v in data["response"].items()
                                                          if not isinstance(v, dict)}


@pytest.mark.parametrize("path, method, status", [(f"{SESSIONS}/00000000-0000-4000-8000-000000000000/info", "GET", 404),
                                                  ("/ispring/user?departments[]=x", "GET", 400),
                                                  (f"{SESSIONS}/list", "DELETE", 405)])
def test_errors(both, path, method, status):
    data, root = both(method, path)
    assert root.tag == "response" and text(root, "code") == str(status) == str(data["code"])
    assert text(root, "message") == data["message"]


def test_401_before_any_account_is_known_is_xml_too(client):
    response = client.post(f"{SESSIONS}/list", headers={"Accept": XML})
    root = ET.fromstring(response.data)
    assert response.status_code == 401 and text(root, "code") == "401"


@pytest.mark.parametrize("accept, media", [("*/*", XML), (None, XML), ("application/*", XML), ("", XML),
                                           ("application/json, text/plain, */*", JSON),  # axios (Pipedream)
                                           ("application/json;q=0, */*", XML),
                                           ("application/json, application/xml", JSON),
                                           ("application/xml, application/json", JSON),  # equal q: JSON first
                                           ("application/xml, application/json;q=0.9", XML),
                                           ("application/json;q=0.5, application/xml", XML),
                                           ("application/xml;q=0.3, */*;q=0.1", XML),
                                           ("text/html, application/xml", XML)])
def test_content_negotiation(client, token, accept, media):
    headers = {"Authorization": f"Bearer {token()}", **({"Accept": accept} if accept else {})}
    assert client.post(f"{SESSIONS}/list", headers=headers).mimetype == media


def test_406_answers_json(client, token):
    response = client.post(f"{SESSIONS}/list", headers={"Authorization": f"Bearer {token()}", "Accept": "text/xml"})
    assert response.status_code == 406 and response.get_json()["code"] == 406


def test_everything_is_escaped():
    """Markup and characters XML cannot carry, from a fixture, still give a well-formed document."""
    d, u, s = ("11111111-1111-4111-8111-111111111111", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
               "cccccccc-cccc-4ccc-8ccc-cccccccccccc")
    nasty = "<b>&amp;</b> ]]> \"quoted\" 'single' \x01\x08 \ud7ff"
    app = create_app({"seed": 42})
    app.state.store.create_tenant("acme", fixture={"ispring": {
        "departments": [{"id": d, "name": nasty}],
        "users": [{"id": u, "login": "x<y>", "firstName": nasty, "departmentId": d, "role": "ACCOUNT_OWNER",
                   "fields": [{"key": "NOTE", "title": nasty, "value": nasty}]}],
        "sessions": [{"id": s, "title": nasty, "participantIds": [u]}],
        "clients": [{"name": "c", "clientId": "c", "clientSecret": "s", "role": "ACCOUNT_OWNER", "userId": u}]}})
    client = app.test_client()
    bearer = client.post("/ispring/api/v3/token", data={"client_id": "c", "client_secret": "s",
                                                        "grant_type": "client_credentials"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {bearer}", "Accept": XML}
    clean = nasty.replace("\x01", "\ufffd").replace("\x08", "\ufffd")
    root = ET.fromstring(client.post(f"{SESSIONS}/{s}/user/attributes/list", json={"userIds": [u]},
                                     headers=headers).data)
    item = root.find("appraisalSessionUserAttributes")
    assert text(item, "departmentName") == clean
    assert [text(a, "value") for a in item.find("attributes") if text(a, "key") == "NOTE"] == [clean]
    assert text(root.find("appraisalSessionUserAttributes"), "displayingName") == clean
    assert text(ET.fromstring(client.post(f"{SESSIONS}/list", headers=headers).data).find("appraisalSession"),
                "name") == clean
    profile = ET.fromstring(client.get(f"/ispring/user/{u}", headers=headers).data).find("userProfile")
    assert text(profile.find("fields"), "login") == "x<y>" and text(profile.find("fields"), "NOTE") == clean


def test_a_field_key_that_cannot_name_an_element_is_refused_by_the_fixture():
    from emulator.core.errors import ValidationFailed

    d = "11111111-1111-4111-8111-111111111111"
    app = create_app({"seed": 42})
    with pytest.raises(ValidationFailed):
        app.state.store.create_tenant("acme", fixture={"ispring": {
            "departments": [{"id": d, "name": "x"}],
            "users": [{"id": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "login": "l", "departmentId": d,
                       "fields": [{"key": "a b", "title": "t", "value": "v"}]}]}})
