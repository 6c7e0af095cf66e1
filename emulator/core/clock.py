"""The emulator's clock: real time, or frozen / shifted per tenant by the admin API.

Everything that reads time (dates written, ``modifiedSince``, token expiry)
asks a tenant's ``Clock`` instead of calling ``datetime.now()``.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

UTC = timezone.utc


def utcnow() -> datetime:
    return datetime.now(UTC)


class ClockError(ValueError):
    """An impossible clock move (e.g. back before the tenant's seed instant)."""


class Clock:
    """Real time plus an offset, or a frozen instant plus an offset.

    ``floor`` is the instant the tenant's world was seeded at: moving the clock
    before it would make seeded dates lie in the future, so it is refused.
    """

    def __init__(self, floor: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen_at: datetime | None = None
        self._offset = timedelta(0)
        self.floor = floor

    def now(self) -> datetime:
        frozen = self._frozen_at
        return (frozen if frozen is not None else utcnow()) + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self, at: datetime | None = None) -> datetime:
        with self._lock:
            instant = (at or self.now()).astimezone(UTC)
            self._check(instant)
            self._frozen_at, self._offset = instant, timedelta(0)
            return instant

    def unfreeze(self) -> datetime:
        """Let time run again from the current reading (no jump)."""
        with self._lock:
            current = self.now()
            self._frozen_at = None
            self._offset = current - utcnow()
            return current

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._check(self.now() + delta)
            self._offset += delta
            return self.now()

    def _check(self, instant: datetime) -> None:
        if self.floor is not None and instant < self.floor:
            raise ClockError(
                f"cannot move the clock to {instant.isoformat()}: before the tenant was seeded "
                f"({self.floor.isoformat()})"
            )

    def state(self) -> dict[str, object]:
        return {
            "now": self.now().isoformat().replace("+00:00", "Z"),
            "frozen": self.frozen,
            "offsetSeconds": self._offset.total_seconds(),
        }

    def restore(self, frozen_at: datetime | None, offset: timedelta) -> None:
        with self._lock:
            self._frozen_at, self._offset = frozen_at, offset
