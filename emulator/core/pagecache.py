"""What a vendor world keeps derived from its state, and the one notification that drops it.

A list request with ``_filter`` and ``_sort`` costs more than everything else the emulator does
for it (parsing the query, filtering, sorting, building the envelope, encoding ~14 KB of JSON),
and test suites ask the same page again and again between writes. So a world keeps two caches:

- ``pages`` (``PageCache``): encoded list answers by ``(path, query string, caller)`` (``page_key``);
- ``wire_cache`` (``WireCache``): each entity's wire forms (entity id -> {schema name: wire dict, and the
  same encoded as JSON for list pages}).

**The rule.** Every write to a world announces itself once: ``world.changed(entity)`` (``CachedWorld``),
called by the service function that writes, under the tenant's lock, before the write's answer leaves.
It drops that entity's wire forms (every form when the entity is unknown: ``changed()``) and every cached
page: invalidation of pages is coarse on purpose. A reset or a fixture builds a new world, caches empty.
Errors are never cached (the compute function raises instead of returning). A cached page may be read
without the lock (``PageCache.hit``, one dict read): a write clears the pages before its own answer
leaves, so a read that follows a write's answer always misses.

``LMS_EMULATOR_VERIFY_PAGES=1`` (set by the test suite) trusts no cache: every page hit is recomputed,
and every wire form served from the cache is dumped again, and either failing to match fails loudly
(``StalePage``): every request in the tests checks that no write forgot to announce itself.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, ClassVar

from flask import request

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11; only read by type checkers

    from .store import Tenant

from .http import MEMO_KEY_LIMIT
from .wire import encode_json, encoded

MAX_PAGES = 256  # per world; past it the cache starts over (test suites ask a handful of pages)
MAX_CACHED_BODY = 16 * 1024  # a query sent as a POST body is a key only up to this size (keys stay small)
MAX_KEY_SIZE = MAX_CACHED_BODY + 2 * MEMO_KEY_LIMIT  # characters of a key's texts: longer keys are not cached
VERIFY_ENV = "LMS_EMULATOR_VERIFY_PAGES"


def _key_size(key: Hashable) -> int:
    parts = key if isinstance(key, tuple) else (key,)
    return sum(len(part) for part in parts if isinstance(part, (str, bytes)))


def verifying() -> bool:
    """Verify mode (``LMS_EMULATOR_VERIFY_PAGES=1``): no cache is trusted."""
    return os.environ.get(VERIFY_ENV) == "1"


class StalePage(RuntimeError):
    """A cached page or wire form differed from a fresh one: a write did not announce itself."""


def page_key(path: str, query: bytes, caller: str) -> tuple[str, bytes, str]:
    """The key of an answer in a page cache: path, query string and the caller's id."""
    return (path, query, caller)


def request_page_key(caller: str) -> tuple[str, bytes, str]:
    """``page_key`` of the current Flask request (the page step, ``core.pipeline.PageStep``, has no Flask
    request: it calls ``page_key``)."""
    return page_key(request.path, request.query_string, caller)


class PageCache:
    __slots__ = ("_pages", "verify")

    def __init__(self) -> None:
        self._pages: dict[Hashable, bytes] = {}
        self.verify = verifying()

    def page(self, key: Hashable, build: Callable[[], Any]) -> bytes:
        """The encoded page for ``key``; ``build()`` makes its content (or raises) on a miss."""
        body = self._pages.get(key)
        if body is None:
            body = encode_json(build())
            if _key_size(key) > MAX_KEY_SIZE:  # a long path or query: answered, not remembered
                return body
            if len(self._pages) >= MAX_PAGES:
                self._pages.clear()
            self._pages[key] = body
        elif self.verify and (fresh := encode_json(build())) != body:
            self._pages.clear()
            raise StalePage(f"the cached page for {key!r} is stale: {body[:200]!r} != {fresh[:200]!r}")
        return body

    def cached(self, key: Hashable) -> bytes | None:
        """The cached page for ``key`` to answer without building, or None; one dict read, safe without
        the tenant lock. Always None in verify mode, where every hit is built again (``page``)."""
        return None if self.verify else self._pages.get(key)

    def clear(self) -> None:
        self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (``--state-file``) or copied empty: cached pages are derived data."""
        return (PageCache, ())


class WireCache(dict):
    """Entity id -> {variant: wire form}, so that a world drops every form of an entity at once."""

    __slots__ = ("verify",)

    def __init__(self) -> None:
        super().__init__()
        self.verify = verifying()

    def dump(self, schema: Any, obj: Any) -> dict[str, Any]:
        """The wire form of ``obj`` through the marshmallow ``schema`` (the variant is the schema's class)."""
        try:
            forms = self[obj.id]
        except KeyError:
            forms = self[obj.id] = {}
        name = type(schema).__name__
        wire = forms.get(name)
        if wire is None:
            wire = forms[name] = schema.dump(obj)
        elif self.verify:
            self._check(obj.id, name, wire, schema.dump(obj))
        return wire

    def encoded(self, schema: Any, obj: Any) -> Any:
        """``dump``'s wire form, encoded once (``wire.encoded``): a list page copies its items' bytes."""
        return encoded(self.form(obj.id, (type(schema).__name__, bytes), lambda: encode_json(self.dump(schema, obj))))

    def form(self, entity_id: str, variant: Hashable, make: Callable[[], Any]) -> Any:
        """The wire form ``variant`` of an entity, ``make()`` building it on a miss."""
        forms = self.setdefault(entity_id, {})
        wire = forms.get(variant)
        if wire is None:
            wire = forms[variant] = make()
        elif self.verify:
            self._check(entity_id, variant, wire, make())
        return wire

    def _check(self, entity_id: str, variant: Hashable, cached: dict[str, Any], fresh: dict[str, Any]) -> None:
        if cached != fresh:
            self.clear()
            raise StalePage(f"the cached {variant} form of '{entity_id}' is stale: {cached!r} != {fresh!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled or copied empty, as ``PageCache``."""
        return (WireCache, ())


class CachedWorld:
    """Base of a vendor world: its ``wire_cache`` and (if it has one) ``pages``, and ``changed``."""

    wire_cache: WireCache
    pages: PageCache | None = None  # a dataclass field in the worlds that cache pages
    # ``--state-file``: told of every change too (``core.persistence.KeptWorld.changed``), so a save writes the
    # rows of the entities changed
    persist_hook: Callable[[Any], None] | None = None
    VENDOR: ClassVar[str]  # the vendor's name: the key of its world in ``Tenant.worlds``

    @classmethod
    def of(cls, tenant: Tenant) -> Self:
        """The tenant's world of this vendor, typed (``AbsorbWorld.of(tenant)``); ``Tenant.world(name)`` is the
        untyped form for code that serves every vendor alike."""
        world = tenant.worlds[cls.VENDOR]
        if not isinstance(world, cls):
            raise TypeError(f"the tenant's {cls.VENDOR} world is a {type(world).__name__}, not a {cls.__name__}")
        return world

    def changed(self, entity: Any = None) -> None:
        """The one change notification: ``entity`` (or its id) was created, edited or removed; None: any part
        of the world may have. Drops the entity's wire forms (all of them for None) and every cached page."""
        if entity is None:
            self.wire_cache.clear()
        else:
            self.wire_cache.pop(entity if isinstance(entity, str) else entity.id, None)
        if self.pages is not None:
            self.pages.clear()
        if self.persist_hook is not None:
            self.persist_hook(entity)
