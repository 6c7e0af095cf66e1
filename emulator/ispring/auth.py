"""iSpring Learn authentication: OAuth client credentials, Bearer tokens, the account header, and ``Accept``.

- ``POST /api/v3/token`` (form: client_id, client_secret, grant_type=client_credentials)
  finds the account from ``X-Auth-Account-Url`` when sent, else from the client id
  (client ids are tenant keys). Tokens live ``service.TOKEN_LIFETIME`` on the tenant clock,
  and each token is a tenant key while it lives: the token alone names the account.
- API calls: the Bearer token names the account and the client (missing, unknown or expired:
  401). ``X-Auth-Account-Url`` is optional (the vendor's OpenAPI never lists it); when sent it
  must name the token's account (401 otherwise). The rule: ``service.CHOICES["account_header"]``.
- ``Accept`` picks JSON or XML (``service.MEDIA_TYPES``, JSON first on a tie); neither: 406.
"""
from __future__ import annotations

from functools import lru_cache, wraps
from collections.abc import Callable
from typing import Any

from flask import g, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..core.errors import BadRequest, NotAcceptable, Unauthorized
from ..core.http import bearer_token, current_store
from ..core.pipeline import bind_tenant
from ..core.store import Tenant
from . import service
from .models import ApiClient, ISpringWorld, Token
from .schemas import TOKEN_REQUEST, load

ACCOUNT_HEADER = "X-Auth-Account-Url"


def _account_key(value: str) -> str:
    return value.strip().rstrip("/").lower()


def named_account() -> str | None:
    """The account ``X-Auth-Account-Url`` names (normalised), or None when the header is not sent."""
    value = request.headers.get(ACCOUNT_HEADER, "").strip()
    return _account_key(value) if value else None


def check_account(tenant: Tenant) -> None:
    """401 when ``X-Auth-Account-Url`` is sent and names another account than ``tenant``'s."""
    named = named_account()
    if named is not None and named != tenant.world("ispring").account_url.lower():
        raise Unauthorized(f"{ACCOUNT_HEADER} '{request.headers[ACCOUNT_HEADER].strip()}' "
                           "does not name this account.")


@lru_cache(maxsize=256)  # pure; parsing the header cost more than the rest of the check
def preferred_media(accept: str) -> str | None:
    """The media type to answer in for this ``Accept`` value; None when it allows neither."""
    if not accept.strip():
        return service.MEDIA_TYPES[0]
    return parse_accept_header(accept, MIMEAccept).best_match(service.MEDIA_TYPES)


def negotiate() -> str:
    """The request's answer media type (``service.MEDIA_TYPES``), or 406."""
    media = preferred_media(request.headers.get("Accept", ""))
    if media is None:
        raise NotAcceptable(f"Accept must allow application/json or application/xml "
                            f"(got {request.headers.get('Accept', '').strip()}).")
    g.ispring_media = media
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


def _bearer() -> str:
    return bearer_token(request, Unauthorized("A Bearer access token is required."))


def check_json_body() -> None:
    """A route with a body: Content-Type must be JSON (the document offers no other request body)."""
    if request.mimetype != "application/json":
        raise BadRequest(f"Content-Type must be application/json (got {request.mimetype or 'none'}).")


def ispring_call(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: token (401), account header (401), Accept (406), then the handler under the tenant's lock.

    The handler receives ``world``, ``now``, ``client`` and ``media`` as keyword arguments.
    """

    @wraps(view)
    def inner(*args: Any, **kwargs: Any) -> Any:
        value = _bearer()
        tenant = current_store().tenant_for("ispring", value)
        if tenant is None:
            raise Unauthorized("Invalid access token.")
        bind_tenant(tenant, "ispring")
        with tenant.lock:  # the world is read under the lock: a reset swaps it there
            world: ISpringWorld = tenant.world("ispring")
            now = tenant.clock.now()
            client: ApiClient = service.client_for_token(world, value, now)
            check_account(tenant)
            media = negotiate()
            return view(*args, world=world, now=now, client=client, media=media, **kwargs)

    return inner
