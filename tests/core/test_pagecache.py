"""The page cache: hits skip the work, any clear starts over, verify mode catches a stale page."""
from __future__ import annotations

import pickle

import pytest

from emulator.core import pagecache
from emulator.core.pagecache import PageCache, StalePage


def test_a_hit_does_not_recompute_and_a_clear_does(monkeypatch):
    monkeypatch.delenv(pagecache.VERIFY_ENV, raising=False)
    cache, calls = PageCache(), []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert cache.answer("k", compute) == b'{"n":1}'
    assert cache.answer("k", compute) == b'{"n":1}' and len(calls) == 1
    cache.clear()
    assert cache.answer("k", compute) == b'{"n":2}' and len(calls) == 2


def test_errors_are_not_cached(monkeypatch):
    monkeypatch.delenv(pagecache.VERIFY_ENV, raising=False)
    cache = PageCache()

    def fail():
        raise ValueError("bad filter")

    with pytest.raises(ValueError):
        cache.answer("k", fail)
    assert len(cache) == 0


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.delenv(pagecache.VERIFY_ENV, raising=False)
    cache = PageCache()
    for n in range(pagecache.MAX_PAGES + 5):
        cache.answer(n, lambda: [])
    assert len(cache) <= pagecache.MAX_PAGES


def test_verify_mode_fails_loudly_on_a_stale_page(monkeypatch):
    monkeypatch.setenv(pagecache.VERIFY_ENV, "1")
    cache, state = PageCache(), {"v": 1}
    assert cache.answer("k", lambda: dict(state)) == b'{"v":1}'
    assert cache.answer("k", lambda: dict(state)) == b'{"v":1}'  # unchanged: the hit passes the check
    state["v"] = 2  # a write that did not clear the cache
    with pytest.raises(StalePage):
        cache.answer("k", lambda: dict(state))
    assert cache.answer("k", lambda: dict(state)) == b'{"v":2}'  # the stale page was dropped


def test_pickled_and_restored_empty():
    cache = PageCache()
    cache.answer("k", lambda: [1])
    restored = pickle.loads(pickle.dumps(cache))
    assert isinstance(restored, PageCache) and len(restored) == 0
    assert restored.answer("k", lambda: [2]) == b"[2]"
