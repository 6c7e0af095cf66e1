"""Absorb's tokens: ``POST /authenticate``'s (one per user: a new one revokes the previous, as Absorb documents)
and OAuth's access tokens (``oauth.exchange``); both live ``TOKEN_LIFETIME`` on the tenant's clock unless told.

``http.auth`` reads a call's token and finds it here (``world.tokens``).
"""
from __future__ import annotations

import base64
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from emulator.core.errors import Unauthorized
from emulator.absorb.domain.choices import CHOICES
from emulator.absorb.domain.models import ACTIVE, AbsorbWorld, Token, User, username_key

TOKEN_LIFETIME = timedelta(hours=4)


def issue_token(world: AbsorbWorld, user: User, now: datetime, *, lifetime: timedelta = TOKEN_LIFETIME,
                exclusive: bool = True) -> str:
    """A JWT-shaped opaque token. ``exclusive`` (``/authenticate``'s): issuing one revokes the user's previous
    ``/authenticate`` token; an OAuth access token (``oauth.exchange``) revokes nothing."""
    if exclusive:
        previous = world.token_by_user.pop(user.id, None)
        if previous:
            world.tokens.pop(previous, None)
    header = _b64({"alg": "HS256", "typ": "JWT"})
    expires = now + lifetime
    payload = _b64({"sub": user.id, "portal": world.portal, "exp": int(expires.timestamp()),
                    "jti": secrets.token_hex(8)})
    value = f"{header}.{payload}.{secrets.token_urlsafe(32)}"
    world.tokens[value] = Token(value=value, user_id=user.id, expires=expires)
    if exclusive:
        world.token_by_user[user.id] = value
    else:
        prune_tokens(world, now)
    return value


def prune_tokens(world: AbsorbWorld, now: datetime) -> None:
    """Drop expired tokens that no user's ``/authenticate`` slot names (OAuth's), so the table stays small."""
    named = set(world.token_by_user.values())
    for value in [v for v, t in world.tokens.items() if t.expires <= now and v not in named]:
        del world.tokens[value]


def authenticate(world: AbsorbWorld, *, username: str, password: str, private_key: str, api_key: str,
                 now: datetime) -> str:
    user_id = world.users_by_name.get(username_key(username))
    user = world.users.get(user_id) if user_id else None
    # compare_digest, like every other secret here: no timing of how much of a guess was right
    password_ok = hmac.compare_digest(((user.password if user else None) or "").encode(), password.encode())
    key_ok = hmac.compare_digest(private_key.strip().lower().encode(), api_key.lower().encode())
    if (user is None or user.password is None or not password_ok or not key_ok
            or (user.active_status != ACTIVE and not CHOICES.inactive_user_can_authenticate)):
        raise Unauthorized("The username, password or private key is not valid.",
                           validations=["credentials: invalid username, password or privateKey"])
    return issue_token(world, user, now)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()
