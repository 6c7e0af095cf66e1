"""CORS for browser clients: preflights answered for every vendor header, origins configurable.

``--cors-origins`` / ``LMS_EMULATOR_CORS_ORIGINS``: ``*`` (the default: the
emulator binds to 127.0.0.1, so only local pages reach it), a comma-separated
list of origins, or an empty string to turn CORS off.
"""
from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_HEADERS = "x-api-key, x-api-version, Authorization, X-Auth-Account-Url, Content-Type, Accept"
EXPOSED_HEADERS = "Retry-After, X-Emulator-Contract-Violations"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
MAX_AGE = "600"


def init_app(app: Flask, origins: str) -> None:
    allowed = {o.strip() for o in origins.split(",") if o.strip()}
    if not allowed:
        return

    def origin_ok(origin: str | None) -> str | None:
        if not origin:
            return None
        return "*" if "*" in allowed else (origin if origin in allowed else None)

    @app.before_request
    def preflight() -> Response | None:
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            response = Response(status=204)
            granted = origin_ok(request.headers.get("Origin"))
            if granted:
                response.headers["Access-Control-Allow-Origin"] = granted
                response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response.headers["Access-Control-Max-Age"] = MAX_AGE
                if granted != "*":
                    response.headers["Vary"] = "Origin"
            return response
        return None

    @app.after_request
    def allow_origin(response: Response) -> Response:
        granted = origin_ok(request.environ.get("HTTP_ORIGIN"))  # every answer pays this: no header parsing
        if granted and "Access-Control-Allow-Origin" not in response.headers:
            response.headers["Access-Control-Allow-Origin"] = granted
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            if granted != "*":
                response.headers["Vary"] = "Origin"
        return response
