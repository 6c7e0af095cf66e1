"""iSpring Learn (REST API v3), served under ``/ispring``."""
from __future__ import annotations

from flask import Response, request

from ..core.exchange import current
from ..core.errors import EmulatorError
from ..core.openapi import Param
from ..core.vendor import Vendor
from emulator.ispring.http import (  # noqa: F401  (they register their routes on bp)
    departments as routes_departments, groups as routes_groups, users as routes_users,
)
from emulator.ispring.http.auth import default_media, preferred_media
from emulator.ispring.http.routes import answer, bp
# the learning routes register on bp when imported
from emulator.ispring.http import (  # noqa: F401
    content as routes_content, enrollments as routes_enrollments, gamification as routes_gamification,
    results as routes_results, training as routes_training, webhooks as routes_webhooks,
)
from emulator.ispring.seed.world import build_world
from emulator.ispring.wire.schemas import dump_world
from emulator.ispring.domain.service import MEDIA_TYPES


def render_error(err: EmulatorError) -> Response:
    """iSpring's ErrorResponse ``{"code": <int>, "message": "..."}`` (code = the HTTP status), in JSON or XML
    as ``Accept`` prefers (JSON when it allows neither: the 406 itself)."""
    media = current().media or preferred_media(request.headers.get("Accept", ""),
                                                      default_media(request.path)) or MEDIA_TYPES[0]
    response = answer({"code": err.status, "message": err.message}, "error", media)
    response.status_code = err.status
    return response


OPENAPI = {
    "version": "3",
    "description": "iSpring Learn REST API (token, appraisal sessions, users, departments, groups) as served by "
                   "lms-emulator. Two auth modes: a token from POST /api/v3/token (client credentials), sent as "
                   "'Authorization: Bearer <token>' or bare; or, without Authorization, the login headers "
                   "X-Auth-Account-Url, X-Auth-Email and X-Auth-Password of an account user. Every path is also "
                   "served under /api/v2 and /index.php/api/v2. Answers are JSON or XML, as Accept asks "
                   "(*/* or none: XML, but JSON from the token endpoint); bodies are JSON or XML.",
    "headers": (Param("X-Auth-Account-Url", {"type": "string"},
                      "Optional: the account URL, e.g. https://myaccount.ispringlearn.com; when sent it must be "
                      "the token's account", required=False, where="header"),
                Param("X-Auth-Email", {"type": "string"}, "Login mode: an account user's e-mail",
                      required=False, where="header"),
                Param("X-Auth-Password", {"type": "string"}, "Login mode: that user's password",
                      required=False, where="header"),
                Param("Accept", {"type": "string"}, "application/json or application/xml (*/* or none: XML)",
                      required=False, where="header")),
    "headers_without_auth": False,
    "media_types": MEDIA_TYPES,
    "security_schemes": {"bearer": {"type": "http", "scheme": "bearer"},
                         "login": {"type": "apiKey", "in": "header", "name": "X-Auth-Email",
                                   "description": "with X-Auth-Password and X-Auth-Account-Url"}},
    "security": [{"bearer": []}, {"login": []}],
    "error_schema": "error",
}

BASE_PATHS = ("/api/v2", "/index.php/api/v2")  # the account host's bases (emulator's choice, docs/VENDOR-NOTES.md)

VENDOR = Vendor(name="ispring", title="iSpring Learn", blueprint=bp, build_world=build_world,
                dump_world=dump_world,
                render_error=render_error, openapi=OPENAPI, base_paths=BASE_PATHS)
