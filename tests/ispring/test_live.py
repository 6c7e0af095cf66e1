"""Over real HTTP (requests against a live server): token -> session list -> session info -> user attributes,
in JSON and in XML, with and without X-Auth-Account-Url, as a client generated from the vendor's OpenAPI does."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests

from emulator.core import contract
from emulator.testing import EmulatorServer

SESSIONS = "/ispring/performance-management/appraisal/session"


@pytest.fixture(scope="module")
def server():
    with EmulatorServer({"seed": 42}) as running:
        yield running


def _flow(server, media: str, account: str | None) -> list[str]:
    """The whole flow; returns the user ids the attributes answer named."""
    creds = server.store.tenants["default"].world("ispring").credentials()
    owner = next(c for c in creds["clients"] if c["name"] == "owner")
    headers = {"Accept": media, **({"X-Auth-Account-Url": account} if account else {})}
    xml = media == "application/xml"

    token = requests.post(server.url + creds["tokenUrl"], headers=headers, timeout=5, data={
        "client_id": owner["clientId"], "client_secret": owner["clientSecret"], "grant_type": "client_credentials"})
    assert token.status_code == 200 and token.headers["Content-Type"].startswith(media)
    if xml:
        access = ET.fromstring(token.content).findtext("access_token")
    else:
        contract.validate("ispring", "token-response", token.json())
        access = token.json()["access_token"]
    headers["Authorization"] = f"Bearer {access}"

    listed = requests.post(f"{server.url}{SESSIONS}/list", headers=headers, json={}, timeout=5)
    assert listed.status_code == 200
    if xml:
        session_ids = [s.findtext("sessionId") for s in ET.fromstring(listed.content).findall("appraisalSession")]
    else:
        contract.validate("ispring", "appraisal-session-list", listed.json())
        session_ids = [s["sessionId"] for s in listed.json()]
    assert session_ids[:3] == creds["sessions"]

    info = requests.get(f"{server.url}{SESSIONS}/{session_ids[0]}/info", headers=headers, timeout=5)
    assert info.status_code == 200
    if xml:
        employees = [e.findtext("employeeId") for e in ET.fromstring(info.content).findall("employees")]
    else:
        contract.validate("ispring", "appraisal-session-info", info.json())
        employees = [e["employeeId"] for e in info.json()["employees"]]
    assert employees

    answer = requests.post(f"{server.url}{SESSIONS}/{session_ids[0]}/user/attributes/list", headers=headers,
                           json={"userIds": employees[:2]}, timeout=5)
    assert answer.status_code == 200
    if xml:
        root = ET.fromstring(answer.content)
        assert root.tag == "response"
        return [i.findtext("userId") for i in root.findall("appraisalSessionUserAttributes")]
    contract.validate("ispring", "user-attributes-list", answer.json())
    return [i["userId"] for i in answer.json()]


@pytest.mark.parametrize("media", ["application/json", "application/xml"])
@pytest.mark.parametrize("with_account", [True, False], ids=["account-url", "token-only"])
def test_flow_over_http(server, media, with_account):
    account = server.store.tenants["default"].world("ispring").account_url if with_account else None
    session = server.store.tenants["default"].world("ispring").sessions
    first = next(iter(session.values()))
    assert _flow(server, media, account) == first.participant_ids[:2]


def test_errors_over_http(server):
    world = server.store.tenants["default"].world("ispring")
    creds = world.credentials()
    owner = next(c for c in creds["clients"] if c["name"] == "owner")
    token = requests.post(server.url + creds["tokenUrl"], timeout=5, data={
        "client_id": owner["clientId"], "client_secret": owner["clientSecret"],
        "grant_type": "client_credentials"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    missing = requests.post(f"{server.url}{SESSIONS}/00000000-0000-4000-8000-000000000000/user/attributes/list",
                            json={"userIds": []}, headers=headers, timeout=5)
    assert missing.status_code == 404
    contract.validate("ispring", "error", missing.json())
    other = requests.post(f"{server.url}{SESSIONS}/list", json={}, timeout=5,
                          headers={**headers, "X-Auth-Account-Url": "https://elsewhere.ispringlearn.local"})
    assert other.status_code == 401
    refused = requests.post(f"{server.url}{SESSIONS}/list", json={}, timeout=5,
                            headers={**headers, "Accept": "text/html"})
    assert refused.status_code == 406 and refused.json()["code"] == 406
