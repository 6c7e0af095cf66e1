"""Store races found by an adversarial pass: keys during a reset, a delete during a reset, incarnations."""
from __future__ import annotations

import pytest

from emulator.app import create_app
from emulator.core.errors import NotFound
from emulator.core.store import Tenant


def _store():
    app = create_app({"seed": 42})
    return app, app.extensions["lms_emulator"]["store"]


def test_a_reset_never_leaves_a_key_unindexed():
    """At the moment the worlds are swapped, the tenant's key still names it (lookups take no lock)."""
    _, store = _store()
    tenant = store.create_tenant("t1")
    key = tenant.world("absorb").api_key
    seen: list[object] = []

    class Watched(Tenant):
        def __setattr__(self, name: str, value: object) -> None:
            if name == "worlds":
                seen.append(store.tenant_for("absorb", key))
            super().__setattr__(name, value)

    tenant.__class__ = Watched
    store.reset("t1")
    assert seen and all(found is tenant for found in seen)
    assert store.tenant_for("absorb", key) is tenant


def test_a_delete_during_a_reset_does_not_bring_the_keys_back():
    """The tenant is deleted, and re-created with its id and another seed, while the reset builds worlds."""
    _, store = _store()
    old = store.create_tenant("t1", seed=1)
    old_key = old.world("absorb").api_key
    build = store._build_worlds
    made: list[Tenant] = []

    def build_then_lose_the_tenant(*args, **kwargs):
        worlds = build(*args, **kwargs)
        store._build_worlds = build  # once
        store.delete("t1")
        made.append(store.create_tenant("t1", seed=2))
        return worlds

    store._build_worlds = build_then_lose_the_tenant
    with pytest.raises(NotFound):
        store.reset("t1")
    new = made[0]
    assert store.tenants["t1"] is new
    assert store.tenant_for("absorb", old_key) is None  # the deleted tenant's key opens nothing
    assert store.tenant_for("absorb", new.world("absorb").api_key) is new


def test_a_key_of_a_deleted_incarnation_names_nothing_even_if_left_in_the_index():
    _, store = _store()
    old = store.create_tenant("t1", seed=1)
    key = old.world("absorb").api_key
    store.delete("t1")
    store._keys[("absorb", key.lower())] = old  # as a racing writer could have left it
    store.create_tenant("t1", seed=2)
    assert store.tenant_for("absorb", key) is None


def test_pearson_tokens_of_a_deleted_tenant_fail_on_its_successor():
    app, store = _store()
    client = app.test_client()
    assert client.post("/_emulator/tenants", json={"id": "p1", "seed": 7}).status_code == 201
    student = next(u for u in store.tenants["p1"].world("pearson").users.values() if "Student" in u.roles)
    token = client.post("/_emulator/tenants/p1/pearson/tokens", json={"userId": student.id}).get_json()["token"]
    path = f"/pearson/users/{student.id}/sessions"
    first = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert client.delete("/_emulator/tenants/p1").status_code == 204
    assert client.post("/_emulator/tenants", json={"id": "p1", "seed": 7}).status_code == 201
    again = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert first.status_code != 401 and again.status_code == 401, (first.status_code, again.get_json())
