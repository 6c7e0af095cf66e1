"""Opt-in rate limits: the token bucket a vendor documents, per tenant and vendor (off unless switched on).

A vendor declares its documented limit in ``Vendor.rate_limit`` as (requests per second, burst): Absorb's is
200 per second plus a burst of 100, i.e. a bucket of 100 tokens refilled at 200 per second (a client gets
300 requests through in the first second, then 200 a second). A tenant switches it on with
``lms-emulator serve --rate-limit absorb`` (every tenant) or ``POST /_emulator/tenants/{id}/rate-limit``.

The bucket is checked where faults are (``core.tenantcall.bind_tenant``: the moment a vendor's auth names the
request's tenant), before anything touches the world, so a refused request changes nothing. A refusal is the
vendor's 429 with ``Retry-After`` (whole seconds until a token is back, at least 1).

Time is the tenant's clock (emulator's choice): running, it is real time as clients experience it; frozen,
no tokens come back until the clock is advanced, which makes a test of a client's back-off exact. A clock
moved backwards refills nothing, and the bucket refills from the new time on (``Retry-After`` holds).
"""
from __future__ import annotations

import math
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import request

from . import errors
from .exchange import exchange_of

if TYPE_CHECKING:  # the store imports this module to give a new tenant its bucket
    from .store import Tenant

MAX_RATE = 1_000_000


class Bucket:
    """A token bucket: ``burst`` tokens at most, ``rate`` tokens back per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = float(rate), int(burst)
        self.tokens = float(burst)
        self.last: datetime | None = None
        self.admitted = 0
        self.limited = 0
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _refill(self, now: datetime) -> None:
        """Tokens back for the time since the last look. A clock moved backwards refills nothing, and the
        bucket counts from the new time on: kept at the later time, it refilled nothing for hours while
        ``Retry-After`` said 1 (issue 31)."""
        if self.last is not None and now > self.last:
            self.tokens = min(float(self.burst), self.tokens + (now - self.last).total_seconds() * self.rate)
        self.last = now

    def take(self, now: datetime) -> int | None:
        """Spend a token: None when admitted, else the seconds to wait (``Retry-After``)."""
        with self._lock:
            self._refill(now)
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                self.admitted += 1
                return None
            self.limited += 1
            return max(1, math.ceil((1.0 - self.tokens) / self.rate))

    def state(self, now: datetime) -> dict[str, Any]:
        with self._lock:
            self._refill(now)
            return {"enabled": True, "requestsPerSecond": self.rate, "burst": self.burst,
                    "tokens": round(self.tokens, 3), "admitted": self.admitted, "limited": self.limited}


def buckets_of(tenant: Tenant) -> dict[str, Bucket]:
    """The tenant's buckets by vendor (``tenant.rate_limits``; kept by persistence, kept across a reset)."""
    return tenant.rate_limits


def enable(tenant: Tenant, vendor: str, rate: float, burst: int) -> Bucket:
    """Switch the limit on (a full bucket); switching it on again starts a fresh bucket."""
    if not (isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 < rate <= MAX_RATE
            and math.isfinite(rate)):
        raise errors.BadRequest(f"requestsPerSecond: must be a number above 0 and at most {MAX_RATE} (got {rate!r}).")
    if not (isinstance(burst, int) and not isinstance(burst, bool) and 1 <= burst <= MAX_RATE):
        raise errors.BadRequest(f"burst: must be an integer from 1 to {MAX_RATE} (got {burst!r}).")
    bucket = buckets_of(tenant)[vendor] = Bucket(rate, burst)
    return bucket


def disable(tenant: Tenant, vendor: str | None = None) -> None:
    buckets = buckets_of(tenant)
    if vendor is None:
        buckets.clear()
    else:
        buckets.pop(vendor, None)


def describe(tenant: Tenant, documented: dict[str, tuple[float, int]]) -> dict[str, Any]:
    """Every vendor with a documented limit: on (with its bucket) or off (with the documented figures)."""
    buckets, now = buckets_of(tenant), tenant.clock.now()
    return {vendor: (buckets[vendor].state(now) if vendor in buckets
                     else {"enabled": False, "requestsPerSecond": float(rate), "burst": burst})
            for vendor, (rate, burst) in sorted(documented.items())}


def check(tenant: Tenant, vendor: str) -> None:
    """Spend one of the tenant's tokens for this request, or answer 429 (``core.tenantcall.bind_tenant``)."""
    buckets = tenant.rate_limits
    if not buckets:
        return
    bucket = buckets.get(vendor)
    if bucket is None:
        return
    wait = bucket.take(tenant.clock.now())
    if wait is None:
        return
    exchange_of(request.environ).rate_limited = True
    raise errors.TooManyRequests(
        f"Rate limit exceeded: {bucket.rate:g} requests per second plus a burst of {bucket.burst}. "
        f"Retry after {wait} second{'s' if wait != 1 else ''}.",
        headers={"Retry-After": str(wait)}, retryAfter=wait)
