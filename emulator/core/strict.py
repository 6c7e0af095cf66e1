"""Strict mode (``--strict``): the contract enforced at run time.

Requests: query parameters and body fields a route does not document are
answered as the real API would (ignored), and reported in the
``X-Emulator-Contract-Violations`` response header and in ``flask.g`` (the
journal records it), so a client's contract test can assert it sent nothing
undocumented (the header is percent-encoded UTF-8: names outside printable ASCII arrive
as ``%E2%82%AC``). Responses: every JSON body is validated against its schema as it
leaves; a violation is logged and answered 500 with a diagnostic, so the bug
is ours and visible.
"""
from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import Flask, Request, Response, request

from .exchange import UNPARSED, Exchange, current, exchange_of
from .openapi import operation_of
from .wire import loads_json

if TYPE_CHECKING:
    from .vendor import Vendor

log = logging.getLogger("lms_emulator.strict")
HEADER = "X-Emulator-Contract-Violations"
ALWAYS_ALLOWED_QUERY: frozenset[str] = frozenset()


def report(problem: str, environ: dict[str, Any] | None = None) -> None:
    """Report a contract violation found while handling the request (``environ``'s, else Flask's current one: a
    vendor's auth leaning on something undocumented, say) beside those found before it; outside strict mode,
    nothing happens."""
    found = (current() if environ is None else exchange_of(environ)).contract_violations
    if found is not None and problem not in found:
        found.append(problem)


def request_violations(app: Flask, vendor: str) -> list[str]:
    from . import contract  # strict mode only: jsonschema is imported on first use
    op = operation_of(app.view_functions.get(request.endpoint or ""))
    if op is None:
        return []
    exchange = current()
    problems = list(exchange.spelling_notes)  # core.casefold: accepted, but not as documented
    documented = {p.name for p in op.query} | ALWAYS_ALLOWED_QUERY
    for name in request.args:
        if name not in documented:
            problems.append(f"query parameter '{name}' is not documented")
    if op.body and request.mimetype == "application/json":
        if exchange.json is not UNPARSED:  # core.casefold parsed it, keys in the documented spelling
            body = exchange.json
        else:
            try:
                body = loads_json(request.get_data(cache=True))
            except (ValueError, UnicodeDecodeError):
                body = None  # the route answers the malformed body itself
        props = contract.schema(vendor, op.body).get("properties")
        if isinstance(body, dict) and isinstance(props, dict):
            problems.extend(f"body field '{key}' is not documented" for key in body if key not in props)
        if body is not None:
            problems.extend(f"body: {e}" for e in contract.errors(vendor, op.body, body))
    return problems


def response_violations(app: Flask, vendor: str, error_schema: str, response: Response) -> list[str]:
    from . import contract
    op = operation_of(app.view_functions.get(request.endpoint or ""))
    status = response.status_code
    if status >= 400:  # the vendor's error body, unless the operation declares its own (Absorb's OAuth endpoints)
        name: str | None = (op.responses.get(status) if op is not None else None) or error_schema
    elif op is None:
        return []
    else:
        if status not in op.responses:
            return [f"status {status} is not documented for this operation"]
        name = op.responses[status]
    if name is None or response.direct_passthrough or not response.is_json:
        return []
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return ["response body is not JSON"]
    return contract.errors(vendor, name, body)


class Strict:
    """The two steps of strict mode in the pipeline (``core.pipeline``), for vendor requests only."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def check_request(self, req: Request, exchange: Exchange, vendor: Vendor) -> None:
        if not req.endpoint:
            return
        try:
            exchange.contract_violations = request_violations(self.app, vendor.name)
        except Exception:  # noqa: BLE001 - a report never breaks the answer
            log.exception("strict mode could not check %s %s", req.method, req.path)

    def check_response(self, req: Request, exchange: Exchange, vendor: Vendor, response: Response) -> Response:
        """The answer, or a 500 diagnostic in its place when it breaks its own contract."""
        if req.method == "OPTIONS" or req.path.endswith("/openapi.json"):
            return response
        error_schema = (vendor.openapi or {}).get("error_schema", "error")
        problems = response_violations(self.app, vendor.name, error_schema, response)
        if problems:
            log.error("contract violation on %s %s: %s", req.method, req.path, problems)
            return Response(json.dumps({"error": "ContractViolation",
                                        "message": "The emulator's response broke its own contract.",
                                        "violations": problems}),
                            status=500, mimetype="application/json")
        reported = exchange.contract_violations
        if reported:
            response.headers[HEADER] = header_value(reported)
        return response


# Printable ASCII but '%' passes as is; everything else (non-Latin-1 names, newlines, controls) is percent-encoded
# as UTF-8, so the header is always a valid field value and a client can unquote it back to the names.
_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")
HEADER_LIMIT = 4000


def header_value(problems: list[str]) -> str:
    """The ``X-Emulator-Contract-Violations`` value: the problems joined by '; ', percent-encoded, cut short."""
    text = quote("; ".join(problems), safe=_SAFE)
    if len(text) > HEADER_LIMIT:
        text = text[:HEADER_LIMIT]
        cut = text.rfind("%", len(text) - 2)
        if cut >= 0:  # never half an escape
            text = text[:cut]
    return text
