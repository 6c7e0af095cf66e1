"""iSpring Learn (REST API v3), served under ``/ispring``."""
from __future__ import annotations

from flask import Response, jsonify

from ..core.errors import EmulatorError
from ..core.openapi import Param
from ..core.vendor import Vendor
from .routes import bp
from .seed import build_world


def render_error(err: EmulatorError) -> Response:
    """iSpring's error body: ``{"code": <int>, "message": "..."}`` (code = the HTTP status)."""
    response = jsonify({"code": err.status, "message": err.message})
    response.status_code = err.status
    return response


OPENAPI = {
    "version": "3",
    "description": "iSpring Learn REST API (appraisal session user attributes) as served by lms-emulator. "
                   "Tokens: POST /api/v3/token with client credentials; every call carries X-Auth-Account-Url.",
    "headers": (Param("X-Auth-Account-Url", {"type": "string"}, "The account URL, e.g. https://myaccount.ispringlearn.com",
                      required=True, where="header"),
                Param("Accept", {"type": "string"}, "application/json", required=False, where="header")),
    "security_schemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "security": [{"bearer": []}],
    "error_schema": "error",
}

VENDOR = Vendor(name="ispring", title="iSpring Learn", blueprint=bp, build_world=build_world,
                render_error=render_error, openapi=OPENAPI)
