"""--admin-token: the admin API wants the Bearer token; the vendor APIs do not."""
from __future__ import annotations

import pytest

from emulator.app import create_app
from emulator.testing import EmulatorServer


@pytest.fixture
def locked():
    return create_app({"admin_token": "s3cret"}).test_client()


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"},
                                     {"Authorization": "s3cret"}])
def test_refused_without_the_token(locked, headers):
    for path in ("/_emulator/", "/_emulator/tenants", "/_emulator/tenants/default", "/_emulator/tenants/nobody"):
        resp = locked.get(path, headers=headers)
        assert resp.status_code == 401 and resp.get_json()["error"] == "Unauthorized"
    assert locked.post("/_emulator/tenants", json={}, headers=headers).status_code == 401
    assert len(locked.application.state.store.tenants) == 1


def test_allowed_with_the_token_and_vendors_unaffected(locked):
    auth = {"Authorization": "Bearer s3cret"}
    created = locked.post("/_emulator/tenants", json={}, headers=auth)
    assert created.status_code == 201
    key = created.get_json()["absorb"]["apiKey"]
    token = locked.post("/absorb/authenticate", json={"username": "admin", "password": "admin", "privateKey": key},
                        headers={"x-api-key": key, "x-api-version": "2"})
    assert token.status_code == 200


def test_environment_variable(monkeypatch):
    monkeypatch.setenv("LMS_EMULATOR_ADMIN_TOKEN", "from-env")
    client = create_app({}).test_client()
    assert client.get("/_emulator/tenants").status_code == 401
    assert client.get("/_emulator/tenants", headers={"Authorization": "Bearer from-env"}).status_code == 200


def test_the_testing_helpers_send_the_token():
    with EmulatorServer({"admin_token": "t0k"}) as server:
        tenant = server.create_tenant()
        assert tenant.admin("GET").status_code == 200
        assert tenant.absorb().get(f"{server.url}/absorb/bulk/student-courses", timeout=5).status_code == 200
        tenant.delete()
        assert tenant.admin("GET").status_code == 404
