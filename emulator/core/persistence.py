"""Keep every tenant across restarts in one state file (``--state-file``).

The file is a pickle (our own file, read only by us) of each tenant's worlds,
seed, anchor, fixture, clock and fault rules; journals are not kept. It is
written atomically after every acknowledged write (a POST/PUT/PATCH/DELETE
answered below 400), before the response leaves: a temporary file in the same
directory, flushed and fsynced, ``os.replace``d over the old one, then the
directory fsynced. A kill at any moment leaves the old or the new file.

To stay cheap, each tenant is pickled on its own under its lock and the bytes
are cached: a write re-pickles only the tenant the request touched.
"""
from __future__ import annotations

import os
import pickle
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterable

from .clock import Clock
from .store import Store, Tenant

FORMAT = "lms-emulator-state/1"


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
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    # -- writing ---------------------------------------------------------------------------
    def save(self, dirty: Iterable[str] | None = None) -> None:
        """Write the state; ``dirty`` names the tenants that changed (None: all of them)."""
        with self._lock:
            tenants = dict(self.store.tenants)
            wanted = set(tenants) if dirty is None else set(dirty)
            for tenant_id in list(self._blobs):
                if tenant_id not in tenants:
                    del self._blobs[tenant_id]
            for tenant_id, tenant in tenants.items():
                if tenant_id in wanted or tenant_id not in self._blobs:
                    self._blobs[tenant_id] = _pickle_tenant(tenant)
            payload = pickle.dumps({"format": FORMAT, "tenants": dict(self._blobs)}, protocol=pickle.HIGHEST_PROTOCOL)
            atomic_write(self.path, payload)

    # -- reading ---------------------------------------------------------------------------
    def load(self) -> list[Tenant]:
        """The tenants in the file (none when it does not exist yet)."""
        if not self.path.exists():
            return []
        try:
            with open(self.path, "rb") as fh:
                data = pickle.load(fh)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise StateError(f"{self.path} is not an lms-emulator state file")
            tenants = [_unpickle_tenant(blob) for blob in data["tenants"].values()]
        except StateError:
            raise
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported the same way
            raise StateError(f"cannot read the state file {self.path}: {type(exc).__name__}: {exc}") from exc
        self._blobs = dict(data["tenants"])
        return tenants


def _pickle_tenant(tenant: Tenant) -> bytes:
    with tenant.lock:
        clock = tenant.clock
        state = {
            "id": tenant.id, "seed": tenant.seed, "anchor": tenant.anchor, "fixture": tenant.fixture,
            "created_at": tenant.created_at, "worlds": tenant.worlds,
            "clock": {"frozen_at": clock.frozen_at, "offset": clock.offset, "floor": clock.floor},
            "faults": tenant.extras.get("faults"),
            "rate_limits": tenant.extras.get("rate_limits"),
        }
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def _unpickle_tenant(blob: bytes) -> Tenant:
    state: dict[str, Any] = pickle.loads(blob)
    clock = Clock(floor=state["clock"]["floor"])
    clock.restore(state["clock"]["frozen_at"], state["clock"]["offset"] or timedelta(0))
    tenant = Tenant(id=state["id"], seed=state["seed"], anchor=state["anchor"], clock=clock, worlds=state["worlds"],
                    fixture=state["fixture"], created_at=state["created_at"])
    if state.get("faults") is not None:
        tenant.extras["faults"] = state["faults"]
    if state.get("rate_limits"):
        tenant.extras["rate_limits"] = state["rate_limits"]
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
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
