"""The tenant call: the steps every vendor route that acts on a tenant's world takes, in this order, written once.

  credentials  the vendor's rule (``Access.credentials``) reads the request's credentials and names the tenant,
               reading no world (the store's key index only); a refusal is the vendor's 400/401
  tenant       ``Exchange.tenant``: the journal, the request log and persistence know whose call it is
  rate limit   ``ratelimit.check`` (tenants that opted in): a 429 before anything is touched
  faults       ``faults.check``: the tenant's fault rules (delay, error, drop)
  lock         ``tenant.lock``; a reset swaps the worlds under it, so a request that waited sees the new one
  world        ``tenant.world(vendor)`` and the tenant's clock
  caller       the vendor's rule (``Access.caller``), under the lock: who calls (a token, a signed claim, a login)
               and what the route lets them do; its keyword arguments go to the view
  view         ``view(**path arguments, world=, now=, **caller's)``

Each vendor configures it once with an ``Access`` (``absorb.auth.ACCESS``, ``ispring.auth.ACCESS``,
``pearson.auth.ACCESS``, ``pearson.access.USER_ACCESS`` / ``TERRITORY_ACCESS``) and each route with its own
options (``tenant_call(ACCESS, admin=False)``). **The lock rule**: a world is read and written only under its
tenant's lock, with one exception, the pipeline's page step (``core.pipeline.PageStep``): for a GET, a vendor whose
``Access`` has a ``page`` hook is asked for the cached page without the lock, after the same credentials and caller
rules (each a read of one dict entry: atomic), because every write announces itself (``world.changed``) before
its own answer leaves. Token endpoints, whose credentials are in the body, call ``bind_tenant`` and take the lock
themselves.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any

from flask import request

from . import faults, ratelimit
from .exchange import Exchange, exchange_of
from .state import current_store
from .store import Store, Tenant

Environ = dict[str, Any]
Options = Mapping[str, Any]
# (world, what credentials found, now, environ, the route's options, the path arguments) -> the view's keywords
CallerRule = Callable[[Any, Any, datetime, Environ, Options, dict[str, Any]], dict[str, Any]]
# (tenant, world, the caller's keywords, the view, its path arguments, path, query) -> a cached page (bytes), a
# function computing it under the tenant's lock (None: Flask answers), or None (Flask answers)
PageRule = Callable[[Tenant, Any, dict[str, Any], Callable[..., Any], dict[str, Any], str, str],
                    "bytes | Callable[[], bytes | None] | None"]


@dataclass(frozen=True)
class Access:
    """One vendor's rules for naming the tenant and the caller (see the module's docstring)."""

    vendor: str
    credentials: Callable[[Environ, Store], tuple[Tenant, Any]]
    caller: CallerRule
    page: PageRule | None = None  # the page step may answer this vendor's GETs (its caller rule only reads)


@dataclass(frozen=True)
class TenantCall:
    """A route's tenant call: the vendor's ``Access`` and the route's own options (read by the caller rule)."""

    access: Access
    options: Mapping[str, Any] = field(default_factory=dict)


def bind_tenant(tenant: Tenant, vendor: str, environ: Environ | None = None) -> Exchange:
    """The tenant, rate limit and faults steps: the request is ``tenant``'s from here on. A request refused by
    the rate limit meets no fault rule. Returns the request's ``Exchange``."""
    exchange = exchange_of(request.environ if environ is None else environ)
    exchange.tenant = tenant
    ratelimit.check(tenant, vendor)
    faults.check(tenant, vendor)
    return exchange


def tenant_call(access: Access, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the view runs as a tenant call of ``access``'s vendor (see the module's docstring)."""
    call = TenantCall(access, options)

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            environ = request.environ
            tenant, found = access.credentials(environ, current_store())
            exchange = bind_tenant(tenant, access.vendor, environ)
            with tenant.lock:
                world = tenant.world(access.vendor)
                now = exchange.now = tenant.clock.now()
                kwargs.update(access.caller(world, found, now, environ, call.options, kwargs))
                return view(*args, world=world, now=now, **kwargs)

        inner.__dict__["tenant_call"] = call  # the page step reads it (``core.pipeline.PageStep``)
        return inner

    return wrap


def call_of(view: Callable[..., Any]) -> TenantCall | None:
    """The tenant call a view runs as, if any (through ``functools.wraps``, which copies it outward)."""
    found = getattr(view, "tenant_call", None)
    return found if isinstance(found, TenantCall) else None
