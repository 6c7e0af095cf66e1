"""One request's facts, as the steps of the request path (``core.pipeline``) learn them, for the steps after them.

Every step reads and writes this one typed object instead of Flask's ``g`` or ``environ`` keys of its own: the
path as sent (before folding), when the request started, the parsed body, the tenant the credentials named, what
a fault rule, the rate limit, a stub or strict mode did. It lives in the WSGI environ under ``EXCHANGE_KEY`` (one
key), so the steps in front of Flask and those behind it share it, and so does the request log outside both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import request

if TYPE_CHECKING:
    from datetime import datetime

    from .errors import EmulatorError
    from .pagecache import StalePage
    from .store import Tenant

EXCHANGE_KEY = "lms_emulator.exchange"
UNPARSED: Any = object()  # ``Exchange.json`` before ``core.casefold`` parsed the body


@dataclass(slots=True, eq=False)
class Exchange:
    """What is known about one request so far (see the module's docstring); every field starts empty."""

    started: float = 0.0  # time.perf_counter() when the path began (the journal's durationMs)
    original_path: str | None = None  # the path as sent, when a step rewrote PATH_INFO (folded, a base stripped)
    json: Any = UNPARSED  # the body parsed, keys in the documented spelling (core.casefold), for core.http.json_body
    tenant: Tenant | None = None  # the tenant a vendor's credentials named (core.tenantcall)
    now: datetime | None = None  # the tenant clock's reading the call ran at (core.tenantcall): the journal's time
    admin_tenant: Tenant | None = None  # the tenant an admin call acted on (persistence, the request log)
    fault: str | None = None  # the id of the fault rule that fired
    dropped: bool = False  # a drop rule fired: the connection is closed without an answer
    rate_limited: bool = False  # the rate limit answered 429
    refusal: EmulatorError | None = None  # what a step in front of Flask refused (a foreign Host), for Flask to raise
    stale_page: StalePage | None = None  # verify mode: the stale page the page step met, for Flask to raise
    contract_violations: list[str] | None = None  # strict mode: what the client sent undocumented (None: not strict)
    spelling_notes: list[str] = field(default_factory=list)  # core.casefold: names accepted in another spelling
    media: str | None = None  # iSpring: the media type the answer is written in (negotiated from Accept)
    stub: str | None = None  # the id of the stub that answered (core.stubs)
    unrouted_tenant: str | None = None  # whose stubs an unrouted call looked at (the 404 names it)
    forwarded_to: str | None = None  # the URL a call was forwarded to (core.forward)

    @property
    def named(self) -> Tenant | None:
        """The tenant this request acted for: the vendor's, else the admin call's."""
        return self.tenant or self.admin_tenant


def exchange_of(environ: dict[str, Any]) -> Exchange:
    """The request's ``Exchange``; made here for a request that did not come through the path (a unit test's
    request context)."""
    found = environ.get(EXCHANGE_KEY)
    if found is None:
        found = environ[EXCHANGE_KEY] = Exchange()
    return found  # type: ignore[no-any-return]


def current() -> Exchange:
    """The ``Exchange`` of Flask's current request."""
    return exchange_of(request.environ)
