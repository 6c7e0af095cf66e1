"""``--state-file`` keeps exactly the world in memory: after each write of the cache rule's scenarios (every
service function that writes, found mechanically by ``tests/test_cache_rule.py``), the tenant read back from
the database equals the one in memory, field by field and in dict order, derived indexes included. A write
the row tracking missed (an entity changed without ``world.changed``, a table replaced) fails here."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from emulator.app import create_app
from emulator.core import statecodec
from emulator.core.fieldindex import FieldIndex
from emulator.core.pagecache import OrderCache, PageCache, WireCache
from emulator.core.persistence import StateFile
from emulator.core.staterows import TrackedDict
from emulator.core.store import Store
from emulator.absorb.domain.lessons import materialize_all
from emulator.core.env import VERIFY_ENV
from tests.conftest import Switch
from tests.test_cache_rule import SCENARIOS, Ctx, _choose


def _same(got: Any, want: Any, where: str, ordered: bool = True) -> None:
    """Equal, and each kept dict in the same order (a derived index is looked up by key: any order)."""
    if isinstance(want, (WireCache, PageCache, OrderCache, FieldIndex)):
        return
    if isinstance(want, dict):
        assert isinstance(got, dict), where
        assert (list(got) if ordered else set(got)) == (list(want) if ordered else set(want)), \
            f"{where}: keys or their order differ"
        for key in want:
            _same(got[key], want[key], f"{where}[{key!r}]")
    elif dataclasses.is_dataclass(want) and not isinstance(want, type):
        assert type(got) is type(want), where
        for f in dataclasses.fields(want):
            if not f.name.startswith("_"):
                _same(getattr(got, f.name), getattr(want, f.name), f"{where}.{f.name}",
                      f.name not in getattr(want, "DERIVED", ()))
    elif type(want).__name__ == "Random":
        assert got.getstate() == want.getstate(), where
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def assert_kept(app: Any, tenant_id: str) -> None:
    """The tenant as a fresh process would read it equals the one in memory."""
    tenant = app.state.store.tenants[tenant_id]
    loaded = {t.id: t for t in StateFile(app.state.state_file.path, Store(app.state.vendors.values())).load()}
    again = loaded[tenant_id]
    for name, world in tenant.worlds.items():
        verified = getattr(world, "verified", None)
        if verified:  # a memo: a fresh process verifies tokens again
            world = dataclasses.replace(world, verified={})
            world.reindex()
        _same(again.worlds[name], world, f"{tenant_id}.{name}")
    for attribute in ("seed", "anchor", "created_at", "incarnation", "fixture"):
        assert getattr(again, attribute) == getattr(tenant, attribute), attribute
    assert again.clock.state() == tenant.clock.state() or not tenant.clock.frozen


@pytest.fixture
def kept(tmp_path: Any, switch: Switch) -> Ctx:
    switch(VERIFY_ENV, None)
    app = create_app({"seed": 42, "state_file": str(tmp_path / "state.db")})
    tenant = app.state.store.tenants["default"]
    made = Ctx(app=app, tenant=tenant)
    with tenant.lock:
        materialize_all(tenant.world("absorb"))
    _choose(made)
    app.state.state_file.save([tenant])
    return made


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_write_is_kept_exactly(kept: Ctx, scenario: str):
    with kept.tenant.lock:
        SCENARIOS[scenario](kept)
    kept.app.state.state_file.save([kept.tenant])
    assert_kept(kept.app, kept.tenant.id)


def test_a_fresh_tenant_and_its_seeded_world_are_kept_exactly(kept: Ctx):
    assert_kept(kept.app, "default")
    assert all(type(t) is TrackedDict for t in (kept.absorb.users, kept.absorb.reference.groups))


def test_a_write_stores_only_the_rows_it_changed(kept: Ctx):
    """An enroll writes its enrollment, its pending plan and the world's small row: not the world."""
    db = kept.app.state.state_file._db
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    try:
        SCENARIOS["enroll"](kept)
        kept.app.state.state_file.save([kept.tenant])
    finally:
        db.set_trace_callback(None)
    writes = [s for s in statements if s.startswith(("INSERT", "DELETE", "UPDATE"))]
    assert 3 <= len(writes) <= 6, writes
    assert_kept(kept.app, "default")


def test_the_codec_names_only_the_emulators_classes():
    with pytest.raises(statecodec.CodecError, match="not a class of the emulator"):
        statecodec.loads('{"$o": "os:system", "f": {}}')
    with pytest.raises(statecodec.CodecError, match="not a class of the emulator"):
        statecodec.loads('{"$st": "subprocess:Popen", "s": {}}')
    with pytest.raises(statecodec.CodecError):
        statecodec.loads('{"$o": "emulator.core.persistence:_build_world", "f": {}}')


@pytest.mark.parametrize("instant", [
    datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc), datetime(2030, 1, 2, 3, 4, 5, 678, tzinfo=timezone.utc),
    datetime(1, 1, 1, tzinfo=timezone.utc), datetime(2030, 6, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2030, 6, 1, tzinfo=timezone(timedelta(seconds=37))), datetime(2030, 6, 1, 12)])
def test_a_datetime_is_written_as_isoformat_writes_it(instant):
    """UTC datetimes are left to orjson (faster): the text is isoformat()'s all the same, and reads back equal,
    also on the json fallback a lone surrogate takes."""
    text = statecodec.dumps([instant, "plain"])
    assert f'{{"$dt":"{instant.isoformat()}"}}' in text
    back = statecodec.loads(text)
    assert back == [instant, "plain"] and back[0].utcoffset() == instant.utcoffset()
    assert f'{{"$dt":"{instant.isoformat()}"}}' in statecodec.dumps([instant, "lone \ud800 surrogate"])
