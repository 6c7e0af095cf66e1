"""The request path: every step a vendor (or admin) request takes, in order, each written once, in this file.

``Pipeline`` chooses the steps once from the app's settings (a feature that is off has no step) and keeps them
in three ordered lists, walked by one runner each side of Flask; facts pass between steps on the request's
``core.exchange.Exchange``. In front of everything, WSGI layers rewrite the path before routing:

  other bases       ``casefold.StripBases``: a vendor's extra bases (``Vendor.base_paths``; iSpring's ``/api/v2``)
                    removed after its prefix
  path folding      ``casefold.FoldPaths``: an ASP.NET vendor's path after its prefix in lower case (vendors with
                    ``Vendor.case_insensitive`` only)

``RequestPath`` (the app's ``wsgi_app``), ``front`` steps, on the WSGI environ:
   1. clock           ``Exchange.started``, for the journal's ``durationMs``
   2. host check      ``cors.host_check``: a malformed ``Host`` is a 400; bound to loopback, a foreign one a 403
                      (kept on ``Exchange.refusal``: step 4 raises it, so it is answered in the vendor's shape)
   3. page            ``PageStep``: a vendor GET whose answer is a page (cached, or a paged list computed under the
                      tenant's lock by the view's own code) is answered here, after the route's tenant-call rules
                      (``core.tenantcall``); the ``after`` steps run on its answer as on any other. Anything else,
                      and every doubt, goes on to Flask (no page step with --strict or --state-file)
Flask (its request context; ``faults.DropMiddleware`` around it closes the socket when a drop rule fired): the
call step (``CallStep``) runs Flask's own request handling for a vendor call routed from a memo (``Routes``, shared
with the page step) instead of a URL adapter bound and matched per request (with plain hooks, Flask's dispatch
and context push run directly: ``CallStep.plain_hooks``); anything else is Flask's ``wsgi_app``'s. Then the
``before`` steps (the app's one ``before_request`` hook); a step that raises or answers
ends them:
   4. refusal         what a front step refused (step 2), or in verify mode the stale page step 3 met (a 500)
   5. whole body      ``http.buffer_chunked_body``: read before any handler takes a tenant's lock
   6. CORS preflight  ``cors.Cors.preflight`` (a preflight carries no credentials, so it comes before the lock)
   7. admin lock      ``--admin-token``: a Bearer token on ``/_emulator`` but the dashboard page (``admin_lock``)
   8. casefold        ``casefold.fold_request``: the documented spelling of query names and body keys
   9. strict request  ``strict.Strict.check_request`` (``--strict``): what the client sent undocumented
  10. unrouted        ``stubs.Unrouted``: a vendor call no route matches is answered by the tenant's stub, or
                      forwarded to ``--fallback-target``; else the vendor's 404 says how to add a stub
  11. the view        a vendor route is a tenant call (``core.tenantcall``): credentials, tenant, rate limit,
                      faults, lock, world, caller, view
``after`` steps, on every answer (errors, stubs and the page step's included), in this order:
  12. persistence     ``--state-file``: saved before the answer to a write, or to a fired fault, leaves (first, so
                      the others see a failed save's 507/503)
  13. strict answer   ``strict.Strict.check_response`` (``--strict``): a broken contract becomes a 500
  14. CORS headers    ``cors.Cors.grant``
  15. journal         one entry per vendor request, in the journal of its tenant (``record``)

The emulator has no cookie sessions (``NoSessions``). Each Flask step resolves Flask's ``request`` proxy once
(it is looked up through context variables on every attribute access).
"""
from __future__ import annotations

import hmac
import logging
import sys
import time
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlencode

from flask import Flask, Request, Response, request
from flask.ctx import RequestContext
from flask.globals import _cv_app, _cv_request
from flask.sessions import NullSession, SessionInterface
from flask.signals import (
    appcontext_popped, appcontext_pushed, appcontext_tearing_down, request_finished, request_started,
    request_tearing_down,
)
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter, Rule

from . import errors, faults
from .casefold import FoldPaths, StripBases, fold_request
from .cors import Cors, host_check
from .exchange import Exchange, exchange_of
from .http import MAX_BODY_BYTES, MEMO_KEY_LIMIT, buffer_chunked_body, read_sized_body
from .journal import environ_headers, journal_of, make_entry
from .pagecache import StalePage, verifying
from .persistence import SaveFailed, ServiceUnavailable, changes_state
from .state import app_state
from .store import DEFAULT_TENANT, Store, Tenant
from .strict import Strict
from .stubs import Unrouted
from .tenantcall import bind_tenant, call_of
from .vendor import Route, Vendor

__all__ = ["CallStep", "Pipeline", "PageStep", "RequestPath", "Routes", "bind_tenant", "init_app"]

ADMIN_PREFIX = "/_emulator"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_ROUTES = 4096  # paths whose routing the page step remembers; past it, it starts over
log = logging.getLogger("lms_emulator.persistence")


class Call(Protocol):
    """What the ``after`` steps read of a request: Flask's ``Request``, or the page step's ``PlainGet``."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def environ(self) -> dict[str, Any]: ...
    @property
    def endpoint(self) -> str | None: ...


class Answer(Protocol):
    """What the ``after`` steps read and change of an answer: a werkzeug ``Response``, or the page step's ``Page``."""

    @property
    def status_code(self) -> int: ...
    @property
    def is_streamed(self) -> bool: ...
    @property
    def headers(self) -> Any: ...  # .get(name, default), ``name in``, [name] = value

    def get_data(self) -> bytes: ...


class PlainGet:
    """The page step's request, for the ``after`` steps: a GET without a body, not routed by Flask."""

    __slots__ = ("environ", "path")
    method = "GET"
    endpoint = None

    def __init__(self, environ: dict[str, Any], path: str) -> None:
        self.environ, self.path = environ, path


class PageHeaders(list[tuple[str, str]]):
    """A page's header list, with the three ``Headers`` operations the ``after`` steps use."""

    def get(self, name: str, default: str = "") -> str:
        lowered = name.lower()
        return next((v for n, v in self if n.lower() == lowered), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(n.lower() == name.lower() for n, _ in self)

    def __setitem__(self, name: Any, value: Any) -> None:  # type: ignore[override]
        self.append((name, value))


class Page:
    """The page step's answer: 200, the page's JSON bytes."""

    __slots__ = ("body", "headers")
    status_code = 200
    is_streamed = False

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.headers = PageHeaders([("Content-Type", "application/json"), ("Content-Length", str(len(body)))])

    def get_data(self) -> bytes:
        return self.body


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


FrontStep = Callable[[dict[str, Any], Exchange], "Page | None"]
BeforeStep = Callable[[Request, Exchange, "Vendor | None"], "Response | None"]
AfterStep = Callable[[Call, Exchange, "Vendor | None", Answer], Answer]


class Pipeline:
    """The steps of one app, chosen once from its settings, in order (see the module's docstring)."""

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
        self.verify = verifying()  # only then can the page step meet a stale page (``Exchange.stale_page``)
        pages = self.strict is None and self.state_file is None and settings.fast_pages
        self.routes = Routes(app)
        self.page = PageStep(app, self.store, self.vendors, self.routes) if pages else None
        self.front: list[FrontStep] = [step for step in (
            self.host if self.check_host is not None else None,
            self.page) if step is not None]
        self.before: list[BeforeStep] = [step for step in (
            self.refusal,
            self.whole_body,
            self.preflight if self.cors is not None else None,
            self.admin_lock if self.admin_token else None,
            self.casefold if self.folded else None,
            self.strict_request if self.strict is not None else None,
            self.unrouted_call) if step is not None]
        self.after: list[AfterStep] = [step for step in (
            self.persist if self.state_file is not None else None,
            self.strict_answer if self.strict is not None else None,
            self.cors_headers if self.cors is not None else None,
            self.record) if step is not None]

    def install(self) -> None:
        app = self.app
        app.session_interface = NoSessions()
        app.before_request(self.run_before)
        app.after_request(self.run_after)
        self.call = CallStep(app, app.wsgi_app, self.routes, self.vendors, self)
        wsgi: Any = RequestPath(faults.DropMiddleware(self.call), self)
        if self.folded:
            wsgi = FoldPaths(wsgi, ["/" + n for n in sorted(self.folded)])
        bases = {v.prefix: v.base_paths for v in self.vendors.values() if v.base_paths}
        if bases:  # outermost: folding and the page step see the path as routed
            wsgi = StripBases(wsgi, bases)
        app.wsgi_app = wsgi  # type: ignore[method-assign]

    # -- the runners -------------------------------------------------------------------------------------------

    def run_before(self) -> Response | None:
        return self.before_steps(request._get_current_object())  # type: ignore[attr-defined]

    def before_steps(self, req: Request) -> Response | None:
        """The ``before`` steps, in order, on Flask's request."""
        exchange = exchange_of(req.environ)
        vendor = _vendor_of(self.vendors, req.path)
        for step in self.before:
            answer = step(req, exchange, vendor)
            if answer is not None:
                return answer
        return None

    def run_after(self, response: Response) -> Response:
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        return self.finish(req, exchange_of(req.environ), response)  # type: ignore[return-value]

    def finish(self, call: Call, exchange: Exchange, answer: Answer) -> Answer:
        """The ``after`` steps, in order, on any answer."""
        vendor = _vendor_of(self.vendors, call.path)
        for step in self.after:
            answer = step(call, exchange, vendor, answer)
        return answer

    # -- front steps ---------------------------------------------------------------------------------------------

    def host(self, environ: dict[str, Any], exchange: Exchange) -> Page | None:
        """Step 2: a refused ``Host`` is kept for step 4, which raises it inside Flask (the vendor's shape)."""
        assert self.check_host is not None
        try:
            self.check_host(environ)
        except (errors.Forbidden, errors.BadRequest) as exc:
            exchange.refusal = exc
        return None

    # -- before steps ----------------------------------------------------------------------------------------

    def refusal(self, req: Request, exchange: Exchange, vendor: Vendor | None) -> None:
        """Step 4: what a front step refused; in verify mode, the stale page the page step met."""
        if exchange.refusal is not None:
            raise exchange.refusal
        if self.verify and exchange.stale_page is not None:
            raise exchange.stale_page

    @staticmethod
    def whole_body(req: Request, exchange: Exchange, vendor: Vendor | None) -> None:
        """Step 5: a client that never sends its body holds its own thread only; a chunked one becomes a sized
        one."""
        environ = req.environ
        try:
            buffer_chunked_body(environ)
        finally:
            req.__dict__.pop("stream", None)  # the stream is read from the new environ
        length = environ.get("CONTENT_LENGTH")
        size = int(length) if length and length.isascii() and length.isdigit() else 0
        if 0 < size <= MAX_BODY_BYTES:
            if "HTTP_TRANSFER_ENCODING" not in environ:  # werkzeug's cached ``content_length``, as it parses it
                req.__dict__["content_length"] = size
            read_sized_body(req, size)

    def preflight(self, req: Request, exchange: Exchange, vendor: Vendor | None) -> Response | None:
        """Step 6 (a preflight carries no credentials: answered before the admin lock)."""
        assert self.cors is not None
        return self.cors.preflight(req)

    def admin_lock(self, req: Request, exchange: Exchange, vendor: Vendor | None) -> None:
        """Step 7."""
        assert self.admin_token is not None
        admin_lock(req, self.admin_token, self.dashboard_page)

    def casefold(self, req: Request, exchange: Exchange, vendor: Vendor | None) -> None:
        """Step 8."""
        if vendor is not None and vendor.name in self.folded and req.endpoint:
            fold_request(self.app, req, vendor.name)

    def strict_request(self, req: Request, exchange: Exchange, vendor: Vendor | None) -> None:
        """Step 9."""
        if self.strict is not None and vendor is not None:
            self.strict.check_request(req, exchange, vendor)

    def unrouted_call(self, req: Request, exchange: Exchange, vendor: Vendor | None) -> Response | None:
        """Step 10."""
        if vendor is not None and req.routing_exception is not None:
            return self.unrouted.answer(req, vendor)
        return None

    # -- after steps -----------------------------------------------------------------------------------------

    def persist(self, call: Call, exchange: Exchange, vendor: Vendor | None, answer: Answer) -> Answer:
        """Step 12 (run first of the after steps, so the others see its answer): a successful write, or any
        request a fault rule fired on (a GET spends a rule's count too), is saved before its answer leaves. A
        save that fails answers the vendor's 507/503 instead (``persistence.SaveFailed``): the write is not
        applied."""
        assert self.state_file is not None
        wrote = (call.method in MUTATING and answer.status_code < 400
                 and changes_state(self.app.view_functions.get(call.endpoint or "")))
        named = exchange.tenant
        fired = exchange.fault is not None and named is not None
        if not (wrote or fired):
            return answer
        tenant = exchange.named
        try:
            self.state_file.save(None if tenant is None else [tenant])
            if named is not None and not self.state_file.kept(named):
                raise ServiceUnavailable("The tenant was reset, deleted or restored while this write ran: the "
                                         "write was not kept.")
        except SaveFailed as exc:
            log.error("state file: %s %s answered %s: %s", call.method, call.path, exc.status, exc.message)
            return self.app.handle_user_exception(exc)  # type: ignore[return-value]
        return answer

    def strict_answer(self, call: Call, exchange: Exchange, vendor: Vendor | None, answer: Answer) -> Answer:
        """Step 13."""
        if self.strict is not None and vendor is not None and isinstance(call, Request) \
                and isinstance(answer, Response):
            return self.strict.check_response(call, exchange, vendor, answer)
        return answer

    def cors_headers(self, call: Call, exchange: Exchange, vendor: Vendor | None, answer: Answer) -> Answer:
        """Step 14: the grant on an answer to an allowed origin (every answer pays this: no header parsing)."""
        assert self.cors is not None
        grant = self.cors.grant(call.path, call.environ.get("HTTP_ORIGIN"))
        if grant and "Access-Control-Allow-Origin" not in answer.headers:
            for name, value in grant:
                answer.headers[name] = value
        return answer

    def record(self, call: Call, exchange: Exchange, vendor: Vendor | None, answer: Answer) -> Answer:
        """Step 15: one journal entry, in the journal of the tenant the credentials named, else the default's."""
        if vendor is None:
            return answer
        named = exchange.tenant
        tenant = named or self.store.tenants.get(DEFAULT_TENANT)
        if tenant is None:
            return answer
        environ = call.environ
        dropped = exchange.dropped
        entry = self.entry(
            environ, exchange, call.method, call.path, _request_body(call), tenant, named is not None, vendor,
            status=None if dropped else answer.status_code,
            response_body=b"" if dropped or answer.is_streamed else _answer_body(answer),
            response_content_type=answer.headers.get("Content-Type", ""))
        if exchange.fault:
            entry["fault"] = exchange.fault
        if exchange.contract_violations:  # strict mode: what the client sent undocumented
            entry["contractViolations"] = list(exchange.contract_violations)
        if exchange.stub:  # answered by a stub (core.stubs), or forwarded to the fallback target
            entry["stub"] = exchange.stub
        if exchange.forwarded_to:
            entry["forwardedTo"] = exchange.forwarded_to
        if dropped:
            entry["dropped"] = True
        if exchange.rate_limited:
            entry["rateLimited"] = True
        journal_of(tenant, self.journal_size).record(entry)
        return answer

    @staticmethod
    def entry(environ: dict[str, Any], exchange: Exchange, method: str, path: str, body: bytes, tenant: Tenant,
              named: bool, vendor: Vendor, *, status: int | None, response_body: bytes,
              response_content_type: str) -> dict[str, Any]:
        """A journal entry's common fields."""
        started = exchange.started
        return make_entry(
            method=method, path=exchange.original_path or path, query=environ.get("QUERY_STRING", ""),
            headers=environ_headers(environ), body=body, content_type=environ.get("CONTENT_TYPE", ""),
            status=status, response_body=response_body, response_content_type=response_content_type,
            duration_ms=(time.perf_counter() - started) * 1000 if started else 0.0,
            at=exchange.now or tenant.clock.now(), vendor=vendor.name, tenant_id=tenant.id if named else None,
            secret_answer=vendor.secret_answer)


class RequestPath:
    """The app's WSGI entry (see the module's docstring): the ``front`` steps, then the page step's answer through
    the ``after`` steps, or Flask (whose hooks run the ``before`` and ``after`` steps)."""

    def __init__(self, app: Callable[..., Any], pipeline: Pipeline) -> None:
        self.app = app
        self.pipeline = pipeline

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        exchange = exchange_of(environ)
        exchange.started = time.perf_counter()
        for step in self.pipeline.front:
            page = step(environ, exchange)
            if page is not None:
                answer = self.pipeline.finish(PlainGet(environ, environ["PATH_INFO"]), exchange, page)
                assert isinstance(answer, Page)
                start_response("200 OK", answer.headers)
                return [answer.body]
        return self.app(environ, start_response)


class PageStep:
    """Step 3: a vendor GET answered with a page without Flask, or left to Flask (see docs/DESIGN.md, "The request
    path").

    It answers only what Flask would answer with the same page: a GET without a body, its path plain ASCII under
    a vendor's prefix, routed (by Flask's own URL map) to a tenant call whose vendor has a page hook
    (``tenantcall.Access.page``); the route's credentials and caller rules passed (the same functions the tenant
    call runs), a tenant with no fault rule and no rate limit, a host the host check let through, and then a
    page: a cached one, or one the vendor computes as its view would; a page it cannot compute (an error, a
    route that is no paged list) is Flask's to answer. Its answer goes through the same ``after`` steps (CORS,
    journal). Not in the path with ``--strict`` or ``--state-file``, nor with ``LMS_EMULATOR_FAST_PAGES=0``;
    verify mode (``core.pagecache``) never hits, but computes. ``tests/core/test_fastpages.py`` sends the same
    requests both ways and compares everything."""

    def __init__(self, app: Flask, store: Store, vendors: dict[str, Vendor], routes: Routes) -> None:
        self.app = app
        self.store = store
        self.prefixes = {v.prefix + "/" for v in vendors.values()}
        self.on = True  # tests switch it off to compare with Flask's answer
        self.routes = routes

    def __call__(self, environ: dict[str, Any], exchange: Exchange) -> Page | None:
        if environ.get("REQUEST_METHOD") != "GET" or exchange.refusal is not None or not self.on:
            return None
        path, query = environ.get("PATH_INFO") or "", environ.get("QUERY_STRING") or ""
        if environ.get("CONTENT_LENGTH") or environ.get("HTTP_TRANSFER_ENCODING") or not (
                path.isascii() and query.isascii()):
            return None
        if path[:path.find("/", 1) + 1] not in self.prefixes:  # "//absorb/..." finds "//": no vendor
            return None
        found = self.route(path)
        call = None if found is None else call_of(found[0])
        if found is None or call is None or call.access.page is None:
            return None
        view, path_args = found
        access, page_rule = call.access, call.access.page
        try:
            tenant, credentials = access.credentials(environ, self.store)
            rules = tenant.faults
            if tenant.rate_limits or (rules is not None and rules.rules):
                return None  # steps the tenant call runs would act: Flask's
            world = tenant.world(access.vendor)  # the lock rule's one exception (core.tenantcall)
            now = tenant.clock.now()
            admitted = access.caller(world, credentials, now, environ, call.options, path_args)
        except errors.EmulatorError:  # refused: Flask answers it, in the vendor's shape
            return None
        page = page_rule(tenant, world, admitted, view, path_args, path, query)
        if page is not None and not isinstance(page, bytes):
            try:
                page = page()
            except StalePage as stale:  # verify mode: Flask raises it as its own (step 4), a loud 500
                exchange.stale_page = stale
                return None
        if page is None:
            return None
        exchange.tenant, exchange.now = tenant, now
        return Page(page)

    def route(self, path: str) -> Route | None:
        """Flask's routing of a GET to ``path``: the view function and its path arguments (``Routes``)."""
        found = self.routes.route("GET", path)
        return None if found is None else (found.view, found.args)


class Routed(NamedTuple):
    """Where Flask routes a request: the view, its rule and its path arguments."""

    view: Callable[..., Any]
    rule: Rule
    args: dict[str, Any]


class Routes:
    """Flask's own URL map, matched once per (method, path) and remembered, as the page step and the call step
    route (the URL map never changes once the app serves): None where Flask would call no view (no route,
    another method, a redirect)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.urls: MapAdapter | None = None  # bound on first use: every blueprint is registered by then
        self.memo: dict[tuple[str, str], Routed | None] = {}  # up to MAX_ROUTES

    def route(self, method: str, path: str) -> Routed | None:
        key = (method, path)
        try:
            return self.memo[key]
        except KeyError:
            pass
        if self.urls is None:
            self.urls = self.app.url_map.bind("localhost")
        try:
            rule, args = self.urls.match(path, method, return_rule=True)
            view = self.app.view_functions.get(rule.endpoint)
            found = None if view is None else Routed(view, rule, dict(args))
        except HTTPException:  # NotFound, MethodNotAllowed, RequestRedirect
            found = None
        if len(path) > MEMO_KEY_LIMIT:  # not remembered: 4,096 long paths pinned hundreds of MB
            return found
        if len(self.memo) >= MAX_ROUTES:
            self.memo.clear()
        self.memo[key] = found
        return found


class CallStep:
    """Flask's request handling for a vendor call, routed from ``Routes`` rather than by a URL adapter Flask
    binds and matches per request (see docs/DESIGN.md, "The call step").

    It is ``Flask.wsgi_app`` line for line (the request context; ``full_dispatch_request``: the ``before`` steps,
    the view, the error handlers, the ``after`` steps, every hook a blueprint adds; the teardown), or, when the
    app's hooks are plain (``plain_hooks``), the same steps run directly with the context variables set and reset
    here (``dispatch``), with the
    request's rule and path arguments set from the memo, so ``EmulatorFlask.create_url_adapter`` has nothing to
    bind and ``match_request`` nothing to match. It takes a request whose path is plain ASCII under a vendor's
    prefix that Flask routes to a view, whatever the method but ``OPTIONS`` (Flask's automatic answer);
    anything else (no route, a redirect, a method the route has not, the admin API) is Flask's ``wsgi_app``'s,
    unchanged. ``tests/core/test_callstep.py`` sends the same requests both ways and compares them."""

    def __init__(self, app: Flask, flask_wsgi: Callable[..., Any], routes: Routes,
                 vendors: dict[str, Vendor], pipeline: Pipeline) -> None:
        self.app = app
        self.pipeline = pipeline
        self.hooks: PlainHooks | None = _UNSEEN
        self.flask_wsgi = flask_wsgi
        self.routes = routes
        self.prefixes = {v.prefix + "/" for v in vendors.values()}
        self.on = True  # tests switch it off to compare with Flask's own routing

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method, path = environ.get("REQUEST_METHOD") or "", environ.get("PATH_INFO") or ""
        found = None
        if self.on and method != "OPTIONS" and path[:path.find("/", 1) + 1] in self.prefixes and path.isascii():
            found = self.routes.route(method, path)
        if found is None:
            return self.flask_wsgi(environ, start_response)
        app = self.app
        req = app.request_class(environ)
        req.json_module = app.json
        req.url_rule, req.view_args = found.rule, dict(found.args)
        hooks = self.plain_hooks(environ)
        # no URL adapter: the request is routed; plain hooks: NoSessions' one session
        ctx = RequestContext(app, environ, request=req, session=None if hooks is None else NoSessions.null)
        error: BaseException | None = None
        tokens = None
        try:  # Flask.wsgi_app's own handling, from here on
            try:
                if hooks is not None and _cv_app.get(None) is None:
                    # ctx.push() where nothing listens: the app's and the request's context set, nothing sent
                    tokens = _cv_app.set(app.app_context()), _cv_request.set(ctx)
                else:
                    ctx.push()
                response = self.dispatch(req, found, hooks) if hooks is not None else app.full_dispatch_request()
            except Exception as exc:  # noqa: BLE001 - as Flask: rendered by the error handlers
                error = exc
                response = app.handle_exception(exc)
            except:  # noqa: E722 - as Flask: the teardown sees it
                error = sys.exc_info()[1]
                raise
            plain = _plain_answer(response, environ)
            if plain is None:
                return response(environ, start_response)
            start_response(response.status, plain[0])
            return plain[1]
        finally:
            if "werkzeug.debug.preserve_context" in environ:  # the test client's ``with client:``
                environ["werkzeug.debug.preserve_context"](_cv_app.get())
                environ["werkzeug.debug.preserve_context"](_cv_request.get())
            if error is not None and app.should_ignore_error(error):
                error = None
            if tokens is None:
                ctx.pop(error)
            else:  # ctx.pop() where there is no teardown function and nothing listens
                if "files" in req.__dict__:  # Request.close closes the uploaded files werkzeug parsed, if any
                    req.close()
                _cv_request.reset(tokens[1])
                environ["werkzeug.request"] = None  # as Flask: no cycle left for the GC
                _cv_app.reset(tokens[0])


    def plain_hooks(self, environ: dict[str, Any]) -> PlainHooks | None:
        """The app's hooks when they are the pipeline's and blueprints' ``after_request`` functions only, no
        signal Flask sends on the way has a receiver, and the test client keeps no context; None otherwise
        (Flask's own ``RequestContext.push``/``pop`` and ``full_dispatch_request`` then)."""
        hooks = self.hooks
        if hooks is _UNSEEN:  # hooks are set up before the first request (Flask refuses them after)
            hooks = self.hooks = _plain_hooks(self.app, self.pipeline.run_before)
        if hooks is None or any(signal.receivers for signal in _SIGNALS) \
                or "werkzeug.debug.preserve_context" in environ:
            return None
        return hooks

    def dispatch(self, req: Request, found: Routed, hooks: PlainHooks) -> Response:
        """``Flask.full_dispatch_request`` for an app with plain hooks: the ``before`` steps, the view, the error
        handlers, then the ``after_request`` functions in Flask's order (the blueprint's, then the app's)."""
        app = self.app
        app._got_first_request = True
        rv: Any
        try:
            rv = self.pipeline.before_steps(req)
            if rv is None:
                rv = app.ensure_sync(found.view)(**req.view_args)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - as Flask: rendered by the error handlers
            rv = app.handle_user_exception(exc)
        response = app.make_response(rv)
        for func in hooks.after(req):
            response = func(response)
        return response


class PlainHooks:
    """An app's ``after_request`` functions per blueprint, in the order Flask runs them (``process_response``),
    when its other request hooks are the pipeline's ``before`` runner alone (``CallStep.plain_hooks``)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.by_blueprint: dict[str | None, tuple[Callable[[Response], Response], ...]] = {}

    def after(self, req: Request) -> tuple[Callable[[Response], Response], ...]:
        found = self.by_blueprint.get(req.blueprint)
        if found is None:
            app = self.app
            names = [*req.blueprints, None]
            found = self.by_blueprint[req.blueprint] = tuple(
                app.ensure_sync(func) for name in names for func in reversed(app.after_request_funcs.get(name, ())))
        return found


_UNSEEN: Any = object()
# what Flask sends from pushing a request's context to popping it
_SIGNALS = (appcontext_pushed, request_started, request_finished, request_tearing_down, appcontext_tearing_down,
            appcontext_popped)


def _plain_hooks(app: Flask, before: Callable[..., Any]) -> PlainHooks | None:
    """``PlainHooks`` for an app whose request hooks are the pipeline's ``before`` runner and ``after_request``
    functions only (no URL value preprocessor, no other ``before_request``, no cookie session); else None."""
    befores = [func for funcs in app.before_request_funcs.values() for func in funcs]
    if (any(app.url_value_preprocessors.values()) or befores != [before] or any(app.teardown_request_funcs.values())
            or app.teardown_appcontext_funcs or not isinstance(app.session_interface, NoSessions)):
        return None
    return PlainHooks(app)


_NOT_PLAIN = frozenset({"location", "content-location"})


def _plain_answer(response: Any, environ: dict[str, Any]) -> tuple[list[tuple[str, str]], list[bytes]] | None:
    """The WSGI header list and body of an answer werkzeug would send as it is (``Response.__call__``: a copy of
    its headers, its body list whole; a 204 without its ``Content-Length`` and body), or None for anything
    werkzeug changes or wraps: a streamed or passed-through body, a close hook, ``HEAD``, a 1xx or 304, no
    ``Content-Length`` (but on a 204), or a ``Location`` / ``Content-Location`` (made absolute IRIs)."""
    status = response.status_code
    body = response.response
    if (type(body) is not list or response.direct_passthrough or response._on_close or status < 200
            or status == 304 or environ.get("REQUEST_METHOD") == "HEAD"
            or not all(type(piece) is bytes for piece in body)):
        return None
    headers = response.headers.to_wsgi_list()
    names = {name.lower() for name, _ in headers}
    if not _NOT_PLAIN.isdisjoint(names):
        return None
    if status == 204:  # RFC 9110: no Content-Length, no body (werkzeug drops both)
        return [(name, value) for name, value in headers if name.lower() != "content-length"], []
    if "content-length" not in names:
        return None
    return headers, body


def admin_lock(req: Request, token: str, dashboard_page: Callable[[Request], bool]) -> None:
    """Step 7: the admin API wants ``Authorization: Bearer <token>``, but for the dashboard page, which holds no
    data (it asks for the token and sends it itself)."""
    path = req.path
    if not (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")) or dashboard_page(req):
        return
    scheme, _, given = (req.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise errors.Unauthorized("The admin API requires 'Authorization: Bearer <admin token>'.",
                                  headers={"WWW-Authenticate": 'Bearer realm="lms-emulator admin"'})


def _answer_body(answer: Answer) -> bytes:
    """The answer's body for the journal: a body of one ``bytes`` (what ``jsonify`` and the vendors' views
    make) read from ``Response.response`` (werkzeug's public attribute) as ``get_data`` would return it, without
    its generator (~5k instructions a write); anything else through ``get_data``."""
    if isinstance(answer, Response):
        parts = answer.response
        if type(parts) is list and len(parts) == 1 and type(parts[0]) is bytes:
            return parts[0]
    return answer.get_data()


def _request_body(call: Call) -> bytes:
    """The request body for the journal (the pipeline read it whole in step 5); never fails the request."""
    environ = call.environ
    if not (environ.get("CONTENT_LENGTH") or environ.get("HTTP_TRANSFER_ENCODING")):
        return b""
    req: Any = call  # a body: Flask's request (the page step's has none)
    try:
        length = req.content_length  # a property that parses the header on every read
        if length and length > MAX_BODY_BYTES:
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
