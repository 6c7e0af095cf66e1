"""One live-server test: iSpring's token and route over real HTTP, driven with requests."""
from __future__ import annotations

import requests

from emulator.core import contract
from emulator.testing import EmulatorServer


def test_ispring_over_http():
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("ispring")
        creds = world.credentials()
        owner = next(c for c in creds["clients"] if c["name"] == "owner")
        response = requests.post(server.url + creds["tokenUrl"], timeout=5, data={
            "client_id": owner["clientId"], "client_secret": owner["clientSecret"], "grant_type": "client_credentials"})
        assert response.status_code == 200
        contract.validate("ispring", "token-response", response.json())

        session_id = creds["sessions"][0]
        participants = world.sessions[session_id].participant_ids[:2]
        url = f"{server.url}/ispring/performance-management/appraisal/session/{session_id}/user/attributes/list"
        headers = {"Authorization": f"Bearer {response.json()['access_token']}",
                   "X-Auth-Account-Url": creds["accountUrl"], "Accept": "application/json"}
        answer = requests.post(url, json={"userIds": participants}, headers=headers, timeout=5)
        assert answer.status_code == 200
        contract.validate("ispring", "user-attributes-list", answer.json())
        assert [i["userId"] for i in answer.json()] == participants

        missing = requests.post(url.replace(session_id, "00000000-0000-4000-8000-000000000000"),
                                json={"userIds": participants}, headers=headers, timeout=5)
        assert missing.status_code == 404
        contract.validate("ispring", "error", missing.json())
