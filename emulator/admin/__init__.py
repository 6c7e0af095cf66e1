"""The admin API under ``/_emulator/`` and the cross-cutting request hooks it drives.

``init_app`` wires, for every request:
- ``g.tenant`` watching (``TenantAwareGlobals``): when a vendor's auth code sets
  ``g.tenant``, the tenant's fault rules are applied there and then
  (``core.faults.check``); ``DropMiddleware`` closes the socket for ``drop`` rules;
- the journal (``after_request``): one entry per vendor request in the journal
  of ``g.tenant``, or of the default tenant when the credentials named none;
- persistence (``after_request``, only with ``--state-file``): the state is
  written atomically before the answer to a successful mutating request leaves,
  and to any request a fault rule fired on (a GET spends a rule's count too);
- the admin lock (``--admin-token``): Bearer token on every ``/_emulator`` route
  except the dashboard page (``GET /_emulator/`` asking for HTML) and its assets.
"""
from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.ctx import _AppCtxGlobals

from ..config import Settings
from ..core import errors, faults, ratelimit
from ..core.casefold import ORIGINAL_PATH
from ..core.http import MAX_BODY_BYTES
from ..core.journal import Journal, environ_headers, make_entry
from ..core.persistence import StateFile, changes_state
from ..core.state import app_state
from ..core.store import DEFAULT_TENANT, Store, Tenant
from . import fixtures as fixture_files

log = logging.getLogger("lms_emulator.admin")
ADMIN_PREFIX = "/_emulator"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class TenantAwareGlobals(_AppCtxGlobals):
    """``flask.g`` that applies the tenant's fault rules the moment a vendor names the tenant."""

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "tenant" and value is not None and has_request_context():
            vendor = request.path.lstrip("/").split("/", 1)[0]
            ratelimit.check(value, vendor)  # a refused request meets no fault rule and changes nothing
            faults.check(value, vendor)


def journal_of(tenant: Tenant, size: int | None = None) -> Journal:
    journal = tenant.extras.get("journal")
    if journal is None:
        if size is None:
            size = app_state().settings.journal_size
        journal = tenant.extras.setdefault("journal", Journal(size))
    return journal


def init_app(app: Flask, settings: Settings, store: Store) -> None:
    from .routes import bp

    app_data = app_state(app)
    app.app_ctx_globals_class = TenantAwareGlobals  # type: ignore[assignment]
    app.wsgi_app = faults.DropMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    vendor_names = frozenset(app_data.vendors)

    state: StateFile | None = None
    if settings.state_file:
        state = StateFile(settings.state_file, store)
        for tenant in state.load():
            store.adopt(tenant)
        app_data.state_file = state
    if settings.fixtures:
        fixture = fixture_files.at_start(settings.fixtures)  # checked even when the state file has a default
        if fixture is not None and settings.default_tenant and DEFAULT_TENANT not in store.tenants:
            fixture_files.build_at_start(lambda: store.create_tenant(DEFAULT_TENANT, fixture=fixture))
    if state is not None and settings.default_tenant and DEFAULT_TENANT not in store.tenants:
        store.create_tenant(DEFAULT_TENANT)
        state.save()

    @app.before_request
    def _start_clock() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _after(response: Response) -> Response:
        first = request.path.lstrip("/").split("/", 1)[0]
        if first in vendor_names:
            _journal(store, settings, first, response)
        if state is None:
            return response
        wrote = (request.method in MUTATING and response.status_code < 400
                 and changes_state(app.view_functions.get(request.endpoint or "")))
        fired = bool(request.environ.get("lms_emulator.fault")) and g.get("tenant") is not None
        if wrote or fired:  # a fault rule fired on any method: its count, hits and random draw changed
            tenant = g.get("tenant") or g.get("admin_tenant")
            vendor_call = first in vendor_names
            worlds = None if not vendor_call else ([first] if wrote else [])  # only what the call could touch
            state.save(None if tenant is None else [tenant.id], worlds=worlds)
        return response

    @app.before_request
    def _admin_lock() -> None:
        token = settings.admin_token
        if not token or not (request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + "/")):
            return
        if _is_dashboard_page():  # the page holds no data; it asks for the token and sends it itself
            return
        scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise errors.Unauthorized("The admin API requires 'Authorization: Bearer <admin token>'.",
                                      headers={"WWW-Authenticate": 'Bearer realm="lms-emulator admin"'})

    app.register_blueprint(bp, url_prefix=ADMIN_PREFIX)


def _is_dashboard_page() -> bool:
    """The dashboard's HTML and its two static assets (GET only): everything else needs the token."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(ADMIN_PREFIX + "/static/"):
        return True
    if request.path in (ADMIN_PREFIX, ADMIN_PREFIX + "/"):
        from .routes import wants_dashboard

        return wants_dashboard()
    return False


def _journal(store: Store, settings: Settings, vendor: str, response: Response) -> None:
    """One journal entry for a vendor request (the proxies are resolved once: this runs on every call)."""
    req, glob = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]
    named = getattr(glob, "tenant", None)
    tenant = named or store.tenants.get(DEFAULT_TENANT)
    if tenant is None:
        return
    environ = req.environ
    body = b""
    if environ.get("CONTENT_LENGTH") or environ.get("HTTP_TRANSFER_ENCODING"):
        try:
            if not (req.content_length and req.content_length > MAX_BODY_BYTES):
                body = req.get_data(cache=True)
                if not body and req.mimetype == "application/x-www-form-urlencoded" and req.form:
                    from urllib.parse import urlencode

                    body = urlencode(list(req.form.items(multi=True))).encode()
        except Exception:  # noqa: BLE001 - the journal never fails a request
            body = b""
    dropped = bool(environ.get(faults.DROP_KEY))
    started = getattr(glob, "started", None)
    entry = make_entry(
        method=req.method, path=environ.get(ORIGINAL_PATH) or req.path, query=environ.get("QUERY_STRING", ""),
        headers=environ_headers(environ), body=body, content_type=environ.get("CONTENT_TYPE", ""),
        status=None if dropped else response.status_code,
        response_body=b"" if dropped or response.is_streamed else response.get_data(),
        response_content_type=response.headers.get("Content-Type", ""),
        duration_ms=(time.perf_counter() - started) * 1000 if started else 0.0,
        at=tenant.clock.now(), vendor=vendor, tenant_id=tenant.id if named is not None else None)
    fault = environ.get("lms_emulator.fault")
    if fault:
        entry["fault"] = fault
    violations = getattr(glob, "contract_violations", None)  # strict mode: what the client sent undocumented
    if violations:
        entry["contractViolations"] = list(violations)
    if dropped:
        entry["dropped"] = True
    if environ.get(ratelimit.LIMITED_KEY):
        entry["rateLimited"] = True
    journal_of(tenant, settings.journal_size).record(entry)
