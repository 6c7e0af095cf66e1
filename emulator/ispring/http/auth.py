"""iSpring Learn authentication: the two modes clients use, the account header, and ``Accept``.

- ``POST /api/v3/token`` (form: client_id, client_secret, grant_type=client_credentials)
  finds the account from ``X-Auth-Account-Url`` when sent, else from the client id
  (client ids are tenant keys). Tokens live ``service.TOKEN_LIFETIME`` on the tenant clock,
  and each token is a tenant key while it lives: the token alone names the account.
- API calls, token mode: ``Authorization: Bearer <token>`` or the bare ``Authorization: <token>``
  (a production client sends it so); the token names the account and the client (unknown or
  expired: 401). ``X-Auth-Account-Url`` is optional (the vendor's OpenAPI never lists it); when
  sent it must name the token's account (401 otherwise): docs/VENDOR-NOTES.md.
- API calls, login mode (no ``Authorization``): ``X-Auth-Account-Url`` names the account,
  ``X-Auth-Email``/``X-Auth-Password`` an ACTIVE user of it, who is the caller with their role.
- ``Accept`` picks JSON or XML (``service.MEDIA_TYPES``): a type named explicitly wins; only
  wildcards, or no ``Accept``, give the route's default (XML for the API routes, JSON for the
  OAuth token endpoint: docs/VENDOR-NOTES.md); neither allowed: 406.
"""
from __future__ import annotations

from functools import lru_cache
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from emulator.core.errors import BadRequest, NotAcceptable, Unauthorized
from emulator.core.http import current_store
from emulator.core.store import Tenant
from emulator.ispring.domain import service, users
from emulator.ispring.domain.models import ISpringWorld, Token
from emulator.ispring.wire.schemas import TOKEN_REQUEST, load
from emulator.core.exchange import current
from emulator.core.tenantcall import Access, bind_tenant, tenant_call
from emulator.core.store import Store

ACCOUNT_HEADER = "X-Auth-Account-Url"
EMAIL_HEADER = "X-Auth-Email"
PASSWORD_HEADER = "X-Auth-Password"
JSON, XML = service.MEDIA_TYPES


def _account_key(value: str) -> str:
    """An account URL as compared: no scheme, no trailing slash, lower case (clients send either scheme,
    with or without the slash)."""
    value = value.strip().rstrip("/").lower()
    return value.split("://", 1)[1] if "://" in value else value


def named_account() -> str | None:
    """The account ``X-Auth-Account-Url`` names (normalised), or None when the header is not sent."""
    value = request.headers.get(ACCOUNT_HEADER, "").strip()
    return _account_key(value) if value else None


def check_account(tenant: Tenant) -> None:
    """401 when ``X-Auth-Account-Url`` is sent and names another account than ``tenant``'s."""
    named = named_account()
    if named is not None and named != _account_key(tenant.world("ispring").account_url):
        raise Unauthorized(f"{ACCOUNT_HEADER} '{request.headers[ACCOUNT_HEADER].strip()}' "
                           "does not name this account.")


@lru_cache(maxsize=256)  # pure; parsing the header cost more than the rest of the check
def preferred_media(accept: str, default: str = XML) -> str | None:
    """The media type to answer in for this ``Accept`` value; None when it allows neither.

    A type named explicitly with q > 0 wins (the higher q; JSON on a tie); with none named, what the
    wildcards allow, ``default`` first: ``*/*`` and a missing ``Accept`` are ``default``."""
    if not accept.strip():
        return default
    parsed = parse_accept_header(accept, MIMEAccept)
    named = {value: quality for value, quality in parsed if value in service.MEDIA_TYPES}
    if any(q > 0 for q in named.values()):
        return max(service.MEDIA_TYPES, key=lambda m: (named.get(m, 0), m == JSON))
    other = XML if default == JSON else JSON
    for media in (default, other):
        if media not in named and parsed.quality(media) > 0:
            return media
    return None


def default_media(path: str) -> str:
    """What a wildcard ``Accept`` gets: JSON from the OAuth token endpoint, XML from the API routes."""
    return JSON if path.endswith("/api/v3/token") else XML


def negotiate() -> str:
    """The request's answer media type (``service.MEDIA_TYPES``), or 406."""
    media = preferred_media(request.headers.get("Accept", ""), default_media(request.path))
    if media is None:
        raise NotAcceptable(f"Accept must allow application/json or application/xml "
                            f"(got {request.headers.get('Accept', '').strip()}).")
    current().media = media
    return media


def grant_token() -> tuple[ISpringWorld, Token]:
    """The token endpoint: Accept (406), form checks (400), then the account and the client (401, 403)."""
    negotiate()
    if request.mimetype != "application/x-www-form-urlencoded":
        raise BadRequest("The request must be application/x-www-form-urlencoded.")
    form = load(TOKEN_REQUEST, request.form.to_dict())
    store = current_store()
    tenant = store.tenant_for("ispring", form["client_id"]) if form["client_id"].strip() else None
    if tenant is None:
        raise Unauthorized("Invalid client credentials.")
    bind_tenant(tenant, "ispring")
    with tenant.lock:  # the world is read under the lock: a reset swaps it there
        check_account(tenant)
        world: ISpringWorld = tenant.world("ispring")
        client = service.authenticate_client(world, form["client_id"], form["client_secret"])
        service.check_client_may_act(world, client)
        before = set(world.tokens)
        token = service.issue_token(world, client, tenant.clock.now())
        for value in before - set(world.tokens):  # expired tokens the issue purged
            store.drop_key("ispring", value)
        store.add_key("ispring", token.value, tenant)
        return world, token


def _token(header: str) -> str:
    """The token of ``Authorization: Bearer <token>`` or of a bare ``Authorization: <token>``."""
    scheme, _, rest = header.strip().partition(" ")
    if rest.strip() and scheme.lower() == "bearer":
        return rest.strip()
    if scheme and not rest.strip():
        return scheme  # bare: a production client sends the token alone on two routes
    raise Unauthorized("A Bearer access token is required.")


def _login_tenant() -> Tenant:
    """Login mode: the account ``X-Auth-Account-Url`` names (401 when missing or unknown)."""
    named = named_account()
    if named is None:
        raise Unauthorized(f"{ACCOUNT_HEADER} is required with {EMAIL_HEADER} and {PASSWORD_HEADER}.")
    store = current_store()
    tenant = store.tenant_for("ispring", named) or store.tenant_for("ispring", "https://" + named)
    if tenant is None:
        raise Unauthorized(f"{ACCOUNT_HEADER} '{request.headers[ACCOUNT_HEADER].strip()}' names no account.")
    return tenant


def check_json_body() -> None:
    """A JSON-only body (the appraisal routes): Content-Type must be JSON."""
    if request.mimetype != "application/json":
        raise BadRequest(f"Content-Type must be application/json (got {request.mimetype or 'none'}).")


def credentials(environ: dict[str, Any], store: Store) -> tuple[Tenant, tuple[bool, str]]:
    """The tenant call's credentials rule (``core.tenantcall``): token mode when ``Authorization`` is sent (the
    token names the account), else login mode (``X-Auth-*``: ``X-Auth-Account-Url`` names it). Found: (login
    mode, the token)."""
    header = environ.get("HTTP_AUTHORIZATION")
    login = header is None and ("HTTP_X_AUTH_EMAIL" in environ or "HTTP_X_AUTH_PASSWORD" in environ)
    value = "" if login else _token(header or "")
    tenant = _login_tenant() if login else store.tenant_for("ispring", value)
    if tenant is None:
        raise Unauthorized("Invalid access token.")
    return tenant, (login, value)


def caller(world: ISpringWorld, found: tuple[bool, str], now: datetime, environ: dict[str, Any],
           options: Mapping[str, Any], path_args: dict[str, Any]) -> dict[str, Any]:
    """The tenant call's caller rule, under the lock: the due schedules applied, then the caller (the token's
    client, or the signed-in user's ``users.login_caller``), the account header (401) and ``Accept`` (406)."""
    login, value = found
    users.apply_schedules(world, now)
    if login:
        client = users.login_caller(world, request.headers.get(EMAIL_HEADER, ""),
                                    request.headers.get(PASSWORD_HEADER, ""))
    else:
        client = service.client_for_token(world, value, now)
    named = named_account()
    if named is not None and named != _account_key(world.account_url):
        raise Unauthorized(f"{ACCOUNT_HEADER} '{request.headers[ACCOUNT_HEADER].strip()}' "
                           "does not name this account.")
    return {"client": client, "media": negotiate()}


ACCESS = Access("ispring", credentials, caller)


def ispring_call(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: iSpring's tenant call (``core.tenantcall``): credentials (401), then under the tenant's lock the
    caller, the account header (401) and Accept (406). The view receives ``world``, ``now``, ``client`` (the
    caller: an ``ApiClient``, for login mode the signed-in user's ``users.login_caller``) and ``media``."""
    return tenant_call(ACCESS)(view)
