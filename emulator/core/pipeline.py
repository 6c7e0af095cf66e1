"""The request pipeline: every step a request goes through, in order, in this one file.

Around Flask (WSGI, outermost first):
  other bases       ``casefold.StripBases``: a vendor's extra bases (``Vendor.base_paths``; iSpring's ``/api/v2``)
                    removed after its prefix, before routing
  path folding      ``casefold.FoldPaths``: an ASP.NET vendor's path after its prefix in lower case, before
                    routing (vendors with ``Vendor.case_insensitive`` only)
  fast path         ``FastPages``: a vendor GET whose answer is a page (cached, or a paged list computed under
                    the tenant's lock by the same code as the view) is answered here, with every step below
                    that could apply to it done its way (host check, CORS grant, journal); anything else, and
                    every doubt, goes on to Flask (not installed with --strict or --state-file)
  drop              ``faults.DropMiddleware``: the socket is closed without an answer when a drop rule fired

``Pipeline.before`` (the app's one ``before_request`` hook). A step that raises or answers ends the request
there; the after steps still run on that answer (first, in verify mode, a stale page the fast path met is
raised, so that it is answered as any error of a view: a 500):
   1. host check      ``cors.host_check``: a malformed ``Host`` is a 400; bound to loopback, a foreign one a 403
   2. whole body      ``http.buffer_chunked_body``: read before any handler takes a tenant's lock
   3. clock           the start time, for the journal's ``durationMs``
   4. CORS preflight  ``cors.Cors.preflight`` (a preflight carries no credentials, so it comes before the lock)
   5. admin lock      ``--admin-token``: a Bearer token on ``/_emulator`` but the dashboard page (``admin_lock``)
   6. casefold        ``casefold.fold_request``: the documented spelling of query names and body keys
   7. strict request  ``strict.Strict.check_request`` (``--strict``): what the client sent undocumented
  7a. unrouted        ``stubs.Unrouted``: a vendor call no route matches is answered by the tenant's stub, or
                      forwarded to ``--fallback-target``; else the vendor's 404 says how to add a stub
In the view, the vendor's auth wrapper names the tenant, ``bind_tenant(tenant, vendor)``:
   8. tenant          ``g.tenant``, for the journal and persistence
   9. rate limit      ``ratelimit.check`` (tenants that opted in): a 429 before anything is touched
  10. faults          ``faults.check``: the tenant's fault rules (delay, error, drop)
``Pipeline.after`` (the app's one ``after_request`` hook), on every answer, errors included:
  11. strict answer   ``strict.Strict.check_response`` (``--strict``): a broken contract becomes a 500
  12. CORS headers    ``cors.Cors.allow_origin``
  13. journal         one entry per vendor request, in the journal of its tenant (``record``)
  14. persistence     ``--state-file``: saved before the answer to a write, or to a fired fault, leaves

A feature that is off costs nothing: its step is not in the pipeline; the emulator has no cookie sessions
(``NoSessions``). Each step resolves Flask's ``request``
and ``g`` proxies once (they are looked up through context variables on every attribute access).
"""
from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Request, Response, g, request
from flask.sessions import NullSession, SessionInterface
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from . import errors, faults, ratelimit
from .casefold import ORIGINAL_PATH, FoldPaths, StripBases, fold_request
from .cors import Cors, host_check
from .forward import FORWARDED_KEY
from .http import MAX_BODY_BYTES, MEMO_KEY_LIMIT, buffer_chunked_body
from .journal import environ_headers, journal_of, make_entry
from .pagecache import StalePage, verifying
from .persistence import SaveFailed, ServiceUnavailable, changes_state
from .requestlog import TENANT_KEY
from .state import app_state
from .store import DEFAULT_TENANT, Tenant
from .strict import Strict
from .stubs import STUB_KEY, Unrouted
from .vendor import Route, Vendor

ADMIN_PREFIX = "/_emulator"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NO_FAST_PAGES_ENV = "LMS_EMULATOR_NO_FAST_PAGES"  # "1": every request through Flask (FastPages off)
MAX_ROUTES = 4096  # paths whose routing FastPages remembers; past it, it starts over
log = logging.getLogger("lms_emulator.persistence")
STALE_PAGE = "lms_emulator.stale_page"  # environ: the StalePage the fast path met, for Flask to raise


def bind_tenant(tenant: Tenant, vendor: str) -> None:
    """Steps 8-10: the request's tenant, named by ``vendor``'s auth wrapper once the credentials are resolved,
    before the handler touches the world. A request refused by the rate limit meets no fault rule."""
    g.tenant = tenant
    ratelimit.check(tenant, vendor)
    faults.check(tenant, vendor)


class NoSessions(SessionInterface):
    """No cookie sessions: Flask's default looks for a secret key and builds a ``NullSession`` on every request;
    this hands out one shared ``NullSession`` (it refuses writes, so sharing it is safe) and saves nothing."""

    null = NullSession()

    def open_session(self, app: Flask, request: Request) -> NullSession:  # type: ignore[override]
        return self.null

    def save_session(self, app: Flask, session: Any, response: Response) -> None:  # type: ignore[override]
        return None


def _vendor_of(vendors: dict[str, Vendor], path: str) -> Vendor | None:
    return vendors.get(path.lstrip("/").split("/", 1)[0])


class Pipeline:
    """The steps of one app, chosen once from its settings (see the module's docstring)."""

    def __init__(self, app: Flask, dashboard_page: Callable[[Request], bool]) -> None:
        state = app_state(app)
        settings = state.settings
        self.app = app
        self.store = state.store
        self.vendors = state.vendors
        self.state_file = state.state_file
        self.journal_size = settings.journal_size
        self.check_host = host_check(settings.host)
        self.admin_token = settings.admin_token
        self.dashboard_page = dashboard_page
        self.folded = frozenset(v.name for v in self.vendors.values() if v.case_insensitive)
        self.cors = Cors.of(settings.cors_origins, settings.admin_cors_origins)
        self.strict = Strict(app) if settings.strict else None
        self.unrouted = Unrouted(app, settings.fallback_target)
        self.verify = verifying()  # only then can the fast path meet a stale page (``STALE_PAGE``)

    def install(self) -> None:
        app = self.app
        app.session_interface = NoSessions()
        app.wsgi_app = faults.DropMiddleware(app.wsgi_app)  # type: ignore[method-assign]
        if self.strict is None and self.state_file is None and not os.environ.get(NO_FAST_PAGES_ENV):
            app.wsgi_app = FastPages(app.wsgi_app, self)  # type: ignore[method-assign]
        if self.folded:
            app.wsgi_app = FoldPaths(app.wsgi_app, ["/" + n for n in sorted(self.folded)])  # type: ignore[method-assign]
        bases = {v.prefix: v.base_paths for v in self.vendors.values() if v.base_paths}
        if bases:  # outermost: folding and the fast path see the path as routed
            app.wsgi_app = StripBases(app.wsgi_app, bases)  # type: ignore[method-assign]
        app.before_request(self.before)
        app.after_request(self.after)

    def before(self) -> Response | None:
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        glob = g._get_current_object()  # type: ignore[attr-defined]
        if self.verify and (stale := req.environ.pop(STALE_PAGE, None)) is not None:
            raise stale
        if self.check_host is not None:
            self.check_host(req.environ)
        _whole_body(req)
        glob.started = time.perf_counter()
        if self.cors is not None:  # a preflight carries no credentials: answered before the admin lock
            answer = self.cors.preflight(req)
            if answer is not None:
                return answer
        if self.admin_token:
            admin_lock(req, self.admin_token, self.dashboard_page)
        vendor = _vendor_of(self.vendors, req.path)
        if vendor is not None and vendor.name in self.folded and req.endpoint:
            fold_request(self.app, req, vendor.name)
        if self.strict is not None and vendor is not None:
            self.strict.check_request(req, glob, vendor)
        if vendor is not None and req.routing_exception is not None:
            return self.unrouted.answer(req, glob, vendor)
        return None

    def after(self, response: Response) -> Response:
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        glob = g._get_current_object()  # type: ignore[attr-defined]
        vendor = _vendor_of(self.vendors, req.path)
        if self.state_file is not None:
            response = self.persist(req, glob, vendor, response)
        named = getattr(glob, "tenant", None) or getattr(glob, "admin_tenant", None)
        if named is not None:  # for the request log (``core.requestlog``)
            req.environ[TENANT_KEY] = named.id
        if self.strict is not None and vendor is not None:
            response = self.strict.check_response(req, glob, vendor, response)
        if self.cors is not None:
            self.cors.allow_origin(req, response)
        if vendor is not None:
            self.record(req, glob, vendor, response)
        return response

    def record(self, req: Request, glob: Any, vendor: Vendor, response: Response) -> None:
        """Step 13: one journal entry, in the journal of the tenant the credentials named, else the default's."""
        named = getattr(glob, "tenant", None)
        tenant = named or self.store.tenants.get(DEFAULT_TENANT)
        if tenant is None:
            return
        environ = req.environ
        dropped = bool(environ.get(faults.DROP_KEY))
        entry = self.entry(
            environ, req.method, req.path, _request_body(req), tenant, named is not None, vendor,
            status=None if dropped else response.status_code,
            response_body=b"" if dropped or response.is_streamed else response.get_data(),
            response_content_type=response.headers.get("Content-Type", ""), started=getattr(glob, "started", None))
        fault = environ.get("lms_emulator.fault")
        if fault:
            entry["fault"] = fault
        violations = getattr(glob, "contract_violations", None)  # strict mode: what the client sent undocumented
        if violations:
            entry["contractViolations"] = list(violations)
        if environ.get(STUB_KEY):  # answered by a stub (core.stubs), or forwarded to the fallback target
            entry["stub"] = environ[STUB_KEY]
        if environ.get(FORWARDED_KEY):
            entry["forwardedTo"] = environ[FORWARDED_KEY]
        if dropped:
            entry["dropped"] = True
        if environ.get(ratelimit.LIMITED_KEY):
            entry["rateLimited"] = True
        journal_of(tenant, self.journal_size).record(entry)

    @staticmethod
    def entry(environ: dict[str, Any], method: str, path: str, body: bytes, tenant: Tenant, named: bool,
              vendor: Vendor, *, status: int | None, response_body: bytes, response_content_type: str,
              started: float | None) -> dict[str, Any]:
        """A journal entry's common fields (``record``, ``FastPages``)."""
        return make_entry(
            method=method, path=environ.get(ORIGINAL_PATH) or path, query=environ.get("QUERY_STRING", ""),
            headers=environ_headers(environ), body=body, content_type=environ.get("CONTENT_TYPE", ""),
            status=status, response_body=response_body, response_content_type=response_content_type,
            duration_ms=(time.perf_counter() - started) * 1000 if started else 0.0,
            at=tenant.clock.now(), vendor=vendor.name, tenant_id=tenant.id if named else None,
            secret_answer=vendor.secret_answer)

    def persist(self, req: Request, glob: Any, vendor: Vendor | None, response: Response) -> Response:
        """Step 14 (run first of the after steps, so the others see its answer): a successful write, or any
        request a fault rule fired on (a GET spends a rule's count too), is saved before its answer leaves. A
        save that fails answers the vendor's 507/503 instead (``persistence.SaveFailed``): the write is not
        applied."""
        assert self.state_file is not None
        wrote = (req.method in MUTATING and response.status_code < 400
                 and changes_state(self.app.view_functions.get(req.endpoint or "")))
        fired = bool(req.environ.get("lms_emulator.fault")) and getattr(glob, "tenant", None) is not None
        if not (wrote or fired):
            return response
        named = getattr(glob, "tenant", None)
        tenant = named or getattr(glob, "admin_tenant", None)
        try:
            self.state_file.save(None if tenant is None else [tenant])
            if named is not None and not self.state_file.kept(named):
                raise ServiceUnavailable("The tenant was reset, deleted or restored while this write ran: the "
                                         "write was not kept.")
        except SaveFailed as exc:
            log.error("state file: %s %s answered %s: %s", req.method, req.path, exc.status, exc.message)
            return self.app.handle_user_exception(exc)  # type: ignore[return-value]
        return response


class FastPages:
    """WSGI, between path folding and Flask: a vendor GET answered with a page without Flask, or handed to Flask
    unchanged (see docs/DESIGN.md, "The request pipeline").

    It answers only what the Flask path would answer with the same page (steps 1-14 give it nothing more
    to do): a GET without a body, its path plain ASCII under the prefix of a vendor with a ``fast_page``
    hook, an allowed ``Host``, the vendor's checks passed plainly (``Vendor.fast_page``), a tenant with no
    fault rule and no rate limit, and then a page: a cached one, or one the vendor computes as its view would
    (routed by Flask's own URL map); a page it cannot compute (an error, a route that is no paged list) is
    Flask's to answer. Its answer carries the Flask path's headers (``Content-Type``, ``Content-Length``, the
    CORS grant) and journal entry. Not installed with ``--strict`` or ``--state-file``, nor with
    ``LMS_EMULATOR_NO_FAST_PAGES=1``; verify mode (``core.pagecache``) never hits, but computes.
    ``tests/core/test_fastpages.py`` sends the same requests both ways and compares everything."""

    def __init__(self, app: Callable[..., Any], pipeline: Pipeline) -> None:
        self.app = app
        self.pipeline = pipeline
        self.hooks = {v.prefix + "/": v for v in pipeline.vendors.values() if v.fast_page is not None}
        self.urls: MapAdapter | None = None  # bound on first use: every blueprint is registered by then
        self.routes: dict[str, Route | None] = {}  # path -> route(path), up to MAX_ROUTES

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        answer = self.answer(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if answer is None:
            return self.app(environ, start_response)
        start_response("200 OK", answer[0])
        return [answer[1]]

    def answer(self, environ: dict[str, Any]) -> tuple[list[tuple[str, str]], bytes] | None:
        started = time.perf_counter()
        path, query = environ.get("PATH_INFO") or "", environ.get("QUERY_STRING") or ""
        if environ.get("CONTENT_LENGTH") or environ.get("HTTP_TRANSFER_ENCODING") or not (
                path.isascii() and query.isascii()):
            return None
        vendor = self.hooks.get(path[:path.find("/", 1) + 1])  # "//absorb/..." finds "//": no vendor
        if vendor is None or vendor.fast_page is None:
            return None
        pipeline = self.pipeline
        if pipeline.check_host is not None:
            try:
                pipeline.check_host(environ)
            except (errors.Forbidden, errors.BadRequest):
                return None
        found = vendor.fast_page(environ, pipeline.store, path, query, self.route)
        if found is None:
            return None
        tenant, answer = found
        environ[TENANT_KEY] = tenant.id
        rules = tenant.faults
        if tenant.rate_limits or (rules is not None and rules.rules):
            return None
        if isinstance(answer, bytes):
            page = answer
        else:
            try:
                computed = answer()
            except StalePage as stale:  # verify mode: Flask raises it as its own (``before``), a loud 500
                environ[STALE_PAGE] = stale
                return None
            if computed is None:
                return None
            page = computed
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(page)))]
        if pipeline.cors is not None:
            headers.extend(pipeline.cors.grant(path, environ.get("HTTP_ORIGIN")))
        entry = pipeline.entry(environ, "GET", path, b"", tenant, True, vendor, status=200, response_body=page,
                               response_content_type="application/json", started=started)
        journal_of(tenant, pipeline.journal_size).record(entry)
        return headers, page

    def route(self, path: str) -> Route | None:
        """Flask's routing of a GET to ``path``: the view function and its path arguments; None where Flask
        would not call a view (no route, another method, a redirect). Remembered per path (the URL map
        never changes once the app serves)."""
        try:
            return self.routes[path]
        except KeyError:
            pass
        if self.urls is None:
            self.urls = self.pipeline.app.url_map.bind("localhost")
        try:
            endpoint, args = self.urls.match(path, "GET")
            view = self.pipeline.app.view_functions.get(endpoint)
            found: Route | None = None if view is None else (view, args)
        except HTTPException:  # NotFound, MethodNotAllowed, RequestRedirect
            found = None
        if len(path) > MEMO_KEY_LIMIT:  # not remembered: 4,096 long paths pinned hundreds of MB
            return found
        if len(self.routes) >= MAX_ROUTES:
            self.routes.clear()
        self.routes[path] = found
        return found


def _whole_body(req: Request) -> None:
    """Step 2: a client that never sends its body holds its own thread only; a chunked one becomes a sized one."""
    environ = req.environ
    try:
        buffer_chunked_body(environ)
    finally:
        req.__dict__.pop("stream", None)  # the stream is read from the new environ
    length = environ.get("CONTENT_LENGTH")
    if length and length != "0" and length.isascii() and length.isdigit() and int(length) <= MAX_BODY_BYTES:
        req.get_data(cache=True)


def admin_lock(req: Request, token: str, dashboard_page: Callable[[Request], bool]) -> None:
    """Step 4: the admin API wants ``Authorization: Bearer <token>``, but for the dashboard page, which holds no
    data (it asks for the token and sends it itself)."""
    path = req.path
    if not (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")) or dashboard_page(req):
        return
    scheme, _, given = (req.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise errors.Unauthorized("The admin API requires 'Authorization: Bearer <admin token>'.",
                                  headers={"WWW-Authenticate": 'Bearer realm="lms-emulator admin"'})


def _request_body(req: Request) -> bytes:
    """The request body for the journal (the pipeline read it whole in step 2); never fails the request."""
    environ = req.environ
    if not (environ.get("CONTENT_LENGTH") or environ.get("HTTP_TRANSFER_ENCODING")):
        return b""
    try:
        if req.content_length and req.content_length > MAX_BODY_BYTES:
            return b""
        body = req.get_data(cache=True)
        if not body and req.mimetype == "application/x-www-form-urlencoded" and req.form:
            body = urlencode(list(req.form.items(multi=True))).encode()
        return body
    except Exception:  # noqa: BLE001 - the journal never fails a request
        return b""


def init_app(app: Flask, dashboard_page: Callable[[Request], bool]) -> Pipeline:
    """Install the pipeline (once the app's state, vendors and state file are set)."""
    pipeline = Pipeline(app, dashboard_page)
    pipeline.install()
    return pipeline
