"""Stubs for calls the emulator does not emulate (``core.stubs``), and ``--fallback-target``."""
from __future__ import annotations

import json
import pickle
import threading
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from emulator.app import create_app
from emulator.config import SettingsError
from emulator.core import contract
from emulator.core.store import Tenant
from emulator.core.stubs import StubSet

CERTS = "/absorb/certificates/*"


def absorb_headers(tenant: Tenant) -> dict[str, str]:
    return {"x-api-key": tenant.world("absorb").api_key}


def add(client: Any, tenant_id: str, body: dict[str, Any], status: int = 201) -> Any:
    answer = client.post(f"/_emulator/tenants/{tenant_id}/stubs", json=body)
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer.get_json()


def test_a_stub_answers_an_unserved_route_and_is_journaled(app: Flask, client: Any, tenant: Tenant) -> None:
    stub = add(client, "default", {"method": "GET", "path": CERTS, "body": {"id": "c-1", "name": "First aid"},
                                   "headers": {"X-Stubbed": "yes"}})
    assert stub["id"] == "s-1" and stub["hits"] == 0
    answer = client.get("/absorb/certificates/42", headers=absorb_headers(tenant))
    assert answer.status_code == 200 and answer.get_json() == {"id": "c-1", "name": "First aid"}
    assert answer.headers["X-Stubbed"] == "yes" and answer.mimetype == "application/json"
    entry = client.get("/_emulator/tenants/default/journal").get_json()["entries"][-1]
    assert entry["path"] == "/absorb/certificates/42" and entry["stub"] == "s-1" and entry["status"] == 200
    assert client.get("/_emulator/tenants/default/stubs").get_json()["stubs"][0]["hits"] == 1


def test_a_stub_never_shadows_an_emulated_route(client: Any, tenant: Tenant) -> None:
    add(client, "default", {"path": "/absorb/**", "status": 418, "body": {"shadow": True}})
    assert client.get("/absorb/users", headers=absorb_headers(tenant)).status_code == 401  # the route's own auth
    assert client.get("/absorb/anything/else", headers=absorb_headers(tenant)).status_code == 418


def test_a_stub_answers_another_method_of_a_served_path(client: Any, tenant: Tenant) -> None:
    add(client, "default", {"method": "DELETE", "path": "/absorb/users/*", "status": 204})
    user = next(iter(tenant.world("absorb").users))
    assert client.delete(f"/absorb/users/{user}", headers=absorb_headers(tenant)).status_code == 204


def test_stubs_are_per_tenant_found_by_credentials(app: Flask, client: Any) -> None:
    store = app.state.store
    other = store.create_tenant("other")
    add(client, "other", {"path": CERTS, "bodyText": "<cert/>", "contentType": "application/xml"})
    mine = client.get("/absorb/certificates/1", headers=absorb_headers(store.tenants["default"]))
    assert mine.status_code == 404
    theirs = client.get("/absorb/certificates/1", headers=absorb_headers(other))
    assert theirs.status_code == 200 and theirs.data == b"<cert/>" and theirs.mimetype == "application/xml"


def test_an_ispring_stub_is_found_by_the_bearer_token(client: Any, tenant: Tenant) -> None:
    creds = tenant.world("ispring").credentials()
    owner = creds["clients"][0]
    token = client.post("/ispring/api/v3/token", data={"client_id": owner["clientId"], "grant_type":
                        "client_credentials", "client_secret": owner["clientSecret"]}).get_json()["access_token"]
    add(client, "default", {"method": "GET", "path": "/ispring/learners", "body": []})
    answer = client.get("/ispring/learners", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.get_json() == []


def test_the_404_of_an_unknown_route_says_how_to_add_a_stub(client: Any, tenant: Tenant) -> None:
    answer = client.get("/absorb/certificates/9", headers=absorb_headers(tenant))
    body = answer.get_json()
    assert answer.status_code == 404
    contract.validate("absorb", "error", body)  # the vendor's own error shape
    assert "POST /_emulator/tenants/default/stubs" in body["message"]
    assert '"path": "/absorb/certificates/9"' in body["message"] and "--fallback-target" in body["message"]


@pytest.mark.parametrize("body, word", [
    ({"path": "/nowhere/x"}, "vendor's prefix"), ({"path": "/absorb/x", "status": 99}, "status"),
    ({"path": "/absorb/x", "method": "FETCH"}, "method"), ({"path": "/absorb/x", "headers": {"a": 1}}, "headers"),
    ({"path": "/absorb/x", "body": {}, "bodyText": "x"}, "give one"), ({"path": "/absorb/x", "colour": 1}, "colour"),
    ({"path": "/absorb/[x"}, "glob"), ({"path": "/absorb/x", "delayMs": -1}, "delayMs"), ([], "JSON object"),
    ({"path": "/absorb/x", "headers": {"a": "b\r\nc: d"}}, "headers")])
def test_a_bad_stub_is_a_400_naming_the_field(client: Any, body: Any, word: str) -> None:
    answer = client.post("/_emulator/tenants/default/stubs", json=body)
    assert answer.status_code == 400 and word in answer.get_json()["message"]


def test_stubs_are_removed_one_or_all(client: Any, tenant: Tenant) -> None:
    first = add(client, "default", {"path": CERTS, "body": 1})
    add(client, "default", {"path": "/absorb/badges", "body": 2})
    assert client.delete(f"/_emulator/tenants/default/stubs/{first['id']}").status_code == 204
    assert client.delete(f"/_emulator/tenants/default/stubs/{first['id']}").status_code == 404
    assert [s["path"] for s in client.get("/_emulator/tenants/default/stubs").get_json()["stubs"]] == ["/absorb/badges"]
    assert client.delete("/_emulator/tenants/default/stubs").status_code == 204
    assert client.get("/_emulator/tenants/default/stubs").get_json() == {"stubs": []}


def test_a_fixture_brings_its_stubs(client: Any) -> None:
    fixture = {"name": "with-stubs", "stubs": [{"method": "GET", "path": "/absorb/badges", "body": ["a", "b"]}]}
    created = client.post("/_emulator/tenants", json={"fixture": fixture}).get_json()
    answer = client.get("/absorb/badges", headers={"x-api-key": created["absorb"]["apiKey"]})
    assert answer.status_code == 200 and answer.get_json() == ["a", "b"]
    bad = client.post("/_emulator/tenants", json={"fixture": {"stubs": [{"path": "/x"}]}})
    assert bad.status_code == 400 and "stubs[0]" in bad.get_json()["message"]


class Upstream:
    """A stand-in real service on loopback that echoes what it was asked."""

    def __init__(self) -> None:
        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            body = json.dumps({"path": environ["PATH_INFO"], "query": environ.get("QUERY_STRING", ""),
                               "key": environ.get("HTTP_X_API_KEY")}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("X-Upstream", "1")])
            return [body]

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_fallback_target_forwards_an_unmatched_call_only_there() -> None:
    upstream = Upstream()
    try:
        app = create_app({"fallback_target": f"absorb={upstream.url}/api"})
        client = app.test_client()
        tenant = app.state.store.tenants["default"]
        answer = client.get("/absorb/Certificates/7?x=1", headers=absorb_headers(tenant))
        assert answer.status_code == 200 and answer.headers["X-Upstream"] == "1"
        assert answer.get_json() == {"path": "/api/Certificates/7", "query": "x=1",
                                     "key": tenant.world("absorb").api_key}
        entry = client.get("/_emulator/tenants/default/journal").get_json()["entries"][-1]
        assert entry["forwardedTo"] == f"{upstream.url}/api/Certificates/7"
        add(client, "default", {"path": CERTS, "body": "stubbed"})  # a stub wins over the fallback
        assert client.get("/absorb/certificates/7", headers=absorb_headers(tenant)).get_json() == "stubbed"
        # a path cannot leave the target: the host is the configured one whatever the path says
        odd = client.get("/absorb/@evil.example/x", headers=absorb_headers(tenant)).get_json()
        assert odd["path"] == "/api/@evil.example/x"
        assert client.get("/ispring/nothing").status_code == 404  # no fallback for iSpring
    finally:
        upstream.close()


def test_an_unreachable_fallback_is_a_502_in_the_vendor_shape() -> None:
    app = create_app({"fallback_target": "absorb=http://127.0.0.1:9"})
    client = app.test_client()
    answer = client.get("/absorb/certificates/1", headers=absorb_headers(app.state.store.tenants["default"]))
    assert answer.status_code == 502 and "fallback target" in answer.get_json()["message"]
    contract.validate("absorb", "error", answer.get_json())


def test_a_bad_fallback_target_is_refused_at_start() -> None:
    with pytest.raises(SettingsError, match="fallback_target"):
        create_app({"fallback_target": "absorb=ftp://x"})
    with pytest.raises(SettingsError, match="unknown vendor"):
        create_app({"fallback_target": "moodle=http://x"})


def test_stubs_survive_a_reset_and_a_restart_with_a_state_file(tmp_path) -> None:
    settings = {"state_file": str(tmp_path / "state.bin")}
    first = create_app(settings)
    client = first.test_client()
    add(client, "default", {"path": CERTS, "body": {"kept": True}})
    assert client.post("/_emulator/tenants/default/reset").status_code == 200
    tenant = first.state.store.tenants["default"]
    assert client.get("/absorb/certificates/1", headers=absorb_headers(tenant)).get_json() == {"kept": True}
    again = create_app(settings)
    answer = again.test_client().get("/absorb/certificates/1",
                                     headers=absorb_headers(again.state.store.tenants["default"]))
    assert answer.status_code == 200 and answer.get_json() == {"kept": True}


def test_saving_the_stubs_spends_no_id() -> None:
    """A state-file save reads the next id (``__getstate__``); it used to spend it, so ids skipped (s-1, s-3)."""
    stubs = StubSet()
    body = {"method": "GET", "path": CERTS, "status": 200, "body": {}}
    assert stubs.add(body, ["absorb"]).id == "s-1"
    restored = pickle.loads(pickle.dumps(stubs))
    assert stubs.add(body, ["absorb"]).id == "s-2"
    assert restored.add(body, ["absorb"]).id == "s-2"
