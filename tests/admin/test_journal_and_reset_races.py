"""Regressions found in review: a token in the journal, a request that waited out a reset."""
from __future__ import annotations

import threading
import time

from emulator.app import create_app


def _absorb(app):
    world = app.state.store.tenants["default"].world("absorb")
    headers = {"x-api-key": world.api_key, "x-api-version": "2"}
    return world, headers


def test_the_absorb_token_is_masked_in_the_journal_even_after_a_large_request_body():
    app = create_app({"seed": 42})
    client = app.test_client()
    world, headers = _absorb(app)
    body = {"pad": "x" * 5000, "username": "admin", "password": "admin", "privateKey": world.api_key}
    token = client.post("/absorb/authenticate", json=body, headers=headers).get_json()
    entries = client.get("/_emulator/tenants/default/journal?path=/absorb/authenticate").get_json()
    entries = entries["entries"] if isinstance(entries, dict) else entries
    assert entries and all(token not in (e.get("responseBody") or "") for e in entries)
    assert all("admin" not in (e.get("body") or "").split('"password":')[-1][:10] for e in entries)


def test_a_request_waiting_on_a_reset_sees_the_new_world():
    app = create_app({"seed": 42})
    store = app.state.store
    world, headers = _absorb(app)
    client = app.test_client()
    token = client.post("/absorb/authenticate", headers=headers,
                        json={"username": "admin", "password": "admin", "privateKey": world.api_key}).get_json()
    headers["Authorization"] = f"Bearer {token}"
    learner = next(u for u in world.users.values() if not u.is_admin)
    tenant = store.get("default")
    answers = {}
    tenant.lock.acquire()  # another call holds the tenant while the request arrives
    thread = threading.Thread(target=lambda: answers.setdefault(
        "r", app.test_client().get(f"/absorb/users/{learner.id}/enrollments", headers=headers)))
    thread.start()
    time.sleep(0.2)
    store.reset("default")  # the token belonged to the discarded world
    tenant.lock.release()
    thread.join()
    assert answers["r"].status_code == 401
