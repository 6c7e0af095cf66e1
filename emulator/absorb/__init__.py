"""Absorb LMS Integration API v2, served under ``/absorb``."""
from __future__ import annotations

from flask import Response, jsonify

from ..core.errors import EmulatorError
from ..core.vendor import Vendor
from .routes import bp
from .seed import build_world


def render_error(err: EmulatorError) -> Response:
    """Absorb's error body: ``{validations, code, message, term, _meta}``."""
    response = jsonify({"validations": err.validations, "code": err.status, "message": err.message,
                        "term": err.term, "_meta": {k: str(v) for k, v in err.meta.items()}})
    response.status_code = err.status
    return response


VENDOR = Vendor(name="absorb", title="Absorb LMS Integration API v2", blueprint=bp, build_world=build_world,
                render_error=render_error)
