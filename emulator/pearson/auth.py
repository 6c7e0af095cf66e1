"""Pearson authentication: JWT-style Bearer tokens, HMAC-SHA256 signed with a per-tenant secret.

The vendor does not document how tokens are obtained, so the admin API issues
them (``POST /_emulator/tenants/{id}/pearson/tokens {"userId": ...}``) through
``issue_token``. Claims: ``sub`` (user id), ``roles``, ``centerId``, ``iss``
(the tenant id: it names the tenant), ``iat`` and ``exp`` (seconds, on the
tenant's clock; ``service.TOKEN_LIFETIME``).

A token is refused with 401 when it is not three base64url parts, its header
is not HS256, its ``iss`` names no tenant, its signature does not verify with
that tenant's secret (forged, or re-labelled for another tenant), it has
expired on the tenant's clock, or its ``sub`` is not a user of the tenant.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime
from collections.abc import Callable, Mapping
from typing import Any

from ..core.http import bearer_token
from ..core.tenantcall import Access, tenant_call
from ..core.errors import NotFound, Unauthorized
from ..core.store import Store, Tenant
from . import service
from .models import PearsonWorld, User

HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, signing_input: str) -> str:
    return _b64(hmac.new(bytes.fromhex(secret), signing_input.encode(), hashlib.sha256).digest())


def issue_token(world: PearsonWorld, user_id: str, now: datetime) -> str:
    """A signed token for a user of the world, valid ``TOKEN_LIFETIME`` from ``now`` (the tenant clock)."""
    user = world.users.get(str(user_id).lower())
    if user is None:
        raise NotFound(f"No Pearson user '{user_id}' in tenant '{world.tenant_id}'.")
    claims = {"sub": user.id, "roles": list(user.roles), "centerId": user.center_id, "iss": world.tenant_id,
              "iat": int(now.timestamp()), "exp": int((now + service.TOKEN_LIFETIME).timestamp())}
    signing_input = _b64(json.dumps(HEADER, separators=(",", ":")).encode()) + "." + \
        _b64(json.dumps(claims, separators=(",", ":")).encode())
    return signing_input + "." + _sign(world.secret, signing_input)


def _claims(token: str) -> tuple[dict[str, Any], str, str]:
    """Header-checked claims, the signing input and the signature; signature NOT yet verified."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise Unauthorized(service.DENIED, reason="malformed token")
    try:
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Unauthorized(service.DENIED, reason="malformed token") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        raise Unauthorized(service.DENIED, reason="unsupported token")
    return claims, f"{parts[0]}.{parts[1]}", parts[2]


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
    claims, signing_input, signature = _claims(token)
    issuer = claims.get("iss")
    tenant = store.tenant_for("pearson", issuer) if isinstance(issuer, str) else None
    if tenant is None:
        raise Unauthorized(service.DENIED, reason="unknown issuer")
    world: PearsonWorld = tenant.world("pearson")
    if not hmac.compare_digest(_sign(world.secret, signing_input).encode(), signature.encode()):  # bytes: any text
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


def authenticate(world: PearsonWorld, claims: dict[str, Any], now: datetime) -> User:
    """The calling user, once the token is known to be unexpired and its subject exists."""
    exp = claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool) or exp <= now.timestamp():
        raise Unauthorized(service.DENIED, reason="expired token")
    sub = claims.get("sub")
    user = world.users.get(sub) if isinstance(sub, str) else None
    if user is None or not isinstance(claims.get("roles"), list):
        raise Unauthorized(service.DENIED, reason="unknown subject")
    return user


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


def sign_claims(world: PearsonWorld, claims: dict[str, Any]) -> str:
    """A token carrying ``claims``, signed with the world's secret (the token endpoint's territory tokens)."""
    signing_input = _b64(json.dumps(HEADER, separators=(",", ":")).encode()) + "." + \
        _b64(json.dumps(claims, separators=(",", ":")).encode())
    return signing_input + "." + _sign(world.secret, signing_input)
