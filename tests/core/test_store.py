"""The store's own contract, with two tiny vendors: what a user of tenants relies on.

Tenants are isolated, the same (seed, tenant, vendor) seeds the same world, a reset restores the seeded
world, a deleted tenant is gone (and its keys with it), a credential names its tenant whatever its case.
"""
from __future__ import annotations

import dataclasses
import hashlib
import random
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask import Blueprint

from emulator.core import ratelimit
from emulator.core.errors import Conflict, NotFound
from emulator.core.store import Store, Tenant, day_anchor, derive_seed, fixture_anchor
from emulator.core.vendor import Vendor, WorldContext

UTC = timezone.utc
NOON = datetime(2024, 5, 6, 12, 30, 15, tzinfo=UTC)


class World:
    """A world whose content is its seeded draws; its key is drawn too, or named by the fixture."""

    def __init__(self, ctx: WorldContext) -> None:
        self.ctx = ctx
        self.draws = [ctx.rng.random() for _ in range(3)]
        self.keys = [(ctx.fixture or {}).get("key") or f"Key-{ctx.rng.getrandbits(32):08x}"]

    def tenant_keys(self) -> list[str]:
        return self.keys


def _vendor(name: str, rate_limit: tuple[float, int] | None = None) -> Vendor:
    return Vendor(name=name, title=name.title(), blueprint=Blueprint(name, __name__), build_world=World,
                  dump_world=lambda world: {"draws": world.draws},
                  render_error=lambda exc: None, rate_limit=rate_limit)  # type: ignore[arg-type, return-value]


def _store(**kwargs) -> Store:
    return Store([_vendor("alpha", rate_limit=(5.0, 2)), _vendor("beta")], **kwargs)


def _key(tenant: Tenant, vendor: str = "alpha") -> str:
    return tenant.world(vendor).keys[0]


# -- seeds and anchors ----------------------------------------------------------------------------------------
def test_derive_seed_is_the_first_eight_bytes_of_a_sha256_of_seed_tenant_and_vendor():
    """Stable across versions and machines: a state file or a bug report's seed rebuilds the same world."""
    expected = int.from_bytes(hashlib.sha256(b"42:t1:alpha").digest()[:8], "big")
    assert derive_seed(42, "t1", "alpha") == expected
    assert len({derive_seed(42, "t1", "alpha"), derive_seed(43, "t1", "alpha"), derive_seed(42, "t2", "alpha"),
                derive_seed(42, "t1", "beta")}) == 4


def test_day_anchor_is_the_start_of_the_day():
    assert day_anchor(NOON) == datetime(2024, 5, 6, tzinfo=UTC)


def test_fixture_anchor_reads_the_fixtures_own_anchor_only():
    assert fixture_anchor({"anchor": "2023-01-02T03:04:05Z"}) == datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert fixture_anchor({"anchor": 5}) is None
    assert fixture_anchor({}) is None
    assert fixture_anchor(None) is None


# -- creating ---------------------------------------------------------------------------------------------------
def test_every_vendor_gets_a_world_seeded_from_seed_tenant_and_vendor():
    store = _store(seed=7)
    tenant = store.create_tenant("t1")
    assert tenant.id == "t1" and tenant.seed == 7 and set(tenant.worlds) == {"alpha", "beta"}
    for name in ("alpha", "beta"):
        ctx = tenant.world(name).ctx
        assert (ctx.tenant_id, ctx.seed, ctx.anchor, ctx.incarnation) == ("t1", 7, tenant.anchor, tenant.incarnation)
        rng = random.Random(derive_seed(7, "t1", name))
        assert tenant.world(name).draws == [rng.random() for _ in range(3)]
    assert tenant.world("alpha").draws != tenant.world("beta").draws


def test_same_seed_and_id_same_world_in_another_store_another_id_another_world():
    a = _store().create_tenant("t1", seed=5)
    b = _store().create_tenant("t1", seed=5)
    c = _store().create_tenant("t2", seed=5)
    d = _store().create_tenant("t1", seed=6)
    assert a.world("alpha").draws == b.world("alpha").draws and _key(a) == _key(b)
    assert a.world("alpha").draws != c.world("alpha").draws
    assert a.world("alpha").draws != d.world("alpha").draws
    assert a.incarnation != b.incarnation  # what a deleted incarnation signed is not the next one's


def test_an_explicit_seed_wins_over_the_stores_and_zero_is_a_seed():
    store = _store(seed=7)
    assert store.create_tenant("a", seed=0).seed == 0
    assert store.create_tenant("b").seed == 7


def test_a_tenant_without_an_id_gets_a_fresh_one():
    store = _store()
    first, second = store.create_tenant(), store.create_tenant()
    assert re.fullmatch(r"t-[0-9a-f]{12}", first.id) and first.id != second.id
    assert store.get(first.id) is first


def test_each_vendor_gets_its_own_part_of_the_fixture():
    fixture = {"alpha": {"key": "from-fixture"}}
    tenant = _store().create_tenant("t1", fixture=fixture)
    assert tenant.world("alpha").ctx.fixture == {"key": "from-fixture"} and tenant.world("beta").ctx.fixture is None
    assert tenant.fixture is fixture
    assert _store().create_tenant("t1").world("alpha").ctx.fixture is None


def test_without_an_anchor_the_world_hangs_off_today_and_the_clock_runs():
    before = datetime.now(UTC)
    tenant = _store().create_tenant("t1")
    assert not tenant.clock.frozen
    assert tenant.anchor == day_anchor(before) or tenant.anchor == day_anchor(datetime.now(UTC))
    assert tenant.clock.floor == tenant.anchor
    assert before - timedelta(seconds=1) <= tenant.created_at <= datetime.now(UTC)


def test_an_anchor_freezes_the_clock_there_so_the_world_is_the_same_on_any_day():
    tenant = _store().create_tenant("t1", anchor=NOON)
    assert tenant.anchor == NOON and tenant.clock.frozen and tenant.clock.now() == NOON
    assert tenant.created_at == NOON and tenant.clock.floor == NOON and tenant.world("alpha").ctx.anchor == NOON


def test_the_anchor_is_the_callers_then_the_fixtures_then_the_stores():
    fixture = {"anchor": "2023-01-02T00:00:00Z"}
    from_fixture = datetime(2023, 1, 2, tzinfo=UTC)
    store = _store(anchor=NOON)
    assert store.create_tenant("a").anchor == NOON
    assert store.create_tenant("b", fixture=fixture).anchor == from_fixture
    assert store.create_tenant("c", fixture=fixture, anchor=NOON + timedelta(days=1)).anchor == NOON + timedelta(days=1)


def test_now_freezes_the_clock_and_the_world_hangs_off_that_day():
    tenant = _store().create_tenant("t1", now=NOON)
    assert tenant.clock.frozen and tenant.clock.now() == NOON and tenant.created_at == NOON
    assert tenant.anchor == datetime(2024, 5, 6, tzinfo=UTC) == tenant.clock.floor


def test_a_second_tenant_with_an_id_is_a_conflict_and_the_first_is_untouched():
    store = _store()
    first = store.create_tenant("t1", seed=1)
    with pytest.raises(Conflict):
        store.create_tenant("t1", seed=2)
    assert store.get("t1") is first and store.tenant_for("alpha", _key(first)) is first


def test_rate_limited_vendors_are_limited_in_every_new_tenant():
    store = _store(rate_limited=["alpha"])
    tenant = store.create_tenant("t1")
    buckets = ratelimit.buckets_of(tenant)
    assert set(buckets) == {"alpha"}
    assert (buckets["alpha"].rate, buckets["alpha"].burst) == (5.0, 2)
    assert ratelimit.buckets_of(_store().create_tenant("t2")) == {}


@pytest.mark.parametrize("name", ["beta", "gamma"])
def test_a_rate_limit_only_for_a_vendor_that_documents_one(name):
    with pytest.raises(ValueError, match="alpha"):
        _store(rate_limited=[name])


# -- lookups ----------------------------------------------------------------------------------------------------
def test_a_key_names_its_tenant_whatever_its_case_and_surrounding_spaces():
    store = _store()
    tenant = store.create_tenant("t1")
    key = _key(tenant)
    assert store.tenant_for("alpha", key) is tenant
    assert store.tenant_for("alpha", f"  {key.upper()} ") is tenant
    assert store.tenant_for("beta", _key(tenant, "beta")) is tenant


def test_a_key_names_nothing_for_another_vendor_or_when_empty():
    store = _store()
    tenant = store.create_tenant("t1")
    assert store.tenant_for("beta", _key(tenant)) is None
    assert store.tenant_for("alpha", "") is None and store.tenant_for("alpha", None) is None
    assert store.tenant_for("alpha", "no-such-key") is None


def test_tenants_are_isolated():
    store = _store()
    a, b = store.create_tenant("a", seed=1), store.create_tenant("b", seed=1)
    assert store.tenant_for("alpha", _key(a)) is a and store.tenant_for("alpha", _key(b)) is b
    a.world("alpha").draws.append(99)
    assert 99 not in b.world("alpha").draws
    store.delete("a")
    assert store.tenant_for("alpha", _key(b)) is b and store.get("b") is b


def test_get_of_an_unknown_tenant_is_404():
    with pytest.raises(NotFound, match="nope"):
        _store().get("nope")


def test_a_key_added_at_run_time_names_the_tenant_until_dropped():
    store = _store()
    tenant = store.create_tenant("t1")
    store.add_key("alpha", "Token-ABC", tenant)
    assert store.tenant_for("alpha", "token-abc") is tenant
    store.drop_key("alpha", "TOKEN-abc")
    assert store.tenant_for("alpha", "Token-ABC") is None
    store.drop_key("alpha", "never-added")  # dropping an unknown key is no error
    assert store.tenant_for("alpha", _key(tenant)) is tenant


# -- deleting ---------------------------------------------------------------------------------------------------
def test_a_deleted_tenant_is_gone_with_its_keys():
    store = _store()
    tenant = store.create_tenant("t1")
    keys = {name: _key(tenant, name) for name in ("alpha", "beta")}
    store.delete("t1")
    assert "t1" not in store.tenants
    with pytest.raises(NotFound):
        store.get("t1")
    assert all(store.tenant_for(name, key) is None for name, key in keys.items())
    assert not any(t is tenant for t in store._keys.values())
    with pytest.raises(NotFound):
        store.delete("t1")


def test_a_tenant_created_again_under_a_deleted_id_is_a_new_one():
    store = _store()
    old = store.create_tenant("t1", seed=1)
    store.delete("t1")
    new = store.create_tenant("t1", seed=1)
    assert store.get("t1") is new and new is not old and new.incarnation != old.incarnation
    assert store.tenant_for("alpha", _key(new)) is new


# -- resetting --------------------------------------------------------------------------------------------------
def test_a_reset_restores_the_seeded_world_and_keeps_the_clock():
    store = _store()
    tenant = store.create_tenant("t1", seed=3, anchor=NOON)
    seeded = list(tenant.world("alpha").draws)
    old_world = tenant.world("alpha")
    old_world.draws.append(1.5)  # a write
    tenant.clock.advance(timedelta(hours=2))
    incarnation = tenant.incarnation
    assert store.reset("t1") is tenant
    assert tenant.world("alpha") is not old_world and tenant.world("alpha").draws == seeded
    assert tenant.clock.now() == NOON + timedelta(hours=2) and tenant.anchor == NOON
    assert tenant.incarnation == incarnation and tenant.world("alpha").ctx.incarnation == incarnation
    assert store.tenant_for("alpha", _key(tenant)) is tenant


def test_a_reset_keeps_the_fixture_unless_given_another_or_none():
    store = _store()
    tenant = store.create_tenant("t1", fixture={"alpha": {"key": "first"}})
    store.reset("t1")
    assert _key(tenant) == "first" and tenant.fixture == {"alpha": {"key": "first"}}
    store.reset("t1", fixture={"alpha": {"key": "second"}})
    assert _key(tenant) == "second" and tenant.fixture == {"alpha": {"key": "second"}}
    assert store.tenant_for("alpha", "second") is tenant and store.tenant_for("alpha", "first") is None
    store.reset("t1", fixture=None)
    assert tenant.fixture is None and tenant.world("alpha").ctx.fixture is None
    assert store.tenant_for("alpha", "second") is None and store.tenant_for("alpha", _key(tenant)) is tenant


def test_a_key_both_worlds_share_survives_a_reset():
    store = _store()
    tenant = store.create_tenant("t1", fixture={"alpha": {"key": "same"}})
    store.reset("t1", fixture={"alpha": {"key": "SAME"}})
    assert store.tenant_for("alpha", "same") is tenant


def test_a_reset_with_a_fixture_that_has_its_own_anchor_moves_the_world_there():
    store = _store()
    tenant = store.create_tenant("t1", anchor=NOON)
    tenant.clock.advance(timedelta(days=3))
    store.reset("t1", fixture={"anchor": "2025-01-01T00:00:00Z"})
    there = datetime(2025, 1, 1, tzinfo=UTC)
    assert tenant.anchor == there == tenant.clock.floor == tenant.world("alpha").ctx.anchor
    assert tenant.clock.now() == there and tenant.clock.frozen  # on any day, the same world
    store.reset("t1", fixture={"alpha": {"key": "k"}})  # no anchor of its own: the tenant's is kept
    assert tenant.anchor == there


def test_a_reset_without_the_fixtures_anchor_leaves_the_clock_alone():
    store = _store()
    tenant = store.create_tenant("t1", anchor=NOON)
    tenant.clock.advance(timedelta(hours=5))
    store.reset("t1", fixture={"anchor": NOON.isoformat()})  # the same anchor: nothing to move
    assert tenant.clock.now() == NOON + timedelta(hours=5)


def test_a_reset_whose_fixture_fails_leaves_the_tenant_as_it_was():
    store = _store()
    tenant = store.create_tenant("t1", fixture={"alpha": {"key": "kept"}})
    world = tenant.world("alpha")

    def failing(ctx):
        raise ValueError("bad fixture")

    store.vendors["beta"] = dataclasses.replace(store.vendors["beta"], build_world=failing)
    with pytest.raises(ValueError):
        store.reset("t1", fixture={"alpha": {"key": "other"}})
    assert tenant.world("alpha") is world and tenant.fixture == {"alpha": {"key": "kept"}}
    assert store.tenant_for("alpha", "kept") is tenant and store.tenant_for("alpha", "other") is None


def test_a_reset_of_an_unknown_tenant_is_404():
    with pytest.raises(NotFound):
        _store().reset("nope")


# -- adopting (a tenant restored from a state file) ----------------------------------------------------------------
def test_an_adopted_tenant_replaces_the_one_with_its_id_and_only_its_keys_answer():
    store, elsewhere = _store(), _store()
    old = store.create_tenant("t1", seed=1)
    other = store.create_tenant("t2", seed=2)
    restored = elsewhere.create_tenant("t1", seed=9)
    store.adopt(restored)
    assert store.get("t1") is restored
    assert store.tenant_for("alpha", _key(restored)) is restored
    assert store.tenant_for("alpha", _key(old)) is None
    assert store.tenant_for("alpha", _key(other)) is other


def test_dropping_a_tenants_keys_leaves_a_key_another_tenant_now_holds():
    """A key that moved to another tenant (a run-time token) is that tenant's: a reset or delete of the
    first one leaves it."""
    store = _store()
    a = store.create_tenant("a", fixture={"alpha": {"key": "shared"}})
    b = store.create_tenant("b")
    store.add_key("alpha", "shared", b)
    store.reset("a", fixture={"alpha": {"key": "own"}})
    assert store.tenant_for("alpha", "shared") is b and store.tenant_for("alpha", "own") is a
    store.add_key("alpha", "own", b)
    store.delete("a")
    assert store.tenant_for("alpha", "own") is b and store.tenant_for("alpha", "shared") is b


def test_a_tenant_deleted_while_its_reset_builds_stays_deleted():
    store = _store()
    tenant = store.create_tenant("t1")
    key = _key(tenant)
    build = store._build_worlds

    def build_then_delete(*args, **kwargs):
        worlds = build(*args, **kwargs)
        store.delete("t1")
        return worlds

    store._build_worlds = build_then_delete
    with pytest.raises(NotFound, match="deleted meanwhile"):
        store.reset("t1")
    assert "t1" not in store.tenants and store.tenant_for("alpha", key) is None


def test_a_store_seeds_with_42_unless_told():
    assert Store([_vendor("alpha")]).create_tenant("t1").seed == 42


def test_a_tenant_with_a_new_id_is_adopted_too():
    store, elsewhere = _store(), _store()
    restored = elsewhere.create_tenant("new")
    store.adopt(restored)
    assert store.get("new") is restored and store.tenant_for("alpha", _key(restored)) is restored


def test_a_reset_that_keeps_the_fixture_keeps_the_anchor_the_tenant_was_given():
    """A tenant created with an anchor of its own and a fixture with another: a plain reset keeps the first."""
    store = _store()
    tenant = store.create_tenant("t1", anchor=NOON, fixture={"anchor": "2023-01-02T00:00:00Z"})
    assert tenant.anchor == NOON
    store.reset("t1")
    assert tenant.anchor == NOON and tenant.world("alpha").ctx.anchor == NOON


def test_a_key_left_behind_by_a_deleted_tenant_names_nothing():
    store = _store()
    old = store.create_tenant("t1")
    store.delete("t1")
    store.add_key("alpha", "left-behind", old)  # as a writer racing the delete could leave it
    assert store.tenant_for("alpha", "left-behind") is None
