"""The emulator's token endpoint: ``POST /pearson/api/connect/token`` (a form), beside admin-minted tokens.

The help pages document no token flow. The only public evidence is client code posting a password-grant
style form (``username``, ``password``, ``clientId``, ``clientSecret``) to an identity service's
``/api/connect/token``; the emulator offers that form (its choice, listed in docs/VENDOR-NOTES.md):

- ``clientId``/``clientSecret`` of the world's application client plus a user's ``username`` (email or id)
  and ``password``: that user's token, the same as the admin API issues;
- a territory's ``clientId``/``clientSecret`` alone: the territory's token, for the ``openapi/`` routes.

Answers are OAuth 2.0's: ``{"access_token", "token_type": "Bearer", "expires_in"}``; a failure is 400
``{"error", "error_description"}`` (``invalid_request``, ``invalid_client``, ``invalid_grant``).
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.core.errors import BadRequest
from emulator.pearson.domain import service
from emulator.pearson.domain.signing import issue_token, sign_claims
from emulator.pearson.domain.models import DEFAULT_PASSWORD, PearsonWorld, Territory, User


class TokenRefused(BadRequest):
    """An OAuth 2.0 error answer (``pearson.render_error`` writes ``error``/``error_description``)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description, oauth_error=error)


@dataclass(frozen=True, slots=True)
class TokenAnswer:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def connect_token(world: PearsonWorld, form: dict[str, str], now: datetime) -> TokenAnswer:
    client_id, client_secret = form.get("clientId", ""), form.get("clientSecret", "")
    username, password = form.get("username", ""), form.get("password", "")
    if not client_id or not client_secret:
        raise TokenRefused("invalid_request", "clientId and clientSecret are required.")
    lifetime = int(service.TOKEN_LIFETIME.total_seconds())
    territory = next((t for t in world.territories.values() if t.client_id == client_id), None)
    if territory is not None and not username and not password:
        if not _same(client_secret, territory.client_secret):
            raise TokenRefused("invalid_client", "The client credentials are invalid.")
        return TokenAnswer(territory_token(world, territory, now), lifetime)
    if client_id != world.client_id or not _same(client_secret, world.client_secret):
        raise TokenRefused("invalid_client", "The client credentials are invalid.")
    if not username or not password:
        raise TokenRefused("invalid_request", "username and password are required.")
    user = find_user(world, username)
    if user is None or not _same(password, user.password or DEFAULT_PASSWORD):
        raise TokenRefused("invalid_grant", "The user name or password is incorrect.")
    return TokenAnswer(issue_token(world, user.id, now), lifetime)


def find_user(world: PearsonWorld, username: str) -> User | None:
    """By email (any case) or by id."""
    wanted = username.strip().lower()
    found = world.users.get(wanted)
    return found or next((u for u in world.users.values() if u.email and u.email.lower() == wanted), None)


def territory_token(world: PearsonWorld, territory: Territory, now: datetime) -> str:
    claims: dict[str, Any] = {
        "sub": territory.id, "territory": territory.id, "roles": [], "centerId": None, "iss": world.tenant_id,
        "iat": int(now.timestamp()), "exp": int((now + service.TOKEN_LIFETIME).timestamp())}
    return sign_claims(world, claims)
