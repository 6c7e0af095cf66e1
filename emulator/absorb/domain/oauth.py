"""Absorb's OAuth 2.0 (OpenID Connect authorization-code flow): clients, one-time codes, access and refresh tokens.

What the vendor documents (docs.myabsorb.com, v2 "OAuth 2.0"; evidence in docs/VENDOR-NOTES.md):
- ``GET /oauth/authorize?client_id&redirect_uri&response_type=code&scope&state`` is opened in a browser: a login
  page, then a consent page, then a redirect to ``redirect_uri`` with a one-time ``code`` (and the ``state``);
- ``POST /oauth/token`` exchanges the code (or a refresh token) for an access token and a refresh token;
- the access token is valid 4 hours, the refresh token 1 year; the token is sent as ``Authorization: Bearer``;
- the client id and secret come from the portal's settings (here: registered through the admin API).

Emulator's choices (docs/VENDOR-NOTES.md): a code lives ``CODE_LIFETIME`` and is spent by its first
exchange, a wrong attempt included; the refresh token is not rotated; an access token from OAuth does not revoke
the user's other tokens (the vendor's one-token-per-user rule is documented for ``/authenticate`` only); the
token's role is the user's (an admin's token opens every route, a learner's the learner's routes).

Plain functions taking the world first, called under the tenant's lock; secrets come from ``secrets`` (never from
the world's seeded generator: a secret must not be guessable from the seed).
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from emulator.core.errors import BadRequest, EmulatorError
from emulator.absorb.domain.tokens import issue_token
from emulator.absorb.domain.models import ACTIVE, AbsorbWorld, User, username_key

ACCESS_LIFETIME = timedelta(hours=4)  # documented
REFRESH_LIFETIME = timedelta(days=365)  # documented: "Refresh token lasts for 1 year"
CODE_LIFETIME = timedelta(minutes=5)  # emulator's choice (RFC 6749 recommends at most 10 minutes)
LOGIN_LIFETIME = timedelta(minutes=15)  # a login waiting for consent (emulator's choice)
SCOPES = ("admin.v1", "openid", "profile", "offline_access")  # documented: "admin.v1"; OIDC's own also accepted
MAX_REDIRECT_URIS = 20
MAX_CLIENTS = 50  # per portal (emulator's choice: registration is a test's set-up, not a service)


class OAuthError(EmulatorError):
    """An OAuth endpoint's refusal, rendered as RFC 6749 answers it: ``{"error", "error_description"}``."""

    status = 400
    term = "invalid_request"

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.term, self.status = error, status


@dataclass(slots=True)
class OAuthClient:
    client_id: str
    client_secret: str
    name: str
    redirect_uris: list[str]
    date_added: datetime


@dataclass(slots=True)
class Grant:
    """What a login, a code or a refresh token stands for: a user's consent to a client, for a scope."""

    user_id: str
    client_id: str
    redirect_uri: str
    scope: str
    expires: datetime
    state: str | None = None


@dataclass
class OAuthState:
    """One portal's OAuth clients and outstanding grants (``world.oauth``)."""

    clients: dict[str, OAuthClient] = field(default_factory=dict)
    logins: dict[str, Grant] = field(default_factory=dict)  # login ticket -> grant awaiting consent
    codes: dict[str, Grant] = field(default_factory=dict)  # one-time authorization code -> grant
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)


def state_of(world: AbsorbWorld) -> OAuthState:
    if world.oauth is None:
        world.oauth = OAuthState()
    state: OAuthState = world.oauth
    return state


# -- clients (the admin API) -------------------------------------------------------------------------------

def register_client(world: AbsorbWorld, *, name: str, redirect_uris: list[str], now: datetime) -> OAuthClient:
    state = state_of(world)
    if len(state.clients) >= MAX_CLIENTS:
        raise BadRequest(f"A portal holds at most {MAX_CLIENTS} OAuth clients; revoke one first.")
    client = OAuthClient(client_id=secrets.token_urlsafe(15), client_secret=secrets.token_urlsafe(32), name=name,
                         redirect_uris=list(redirect_uris), date_added=now)
    state.clients[client.client_id] = client
    return client


def register_from_admin(world: AbsorbWorld, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The admin API's ``POST /_emulator/tenants/{id}/absorb/oauth-clients {"redirectUris": [...], "name"}``."""
    uris, name = body.get("redirectUris"), body.get("name", "OAuth client")
    if not isinstance(uris, list) or not uris or len(uris) > MAX_REDIRECT_URIS \
            or not all(isinstance(u, str) and _absolute(u) for u in uris):
        raise BadRequest(f"redirectUris: required, 1 to {MAX_REDIRECT_URIS} absolute http(s) URLs without a fragment.")
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 100:
        raise BadRequest("name: a string of 1 to 100 characters.")
    return client_info(register_client(world, name=name.strip(), redirect_uris=uris, now=now))


def _absolute(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment and len(uri) <= 2000


def client_info(client: OAuthClient) -> dict[str, Any]:
    return {"clientId": client.client_id, "clientSecret": client.client_secret, "name": client.name,
            "redirectUris": client.redirect_uris}


# -- the authorization endpoint --------------------------------------------------------------------------------

@dataclass(slots=True)
class AuthorizeRequest:
    """The query of ``/oauth/authorize``, checked: the client, where to send the user back, what is asked."""

    client: OAuthClient
    redirect_uri: str
    scope: str
    state: str | None


def check_client(world: AbsorbWorld, client_id: str | None, redirect_uri: str | None) -> OAuthClient:
    """The client and its redirect URI: what must hold before anything is sent to that URI (RFC 6749 4.1.2.1:
    otherwise the user is told, never redirected)."""
    client = state_of(world).clients.get(client_id or "")
    if client is None:
        raise OAuthError("invalid_client", "client_id is missing or names no OAuth client of this portal.", 400)
    if not redirect_uri or redirect_uri not in client.redirect_uris:
        raise OAuthError("invalid_request", "redirect_uri is missing or is not registered for this client.")
    return client


def check_authorize(world: AbsorbWorld, args: dict[str, str]) -> AuthorizeRequest:
    """``/oauth/authorize``'s query. The client and redirect URI first (``check_client``); then what is answered
    by a redirect with ``error`` (``RedirectError``): the response type and the scope."""
    client = check_client(world, args.get("client_id"), args.get("redirect_uri"))
    redirect_uri, state = args["redirect_uri"], args.get("state")
    if args.get("response_type") != "code":
        raise RedirectError(redirect_uri, "unsupported_response_type", "response_type must be 'code'.", state)
    scope = " ".join((args.get("scope") or "admin.v1").split())
    unknown = [s for s in scope.split() if s not in SCOPES]
    if unknown:
        raise RedirectError(redirect_uri, "invalid_scope", f"Unsupported scope: {' '.join(unknown)}.", state)
    return AuthorizeRequest(client, redirect_uri, scope, state)


class RedirectError(Exception):
    """A refusal the authorization endpoint sends back to the client's redirect URI (RFC 6749 4.1.2.1)."""

    def __init__(self, redirect_uri: str, error: str, description: str, state: str | None) -> None:
        super().__init__(description)
        self.redirect_uri, self.error, self.description, self.state = redirect_uri, error, description, state


def log_in(world: AbsorbWorld, asked: AuthorizeRequest, username: str, password: str, now: datetime) -> str | None:
    """The login form: a ticket for the consent page, or None when the credentials are wrong (the page says so)."""
    user_id = world.users_by_name.get(username_key(username.strip()))
    user = world.users.get(user_id) if user_id else None
    known = (user.password if user else None) or ""
    if user is None or user.password is None or not hmac.compare_digest(known.encode(), password.encode()) \
            or user.active_status != ACTIVE:
        return None
    ticket = secrets.token_urlsafe(24)
    _prune(state_of(world).logins, now)
    state_of(world).logins[ticket] = Grant(user.id, asked.client.client_id, asked.redirect_uri, asked.scope,
                                           now + LOGIN_LIFETIME, asked.state)
    return ticket


def login_user(world: AbsorbWorld, ticket: str) -> User | None:
    grant = state_of(world).logins.get(ticket)
    return world.users.get(grant.user_id) if grant else None


def consent(world: AbsorbWorld, asked: AuthorizeRequest, ticket: str, allow: bool, now: datetime) -> str:
    """The consent page's answer: the URL the browser is sent to -- with a one-time code, or ``access_denied``."""
    grant = state_of(world).logins.pop(ticket, None)
    if grant is None or grant.expires <= now or grant.client_id != asked.client.client_id \
            or grant.redirect_uri != asked.redirect_uri:
        raise OAuthError("invalid_request", "The login has expired or belongs to another request; log in again.")
    if not allow:
        raise RedirectError(asked.redirect_uri, "access_denied", "The user denied the request.", asked.state)
    code = secrets.token_urlsafe(32)
    _prune(state_of(world).codes, now)
    state_of(world).codes[code] = Grant(grant.user_id, grant.client_id, grant.redirect_uri, asked.scope,
                                        now + CODE_LIFETIME, asked.state)
    return with_query(asked.redirect_uri, {"code": code, "state": asked.state})


def with_query(uri: str, params: dict[str, str | None]) -> str:
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{extra}"


# -- the token endpoint -------------------------------------------------------------------------------------

def _client(world: AbsorbWorld, client_id: str | None, client_secret: str | None) -> OAuthClient:
    client = state_of(world).clients.get(client_id or "")
    if client is None or not hmac.compare_digest(client.client_secret.encode(), (client_secret or "").encode()):
        raise OAuthError("invalid_client", "The client_id or client_secret is not valid.", 401)
    return client


def exchange(world: AbsorbWorld, form: dict[str, str], now: datetime) -> dict[str, Any]:
    """``POST /oauth/token``: ``grant_type=authorization_code`` (code, redirect_uri) or ``refresh_token``."""
    grant_type = form.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthError("unsupported_grant_type", "grant_type must be 'authorization_code' or 'refresh_token'.")
    client = _client(world, form.get("client_id"), form.get("client_secret"))
    state = state_of(world)
    if grant_type == "authorization_code":
        grant = state.codes.pop(form.get("code") or "", None)  # one-time: spent by this attempt, whatever comes
        if grant is None or grant.expires <= now or grant.client_id != client.client_id:
            raise OAuthError("invalid_grant", "The authorization code is not valid, was used already or expired.")
        if form.get("redirect_uri", grant.redirect_uri) != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the one the code was issued for.")
        refresh = secrets.token_urlsafe(48)
        _prune(state.refresh_tokens, now)
        state.refresh_tokens[refresh] = Grant(grant.user_id, client.client_id, grant.redirect_uri, grant.scope,
                                              now + REFRESH_LIFETIME)
    else:
        refresh = form.get("refresh_token") or ""
        grant = state.refresh_tokens.get(refresh)
        if grant is None or grant.expires <= now or grant.client_id != client.client_id:
            raise OAuthError("invalid_grant", "The refresh token is not valid or has expired.")
    user = world.users.get(grant.user_id)
    if user is None or user.active_status != ACTIVE:
        raise OAuthError("invalid_grant", "The user of this grant can no longer sign in.")
    access = issue_token(world, user, now, lifetime=ACCESS_LIFETIME, exclusive=False)
    return {"access_token": access, "token_type": "Bearer", "expires_in": int(ACCESS_LIFETIME.total_seconds()),
            "refresh_token": refresh, "scope": grant.scope}


def revoke_client(world: AbsorbWorld, client_id: str) -> bool:
    """The admin API's revocation: the client is gone, with its codes and refresh tokens (access tokens it got
    run out on their own, as access tokens do)."""
    state = state_of(world)
    if state.clients.pop(client_id, None) is None:
        return False
    for table in (state.logins, state.codes, state.refresh_tokens):
        for key in [k for k, g in table.items() if g.client_id == client_id]:
            del table[key]
    return True


def _prune(table: dict[str, Grant], now: datetime) -> None:
    """Drop expired grants, so that a long-running server's tables do not grow without end."""
    for key in [k for k, g in table.items() if g.expires <= now]:
        del table[key]
