"""Keep every tenant across restarts in one SQLite database (``--state-file``).

One row per entity: each world's entity tables (its ``dict`` fields, and those of a nested holder such as
Absorb's ``reference``) are rows keyed by (tenant, vendor, table, key), each in the JSON text of
``core.statecodec``; a world's other fields (its random generator, its key...) are one row; a tenant's
header (seed, anchor, clock, fault rules, rate limits, stubs) and fixture are one row. Indexes a world derives
from its entities (``DERIVED``) are not kept: ``reindex()`` rebuilds them on load. Journals are not kept.

What a write changed is known, not searched for: once a world is kept, its tables are ``TrackedDict``s that
note each key set or removed, and ``world.changed(entity)`` (the cache rule's one notification, which every
write already makes) notes the entity's key in each table that holds it. The save after an acknowledged write
(a POST/PUT/PATCH/DELETE answered below 400, or a request a fault rule fired on) writes those rows and the
tenant's small rows in one transaction (SQLite in WAL mode, ``synchronous=FULL``), before the answer leaves:
its cost follows the write, not the number of tenants or the size of the world
(``bench/bench_statewrite.py``).

A save that fails (a full disk, a read-only file) is rolled back, the tenant is read again from the
database, so memory and disk agree (the write is not applied), and the request is answered 507 (no space) or
503 (anything else) in its vendor's shape with the cause (``SaveFailed``).

The file holds data only (``core.statecodec``): nothing in it can run code. The pickled files of earlier
versions are refused with one line, unread.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from . import gcpolicy, statecodec
from .clock import Clock
from .errors import EmulatorError
from .staterows import KeptWorld, Op, build_world
from .store import Store, Tenant

FORMAT = "lms-emulator-state/3"  # SQLite, a row per entity
SQLITE_MAGIC = b"SQLite format 3\x00"
log = logging.getLogger("lms_emulator.persistence")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, header TEXT NOT NULL, fixture TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS worlds (tenant TEXT NOT NULL, vendor TEXT NOT NULL, fields TEXT NOT NULL,
                                   PRIMARY KEY (tenant, vendor));
CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, vendor TEXT NOT NULL,
                                 tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                                 UNIQUE (tenant, vendor, tbl, key));
"""


def read_only(view: Any) -> Any:
    """Mark a POST route that changes no kept state (a query sent as POST, a stateless token): with
    ``--state-file`` its answer does not wait for a save."""
    view.__dict__["read_only"] = True
    return view


def changes_state(view: Any) -> bool:
    return not getattr(view, "read_only", False)


class StateError(RuntimeError):
    """The state file exists but cannot be read."""


class InsufficientStorage(EmulatorError):
    status, term, default_message = 507, "InsufficientStorage", "The state file is full: the write was not kept."


class ServiceUnavailable(EmulatorError):
    status, term = 503, "ServiceUnavailable"
    default_message = "The state file cannot be written: the write was not kept."


SaveFailed = (InsufficientStorage, ServiceUnavailable)


# -- a tenant's header -------------------------------------------------------------------------------------

def _header(tenant: Tenant) -> str:
    clock = tenant.clock
    return statecodec.dumps({
        "seed": tenant.seed, "anchor": tenant.anchor, "created_at": tenant.created_at,
        "incarnation": tenant.incarnation, "users": tenant.users,
        "clock": (clock.frozen_at, clock.offset, clock.floor),
        # a tenant's parts the header keeps (not its journal or deliveries)
        "faults": tenant.faults, "rate_limits": tenant.rate_limits or None, "stubs": tenant.stubs})


def _tenant(tenant_id: str, header_text: str, fixture_text: str, worlds: dict[str, Any]) -> Tenant:
    header = statecodec.loads(header_text)
    frozen_at, offset, floor = header["clock"]
    clock = Clock(floor=floor)
    clock.restore(frozen_at, offset or timedelta(0))
    tenant = Tenant(id=tenant_id, seed=header["seed"], anchor=header["anchor"], clock=clock, worlds=worlds,
                    fixture=statecodec.loads(fixture_text), created_at=header["created_at"],
                    incarnation=header["incarnation"], users=header.get("users"))
    tenant.faults = header.get("faults") or None
    tenant.rate_limits = header.get("rate_limits") or {}
    tenant.stubs = header.get("stubs") or None
    return tenant


@dataclasses.dataclass
class KeptTenant:
    tenant: Tenant
    fixture: Any
    worlds: dict[str, KeptWorld]


# -- the file ------------------------------------------------------------------------------------------------

class StateFile:
    def __init__(self, path: str | os.PathLike[str], store: Store) -> None:
        self.path = Path(path).resolve()
        self.store = store
        self._lock = threading.Lock()  # one transaction at a time, on one connection
        self._kept: dict[str, KeptTenant] = {}  # tenant id -> what the database holds of it
        self._db: sqlite3.Connection | None = None
        self._remove_stale_temporaries()

    def _remove_stale_temporaries(self) -> None:
        """Older versions wrote ``.<name>.*.tmp`` beside the file and a kill could leave one: removed at start."""
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def _refuse(self, why: str) -> StateError:
        return StateError(f"cannot read the state file {self.path}: {why}")

    def _open(self) -> sqlite3.Connection:
        if self.path.exists() and self.path.stat().st_size:
            with open(self.path, "rb") as fh:
                head = fh.read(len(SQLITE_MAGIC))
            if head != SQLITE_MAGIC:
                if head[:1] == b"\x80":
                    raise self._refuse("it is the pickled file of an older lms-emulator, which this version does "
                                       "not read (a pickle can run code); move it aside to start afresh")
                raise self._refuse("it is not an lms-emulator state file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            found = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if found is None:
                db.execute("INSERT INTO meta (key, value) VALUES ('format', ?)", (FORMAT,))
            elif found[0] != FORMAT:
                raise self._refuse(f"its format is {found[0]!r}, this version reads {FORMAT!r}")
        except sqlite3.Error as exc:
            raise self._refuse(f"{type(exc).__name__}: {exc}") from exc
        return db

    # -- reading ---------------------------------------------------------------------------
    def load(self) -> list[Tenant]:
        """The tenants in the file (none when it does not exist yet)."""
        if self._db is None:
            self._db = self._open()
        try:
            # no collection while the worlds are made again (see core.gcpolicy), frozen after in a server
            with self._lock, gcpolicy.paused():
                ids = [row[0] for row in self._db.execute("SELECT id FROM tenants ORDER BY rowid")]
                tenants = [tenant for tenant in (self._read(tenant_id) for tenant_id in ids) if tenant is not None]
                gcpolicy.settle()
                return tenants
        except (sqlite3.Error, statecodec.CodecError, KeyError, TypeError, ValueError) as exc:
            raise self._refuse(f"{type(exc).__name__}: {exc}") from exc

    def _read(self, tenant_id: str) -> Tenant | None:
        """One tenant as the database holds it (None: not there), now what is kept of it."""
        assert self._db is not None
        found = self._db.execute("SELECT header, fixture FROM tenants WHERE id = ?", (tenant_id,)).fetchone()
        if found is None:
            self._kept.pop(tenant_id, None)
            return None
        tables: dict[str, dict[str, dict[Any, Any]]] = {}
        for vendor, tbl, key, value in self._db.execute(
                "SELECT vendor, tbl, key, value FROM rows WHERE tenant = ? ORDER BY id", (tenant_id,)):
            tables.setdefault(vendor, {}).setdefault(tbl, {})[statecodec.loads(key)] = statecodec.loads(value)
        worlds = {vendor: build_world(fields, tables.get(vendor, {})) for vendor, fields in self._db.execute(
            "SELECT vendor, fields FROM worlds WHERE tenant = ? ORDER BY rowid", (tenant_id,))}
        tenant = _tenant(tenant_id, found[0], found[1], worlds)
        kept = KeptTenant(tenant, tenant.fixture, {name: KeptWorld(world) for name, world in worlds.items()})
        for world in kept.worlds.values():
            world.full = False
        self._kept[tenant_id] = kept
        return tenant

    # -- writing ---------------------------------------------------------------------------
    def save(self, tenants: Iterable[Tenant] | None = None) -> None:
        """Write what changed, in one transaction, returning once it is on disk; ``tenants``: those the request
        touched (None: every tenant, and any deleted). On failure, each is read back from the database and
        ``SaveFailed`` is raised."""
        if self._db is None:
            self._db = self._open()
        with self._lock:
            ids = list(self.store.tenants) + [i for i in self._kept if i not in self.store.tenants] \
                if tenants is None else [t.id for t in tenants]
            ops: list[Op] = []
            for tenant_id in dict.fromkeys(ids):
                ops.extend(self._tenant_ops(tenant_id))
            if not ops:
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for sql, batch in _batches(ops):
                    self._db.executemany(sql, batch)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                self._recover(ids)
                raise _failure(exc) from exc

    def _tenant_ops(self, tenant_id: str) -> list[Op]:
        tenant = self.store.tenants.get(tenant_id)
        kept = self._kept.get(tenant_id)
        if tenant is None:
            if kept is None:
                return []
            del self._kept[tenant_id]
            return [(f"DELETE FROM {table} WHERE {column} = ?", (tenant_id,))
                    for table, column in (("rows", "tenant"), ("worlds", "tenant"), ("tenants", "id"))]
        ops: list[Op] = []
        with tenant.lock:
            if kept is None or kept.tenant is not tenant:
                ops += [(f"DELETE FROM {table} WHERE tenant = ?", (tenant_id,)) for table in ("rows", "worlds")]
                ops.append(("DELETE FROM tenants WHERE id = ?", (tenant_id,)))
                kept = self._kept[tenant_id] = KeptTenant(tenant, _UNSET, {})
            fixture_changed = kept.fixture is not tenant.fixture
            ops.append(("INSERT INTO tenants (id, header, fixture) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                        "header = excluded.header" + (", fixture = excluded.fixture" if fixture_changed else ""),
                        (tenant_id, _header(tenant), statecodec.dumps(tenant.fixture) if fixture_changed else "")))
            kept.fixture = tenant.fixture
            for vendor, world in tenant.worlds.items():
                kept_world = kept.worlds.get(vendor)
                if kept_world is None or kept_world.world is not world:
                    kept_world = kept.worlds[vendor] = KeptWorld(world)
                ops.extend(kept_world.ops(tenant_id, vendor))
        return ops

    def _recover(self, tenant_ids: Iterable[str]) -> None:
        """After a failed transaction: each tenant as the database holds it, in the store again."""
        for tenant_id in dict.fromkeys(tenant_ids):
            self._kept.pop(tenant_id, None)
            try:
                restored = self._read(tenant_id)
            except Exception:  # noqa: BLE001 - the database cannot even be read: the failure is answered anyway
                log.exception("cannot read tenant %r back from the state file", tenant_id)
                continue
            with self.store.lock:
                current = self.store.tenants.get(tenant_id)
                if restored is None:
                    if current is not None:
                        self.store.delete(tenant_id)
                    continue
                if current is not None:  # what is not kept (the journal, deliveries) goes on as it was
                    restored.journal, restored.deliveries = current.journal, current.deliveries
                self.store.adopt(restored)

    def kept(self, tenant: Tenant) -> bool:
        """Whether ``tenant`` is the store's (a write made on a tenant replaced or deleted meanwhile is lost)."""
        return self.store.tenants.get(tenant.id) is tenant

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


_UNSET: Any = object()  # a fixture never written


def _batches(ops: list[Op]) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Consecutive statements of the same text as one ``executemany`` (a new world is hundreds of rows)."""
    out: list[tuple[str, list[tuple[Any, ...]]]] = []
    for sql, params in ops:
        if out and out[-1][0] == sql:
            out[-1][1].append(params)
        else:
            out.append((sql, [params]))
    return out


def _failure(exc: sqlite3.Error) -> EmulatorError:
    code = getattr(exc, "sqlite_errorcode", None)
    full = code == getattr(sqlite3, "SQLITE_FULL", 13) or "full" in str(exc).lower()
    cls: Callable[..., EmulatorError] = InsufficientStorage if full else ServiceUnavailable
    return cls(f"The emulator could not keep this write in its state file ({exc}); nothing was changed.")
