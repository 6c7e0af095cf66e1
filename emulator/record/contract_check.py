"""A real answer held to the emulator's contract: is its status documented for the operation, does its body match
the schema the emulator serves it by (``@documented`` and ``schemas/``)? What the proxy reports for each call."""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from ..core import contract
from ..core.openapi import operation_of
from ..core.state import app_state
from .har import Exchange


@dataclass(frozen=True, slots=True)
class Finding:
    """What the emulator's contract says of one recorded exchange."""

    operation: str  # the emulator's name for it ("absorb.get_user"), or "" when it serves no such route
    problems: tuple[str, ...]

    @property
    def served(self) -> bool:
        return bool(self.operation)


class ContractCheck:
    """Checks against one app's routes (built once: ``create_app({"default_tenant": False})``)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.urls: MapAdapter = app.url_map.bind("localhost")
        self.vendors = app_state(app).vendors

    def route(self, vendor: str, method: str, path: str) -> str:
        """The endpoint serving ``method`` on the vendor's ``path``, or "" where the emulator serves none."""
        known = self.vendors.get(vendor)
        if known is None:
            return ""
        full = known.prefix + (path.lower() if known.case_insensitive else path)
        try:
            endpoint, _ = self.urls.match(full, method)
        except HTTPException:
            return ""
        return str(endpoint)

    def check(self, ex: Exchange) -> Finding:
        endpoint = self.route(ex.vendor, ex.method, ex.path)
        if not endpoint:
            return Finding("", ("the emulator serves no such route",))
        op = operation_of(self.app.view_functions.get(endpoint))
        if op is None:
            return Finding(endpoint, ())
        vendor = self.vendors[ex.vendor]
        if ex.status >= 400:
            name: str | None = (vendor.openapi or {}).get("error_schema", "error")
            if ex.status not in op.responses and ex.status not in (401, 403, 404, 405, 406, 415, 429):
                return Finding(endpoint, (f"status {ex.status} is not documented for this operation",))
        elif ex.status not in op.responses:
            return Finding(endpoint, (f"status {ex.status} is not documented for this operation",))
        else:
            name = op.responses[ex.status]
        mime = ex.response_mime.split(";", 1)[0].strip().lower()
        if name is None or not ex.response_body or not mime.endswith("json"):
            return Finding(endpoint, ())
        try:
            body = json.loads(ex.response_body)
        except ValueError:
            return Finding(endpoint, ("the body is not JSON",))
        if name not in contract.names(ex.vendor):
            return Finding(endpoint, ())
        return Finding(endpoint, tuple(f"body {p}" for p in contract.errors(ex.vendor, name, body)))
