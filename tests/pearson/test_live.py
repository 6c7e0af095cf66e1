"""One live-server test: the Pearson routes over real HTTP, driven with requests."""
from __future__ import annotations

import requests

from emulator.core import contract
from emulator.pearson.domain.signing import issue_token
from emulator.testing import EmulatorServer


def test_pearson_over_http():
    with EmulatorServer({"seed": 42}) as server:
        tenant = server.store.tenants["default"]
        world = tenant.world("pearson")
        users = world.credentials()["users"]
        student, staff, other_staff = users[0], users[1], users[2]
        # the admin API's token route calls this same hook (Vendor.issue_token)
        bearer = issue_token(world, staff["id"], tenant.clock.now())
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {bearer}"

        response = session.get(f"{server.url}/pearson/users/{student['id']}/sessions", timeout=5)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
        contract.validate("pearson", "teacher-session", response.json())

        response = session.get(f"{server.url}/pearson/users/{student['id']}/encounters", timeout=5)
        assert response.status_code == 200
        contract.validate("pearson", "available-encounter-list", response.json())

        denied = requests.get(f"{server.url}/pearson/users/{student['id']}/encounters", timeout=5, headers={
            "Authorization": f"Bearer {issue_token(world, other_staff['id'], tenant.clock.now())}"})
        assert denied.status_code == 403
        contract.validate("pearson", "error", denied.json())

        anonymous = requests.get(f"{server.url}/pearson/users/{student['id']}/sessions", timeout=5)
        assert anonymous.status_code == 401
        assert anonymous.json() == {"Message": "Authorization has been denied for this request."}
