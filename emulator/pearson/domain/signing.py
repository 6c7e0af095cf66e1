"""Pearson's tokens: JWT-style, HMAC-SHA256 signed with the world's secret; issued, read and checked here.

Claims: ``sub`` (user id), ``roles``, ``centerId``, ``iss`` (the tenant id: it names the tenant), ``iat`` and
``exp`` (seconds, on the tenant's clock; ``service.TOKEN_LIFETIME``); a territory's token carries ``territory``
instead of a user (``tokens.territory_token``). ``http.auth`` finds the tenant a token names and calls these.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from emulator.core.errors import NotFound, Unauthorized
from emulator.pearson.domain import service
from emulator.pearson.domain.models import PearsonWorld, Territory, User

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


def read_claims(token: str) -> tuple[dict[str, Any], str, str]:
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


def signature_verifies(world: PearsonWorld, signing_input: str, signature: str) -> bool:
    """Whether ``signature`` is the world's for ``signing_input`` (compared in constant time, as bytes: any text)."""
    return hmac.compare_digest(_sign(world.secret, signing_input).encode(), signature.encode())


def _check_unexpired(claims: dict[str, Any], now: datetime) -> None:
    """A token's ``exp``: an integer (not a boolean) after ``now`` on the tenant's clock, else 401."""
    exp = claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool) or exp <= now.timestamp():
        raise Unauthorized(service.DENIED, reason="expired token")


def authenticate(world: PearsonWorld, claims: dict[str, Any], now: datetime) -> User:
    """The calling user, once the token is known to be unexpired and its subject exists."""
    _check_unexpired(claims, now)
    sub = claims.get("sub")
    user = world.users.get(sub) if isinstance(sub, str) else None
    if user is None or not isinstance(claims.get("roles"), list):
        raise Unauthorized(service.DENIED, reason="unknown subject")
    return user


def territory_of(world: PearsonWorld, claims: dict[str, Any], now: datetime) -> Territory:
    """The territory a token names, once it is known to be unexpired (a user's token here: 401)."""
    _check_unexpired(claims, now)
    ident = claims.get("territory")
    territory = world.territories.get(ident) if isinstance(ident, str) else None
    if territory is None:
        raise Unauthorized(service.DENIED, reason="not a territory's token")  # a user's token on an openapi/ route
    return territory


def sign_claims(world: PearsonWorld, claims: dict[str, Any]) -> str:
    """A token carrying ``claims``, signed with the world's secret (the token endpoint's territory tokens)."""
    signing_input = _b64(json.dumps(HEADER, separators=(",", ":")).encode()) + "." + \
        _b64(json.dumps(claims, separators=(",", ":")).encode())
    return signing_input + "." + _sign(world.secret, signing_input)
