"""Pearson authentication of a call: the Bearer token names the tenant, then the route's rule; the wrappers.

The vendor does not document how tokens are obtained, so the admin API issues
them (``POST /_emulator/tenants/{id}/pearson/tokens {"userId": ...}``) through
``domain.signing.issue_token`` (the claims are described there); the emulator's token endpoint is
``domain.tokens``. ``pearson_call`` guards the two older routes, ``user_call``, ``territory_call`` and
``public_call`` the class-booking routes (``http.bookings``, ``http.public``, ``http.profiles``).

A token is refused with 401 when it is not three base64url parts, its header
is not HS256, its ``iss`` names no tenant, its signature does not verify with
that tenant's secret (forged, or re-labelled for another tenant), it has
expired on the tenant's clock, or its ``sub`` is not a user of the tenant.
"""
from __future__ import annotations

from datetime import datetime
from collections.abc import Callable, Mapping
from typing import Any

from emulator.core.http import bearer_token
from emulator.core.tenantcall import Access, tenant_call
from emulator.core.errors import NotFound, Unauthorized
from emulator.core.store import Store, Tenant
from emulator.pearson.domain import service
from emulator.pearson.domain.access import caller_of, check_roles
from emulator.pearson.domain.models import PearsonWorld
from emulator.pearson.domain.signing import authenticate, read_claims, signature_verifies, territory_of

PUBLIC_TENANT = "default"  # the tenant a public route answers for when no token names one

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


def credentials(environ: dict[str, Any], store: Store) -> tuple[Tenant, dict[str, Any]]:
    """The tenant call's credentials rule (``core.tenantcall``): the Bearer token's tenant and verified claims
    (``resolve``)."""
    return resolve(store, bearer_token(environ, Unauthorized(service.DENIED, reason="no bearer token")))


def caller(world: PearsonWorld, claims: dict[str, Any], now: datetime, environ: dict[str, Any],
           options: Mapping[str, Any], path_args: dict[str, Any]) -> dict[str, Any]:
    """The tenant call's caller rule for the user routes: the token's user, then the route's authorization rule
    (``service.authorize``) names the target user (``user=``)."""
    user = authenticate(world, claims, now)
    roles = [r for r in claims["roles"] if isinstance(r, str)]
    center = claims.get("centerId") if isinstance(claims.get("centerId"), str) else None
    return {"user": service.authorize(world, user, roles, center, options["route"], path_args["user_identifier"])}


ACCESS = Access("pearson", credentials, caller)


def pearson_call(route: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: Pearson's tenant call (``core.tenantcall``) for a user route: the token, then under the
    tenant's lock the route's authorization rule. The view receives ``world``, ``now`` and ``user`` (the target
    user) as keyword arguments."""
    return tenant_call(ACCESS, route=route)


def _user_caller(world: PearsonWorld, claims: dict[str, Any], now: datetime, environ: dict[str, Any],
                 options: Mapping[str, Any], path_args: dict[str, Any]) -> dict[str, Any]:
    """The tenant call's caller rule for the booking routes: the token's user, allowed by the route's role lists."""
    caller = caller_of(world, claims, now)
    check_roles(caller, options["route"])
    return {"caller": caller}


def _territory_caller(world: PearsonWorld, claims: dict[str, Any], now: datetime, environ: dict[str, Any],
                      options: Mapping[str, Any], path_args: dict[str, Any]) -> dict[str, Any]:
    """The tenant call's caller rule for the ``openapi/`` routes: a territory's token (``tokens``)."""
    return {"territory": territory_of(world, claims, now)}


USER_ACCESS = Access("pearson", credentials, _user_caller)
TERRITORY_ACCESS = Access("pearson", credentials, _territory_caller)


def user_call(route: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: a tenant call (``core.tenantcall``) with a user's token, allowed by the route's role lists. The
    view receives ``world``, ``now`` and ``caller`` as keyword arguments besides the path's."""
    return tenant_call(USER_ACCESS, route=route)


def _public_credentials(environ: dict[str, Any], store: Store) -> tuple[Tenant, None]:
    """The tenant a Bearer token names when one is sent (it must verify), else the default tenant."""
    if environ.get("HTTP_AUTHORIZATION"):
        return credentials(environ, store)[0], None
    found = store.tenants.get(PUBLIC_TENANT)
    if found is None:
        raise NotFound(f"No tenant '{PUBLIC_TENANT}' answers calls without a token.")
    return found, None


def _public_caller(world: PearsonWorld, found: None, now: datetime, environ: dict[str, Any],
                   options: Mapping[str, Any], path_args: dict[str, Any]) -> dict[str, Any]:
    return {}


PUBLIC_ACCESS = Access("pearson", _public_credentials, _public_caller)


def public_call(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator of the routes a page calls public ("Access to this endpoint is public"): a tenant call that asks
    no token. The tenant is the one a Bearer token names when one is sent (a user's or a territory's; it must
    verify), else the default tenant (the emulator's choice: a public call names no tenant). The view gets
    ``world``, ``now``."""
    return tenant_call(PUBLIC_ACCESS)(view)


def territory_call(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator of ``openapi/`` routes: a tenant call with a territory's token (``tokens``); the view gets
    ``territory``."""
    return tenant_call(TERRITORY_ACCESS)(view)
