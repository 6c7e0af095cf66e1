"""One exception hierarchy for every vendor.

Handlers and services raise these; the app's single error handler picks the
vendor's renderer by URL prefix and turns the exception into that vendor's
status code and body. No handler builds an error response by hand.
"""
from __future__ import annotations

from typing import Any


class EmulatorError(Exception):
    """Base class: ``status`` and ``term`` are class attributes, the message per raise."""

    status: int = 500
    term: str = "Error"
    default_message: str = "An error occurred."

    def __init__(
        self,
        message: str | None = None,
        *,
        validations: list[str] | None = None,
        headers: dict[str, str] | None = None,
        **meta: Any,
    ) -> None:
        self.message = message or self.default_message
        self.validations = list(validations or [])
        self.headers = dict(headers or {})
        self.meta = meta
        super().__init__(self.message)


class BadRequest(EmulatorError):
    status, term, default_message = 400, "BadRequest", "The request is invalid."


class ValidationFailed(BadRequest):
    """400 with per-field ``validations``."""

    term = "ValidationFailed"
    default_message = "One or more validation errors occurred."


class Unauthorized(EmulatorError):
    status, term, default_message = 401, "Unauthorized", "Authorization has been denied for this request."


class Forbidden(EmulatorError):
    status, term, default_message = 403, "Forbidden", "Permission denied."


class NotFound(EmulatorError):
    status, term, default_message = 404, "NotFound", "The resource was not found."


class MethodNotAllowed(EmulatorError):
    status, term, default_message = 405, "MethodNotAllowed", "The requested method is not allowed for this resource."


class NotAcceptable(EmulatorError):
    status, term, default_message = 406, "NotAcceptable", "No answer in a media type the Accept header allows."


class RequestTimeout(EmulatorError):
    status, term, default_message = 408, "RequestTimeout", "The request was not received whole in time."


class Conflict(EmulatorError):
    status, term, default_message = 409, "Conflict", "The request conflicts with the current state."


class PayloadTooLarge(EmulatorError):
    status, term, default_message = 413, "PayloadTooLarge", "The request body is too large."


class UriTooLong(EmulatorError):
    status, term, default_message = 414, "UriTooLong", "The request line is too long."


class HeaderFieldsTooLarge(EmulatorError):
    status, term, default_message = 431, "RequestHeaderFieldsTooLarge", "The request's header fields are too large."


class UnsupportedMediaType(EmulatorError):
    status, term, default_message = 415, "UnsupportedMediaType", "The request content type is not supported."


class Unprocessable(EmulatorError):
    status, term, default_message = 422, "UnprocessableEntity", "The request could not be processed."


class TooManyRequests(EmulatorError):
    status, term, default_message = 429, "TooManyRequests", "Rate limit exceeded."


class InternalError(EmulatorError):
    status, term, default_message = 500, "InternalError", "The emulator failed to handle the request."


# The one status -> error table: the class each status is answered with (routing's 404/405, a server's 413/414/431,
# an injected fault). A status no class has keeps its own number on a generic error (``core.faults``).
BY_STATUS: dict[int, type[EmulatorError]] = {kind.status: kind for kind in (
    BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed, NotAcceptable, RequestTimeout, Conflict,
    PayloadTooLarge, UriTooLong, HeaderFieldsTooLarge, UnsupportedMediaType, Unprocessable, TooManyRequests,
    InternalError)}
