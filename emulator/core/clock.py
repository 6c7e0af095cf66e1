"""The emulator's clock: real time, or frozen / shifted per tenant by the admin API.

Everything that reads time (dates written, ``modifiedSince``, token expiry)
asks a tenant's ``Clock`` instead of calling ``datetime.now()``.

Stored precision is wire precision (emulator's choice): every date-time the emulator
keeps is a whole number of milliseconds, because Absorb's and iSpring's wire show
milliseconds (``core.wire.iso_z``) and a client filters with the value it was shown.
Pearson's wire shows seven digits, which a millisecond instant fills exactly. So
``to_wire_precision`` is applied where date-times are born: the clock, the seeds,
the fixture loaders and the date-times of request bodies. (Instants a client sends
only to compare with -- ``modifiedSince``, ``_filter`` literals -- are compared exactly.)
"""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone
from typing import TypeVar

UTC = timezone.utc
# The latest reading a clock may be moved to: a month short of the end of ``datetime``, so every token
# expiry and date the vendors add to a reading (hours at most) stays representable (no OverflowError).
LATEST = datetime(9999, 12, 1, tzinfo=UTC)
# The anchors a world may be seeded from (emulator's choice): seeds put dates days to years either side of the
# anchor, and --anchor 0001-01-01T00:00:00Z crashed start-up with an OverflowError (issue 31).
EARLIEST_ANCHOR = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_ANCHOR = datetime(9000, 1, 1, tzinfo=UTC)
WIRE_PRECISION = timedelta(milliseconds=1)
"""The unit every stored date-time is a whole number of (see the module docstring)."""

_Instant = TypeVar("_Instant", datetime, timedelta, None)


def check_anchor(instant: datetime) -> datetime:
    """``instant`` when a world can be seeded from it, else ``ValueError`` saying which anchors can."""
    if not EARLIEST_ANCHOR <= instant <= LATEST_ANCHOR:
        raise ValueError(f"{instant.isoformat()} is outside the anchors a world can be seeded from "
                         f"({EARLIEST_ANCHOR:%Y-%m-%d} to {LATEST_ANCHOR:%Y-%m-%d})")
    return instant


def to_wire_precision(value: _Instant) -> _Instant:
    """``value`` (a date-time, or a span between two) rounded down to ``WIRE_PRECISION``; None stays None.

    Down, not to nearest: ``iso_z`` truncates the same way, and a rounded-down instant never lies
    after the moment it stands for (the clock does not run ahead of real time)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond - value.microsecond % 1000)
    return value - value % WIRE_PRECISION


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
        # (frozen instant or None, offset): one tuple, replaced whole, so a reader never sees half a move
        self._state: tuple[datetime | None, timedelta] = (None, timedelta(0))
        self.floor = floor

    def now(self) -> datetime:
        """The tenant's time, at the stored precision (``to_wire_precision``, inlined: a request reads the clock
        three times)."""
        frozen, offset = self._state
        value = (frozen if frozen is not None else utcnow()) + offset
        return value.replace(microsecond=value.microsecond - value.microsecond % 1000)

    @property
    def frozen(self) -> bool:
        return self._state[0] is not None

    @property
    def frozen_at(self) -> datetime | None:
        return self._state[0]

    @property
    def offset(self) -> timedelta:
        return self._state[1]

    def freeze(self, at: datetime | None = None) -> datetime:
        with self._lock:
            instant = (at or self.now()).astimezone(UTC)
            self._check(instant)
            self._state = (instant, timedelta(0))
            return instant

    def unfreeze(self) -> datetime:
        """Let time run again from the current reading (no jump)."""
        with self._lock:
            current = self.now()
            self._state = (None, current - utcnow())
            return current

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._check(self.now() + delta)
            frozen, offset = self._state
            self._state = (frozen, offset + delta)
            return self.now()

    def _check(self, instant: datetime) -> None:
        if instant > LATEST:
            raise ClockError(f"cannot move the clock to {instant.isoformat()}: past {LATEST.isoformat()}, the latest "
                             "instant whose token expiries can still be written")
        if self.floor is not None and instant < self.floor:
            raise ClockError(
                f"cannot move the clock to {instant.isoformat()}: before the tenant was seeded "
                f"({self.floor.isoformat()})"
            )

    def state(self) -> dict[str, object]:
        return {
            "now": self.now().isoformat().replace("+00:00", "Z"),
            "frozen": self.frozen,
            "offsetSeconds": self.offset.total_seconds(),
        }

    def restore(self, frozen_at: datetime | None, offset: timedelta) -> None:
        with self._lock:
            self._state = (frozen_at, offset)


_ISO_DURATION = re.compile(
    r"^(?P<sign>[-+])?P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE)
_SHORT_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|w|d|h|m|s)", re.IGNORECASE)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}


def parse_duration(text: str) -> timedelta:
    """ISO 8601 (``PT2H``, ``P1DT30M``, ``-PT1H``) or short (``2h``, ``1h30m``, ``90s``, ``-1d``).

    Raises ``ClockError`` naming the text when it is neither."""
    if not isinstance(text, str) or not text.strip():
        raise ClockError("duration must be a non-empty string such as 'PT2H' or '2h'")
    raw = text.strip()
    iso = _ISO_DURATION.match(raw)
    if iso and raw.upper().rstrip("T") not in ("P", "-P", "+P") and not raw.upper().endswith("T"):
        parts = {k: float(v) for k, v in iso.groupdict().items() if v and k != "sign"}
        delta = timedelta(weeks=parts.get("weeks", 0), days=parts.get("days", 0), hours=parts.get("hours", 0),
                          minutes=parts.get("minutes", 0), seconds=parts.get("seconds", 0))
        return -delta if iso.group("sign") == "-" else delta
    sign, body = (-1, raw[1:]) if raw[0] == "-" else (1, raw.lstrip("+"))
    pieces = _SHORT_DURATION.findall(body)
    if body and pieces and "".join(n + u for n, u in pieces) == body.replace(" ", ""):
        seconds = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in pieces)
        return timedelta(seconds=sign * seconds)
    raise ClockError(f"'{text}' is not a duration: use ISO 8601 like 'PT2H' / 'P1DT30M' "
                     "or short like '2h', '1h30m', '90s'")
