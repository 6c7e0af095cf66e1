"""iSpring Learn (REST API v3), served under ``/ispring``."""
from __future__ import annotations

from flask import Response, request

from ..core.errors import EmulatorError
from ..core.openapi import Param
from ..core.vendor import Vendor
from .routes import answer, bp
# the learning routes register on bp when imported
from . import (  # noqa: F401
    routes_content, routes_enrollments, routes_gamification, routes_results, routes_training, routes_webhooks,
)
from .seed import build_world
from .service import MEDIA_TYPES


def render_error(err: EmulatorError) -> Response:
    """iSpring's ErrorResponse ``{"code": <int>, "message": "..."}`` (code = the HTTP status), in JSON or XML
    as ``Accept`` prefers (JSON when it allows neither: the 406 itself)."""
    from .auth import preferred_media

    media = preferred_media(request.headers.get("Accept", "")) or MEDIA_TYPES[0]
    response = answer({"code": err.status, "message": err.message}, "error", media)
    response.status_code = err.status
    return response


OPENAPI = {
    "version": "3",
    "description": "iSpring Learn REST API (token, appraisal sessions, users, departments) as served by lms-emulator. "
                   "Tokens: POST /api/v3/token with client credentials; the token names the account. "
                   "Answers are JSON or XML, as Accept asks.",
    "headers": (Param("X-Auth-Account-Url", {"type": "string"},
                      "Optional: the account URL, e.g. https://myaccount.ispringlearn.com; when sent it must be "
                      "the token's account", required=False, where="header"),
                Param("Accept", {"type": "string"}, "application/json (default) or application/xml",
                      required=False, where="header")),
    "headers_without_auth": False,
    "media_types": MEDIA_TYPES,
    "security_schemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "security": [{"bearer": []}],
    "error_schema": "error",
}

VENDOR = Vendor(name="ispring", title="iSpring Learn", blueprint=bp, build_world=build_world,
                render_error=render_error, openapi=OPENAPI)
