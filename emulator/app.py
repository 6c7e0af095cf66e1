"""The app factory: one Flask app serving every vendor under its prefix."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, Response, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule
from werkzeug.sansio.response import Response as SansIOResponse
from werkzeug.utils import cached_property

from .admin import init_app as init_admin
from .admin import is_dashboard_page
from .config import ENV_PREFIX, Settings, SettingsError
from .core import errors, pipeline, requestlog, stubs
from .core.env import variable
from .core.outbound import Outbox
from .core.http import BODY_DEADLINE, MAX_BODY_BYTES, GuidConverter, parse_args
from .core.openapi import build_document
from .core.state import EXTENSION, AppState, app_state
from .core.store import DEFAULT_TENANT, Store
from .core.vendor import Vendor
from .core.wire import encode_json
from flask import current_app
from .absorb import VENDOR as absorb
from .ispring import VENDOR as ispring
from .pearson import VENDOR as pearson
from .core.wire import parse_iso_datetime

log = logging.getLogger("lms_emulator")

class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON through ``core.wire.encode_json`` (orjson)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return encode_json(obj).decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        # the header as given: a mimetype would go through werkzeug's get_content_type to the same text
        return Response(encode_json(obj), content_type="application/json")


class EmulatorRequest(Request):
    """``request.args`` parsed once per distinct query string (``core.http.parse_args``): a suite sends the same
    ``_filter``/``_sort``/``_limit`` text over and over (to different paths), and ``parse_qsl`` with its
    unquoting was ~7% of a list request that misses the page cache."""

    @cached_property
    def args(self) -> Any:
        return parse_args(self.environ.get("QUERY_STRING", ""))


class EmulatorRule(Rule):
    """werkzeug's ``Rule`` with its URL builders (what ``url_for`` runs) compiled on first use. werkzeug writes,
    parses and compiles two Python functions per rule as the rule is added: ~0.2 ms a rule, 15-25 ms of every
    start for some 80 rules the emulator routes by but never builds a URL from. Matching is unchanged."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_builder = super()._compile_builder
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            if not compiled:
                compiled.append(compile_builder(append_unknown))
            return compiled[0](rule, *args, **kwargs)

        return build


class EmulatorFlask(Flask):
    """Flask with ``ensure_sync`` remembered per function: Flask asks it of the view and of every hook on
    every request, and ``inspect.iscoroutinefunction`` costs about 2 us a time (6 times a request here)."""

    url_rule_class = EmulatorRule

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._synced: dict[Any, Any] = {}

    def ensure_sync(self, func: Any) -> Any:
        synced = self._synced.get(func)
        if synced is None:
            synced = self._synced[func] = super().ensure_sync(func)
        return synced

    def create_url_adapter(self, request: Request | None) -> Any:
        """None for a request the pipeline's call step routed already (``core.pipeline.CallStep`` set its rule):
        Flask binds an adapter per request only to match the path, which the call step took from its memo."""
        if request is not None and request.url_rule is not None:
            return None
        return super().create_url_adapter(request)

    @property
    def state(self) -> AppState:
        """The emulator's state (``core.state``): settings, store, vendors."""
        return app_state(self)


def all_vendors() -> list[Vendor]:
    """Every vendor; a vendor that fails to import fails the app (no vendor is optional)."""
    return [absorb, ispring, pearson]


def create_app(settings: Settings | dict[str, Any] | None = None) -> EmulatorFlask:
    if not isinstance(settings, Settings):
        settings = Settings.load(settings)
    app = EmulatorFlask(__name__, static_folder=None)  # the dashboard serves its own assets under /_emulator/static
    app.request_class = EmulatorRequest
    app.json = FastJSONProvider(app)
    app.json.sort_keys = False
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.url_map.converters["guid"] = GuidConverter
    app.url_map.strict_slashes = False

    vendors = all_vendors()

    rate_limited = [name.strip() for name in settings.rate_limit.split(",") if name.strip()]
    try:
        anchor = parse_iso_datetime(settings.anchor) if settings.anchor else None
        store = Store(vendors, seed=settings.seed, anchor=anchor, rate_limited=rate_limited, users=settings.users)
    except ValueError as exc:  # --rate-limit naming a vendor without a documented limit
        # named as the value came: the environment's, else the option's
        where = ENV_PREFIX + "RATE_LIMIT" if variable("rate_limit") == settings.rate_limit else "--rate-limit"
        raise SettingsError(f"{where}: {exc}") from None
    app.extensions[EXTENSION] = AppState(settings=settings, store=store, vendors={v.name: v for v in vendors},
                                         outbox=Outbox(settings.webhook_allow, settings.journal_size))
    for vendor in vendors:
        app.register_blueprint(vendor.blueprint, url_prefix=vendor.prefix)
    init_admin(app, settings, store)
    pipeline.init_app(app, dashboard_page=is_dashboard_page)  # what happens to every request, in order
    if settings.log_requests:  # outermost: the fast path's answers are logged too
        app.wsgi_app = requestlog.RequestLog(app.wsgi_app, settings.log_format)  # type: ignore[method-assign]
    documents: dict[str, Any] = {}

    @app.get("/<vendor_name>/openapi.json")
    def openapi_document(vendor_name: str) -> Response:
        if vendor_name not in app.state.vendors:
            raise errors.NotFound(f"No vendor '{vendor_name}'.")
        if vendor_name not in documents:  # built once, on first request
            documents[vendor_name] = build_document(app, vendor_name)
        return jsonify(documents[vendor_name])
    if settings.default_tenant and DEFAULT_TENANT not in store.tenants:
        store.create_tenant(DEFAULT_TENANT)

    app.register_error_handler(Exception, _handle_error)

    @app.get("/")
    def index() -> Response:
        base = request.host_url.rstrip("/")
        return jsonify({
            "service": "lms-emulator",
            "vendors": {v.name: {"title": v.title, "baseUrl": base + v.prefix} for v in vendors},
            "admin": base + "/_emulator/",
        })

    return app




def vendor_for_path(app: Flask, path: str) -> Vendor | None:
    """The vendor whose error shape answers ``path``: its first segment, ended by ``/`` or by ``\\`` (IIS reads
    a backslash as a slash: ``/absorb%5Cusers`` is Absorb's to refuse, not the admin API's)."""
    vendors = app_state(app).vendors
    first = path.lstrip("/").replace("\\", "/").split("/", 1)[0]
    return vendors.get(first)


def _handle_error(exc: Exception) -> Response | SansIOResponse:
    if isinstance(exc, HTTPException) and exc.response is not None:
        return exc.response  # a ready answer (a fault rule with a body of its own)
    if isinstance(exc, HTTPException):
        kind = errors.BY_STATUS.get(exc.code or 500, errors.InternalError)
        message = {404: "No route matches the request.",
                   405: f"The method {request.method} is not allowed for this resource."}.get(exc.code or 0)
        if exc.code == 404 and vendor_for_path(current_app, request.path) is not None:
            message = stubs.not_found_message(request)  # says how to add a stub
        err: errors.EmulatorError = kind(message)
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            err.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    elif isinstance(exc, errors.EmulatorError):
        err = exc
    else:
        log.exception("unhandled error on %s %s", request.method, request.path)
        err = errors.InternalError(f"The emulator failed to handle the request ({type(exc).__name__}).")
    vendor = vendor_for_path(current_app, request.path)
    response = vendor.render_error(err) if vendor else _render_plain(err)
    for key, value in err.headers.items():
        response.headers[key] = value
    return response


def body_timeout(app: Flask) -> float:
    """Seconds a client has for a whole request: the app's ``body_timeout`` setting (``--body-timeout``), or
    ``BODY_DEADLINE`` for a WSGI app that is not the emulator's (the benchmarks' constant app, same servers)."""
    state = app.extensions.get(EXTENSION)
    return float(state.settings.body_timeout) if state is not None else BODY_DEADLINE


def limit_answer(app: Flask, path: str, err: errors.EmulatorError) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) of an error a server raises before the app sees the request (a request line
    or headers over its limits), in the shape of the vendor the path names (``gunicorn_worker`` sends it)."""
    with app.test_request_context(path if path.startswith("/") else "/"):
        vendor = vendor_for_path(app, request.path)
        response = vendor.render_error(err) if vendor else _render_plain(err)
        return response.status_code, [("Content-Type", response.content_type)], response.get_data()


def _render_plain(err: errors.EmulatorError) -> Response:
    body: dict[str, Any] = {"error": err.term, "message": err.message}
    if err.validations:
        body["validations"] = err.validations
    response = jsonify(body)
    response.status_code = err.status
    return response
