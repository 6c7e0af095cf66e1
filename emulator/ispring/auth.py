"""iSpring Learn authentication: OAuth client credentials, Bearer tokens, and the account header.

- ``POST /api/v3/token`` (form: client_id, client_secret, grant_type=client_credentials)
  finds the account from ``X-Auth-Account-Url`` when sent, else from the client id
  (client ids are tenant keys). Tokens live ``service.TOKEN_LIFETIME`` on the tenant clock.
- API calls: ``X-Auth-Account-Url`` names the account (missing or unknown: 401), then the
  Bearer token must be one this account issued and not expired (else 401), then the
  ``Content-Type`` and ``Accept`` headers are checked (400).
"""
from __future__ import annotations

from functools import lru_cache, wraps
from typing import Any, Callable

from flask import g, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..core.http import bearer_token, current_store
from ..core.errors import BadRequest, Unauthorized
from ..core.store import Tenant
from . import service
from .models import ApiClient, ISpringWorld, Token
from .schemas import TOKEN_REQUEST, load

ACCOUNT_HEADER = "X-Auth-Account-Url"


def _account_key(value: str) -> str:
    return value.strip().rstrip("/")


def resolve_account(required: bool = True) -> Tenant | None:
    """The tenant named by ``X-Auth-Account-Url``: 401 when missing (if required) or unknown."""
    value = request.headers.get(ACCOUNT_HEADER, "").strip()
    if not value:
        if required:
            raise Unauthorized(f"The {ACCOUNT_HEADER} header is required.")
        return None
    tenant = current_store().tenant_for("ispring", _account_key(value))
    if tenant is None or _account_key(value).lower() != tenant.world("ispring").account_url.lower():
        raise Unauthorized(f"No account at '{value}'.")
    return tenant


def grant_token() -> tuple[ISpringWorld, Token]:
    """The token endpoint: form checks (400), then the account and the client's secret (401)."""
    if request.mimetype != "application/x-www-form-urlencoded":
        raise BadRequest("The request must be application/x-www-form-urlencoded.")
    form = load(TOKEN_REQUEST, request.form.to_dict())
    tenant = resolve_account(required=False) or current_store().tenant_for("ispring", form["client_id"])
    if tenant is None:
        raise Unauthorized("Invalid client credentials.")
    g.tenant = tenant
    with tenant.lock:  # the world is read under the lock: a reset swaps it there
        world: ISpringWorld = tenant.world("ispring")
        client = service.authenticate_client(world, form["client_id"], form["client_secret"])
        return world, service.issue_token(world, client, tenant.clock.now())


def _bearer() -> str:
    return bearer_token(request, Unauthorized("A Bearer access token is required."))


def check_json_headers() -> None:
    """Content-Type must be JSON; Accept must allow JSON (the rule: ``service.ACCEPTABLE``)."""
    if request.mimetype != "application/json":
        raise BadRequest(f"Content-Type must be application/json (got {request.mimetype or 'none'}).")
    accept = request.headers.get("Accept", "").strip()
    if accept and not _accepts_json(accept):
        raise BadRequest(f"Accept must allow application/json (got {accept}).")


@lru_cache(maxsize=256)  # pure; parsing the header cost more than the rest of the check
def _accepts_json(accept: str) -> bool:
    return parse_accept_header(accept, MIMEAccept).best_match(service.ACCEPTABLE) is not None


def ispring_call(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: account (401), token (401), JSON headers (400), then the handler under the tenant's lock.

    The handler receives ``world``, ``now`` and ``client`` as keyword arguments.
    """

    @wraps(view)
    def inner(*args: Any, **kwargs: Any) -> Any:
        tenant = resolve_account()
        assert tenant is not None
        g.tenant = tenant
        value = _bearer()
        with tenant.lock:  # the world is read under the lock: a reset swaps it there
            world: ISpringWorld = tenant.world("ispring")
            now = tenant.clock.now()
            client: ApiClient = service.client_for_token(world, value, now)
            check_json_headers()
            return view(*args, world=world, now=now, client=client, **kwargs)

    return inner
