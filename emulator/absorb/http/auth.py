"""Absorb authentication: ``x-api-key`` names the portal, ``x-api-version`` (optional), tokens raw or Bearer.

How a call must carry them is one table, ``WIRE_RULES``: lenient where the vendor is (real v2 clients send no
``x-api-version`` and the token without a scheme), exact where it documents a rule. In strict mode
(``--strict``) a call that leans on something the vendor leaves undocumented is answered all the same and
reported in the contract-violations header (``core.strict.report``).

Tokens come from ``POST /authenticate``, live ``TOKEN_LIFETIME`` on the
tenant's clock, and only one exists per user: authenticating again revokes
the previous token (as Absorb documents). An admin's token opens every route;
a learner's only the ``my-enrollments`` routes (403 elsewhere).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from collections.abc import Callable, Hashable, Mapping

from flask import request

from emulator.core import strict
from emulator.core.casefold import fold_query
from emulator.core.http import current_store
from emulator.core.pagecache import StalePage, page_key
from emulator.core.tenantcall import Access, tenant_call
from emulator.core.errors import BadRequest, Forbidden, Unauthorized
from emulator.core.store import Store, Tenant
from emulator.absorb.domain.models import AbsorbWorld, User

# The wire rules, one row per header: what the vendor documents, what the emulator accepts, and what strict
# mode reports (None: nothing to report). Evidence: docs/VENDOR-NOTES.md, "Absorb: headers and tokens".
WIRE_RULES: dict[str, dict[str, Any]] = {
    "x-api-key": {  # documented as required: missing or unknown is 401
        "required": True,
    },
    "x-api-version": {  # documented as a header with the value 2, not marked required; real clients omit it
        "required": False,
        "supported": ("2",),
        "when_absent": "2",
        "report_absent": "header 'x-api-version' is missing: the vendor documents 'x-api-version: 2' and leaves "
                         "its absence undocumented (served as v2)",
    },
    "Authorization": {  # the token from /authenticate: real v2 clients send it raw, others as 'Bearer <token>'
        "schemes": ("", "bearer"),  # "" is the raw token
        "report_raw": None,  # both forms are what real clients send and the real API answers: nothing to report
    },
}


def _single_header(environ: dict[str, Any], name: str) -> str | None:
    # WSGI joins repeated headers with ", " into one environ key; none of Absorb's header values
    # contains a comma. Read the key directly: ``request.headers`` walks the whole environ per lookup.
    raw = environ.get("HTTP_" + name.upper().replace("-", "_"))
    if raw is None:
        return None
    if "," not in raw:
        return raw.strip()
    values = [part.strip() for part in raw.split(",")]
    if len(set(values)) > 1:
        raise BadRequest(f"The {name} header was sent more than once with different values.",
                         validations=[f"{name}: duplicate header"])
    return values[0].strip() if values else None


def credentials(environ: dict[str, Any], store: Store) -> tuple[Tenant, None]:
    """The tenant call's credentials rule (``core.tenantcall``): the tenant named by ``x-api-key``, after the
    ``x-api-version`` check. The token is the caller rule's (``caller``), under the tenant's lock."""
    api_key = _single_header(environ, "x-api-key")
    if not api_key:
        raise Unauthorized("The x-api-key header is required.", validations=["x-api-key: required"])
    tenant = store.tenant_for("absorb", api_key)
    if tenant is None:
        raise Unauthorized("The x-api-key is not valid.", validations=["x-api-key: unknown key"])
    api_version(environ)
    return tenant, None


def resolve_portal() -> Tenant:
    """The tenant named by the current request's ``x-api-key`` (``credentials``), for the routes that are no
    tenant call (``/authenticate``)."""
    return credentials(request.environ, current_store())[0]


def api_version(environ: dict[str, Any]) -> str:
    """The version asked for: ``x-api-version``, or v2 when absent (``WIRE_RULES``); anything else is 400."""
    rule = WIRE_RULES["x-api-version"]
    version = _single_header(environ, "x-api-version")
    if version is None or version == "":
        if rule["report_absent"]:
            strict.report(rule["report_absent"], environ)
        return rule["when_absent"]
    if version not in rule["supported"]:
        supported = ", ".join(rule["supported"])
        raise BadRequest(f"API version '{version}' is not supported; the supported version is {supported}.",
                         validations=[f"x-api-version: '{version}' is not supported; use {supported}"])
    return version


def token_of_request(header: str | None, environ: dict[str, Any]) -> str:
    """The token of ``Authorization``: raw (``<token>``) or ``Bearer <token>`` (``WIRE_RULES``); else 401.

    ``header``: the value read by ``_single_header`` (a header sent twice alike, counted once)."""
    rule = WIRE_RULES["Authorization"]
    raw = (header or "").strip()
    value = token_value(raw)
    if value is None:
        raise Unauthorized("A token from /authenticate is required in the Authorization header.",
                           validations=["Authorization: token required ('<token>' or 'Bearer <token>')"])
    if " " not in raw and rule["report_raw"]:
        strict.report(rule["report_raw"], environ)
    return value


def token_value(raw: str) -> str | None:
    """The token an ``Authorization`` value carries, raw or after a scheme (``WIRE_RULES``); None: no token."""
    schemes = WIRE_RULES["Authorization"]["schemes"]
    raw = raw.strip()
    scheme, _, rest = raw.partition(" ")
    if rest.strip() and scheme.lower() in schemes:
        return rest.strip()
    if raw and " " not in raw and "" in schemes:
        return raw
    return None


def current_user(world: AbsorbWorld, now: datetime, environ: dict[str, Any]) -> User:
    header = _single_header(environ, "Authorization")  # conflicting duplicates: 400; the same value twice: once
    value = token_of_request(header, environ)
    token = world.tokens.get(value)
    if token is None:
        raise Unauthorized("The token is not valid.", validations=["Authorization: unknown or revoked token"])
    if token.expires <= now:
        raise Unauthorized("The token has expired.", validations=["Authorization: token expired"])
    return world.users[token.user_id]


def caller(world: AbsorbWorld, found: None, now: datetime, environ: dict[str, Any], options: Mapping[str, Any],
           path_args: dict[str, Any]) -> dict[str, Any]:
    """The tenant call's caller rule: the token's user (``user=``), an administrator unless the route says
    ``admin=False``; nothing for a route that takes no token (``token=False``). Reads only: the page step calls it
    without the lock."""
    if not options.get("token", True):
        return {}
    user = current_user(world, now, environ)
    if options.get("admin", True) and not user.is_admin:
        raise Forbidden("This route requires an administrator's token.",
                        validations=["Authorization: a learner's token opens the learner's routes (my-..., enroll, the "
                                     "catalogue's reads) only"])
    return {"user": user}


def page(tenant: Tenant, world: AbsorbWorld, admitted: dict[str, Any], view: Callable[..., Any],
         path_args: dict[str, Any], path: str, query: str) -> bytes | Callable[[], bytes | None] | None:
    """The page step's hook (``core.pipeline.PageStep``): for a paged list route (``routes.paged``), the page
    cached for this caller and query, or a function that computes it as the view would (``build_page``)."""
    user = admitted.get("user")
    paged = getattr(view, "paged", None)
    if user is None or paged is None:
        return None
    key = page_key(path, query.encode(), user.id)
    found = world.pages.cached(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    return lambda: build_page(tenant, world, user, view, path_args, query, key)


def build_page(tenant: Tenant, world: AbsorbWorld, user: User, view: Callable[..., Any],
                 path_args: dict[str, Any], query: str, key: Hashable) -> bytes | None:
    """A paged list's page (``routes.PagedList``) as Flask's view computes it: the same lock, the same world
    (None if a reset swapped it since the checks), the query parsed and folded alike. None when the view fails
    (a 404, a bad ``_filter``): Flask answers it again, in the vendor's shape."""
    args = fold_query(view, query)
    with tenant.lock:
        if AbsorbWorld.of(tenant) is not world:
            return None
        try:
            return view.paged.page(path_args, args, key, world=world, now=tenant.clock.now(),  # type: ignore[attr-defined]
                                   user=user)
        except StalePage:  # verify mode: a write did not announce itself; the pipeline has Flask raise it
            raise
        except Exception:  # noqa: BLE001 - a refusal: Flask answers the same request again, with its error
            return None  # (what the listing may have written, lesson enrollments made on first read, is kept
            #              and made again the same way: idempotent)


ACCESS = Access("absorb", credentials, caller, page)


def absorb_call(*, admin: bool = True, token: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: Absorb's tenant call (``core.tenantcall``): ``x-api-key`` and ``x-api-version``, then under the
    tenant's lock the token (unless ``token=False``) of an administrator (unless ``admin=False``). The view
    receives ``world`` and ``now`` (the tenant's clock), and ``user`` when a token is required. A cached page is
    the pipeline's page step's, before any of this (the lock rule's one exception)."""
    return tenant_call(ACCESS, admin=admin, token=token)
