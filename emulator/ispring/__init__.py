"""iSpring Learn (REST API v3), served under ``/ispring``."""
from __future__ import annotations

from flask import Response, jsonify

from ..core.errors import EmulatorError
from ..core.vendor import Vendor
from .routes import bp
from .seed import build_world


def render_error(err: EmulatorError) -> Response:
    """iSpring's error body: ``{"code": <int>, "message": "..."}`` (code = the HTTP status)."""
    response = jsonify({"code": err.status, "message": err.message})
    response.status_code = err.status
    return response


VENDOR = Vendor(name="ispring", title="iSpring Learn", blueprint=bp, build_world=build_world,
                render_error=render_error)
