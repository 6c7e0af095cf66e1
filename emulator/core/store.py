"""Tenants and their worlds: the only mutable state of the emulator.

A tenant is an isolated universe holding one world per vendor, its own clock,
request journal and fault rules. Vendors find the tenant of a request from its
credentials (``tenant_for(vendor, key)``). Writes to a tenant's worlds happen
under ``tenant.lock``; the tenant table has its own lock.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import gcpolicy
from .clock import Clock
from .seedrandom import SeedRandom
from .errors import Conflict, NotFound
from .vendor import Vendor, WorldContext
from . import ratelimit
from .wire import parse_iso_datetime

if TYPE_CHECKING:  # the types of a tenant's parts; their modules import this one
    from .faults import FaultSet
    from .journal import Journal
    from .outbound import Deliveries
    from .ratelimit import Bucket
    from .stubs import StubSet

DEFAULT_TENANT = "default"
_KEEP: Any = object()  # reset(): keep the tenant's fixture


def derive_seed(seed: int, tenant_id: str, vendor: str) -> int:
    """A stable integer from (seed, tenant, vendor): same inputs, same world."""
    digest = hashlib.sha256(f"{seed}:{tenant_id}:{vendor}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def day_anchor(instant: datetime) -> datetime:
    """Seeded dates hang off the start of the tenant's creation day (UTC)."""
    return instant.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class Tenant:
    id: str
    seed: int
    anchor: datetime
    clock: Clock
    worlds: dict[str, Any]
    fixture: dict[str, Any] | None = None
    created_at: datetime | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    # The parts core modules keep per tenant, each made on first use by its module (``journal_of``,
    # ``faults_of``, ``stubs_of``, ``deliveries_of``) under ``first_use``; a state file keeps faults, rate
    # limits and stubs (``core.persistence``), not the journal or the deliveries.
    journal: Journal | None = None
    faults: FaultSet | None = None
    stubs: StubSet | None = None
    deliveries: Deliveries | None = None
    rate_limits: dict[str, Bucket] = field(default_factory=dict)  # by vendor; empty: no limit
    first_use: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # This tenant's life, from creation to deletion: a tenant deleted and created again under the same id
    # (and seed) is another incarnation, and what the first one signed (Pearson tokens) is not the second's.
    incarnation: str = field(default_factory=lambda: secrets.token_hex(8))
    users: int | None = None  # the seeded world's size (core.scale); None: the default world


    def world(self, vendor: str) -> Any:
        """The world of ``vendor`` by name, for code that serves every vendor alike; a vendor's own code reads
        its world typed: ``AbsorbWorld.of(tenant)`` (``core.pagecache.CachedWorld.of``)."""
        return self.worlds[vendor]


def fixture_anchor(fixture: dict[str, Any] | None) -> datetime | None:
    """A fixture's own ``anchor`` (checked by admin.fixtures when the fixture was read)."""
    text = (fixture or {}).get("anchor")
    return parse_iso_datetime(text) if isinstance(text, str) else None


class Store:
    def __init__(self, vendors: Iterable[Vendor], *, seed: int = 42, anchor: datetime | None = None,
                 rate_limited: Iterable[str] = (), users: int | None = None) -> None:
        self.vendors = {v.name: v for v in vendors}
        self.users = users  # every new tenant's world size unless it names its own (--users)
        self.seed = seed
        self.anchor = anchor  # every new tenant's anchor unless it names its own (--anchor)
        self.rate_limited = tuple(rate_limited)  # vendors whose documented rate limit every new tenant gets
        for name in self.rate_limited:
            vendor = self.vendors.get(name)
            if vendor is None or vendor.rate_limit is None:
                documented = sorted(n for n, v in self.vendors.items() if v.rate_limit)
                raise ValueError(f"rate limit: '{name}' is not a vendor with a documented rate limit "
                                 f"(those are: {', '.join(documented)})")
        self.lock = threading.RLock()
        self.tenants: dict[str, Tenant] = {}
        self._keys: dict[tuple[str, str], Tenant] = {}  # (vendor, key) -> the tenant object, not its id

    # -- building -----------------------------------------------------------
    def _build_worlds(self, tenant_id: str, seed: int, anchor: datetime,
                      fixture: dict[str, Any] | None, incarnation: str, users: int | None = None) -> dict[str, Any]:
        worlds = {}
        build = secrets.token_hex(8)
        with gcpolicy.paused():  # a large world's objects are not walked by full collections while it grows
            for name, vendor in self.vendors.items():
                rng = SeedRandom(derive_seed(seed, tenant_id, name))
                part = (fixture or {}).get(name)
                ctx = WorldContext(tenant_id=tenant_id, seed=seed, anchor=anchor, rng=rng, fixture=part,
                                   incarnation=incarnation, build=build, users=users)
                worlds[name] = vendor.build_world(ctx)
        gcpolicy.settle()  # in a server: the new worlds join the frozen, never-scanned objects
        return worlds

    def create_tenant(self, tenant_id: str | None = None, *, seed: int | None = None,
                      fixture: dict[str, Any] | None = None, now: datetime | None = None,
                      anchor: datetime | None = None, users: int | None = None) -> Tenant:
        """A new tenant. Its seeded dates hang off ``anchor`` (else the fixture's, else the store's); with
        one, its clock starts frozen there, so the world is the same on any day. Without one: the start of
        today (UTC), with the clock running. ``users``: the seeded world's size (else the store's; a fixture
        replaces the seeded world, size and all)."""
        tenant_id = tenant_id or "t-" + secrets.token_hex(6)
        seed = self.seed if seed is None else seed
        clock = Clock()
        anchor = anchor or fixture_anchor(fixture) or self.anchor
        if now is not None or anchor is not None:
            clock.freeze(now or anchor)
        anchor = anchor or day_anchor(clock.now())
        clock.floor = anchor
        incarnation = secrets.token_hex(8)
        users = self.users if users is None else users
        worlds = self._build_worlds(tenant_id, seed, anchor, fixture, incarnation, users)
        tenant = Tenant(id=tenant_id, seed=seed, anchor=anchor, clock=clock, worlds=worlds,
                        fixture=fixture, created_at=clock.now(), incarnation=incarnation, users=users)
        if self.rate_limited:
            for name in self.rate_limited:
                ratelimit.enable(tenant, name, *self.vendors[name].rate_limit)  # type: ignore[misc]
        with self.lock:
            if tenant_id in self.tenants:
                raise Conflict(f"tenant '{tenant_id}' already exists")
            self.tenants[tenant_id] = tenant
            self._index(tenant)
        return tenant

    def reset(self, tenant_id: str, *, fixture: Any = _KEEP) -> Tenant:
        """Rebuild the tenant's worlds from its seed, fixture and anchor; the clock is kept.

        With ``fixture`` the tenant is rebuilt with that fixture instead (None: none). The new
        worlds are built first, so a fixture that fails leaves the tenant as it was. A tenant deleted
        while its worlds were being built stays deleted (404).
        """
        tenant = self.get(tenant_id)
        chosen = tenant.fixture if fixture is _KEEP else fixture
        anchor = tenant.anchor if fixture is _KEEP else (fixture_anchor(chosen) or tenant.anchor)
        with tenant.lock:
            worlds = self._build_worlds(tenant.id, tenant.seed, anchor, chosen, tenant.incarnation, tenant.users)
            with self.lock:
                self._swap_worlds(tenant, worlds)
                tenant.fixture = chosen
                if anchor != tenant.anchor:  # a fixture with its own anchor: its world, on any day
                    tenant.anchor = tenant.clock.floor = anchor
                    tenant.clock.restore(anchor, timedelta(0))
        return tenant

    def adopt(self, tenant: Tenant) -> None:
        """Take in a tenant built elsewhere (restored from a state file)."""
        with self.lock:
            if tenant.id in self.tenants:
                self._unindex(self.tenants[tenant.id])
            self.tenants[tenant.id] = tenant
            self._index(tenant)

    def _swap_worlds(self, tenant: Tenant, worlds: dict[str, Any]) -> None:
        """New worlds and their keys, under ``self.lock``. The new keys are indexed before the old ones that
        are gone are dropped, so a key both worlds share answers throughout (lookups take no lock)."""
        if self.tenants.get(tenant.id) is not tenant:
            raise NotFound(f"no tenant '{tenant.id}' (deleted meanwhile)")
        old = self._keys_of(tenant.worlds)
        tenant.worlds = worlds
        new = self._keys_of(worlds)
        for key in new:
            self._keys[key] = tenant
        for key in old - new:
            if self._keys.get(key) is tenant:
                del self._keys[key]

    def delete(self, tenant_id: str) -> None:
        with self.lock:
            tenant = self.get(tenant_id)
            self._unindex(tenant)
            del self.tenants[tenant_id]

    # -- lookups ------------------------------------------------------------
    def get(self, tenant_id: str) -> Tenant:
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            raise NotFound(f"no tenant '{tenant_id}'")
        return tenant

    def tenant_for(self, vendor: str, key: str | None) -> Tenant | None:
        """The live tenant a credential names: a key left behind by a deleted incarnation names nothing."""
        if not key:
            return None
        tenant = self._keys.get((vendor, key.strip().lower()))
        return tenant if tenant is not None and self.tenants.get(tenant.id) is tenant else None

    @staticmethod
    def _keys_of(worlds: dict[str, Any]) -> set[tuple[str, str]]:
        return {(name, key.lower()) for name, world in worlds.items() for key in world.tenant_keys()}

    def add_key(self, vendor: str, key: str, tenant: Tenant) -> None:
        """Name the tenant by one more key (a token issued at run time); the world's
        ``tenant_keys()`` must list it too, so a reset or restore drops or re-adds it."""
        with self.lock:
            self._keys[(vendor, key.lower())] = tenant

    def drop_key(self, vendor: str, key: str) -> None:
        with self.lock:
            self._keys.pop((vendor, key.lower()), None)

    def _index(self, tenant: Tenant) -> None:
        for key in self._keys_of(tenant.worlds):
            self._keys[key] = tenant

    def _unindex(self, tenant: Tenant) -> None:
        for key in self._keys_of(tenant.worlds):
            if self._keys.get(key) is tenant:
                del self._keys[key]

