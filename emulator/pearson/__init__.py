"""Pearson English Learning Services, served under ``/pearson``."""
from __future__ import annotations

from flask import Response, jsonify

from ..core.errors import EmulatorError
from ..core.vendor import Vendor
from . import booking_routes  # noqa: F401 - registers the class-booking routes on the blueprint
from . import profile_routes  # noqa: F401 - registers staffmembers/{id}/profile
from . import public_routes  # noqa: F401 - registers api/Class (public)
from .auth import issue_token
from .routes import bp
from .seed import build_world


def render_error(err: EmulatorError) -> Response:
    """ASP.NET Web API's HttpError: ``{"Message": "..."}``; a booking refusal is an ApiProxyResponse
    (``bookings.Refused``), a token endpoint failure OAuth 2.0's ``{"error", "error_description"}``."""
    if "proxy_code" in err.meta:
        body = {"Code": err.meta["proxy_code"], "Message": err.message, "Fields": err.meta.get("proxy_fields")}
    elif "oauth_error" in err.meta:
        body = {"error": err.meta["oauth_error"], "error_description": err.message}
    else:
        body = {"Message": err.message}
    response = jsonify(body)
    response.status_code = err.status
    return response


OPENAPI = {
    "version": "1",
    "description": "Pearson English Learning Services (an ASP.NET Web API service) as served by lms-emulator. "
                   "Bearer tokens are issued by the emulator's admin API: "
                   "POST /_emulator/tenants/{tenant}/pearson/tokens {\"userId\": ...}, or by the emulator's token "
                   "endpoint POST /api/connect/token (a form: username, password, clientId, clientSecret; a "
                   "territory's client alone for the openapi/ routes).",
    "security_schemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
    "security": [{"bearer": []}],
    "error_schema": "error",
}

VENDOR = Vendor(name="pearson", title="Pearson English Learning Services", blueprint=bp, build_world=build_world,
                render_error=render_error, issue_token=issue_token, openapi=OPENAPI)
