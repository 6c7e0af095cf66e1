"""The page and wire caches: hits skip the work, a change announced drops them, verify mode catches what is stale."""
from __future__ import annotations

import pickle
import tracemalloc

import pytest

from emulator.core import pagecache
from emulator.core.pagecache import PageCache, StalePage
from emulator.core.env import VERIFY_ENV
from emulator.core.wire import encode_json


def test_a_hit_does_not_recompute_and_a_clear_does(switch):
    switch(VERIFY_ENV, None)
    cache, calls = PageCache(), []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert cache.page("k", compute) == b'{"n":1}'
    assert cache.page("k", compute) == b'{"n":1}' and len(calls) == 1
    cache.clear()
    assert cache.page("k", compute) == b'{"n":2}' and len(calls) == 2


def test_errors_are_not_cached(switch):
    switch(VERIFY_ENV, None)
    cache = PageCache()

    def fail():
        raise ValueError("bad filter")

    with pytest.raises(ValueError):
        cache.page("k", fail)
    assert len(cache) == 0


def test_the_cache_is_bounded(switch):
    switch(VERIFY_ENV, None)
    cache = PageCache()
    for n in range(pagecache.MAX_PAGES + 5):
        cache.page(n, lambda: [])
    assert len(cache) <= pagecache.MAX_PAGES


def test_the_cache_is_bounded_by_bytes(monkeypatch, switch):
    switch(VERIFY_ENV, None)
    monkeypatch.setattr(pagecache, "MAX_BYTES", 100)
    cache = PageCache()
    for n in range(10):
        cache.page(n, lambda: "x" * 28)  # 30 bytes encoded
        assert cache.size <= 100 and len(cache) == min(n + 1, 3)
    assert cache.cached(9) is not None and cache.cached(6) is None  # the oldest went first
    cache.page("big", lambda: "x" * 200)  # larger than the bound: answered, not kept
    assert cache.cached("big") is None and len(cache) == 3 and cache.size == 90


def test_a_write_drops_the_pages_it_can_change(switch):
    switch(VERIFY_ENV, None)

    class User:
        pass

    class Enrollment:
        pass

    cache, orders = PageCache(), pagecache.OrderCache()
    for kind in (User, Enrollment, None):
        cache.page(kind, lambda: [1], lambda k=kind: k)
        orders.ordered(kind, lambda: [1], kind)
    cache.drop(Enrollment)  # an enrollment announced: the users' page stays; those of enrollments and any go
    orders.drop(Enrollment)
    assert [k for k in (User, Enrollment, None) if cache.cached(k) is not None] == [User]
    assert len(orders) == 1 and orders.ordered(User, lambda: [2]) == [1]
    assert cache.size == 3
    cache.drop(None)  # unknown: every page
    assert len(cache) == 0 and cache.size == 0


def test_verify_mode_fails_loudly_on_a_stale_page(switch):
    switch(VERIFY_ENV, "1")
    cache, state = PageCache(), {"v": 1}
    assert cache.page("k", lambda: dict(state)) == b'{"v":1}'
    assert cache.page("k", lambda: dict(state)) == b'{"v":1}'  # unchanged: the hit passes the check
    state["v"] = 2  # a write that did not clear the cache
    with pytest.raises(StalePage):
        cache.page("k", lambda: dict(state))
    assert cache.page("k", lambda: dict(state)) == b'{"v":2}'  # the stale page was dropped


def test_pickled_and_restored_empty():
    cache = PageCache()
    cache.page("k", lambda: [1])
    restored = pickle.loads(pickle.dumps(cache))
    assert isinstance(restored, PageCache) and len(restored) == 0
    assert restored.page("k", lambda: [2]) == b"[2]"


class _Schema:
    """Stands in for a marshmallow schema: dumps what the entity holds now."""

    @staticmethod
    def dump(obj):
        return {"id": obj.id, "name": obj.name}


class _Entity:
    def __init__(self, ident, name):
        self.id, self.name = ident, name


def test_a_wire_form_is_kept_until_its_entity_is_announced(switch):
    switch(VERIFY_ENV, None)

    class World(pagecache.CachedWorld):
        def __init__(self):
            self.wire_cache, self.pages = pagecache.WireCache(), PageCache()

    world, a, b = World(), _Entity("a", "Ann"), _Entity("b", "Bob")
    world.wire_cache.dump(_Schema(), a), world.wire_cache.dump(_Schema(), b)
    world.pages.page("k", lambda: [1])
    a.name = "Anna"
    assert world.wire_cache.dump(_Schema(), a)["name"] == "Ann"  # not announced: the cached form answers
    world.changed(a)
    assert world.wire_cache.dump(_Schema(), a)["name"] == "Anna" and "b" in world.wire_cache
    assert len(world.pages) == 0  # any change drops every page
    world.changed()  # the entity unknown: every form goes
    assert not world.wire_cache


def test_verify_mode_fails_loudly_on_a_stale_wire_form(switch):
    switch(VERIFY_ENV, "1")
    cache, entity = pagecache.WireCache(), _Entity("a", "Ann")
    assert cache.dump(_Schema(), entity) == cache.dump(_Schema(), entity) == {"id": "a", "name": "Ann"}
    entity.name = "Anna"  # a write that did not announce itself
    with pytest.raises(StalePage):
        cache.dump(_Schema(), entity)
    assert cache.dump(_Schema(), entity)["name"] == "Anna"  # the stale form was dropped
    cache.form("a", "line", lambda: {"v": 1})
    with pytest.raises(StalePage):
        cache.form("a", "line", lambda: {"v": 2})
    assert pickle.loads(pickle.dumps(cache)) == {}  # derived data: restored empty


def test_a_list_page_keeps_its_items_bytes_only_and_of_their_own_size(switch):
    """``WireCache.encoded``: the encoded form is kept, not the dict it came from, and in an object of the text's
    size (orjson's own allocation is about ten times the text: 16 KB for a 1.6 KB user)."""
    switch(VERIFY_ENV, None)
    cache, entity = pagecache.WireCache(), _Entity("a", "x" * 1500)
    tracemalloc.start()
    try:
        body = cache.encoded(_Schema(), entity)
        kept = cache["a"][_Schema]
        allocated = _allocated(kept)
    finally:
        tracemalloc.stop()
    assert encode_json(body) == kept == encode_json({"id": "a", "name": "x" * 1500})  # a Fragment: its bytes
    assert list(cache["a"]) == [_Schema]  # no dict form kept
    assert allocated < 2 * len(kept), allocated
    assert cache.encoded(_Schema(), entity) is not None and cache["a"][_Schema] is kept  # a hit: the same bytes


def _allocated(obj):
    """The bytes tracemalloc saw allocated for ``obj``'s memory block."""
    snapshot = tracemalloc.take_snapshot()
    frame = tracemalloc.get_object_traceback(obj)[0]
    return max(stat.size for stat in snapshot.statistics("traceback") if stat.traceback[0] == frame)
