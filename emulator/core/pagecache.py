"""What a vendor world keeps derived from its state, and the one notification that drops it.

A list request with ``_filter`` and ``_sort`` costs more than everything else the emulator does
for it (parsing the query, filtering, sorting, building the envelope, encoding ~14 KB of JSON),
and test suites ask the same page again and again between writes. So a world keeps two caches:

- ``pages`` (``PageCache``): encoded list answers by ``(path, query string, caller)`` (``page_key``);
- ``wire_cache`` (``WireCache``): each entity's wire forms (entity id -> {schema name: wire dict, and the
  same encoded as JSON for list pages}).

**The rule.** Every write to a world announces itself once: ``world.changed(entity)`` (``CachedWorld``),
called by the service function that writes, under the tenant's lock, before the write's answer leaves.
It drops that entity's wire forms (every form when the entity is unknown: ``changed()``) and the cached pages
it can change: those of a list declared to show only the changed entity's class (a list of users: ``kind``
in ``PageCache.answer``) and every page without such a declaration; every page when the entity is unknown
(``changed()``, or an id). The remembered list orders (``OrderCache``) go alike, and the entity is marked in
the world's field indexes (``core.fieldindex``). Pages are bounded by count and by bytes (``MAX_PAGES``,
``MAX_BYTES``), the oldest dropped first. A reset or a fixture builds a new world, caches empty.
Errors are never cached (the compute function raises instead of returning). A cached page may be read
without the lock (``PageCache.hit``, one dict read): a write drops the pages it can change before its own
answer leaves, so a read that follows a write's answer never sees a page that write changed.

``LMS_EMULATOR_VERIFY_PAGES=1`` (set by the test suite) trusts no cache: every page hit is recomputed,
and every wire form served from the cache is dumped again, and either failing to match fails loudly
(``StalePage``): every request in the tests checks that no write forgot to announce itself.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, ClassVar

from flask import request

from .dumper import dump
from .env import switches
from .fieldindex import FieldIndex

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11; only read by type checkers

    from .store import Tenant

from .http import MEMO_KEY_LIMIT
from .wire import encode_json, encode_kept, encoded

MAX_ORDERS = 32  # per world (``OrderCache``)
MAX_PAGES = 256  # per world; past it the oldest page is dropped (test suites ask a handful of pages)
# Bytes of cached bodies per world (``PageCache``): 256 pages of 500 users at 50,000 users were ~196 MB; 16 MiB
# holds every page a test suite asks of the default world many times over, and ~20 pages of 500 users.
MAX_BYTES = 16 * 1024 * 1024
MAX_CACHED_BODY = 16 * 1024  # a query sent as a POST body is a key only up to this size (keys stay small)
MAX_KEY_SIZE = MAX_CACHED_BODY + 2 * MEMO_KEY_LIMIT  # characters of a key's texts: longer keys are not cached


def _key_size(key: Hashable) -> int:
    parts = key if isinstance(key, tuple) else (key,)
    return sum(len(part) for part in parts if isinstance(part, (str, bytes)))


def verifying() -> bool:
    """Verify mode (``LMS_EMULATOR_VERIFY_PAGES=1``): no cache is trusted."""
    return switches().verify_pages


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
    """Encoded pages by key, at most ``MAX_PAGES`` of them and ``MAX_BYTES`` of bodies (the oldest dropped first).

    A page may name the one entity class it shows (``kind``: a list of users shows users and nothing else): a
    write announcing an entity of another class keeps it (``drop``). A page without a kind is dropped by every
    write."""

    __slots__ = ("_pages", "_kinds", "_bytes", "verify")

    def __init__(self) -> None:
        self._pages: dict[Hashable, bytes] = {}
        self._kinds: dict[type | None, dict[Hashable, None]] = {}  # kind -> its pages' keys (None: no kind)
        self._bytes = 0
        self.verify = verifying()

    def page(self, key: Hashable, build: Callable[[], Any],
             kind_of: Callable[[], type | None] | None = None) -> bytes:
        """The encoded page for ``key``; ``build()`` makes its content (or raises) on a miss; ``kind_of()``, asked
        after it, names the one entity class the page shows (None: any write may change it)."""
        body = self._pages.get(key)
        if body is None:
            body = encode_json(build())
            if _key_size(key) > MAX_KEY_SIZE or len(body) > MAX_BYTES:  # answered, not remembered
                return body
            while self._pages and (len(self._pages) >= MAX_PAGES or self._bytes + len(body) > MAX_BYTES):
                self._forget(next(iter(self._pages)))
            self._pages[key] = body
            self._bytes += len(body)
            self._kinds.setdefault(kind_of() if kind_of is not None else None, {})[key] = None
        elif self.verify and (fresh := encode_json(build())) != body:
            self.clear()
            raise StalePage(f"the cached page for {key!r} is stale: {body[:200]!r} != {fresh[:200]!r}")
        return body

    def cached(self, key: Hashable) -> bytes | None:
        """The cached page for ``key`` to answer without building, or None; one dict read, safe without
        the tenant lock. Always None in verify mode, where every hit is built again (``page``)."""
        return None if self.verify else self._pages.get(key)

    def drop(self, kind: type | None) -> None:
        """What a write can change: the pages of ``kind`` and those without a kind (every page for None)."""
        if kind is None:
            self.clear()
            return
        for which in (None, kind):
            keys = self._kinds.pop(which, None)
            for key in keys or ():
                self._bytes -= len(self._pages.pop(key))

    def _forget(self, key: Hashable) -> None:
        self._bytes -= len(self._pages.pop(key))
        for keys in self._kinds.values():
            if keys.pop(key, 0) is None:
                return

    def clear(self) -> None:
        self._pages.clear()
        self._kinds.clear()
        self._bytes = 0

    @property
    def size(self) -> int:
        """Bytes of the cached bodies."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._pages)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (``--state-file``) or copied empty: cached pages are derived data."""
        return (PageCache, ())


class OrderCache:
    """The filtered and sorted items of a list by query, paging left out (``paging.query_list``), until the next
    write: a pass over a long list, page after page, filters and sorts it once, not once a page (issue 32).

    Keyed by the path, the caller and the query's other parameters (``order_key``), as the page cache is, so
    it holds what the page cache would (the clock drives no list's order either). A write clears it with the
    pages (``CachedWorld.changed``). At most ``MAX_ORDERS`` orders, the oldest dropped first (one is a list of
    references: 400 KB for 50,000 items). In verify mode each use recomputes the order and compares."""

    __slots__ = ("_orders", "_kinds", "verify")

    def __init__(self) -> None:
        self._orders: dict[Hashable, list[Any]] = {}
        self._kinds: dict[Hashable, type | None] = {}  # key -> the entity class its list shows (``PageCache``)
        self.verify = verifying()

    def ordered(self, key: Hashable, compute: Callable[[], list[Any]], kind: type | None = None) -> list[Any]:
        """The remembered order for ``key``; ``compute()`` makes it (or raises) when there is none."""
        found = self._orders.get(key)
        if found is None:
            found = compute()
            if len(self._orders) >= MAX_ORDERS:
                oldest = next(iter(self._orders))
                del self._orders[oldest], self._kinds[oldest]
            self._orders[key] = found
            self._kinds[key] = kind
        elif self.verify and (fresh := compute()) != found:
            self._orders.clear()
            raise StalePage(f"the remembered order for {key!r} is stale: {len(found)} items, {len(fresh)} now")
        return found

    def drop(self, kind: type | None) -> None:
        """What a write can change, as ``PageCache.drop``: the orders of ``kind`` and those without one."""
        if kind is None:
            self.clear()
            return
        for key in [k for k, shows in self._kinds.items() if shows is None or shows is kind]:
            del self._orders[key], self._kinds[key]

    def clear(self) -> None:
        self._orders.clear()
        self._kinds.clear()

    def __len__(self) -> int:
        return len(self._orders)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled or copied empty, as ``PageCache``."""
        return (OrderCache, ())


PAGING_NAMES = frozenset({"_limit", "_offset", "limit", "offset"})


def order_key(page: Any, args: Any) -> tuple[Hashable, ...]:
    """The key of a list's order in an ``OrderCache``: the page key's path and caller (``page_key``), and the
    query's parameters but paging."""
    pairs = args.items(multi=True) if hasattr(args, "getlist") else args.items()
    return (page[0], page[2], *(pair for pair in pairs if pair[0] not in PAGING_NAMES))


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
            wire = forms[name] = dump(schema, obj)
        if self.verify:  # against marshmallow's own dump: a stale form, or a plan that differs, is a StalePage
            self._check(obj.id, name, wire, schema.dump(obj))
        return wire

    def peek(self, schema: Any, obj: Any) -> dict[str, Any]:
        """``dump``'s answer, without keeping a form it had to make (a whole world's dump, ``data.json``, would
        otherwise hold every entity's wire form for good)."""
        forms = self.get(obj.id)
        name = type(schema).__name__
        if forms is not None and name in forms:
            return self.dump(schema, obj)
        wire = dump(schema, obj)
        if self.verify:
            self._check(obj.id, name, wire, schema.dump(obj))
        return wire

    def encoded(self, schema: Any, obj: Any) -> Any:
        """``dump``'s wire form, encoded once (``wire.encoded``): a list page copies its items' bytes.

        The bytes are kept under the schema's class (the dict form is under its name), and only they: not the dict
        they were encoded from (``peek``; an entity's own read makes and keeps its dict). At 50,000 users those
        dicts were ~5 KB a user, and their ~4 objects the cyclic collector tracks, each, made the first pass over
        the users pay for collections (issue 32). The bytes are of their own size (``wire.encode_kept``)."""
        forms = self.get(obj.id)
        body = forms.get(type(schema)) if forms is not None and not self.verify else None
        if body is None:  # made (or, in verify mode, checked) by ``form``
            body = self.form(obj.id, type(schema), lambda: encode_kept(self.peek(schema, obj)))
        return encoded(body)

    def form(self, entity_id: str, variant: Hashable | type, make: Callable[[], Any]) -> Any:
        """The wire form ``variant`` of an entity, ``make()`` building it on a miss."""
        forms = self.setdefault(entity_id, {})
        wire = forms.get(variant)
        if wire is None:
            wire = forms[variant] = make()
        elif self.verify:
            self._check(entity_id, variant, wire, make())
        return wire

    def _check(self, entity_id: str, variant: Hashable | type, cached: dict[str, Any], fresh: dict[str, Any]) -> None:
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
    orders: OrderCache | None = None  # likewise, in the worlds that remember list orders
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

    def field_indexes(self) -> tuple[FieldIndex, ...]:
        """The world's ``FieldIndex``es, told of every change (none unless a world says)."""
        return ()

    def changed(self, entity: Any = None) -> None:
        """The one change notification: ``entity`` (or its id) was created, edited or removed; None: any part
        of the world may have. Drops the entity's wire forms (all of them for None) and every cached page."""
        if entity is None:
            self.wire_cache.clear()
        else:
            self.wire_cache.pop(entity if isinstance(entity, str) else entity.id, None)
        kind = None if entity is None or isinstance(entity, str) else type(entity)
        if self.pages is not None:
            self.pages.drop(kind)
        if self.orders is not None:
            self.orders.drop(kind)
        for index in self.field_indexes():
            index.changed(entity)
        if self.persist_hook is not None:
            self.persist_hook(entity)
