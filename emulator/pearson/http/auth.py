"""Pearson authentication of a call: the Bearer token names the tenant, then the route's rule; the wrappers.

The vendor does not document how tokens are obtained, so the admin API issues
them (``POST /_emulator/tenants/{id}/pearson/tokens {"userId": ...}``) through
``domain.signing.issue_token`` (the claims are described there); the emulator's token endpoint is
``domain.tokens``. ``pearson_call`` guards the two older routes, ``user_call`` and ``territory_call`` the
class-booking routes (``http.bookings``).

A token is refused with 401 when it is not three base64url parts, its header
is not HS256, its ``iss`` names no tenant, its signature does not verify with
that tenant's secret (forged, or re-labelled for another tenant), it has
expired on the tenant's clock, or its ``sub`` is not a user of the tenant.
"""
from __future__ import annotations

from functools import wraps
from collections.abc import Callable
from typing import Any

from flask import request

from emulator.core.http import bearer_token, current_store
from emulator.core.pipeline import bind_tenant
from emulator.core.errors import Unauthorized
from emulator.core.store import Store, Tenant
from emulator.pearson.domain import service
from emulator.pearson.domain.access import caller_of, check_roles
from emulator.pearson.domain.signing import authenticate, read_claims, signature_verifies, territory_of
from emulator.pearson.domain.models import PearsonWorld


def _bearer() -> str:
    return bearer_token(request, Unauthorized(service.DENIED, reason="no bearer token"))


VERIFIED_MAX = 1024
VERIFIED_MAX_LENGTH = 2048


def resolve(store: Store, token: str) -> tuple[Tenant, dict[str, Any]]:
    """The tenant named by the token's ``iss``, once the signature verifies with its secret.

    A suite sends the same token many times, and decoding plus HMAC cost more than the rest of the auth, so a
    verified token is remembered by its tenant's world (``PearsonWorld.verified``) and named as a key of the
    tenant in the store: a reset or a new tenant of the same id starts with none. Only verified tokens of a sane
    length get in (issued ones are ~350 characters), so forged ones cannot fill it; when full it starts over.
    """
    tenant = store.tenant_for("pearson", token)
    if tenant is not None:
        claims = tenant.world("pearson").verified.get(token)  # exact: the store's keys ignore case
        if claims is not None:
            return tenant, claims
    claims, signing_input, signature = read_claims(token)
    issuer = claims.get("iss")
    tenant = store.tenant_for("pearson", issuer) if isinstance(issuer, str) else None
    if tenant is None:
        raise Unauthorized(service.DENIED, reason="unknown issuer")
    world: PearsonWorld = tenant.world("pearson")
    if not signature_verifies(world, signing_input, signature):
        raise Unauthorized(service.DENIED, reason="bad signature")
    if len(token) <= VERIFIED_MAX_LENGTH:
        _remember(store, tenant, token, claims)
    return tenant, claims


def _remember(store: Store, tenant: Tenant, token: str, claims: dict[str, Any]) -> None:
    with tenant.lock:
        world: PearsonWorld = tenant.world("pearson")
        if len(world.verified) >= VERIFIED_MAX:
            for known in list(world.verified):
                store.drop_key("pearson", known)
            world.verified.clear()
        world.verified[token] = claims
        store.add_key("pearson", token, tenant)


def pearson_call(route: str) -> Callable[..., Any]:
    """Decorator: token, then the route's authorization rule, then the handler under the tenant's lock.

    The handler receives ``world``, ``now`` and ``user`` (the target user) as keyword arguments.
    """

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def inner(user_identifier: str, **kwargs: Any) -> Any:
            store = current_store()
            tenant, claims = resolve(store, _bearer())
            bind_tenant(tenant, "pearson")
            with tenant.lock:  # the world is read under the lock: a reset swaps it there
                world: PearsonWorld = tenant.world("pearson")
                now = tenant.clock.now()
                caller = authenticate(world, claims, now)
                roles = [r for r in claims["roles"] if isinstance(r, str)]
                center = claims.get("centerId") if isinstance(claims.get("centerId"), str) else None
                target = service.authorize(world, caller, roles, center, route, user_identifier)
                return view(user_identifier, world=world, now=now, user=target, **kwargs)

        return inner

    return wrap


def user_call(route: str) -> Callable[..., Any]:
    """Decorator: a user's token, the route's role lists, then the view under the tenant's lock.

    The view receives ``world``, ``now`` and ``caller`` as keyword arguments besides the path's."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def inner(**kwargs: Any) -> Any:
            tenant, claims = resolve(current_store(), _bearer())
            bind_tenant(tenant, "pearson")
            with tenant.lock:
                world: PearsonWorld = tenant.world("pearson")
                now = tenant.clock.now()
                caller = caller_of(world, claims, now)
                check_roles(caller, route)
                return view(world=world, now=now, caller=caller, **kwargs)

        return inner

    return wrap


def territory_call(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator of ``openapi/`` routes: a territory's token (``tokens``); the view gets ``territory``."""

    @wraps(view)
    def inner(**kwargs: Any) -> Any:
        tenant, claims = resolve(current_store(), _bearer())
        bind_tenant(tenant, "pearson")
        with tenant.lock:
            world: PearsonWorld = tenant.world("pearson")
            now = tenant.clock.now()
            territory = territory_of(world, claims, now)
            return view(world=world, now=now, territory=territory, **kwargs)

    return inner
