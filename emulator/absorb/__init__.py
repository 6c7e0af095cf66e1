"""Absorb LMS Integration API v2, served under ``/absorb``."""
from __future__ import annotations

from flask import Response, jsonify

from ..core.errors import EmulatorError
from ..core.openapi import Param
from ..core.vendor import Vendor
from emulator.absorb.http.routes import bp
from emulator.absorb.http import (  # noqa: F401 - their routes join bp
    enrollments as enrollment_routes, lookups as lookup_routes,
)
from emulator.absorb.http import (  # noqa: F401 - their routes join bp
    catalogue as catalogue_routes, certificates as certificate_routes, learner as learner_routes,
    oauth as oauth_routes, resources as resource_routes,
)
from emulator.absorb.domain.oauth import OAuthError, register_from_admin, revoke_client
from emulator.absorb.seed.world import build_world
from emulator.absorb.wire.schemas import dump_rows
from emulator.absorb.http import offerings as offering_routes  # noqa: F401 - its routes join bp
from emulator.absorb.http import learning as learning_routes  # noqa: F401 - its routes join bp
from emulator.absorb.http import last as last_routes  # noqa: F401 - its routes join bp


def render_error(err: EmulatorError) -> Response:
    """Absorb's error body: ``{validations, code, message, term, _meta}``; the OAuth endpoints' RFC 6749 body
    ``{error, error_description}``."""
    if isinstance(err, OAuthError):
        response = jsonify({"error": err.term, "error_description": err.message})
        response.status_code = err.status
        response.headers["Cache-Control"] = "no-store"
        return response
    response = jsonify({"validations": err.validations, "code": err.status, "message": err.message,
                        "term": err.term, "_meta": {k: str(v) for k, v in err.meta.items()}})
    response.status_code = err.status
    return response


OPENAPI = {
    "version": "2",
    "description": "Absorb LMS Integration API v2 as served by lms-emulator: course, session, chapter and lesson "
                   "enrollments, attempts, users, courses, departments. Every call carries x-api-key; x-api-version "
                   "is optional (absent or 2: v2). Every call but /authenticate carries the token from "
                   "/authenticate in Authorization, raw or as 'Bearer <token>'. Lists are ordered by the "
                   "vendor's documented default sort (user course enrollments by courseName, users by "
                   "username) and elsewhere by the resource's key (id).",
    "headers": (Param("x-api-key", {"type": "string", "format": "uuid"}, "The portal's private API key.",
                      required=True, where="header"),
                Param("x-api-version", {"type": "string", "enum": ["2"]},
                      "API version; optional, v2 when absent.", where="header")),
    "headers_without_auth": True,
    "security_schemes": {
        "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                  "description": "The raw token from POST /authenticate (what real v2 clients send); valid 4 hours, "
                                 "one per user."},
        "bearer": {"type": "http", "scheme": "bearer", "description": "The same token as 'Bearer <token>'."}},
    "security": [{"token": []}, {"bearer": []}],
    "error_schema": "error",
}

def secret_answer(body: bytes) -> bool:
    """A bare JSON string answer is a token (``/authenticate`` answers nothing else as one): the journal masks it.
    (The first 64 bytes are enough: the emulator's answers start with their value; a list is never copied.)"""
    return body[:64].lstrip()[:1] == b'"'


VENDOR = Vendor(name="absorb", title="Absorb LMS Integration API v2", blueprint=bp, build_world=build_world,
                dump_world=dump_rows,
                render_error=render_error, openapi=OPENAPI, case_insensitive=True,
                rate_limit=(200, 100), secret_answer=secret_answer,
                register_client=register_from_admin, revoke_client=revoke_client)
