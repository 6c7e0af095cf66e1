"""The admin API under ``/_emulator/``.

``init_app`` loads the state file (``--state-file``) and the start-up fixture, and registers the routes. What
happens to every request (the journal, the admin lock, persistence, faults...) is ``core.pipeline``; the
admin lock lets the dashboard page through (``is_dashboard_page``).
"""
from __future__ import annotations

import logging

from flask import Flask, Request

from ..config import Settings
from ..core.persistence import StateFile
from ..core.state import app_state
from ..core.store import DEFAULT_TENANT, Store
from . import fixtures as fixture_files
from . import har_routes, stub_routes  # noqa: F401 - their routes join bp
from .routes import bp, wants_dashboard

log = logging.getLogger("lms_emulator.admin")
ADMIN_PREFIX = "/_emulator"


def init_app(app: Flask, settings: Settings, store: Store) -> None:
    app_data = app_state(app)

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

    app.register_blueprint(bp, url_prefix=ADMIN_PREFIX)


def is_dashboard_page(req: Request) -> bool:
    """The dashboard's HTML and its two static assets (GET only): everything else needs the admin token."""
    if req.method not in ("GET", "HEAD"):
        return False
    if req.path.startswith(ADMIN_PREFIX + "/static/"):
        return True
    if req.path in (ADMIN_PREFIX, ADMIN_PREFIX + "/"):
        return wants_dashboard()
    return False
