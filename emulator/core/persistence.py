"""Keep every tenant across restarts in one state file (``--state-file``).

The file is a pickle (our own file, read only by us) of each tenant's worlds,
seed, anchor, fixture, clock and fault rules; journals are not kept. It is
written atomically after every acknowledged write (a POST/PUT/PATCH/DELETE
answered below 400), before the response leaves: a temporary file in the same
directory, flushed and fsynced, ``os.replace``d over the old one, then the
directory fsynced. A kill at any moment leaves the old or the new file.

To stay cheap, each tenant's header (seed, clock, faults...) and each of its
worlds are pickled on their own under the tenant's lock and the bytes are cached:
a vendor write re-pickles only that vendor's world of the tenant it touched, a
fired fault rule only the header (``bench/bench_statewrite.py`` measures it).
Temporary files a kill left behind are removed at start.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any
from collections.abc import Iterable

from .clock import Clock
from .store import Store, Tenant

FORMAT = "lms-emulator-state/2"  # tenants: {id: (header blob, {world name: blob})}
FORMAT_1 = "lms-emulator-state/1"  # tenants: {id: whole-tenant blob}; still read


def read_only(view: Any) -> Any:
    """Mark a POST route that changes no kept state (a query sent as POST, a stateless token): with
    ``--state-file`` its answer does not wait for a snapshot."""
    view.__dict__["read_only"] = True
    return view


def changes_state(view: Any) -> bool:
    return not getattr(view, "read_only", False)


class StateError(RuntimeError):
    """The state file exists but cannot be read."""


class StateFile:
    def __init__(self, path: str | os.PathLike[str], store: Store) -> None:
        self.path = Path(path).resolve()
        self.store = store
        # tenant id -> (the tenant object the bytes are of, header blob, {world name: blob})
        self._blobs: dict[str, tuple[Tenant | None, bytes, dict[str, bytes]]] = {}
        self._lock = threading.Lock()  # one write at a time
        self._marks_lock = threading.Lock()
        self._marks: dict[str | None, set[str] | None] = {}  # what changed since the last write took the marks
        self._asked = self._written = 0  # saves asked for / covered by a finished write
        self._remove_stale_temporaries()

    def _remove_stale_temporaries(self) -> None:
        """A kill during a write leaves ``.<name>.*.tmp`` beside the file: nothing can be writing it at start."""
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    # -- writing ---------------------------------------------------------------------------
    def save(self, dirty: Iterable[str] | None = None, *, worlds: Iterable[str] | None = None) -> None:
        """Write the state, returning once it is on disk; ``dirty`` names the tenants that changed (None: all
        of them), ``worlds`` the worlds of theirs that changed (None: all; empty: only the header, e.g. fault
        counters).

        Group commit: writers that arrive while a write is under way leave their marks and wait; the next
        write takes every mark left so far and answers them all with one file (one fsync), so concurrent
        writes cost about one write each instead of queueing one after another."""
        with self._marks_lock:
            for tenant_id in (None,) if dirty is None else dirty:
                if worlds is None:
                    self._marks[tenant_id] = None
                elif self._marks.get(tenant_id, set()) is not None:
                    self._marks.setdefault(tenant_id, set()).update(worlds)
            self._asked += 1
            mine = self._asked
        with self._lock:
            if self._written >= mine:
                return  # a write that took our marks has finished
            with self._marks_lock:
                marks, self._marks, covered = self._marks, {}, self._asked
            self._write(marks)
            self._written = covered

    def _write(self, marks: dict[str | None, set[str] | None]) -> None:
        tenants = dict(self.store.tenants)
        for tenant_id in list(self._blobs):
            if tenant_id not in tenants:
                del self._blobs[tenant_id]
        for tenant_id, tenant in tenants.items():
            cached = self._blobs.get(tenant_id)
            if cached is None or cached[0] is not tenant:
                self._blobs[tenant_id] = (tenant, *_pickle_tenant(tenant, None, {}))
            elif None in marks or tenant_id in marks:
                names = None if None in marks else marks[tenant_id]
                self._blobs[tenant_id] = (tenant, *_pickle_tenant(tenant, names, cached[2]))
        payload = pickle.dumps({"format": FORMAT, "tenants": {tid: (header, blobs) for tid, (_, header, blobs)
                                                               in self._blobs.items()}},
                               protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write(self.path, payload)

    # -- reading ---------------------------------------------------------------------------
    def load(self) -> list[Tenant]:
        """The tenants in the file (none when it does not exist yet)."""
        if not self.path.exists():
            return []
        try:
            with open(self.path, "rb") as fh:
                data = pickle.load(fh)
            if not isinstance(data, dict) or data.get("format") not in (FORMAT, FORMAT_1):
                raise StateError(f"{self.path} is not an lms-emulator state file")
            if data["format"] == FORMAT_1:
                tenants = [_unpickle_tenant(blob) for blob in data["tenants"].values()]
            else:
                tenants = [_unpickle_parts(header, blobs) for header, blobs in data["tenants"].values()]
        except StateError:
            raise
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported the same way
            raise StateError(f"cannot read the state file {self.path}: {type(exc).__name__}: {exc}") from exc
        # the restored objects are the store's once adopted; bytes of a format-1 file are re-made on first save
        self._blobs = {t.id: (t, *data["tenants"][t.id]) for t in tenants} if data["format"] == FORMAT else {}
        return tenants


def _header(tenant: Tenant) -> dict[str, Any]:
    clock = tenant.clock
    return {"id": tenant.id, "seed": tenant.seed, "anchor": tenant.anchor, "fixture": tenant.fixture,
            "created_at": tenant.created_at,
            "clock": {"frozen_at": clock.frozen_at, "offset": clock.offset, "floor": clock.floor},
            "faults": tenant.extras.get("faults"), "incarnation": tenant.incarnation,
            "rate_limits": tenant.extras.get("rate_limits"), "stubs": tenant.extras.get("stubs")}


def _pickle_tenant(tenant: Tenant, names: set[str] | None,
                   previous: dict[str, bytes]) -> tuple[bytes, dict[str, bytes]]:
    """(header blob, world blobs): the worlds in ``names`` (None: all) pickled again, the others as before."""
    with tenant.lock:
        header = pickle.dumps(_header(tenant), protocol=pickle.HIGHEST_PROTOCOL)
        blobs = {name: (pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL)
                        if names is None or name in names or name not in previous else previous[name])
                 for name, world in tenant.worlds.items()}
        return header, blobs


def _unpickle_parts(header: bytes, blobs: dict[str, bytes]) -> Tenant:
    state: dict[str, Any] = pickle.loads(header)
    state["worlds"] = {name: pickle.loads(blob) for name, blob in blobs.items()}
    return _tenant_from(state)


def _unpickle_tenant(blob: bytes) -> Tenant:
    """A tenant of a format-1 file (one blob per tenant)."""
    return _tenant_from(pickle.loads(blob))


def _tenant_from(state: dict[str, Any]) -> Tenant:
    clock = Clock(floor=state["clock"]["floor"])
    clock.restore(state["clock"]["frozen_at"], state["clock"]["offset"] or timedelta(0))
    tenant = Tenant(id=state["id"], seed=state["seed"], anchor=state["anchor"], clock=clock, worlds=state["worlds"],
                    fixture=state["fixture"], created_at=state["created_at"])
    if state.get("incarnation"):  # older files: a new incarnation (its Pearson tokens end at the next reset)
        tenant.incarnation = state["incarnation"]
    if state.get("faults") is not None:
        tenant.extras["faults"] = state["faults"]
    if state.get("rate_limits"):
        tenant.extras["rate_limits"] = state["rate_limits"]
    if state.get("stubs") is not None:
        tenant.extras["stubs"] = state["stubs"]
    return tenant


def atomic_write(path: Path, payload: bytes) -> None:
    """Temp file in the same directory, flush + fsync, ``os.replace``, fsync the directory."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            getattr(os, "fdatasync", os.fsync)(fh.fileno())  # the data and its size; no other metadata
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
