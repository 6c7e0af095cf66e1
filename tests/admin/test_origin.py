"""The admin API answers no foreign origin by default, and no foreign Host while bound to loopback."""
from __future__ import annotations

import pytest

from emulator.app import create_app
from emulator.core import contract

EVIL = "http://evil.example"


def test_the_admin_api_sends_no_cors_by_default_while_vendor_routes_do(client, tenant):
    data = client.get("/_emulator/tenants/default/data.json", headers={"Origin": EVIL})
    assert data.status_code == 200 and "Access-Control-Allow-Origin" not in data.headers
    pre = client.options("/_emulator/tenants/default", headers={"Origin": EVIL,
                                                                "Access-Control-Request-Method": "DELETE"})
    assert "Access-Control-Allow-Origin" not in pre.headers and "Access-Control-Allow-Methods" not in pre.headers
    vendor = client.options("/absorb/bulk/student-courses", headers={"Origin": EVIL,
                                                                     "Access-Control-Request-Method": "GET"})
    assert vendor.headers["Access-Control-Allow-Origin"] == "*"


def test_admin_cors_only_for_the_origins_asked_for():
    client = create_app({"admin_cors_origins": "http://dash.test", "cors_origins": ""}).test_client()
    good = client.get("/_emulator/tenants", headers={"Origin": "http://dash.test"})
    assert good.headers["Access-Control-Allow-Origin"] == "http://dash.test"
    assert "Access-Control-Allow-Origin" not in client.get("/_emulator/tenants", headers={"Origin": EVIL}).headers
    vendor = client.options("/absorb/bulk/student-courses", headers={"Origin": "http://dash.test",
                                                            "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in vendor.headers  # --cors-origins '' turned the vendor routes off


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8080", "127.0.0.1.evil.example",
                                  "localhost.evil.example", "10.0.0.1"])
def test_a_foreign_host_is_refused_while_bound_to_loopback(client, host):
    admin = client.get("/_emulator/tenants/default/data.json", headers={"Host": host})
    assert admin.status_code == 403 and set(admin.get_json()) == {"error", "message"}
    vendor = client.get("/absorb/bulk/student-courses", headers={"Host": host})
    assert vendor.status_code == 403
    contract.validate("absorb", "error", vendor.get_json())


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:18600", "127.0.0.2", "[::1]:8080",
                                  "app.localhost:3000", "LOCALHOST"])
def test_loopback_names_are_served(client, host):
    assert client.get("/_emulator/tenants", headers={"Host": host}).status_code == 200


def test_bound_elsewhere_any_host_is_served_and_the_configured_name_is_always_served():
    open_app = create_app({"host": "0.0.0.0"}).test_client()
    assert open_app.get("/_emulator/tenants", headers={"Host": "emulator.ci.internal"}).status_code == 200
    named = create_app({"host": "::1"}).test_client()
    assert named.get("/_emulator/tenants", headers={"Host": "[::1]:9000"}).status_code == 200
    assert named.get("/_emulator/tenants", headers={"Host": "evil.example"}).status_code == 403


def test_the_dashboard_works_from_its_own_origin(client):
    page = client.get("/_emulator/", headers={"Accept": "text/html", "Host": "127.0.0.1:8080"})
    assert page.status_code == 200 and b"<html" in page.data.lower()
    same = client.post("/_emulator/tenants", json={}, headers={"Origin": "http://127.0.0.1:8080",
                                                               "Host": "127.0.0.1:8080"})
    assert same.status_code == 201
