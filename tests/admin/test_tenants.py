"""Tenants through HTTP: create, list, show, delete, reset, isolation, data.json, tokens."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from tests.vendor_api import AbsorbApi


def test_create_answers_everything_a_client_needs(client, new_tenant):
    info = new_tenant(seed=7, id="suite-a")
    assert info["id"] == "suite-a" and info["seed"] == 7
    assert info["baseUrls"]["absorb"].endswith("/absorb")
    assert {"apiKey", "admin", "learners", "portal"} <= set(info["absorb"])
    assert info["absorb"]["admin"]["username"] == "admin"


def test_list_show_delete(client, tenant):
    ids = [t["id"] for t in client.get("/_emulator/tenants").get_json()["tenants"]]
    assert tenant["id"] in ids and "default" in ids
    shown = client.get(f"/_emulator/tenants/{tenant['id']}").get_json()
    assert shown["counts"]["absorb"]["users"] > 1 and shown["absorb"]["apiKey"] == tenant["absorb"]["apiKey"]
    assert client.delete(f"/_emulator/tenants/{tenant['id']}").status_code == 204
    gone = client.get(f"/_emulator/tenants/{tenant['id']}")
    assert gone.status_code == 404 and gone.get_json()["error"] == "NotFound"
    # the deleted tenant's key opens nothing any more
    resp = client.get("/absorb/bulk/student-courses", headers={"x-api-key": tenant["absorb"]["apiKey"],
                                                               "x-api-version": "2"})
    assert resp.status_code == 401


def test_same_seed_same_world_different_ids_different_worlds(client, new_tenant):
    a, b = new_tenant(seed=5), new_tenant(seed=5)
    assert a["absorb"]["apiKey"] != b["absorb"]["apiKey"]  # the tenant id is part of the world's seed
    counts = [client.get(f"/_emulator/tenants/{t['id']}").get_json()["counts"] for t in (a, b)]
    assert counts[0]["absorb"]["users"] == counts[1]["absorb"]["users"]


@pytest.mark.parametrize("body, status, words", [
    ({"seed": "x"}, 400, "seed"),
    ({"seed": True}, 400, "seed"),
    ({"id": "bad id!"}, 400, "id"),
    ({"colour": "red"}, 400, "colour"),
    ({"fixture": 3}, 400, "fixture"),
    ({"fixture": "no-such-fixture"}, 400, "no-such-fixture"),
])
def test_create_refuses_bad_bodies(client, body, status, words):
    before = len(client.get("/_emulator/tenants").get_json()["tenants"])
    resp = client.post("/_emulator/tenants", json=body)
    assert resp.status_code == status
    assert set(resp.get_json()) >= {"error", "message"} and words in resp.get_json()["message"]
    assert len(client.get("/_emulator/tenants").get_json()["tenants"]) == before  # nothing half-applied


def test_malformed_json_and_non_object(client):
    resp = client.post("/_emulator/tenants", data="{nope", content_type="application/json")
    assert resp.status_code == 400 and "JSON" in resp.get_json()["message"]
    assert client.post("/_emulator/tenants", json=[1]).status_code == 400


def test_duplicate_id_is_a_conflict(client, new_tenant):
    new_tenant(id="twice")
    resp = client.post("/_emulator/tenants", json={"id": "twice"})
    assert resp.status_code == 409 and "twice" in resp.get_json()["message"]


def test_unknown_tenant_is_404_everywhere(client):
    for method, path in [("get", ""), ("delete", ""), ("post", "/reset"), ("get", "/clock"), ("get", "/journal"),
                         ("get", "/faults"), ("get", "/data.json")]:
        resp = getattr(client, method)(f"/_emulator/tenants/nobody{path}")
        assert resp.status_code == 404, (method, path)
        assert "nobody" in resp.get_json()["message"]


def test_credentials_of_one_tenant_never_open_another(client, new_tenant):
    a, b = new_tenant(), new_tenant()
    user_id, course_id = AbsorbApi.learner_and_course(client, a["id"])
    ha = AbsorbApi.of_info(client, a).login().headers
    created = client.post(f"/absorb/users/{user_id}/enrollments/{course_id}", headers=ha)
    assert created.status_code == 201
    enrollment_id = created.get_json()["enrollmentId"]
    assert client.get(f"/absorb/enrollments/{enrollment_id}", headers=ha).status_code == 200

    hb = AbsorbApi.of_info(client, b).login().headers
    assert client.get(f"/absorb/enrollments/{enrollment_id}", headers=hb).status_code == 404
    assert client.get(f"/absorb/users/{user_id}/enrollments", headers=hb).status_code == 404
    # B's token with A's key (and the reverse) is refused
    mixed = {**ha, "Authorization": hb["Authorization"]}
    assert client.get(f"/absorb/enrollments/{enrollment_id}", headers=mixed).status_code == 401


def test_reset_restores_the_seeded_state(client, tenant):
    tid = tenant["id"]
    before = client.get(f"/_emulator/tenants/{tid}/data.json").get_json()["absorb"]
    user_id, course_id = AbsorbApi.learner_and_course(client, tid)
    headers = AbsorbApi.of_info(client, tenant).login().headers
    assert client.post(f"/absorb/users/{user_id}/enrollments/{course_id}", headers=headers).status_code == 201
    changed = client.get(f"/_emulator/tenants/{tid}").get_json()["counts"]["absorb"]["courseEnrollments"]
    assert changed == len(before["enrollments"]) + 1

    resp = client.post(f"/_emulator/tenants/{tid}/reset")
    assert resp.status_code == 200
    after = client.get(f"/_emulator/tenants/{tid}/data.json").get_json()["absorb"]
    assert after["enrollments"] == before["enrollments"]
    assert after["apiKey"] == before["apiKey"]
    # tokens issued before the reset are gone with the old world
    assert client.get(f"/absorb/users/{user_id}/enrollments", headers=headers).status_code == 401


def test_data_json_dumps_every_vendor(client, tenant):
    data = client.get(f"/_emulator/tenants/{tenant['id']}/data.json").get_json()
    assert data["id"] == tenant["id"]
    for vendor in client.application.state.vendors:
        assert vendor in data
    assert {"users", "courses", "enrollments", "attempts"} <= set(data["absorb"])


def test_tokens_through_the_vendor_hook(app, client, tenant):
    vendors = app.state.vendors
    resp = client.post(f"/_emulator/tenants/{tenant['id']}/absorb/tokens", json={"userId": "x"})
    assert resp.status_code == 404  # Absorb clients authenticate themselves: no hook
    assert client.post(f"/_emulator/tenants/{tenant['id']}/nosuch/tokens", json={"userId": "x"}).status_code == 404

    seen = {}

    def issue(world, user_id, now):
        seen["args"] = (world, user_id, now)
        import base64
        import json
        claims = base64.urlsafe_b64encode(json.dumps({"exp": int((now + timedelta(hours=1)).timestamp())}).encode())
        return "h." + claims.decode().rstrip("=") + ".s"

    vendors["absorb"] = dataclasses.replace(vendors["absorb"], issue_token=issue)
    resp = client.post(f"/_emulator/tenants/{tenant['id']}/absorb/tokens", json={"userId": "u-1"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["token"].startswith("h.") and seen["args"][1] == "u-1"
    expires = datetime.fromisoformat(body["expiresAt"].replace("Z", "+00:00"))
    assert timedelta(minutes=59) < expires - datetime.now(timezone.utc) < timedelta(minutes=61)
    assert client.post(f"/_emulator/tenants/{tenant['id']}/absorb/tokens", json={}).status_code == 400
