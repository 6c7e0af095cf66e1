"""Stubs: a tenant's own answers for vendor calls the emulator does not emulate.

A stub names a method and a path glob under a vendor's prefix (``core.faults.Glob``: ``*`` one segment, ``**``
any number) and the answer: status, headers, a JSON ``body`` or a text ``bodyText`` (XML...), an optional
delay. Stubs are matched only where no emulated route matches the method and path (Flask's routing failed:
``request.routing_exception``), so a stub can never shadow or change an emulated operation; the first stub
added that matches wins. With no stub, ``--fallback-target`` forwards the call to a real service
(``core.forward``); with neither, the vendor's 404 says how to add a stub (``not_found_message``).

Whose stubs: the tenant the request's credentials name, found the way each vendor's auth finds it (an
``x-api-key``, a bearer token, an iSpring account URL or client id: ``Store.tenant_for``); a call whose
credentials name no tenant gets the default tenant's. Stubs come from the admin API
(``/_emulator/tenants/{id}/stubs``), the pytest plugin (``Tenant.stub``, ``@pytest.mark.lms_stub``) and a
fixture's ``stubs`` list; they last across a data reset and, with ``--state-file``, across restarts. Each
answer is journaled like any vendor call, with the stub's id.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Request, Response
from werkzeug.exceptions import MethodNotAllowed, NotFound

from . import errors
from .faults import MAX_DELAY_MS, METHODS, Glob, injected_error
from .exchange import exchange_of
from .forward import Targets, Unreachable, forward
from .state import app_state
from .store import DEFAULT_TENANT, Store, Tenant
from .vendor import Vendor
from .wire import encode_json

STUB_FIELDS = {"method", "path", "status", "headers", "body", "bodyText", "contentType", "delayMs"}
MAX_STUBS = 1000
CREDENTIAL_HEADERS = ("x-api-key", "x-auth-account-url")


@dataclass
class Stub:
    id: str
    vendor: str
    path: str
    method: str | None  # None: any method
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    body_text: str | None = None
    content_type: str | None = None
    delay_ms: int = 0
    hits: int = 0
    glob: Glob | None = field(default=None, repr=False, compare=False)

    def matches(self, vendor: str, method: str, path: str) -> bool:
        if self.glob is None:
            self.glob = Glob(self.path)
        return vendor == self.vendor and (self.method is None or self.method == method) and self.glob.match(path)

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "vendor": self.vendor, "method": self.method, "path": self.path,
                               "status": self.status, "headers": dict(self.headers), "delayMs": self.delay_ms,
                               "hits": self.hits}
        if self.body_text is not None:
            out["bodyText"] = self.body_text
        else:
            out["body"] = self.body
        if self.content_type:
            out["contentType"] = self.content_type
        return out

    def response(self) -> Response:
        if self.body_text is not None:
            data, mimetype = self.body_text.encode(), self.content_type or "text/plain; charset=utf-8"
        elif self.body is None and self.status in (204, 304):
            data, mimetype = b"", None
        else:
            data, mimetype = encode_json(self.body), self.content_type or "application/json"
        response = Response(data, status=self.status, content_type=mimetype)
        for name, value in self.headers.items():
            response.headers[name] = value
        return response

    def __getstate__(self) -> dict[str, Any]:  # the parsed glob is rebuilt on first match
        return {**self.__dict__, "glob": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def parse_stub(body: Any, stub_id: str, vendors: Iterable[str]) -> Stub:
    """A stub from an admin request body (or a fixture's ``stubs`` item); any problem is a 400 naming the field."""
    bad = errors.BadRequest
    if not isinstance(body, dict):
        raise bad("A stub must be a JSON object.")
    unknown = sorted(set(body) - STUB_FIELDS)
    if unknown:
        raise bad(f"Unknown stub field(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(STUB_FIELDS))}.")
    path = body.get("path")
    if not isinstance(path, str):
        raise bad("path: required, a path glob under a vendor's prefix (such as '/absorb/certificates/*').")
    vendor = path.lstrip("/").split("/", 1)[0]
    known = sorted(vendors)
    if vendor not in known or not path.startswith(f"/{vendor}/"):
        raise bad(f"path: '{path}' must start with a vendor's prefix ({', '.join('/' + v + '/' for v in known)}).")
    try:
        glob = Glob(path)
    except ValueError as exc:
        raise bad(f"path: '{path}' is not a valid path glob: {exc}.") from None
    method = body.get("method")
    if method is not None:
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise bad(f"method: '{method}' is not an HTTP method.")
        method = method.upper()
    status = body.get("status", 200)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise bad(f"status: must be an HTTP status 100-599 (got {status!r}).")
    headers = body.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) and k.strip()
                                                and "\n" not in k + v and "\r" not in k + v
                                                for k, v in headers.items()):
        raise bad("headers: must be an object of header names to string values (one line each).")
    if "body" in body and "bodyText" in body:
        raise bad("body and bodyText: give one (body: JSON; bodyText: text such as XML, with contentType).")
    text = body.get("bodyText")
    if text is not None and not isinstance(text, str):
        raise bad("bodyText: must be a string.")
    content_type = body.get("contentType")
    if content_type is not None and (not isinstance(content_type, str) or not content_type.strip()
                                     or "\n" in content_type or "\r" in content_type):
        raise bad("contentType: must be a media type such as 'application/xml'.")
    delay = body.get("delayMs", 0)
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or not 0 <= delay <= MAX_DELAY_MS:
        raise bad(f"delayMs: must be a number of milliseconds between 0 and {MAX_DELAY_MS} (got {delay!r}).")
    return Stub(id=stub_id, vendor=vendor, path=path, method=method, status=status, headers=dict(headers),
                body=body.get("body"), body_text=text, content_type=content_type, delay_ms=int(delay), glob=glob)


class StubSet:
    """One tenant's stubs, first added first matched."""

    def __init__(self) -> None:
        self.stubs: list[Stub] = []
        self.seeded = ""  # the fixture stubs already added (their JSON): a fixture adds its stubs once
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            following = next(self._ids)
            self._ids = itertools.count(following)  # reading the next id does not spend it (as FaultSet)
            return {"stubs": list(self.stubs), "next": following, "seeded": self.seeded}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.stubs = state["stubs"]
        self.seeded = state.get("seeded", "")
        self._ids = itertools.count(state["next"])
        self._lock = threading.Lock()

    def seed_from(self, listed: list[Any], vendors: Iterable[str]) -> None:
        key = json.dumps(listed, sort_keys=True)
        if key == self.seeded:
            return
        names = list(vendors)
        with self._lock:
            if key == self.seeded:
                return
            self.seeded = key
        for body in listed:
            self.add(body, names)

    def add(self, body: Any, vendors: Iterable[str]) -> Stub:
        with self._lock:
            if len(self.stubs) >= MAX_STUBS:
                raise errors.BadRequest(f"A tenant holds at most {MAX_STUBS} stubs; delete some first.")
            stub = parse_stub(body, f"s-{next(self._ids)}", vendors)
            self.stubs.append(stub)
            return stub

    def remove(self, stub_id: str) -> None:
        with self._lock:
            before = len(self.stubs)
            self.stubs = [s for s in self.stubs if s.id != stub_id]
            if len(self.stubs) == before:
                raise errors.NotFound(f"no stub '{stub_id}'")

    def clear(self) -> None:
        with self._lock:
            self.stubs = []

    def take(self, vendor: str, method: str, path: str) -> Stub | None:
        with self._lock:
            for stub in self.stubs:
                if stub.matches(vendor, method, path):
                    stub.hits += 1
                    return stub
        return None


def stubs_of(tenant: Tenant, vendors: Iterable[str] = ()) -> StubSet:
    """The tenant's stubs, made on first use; a fixture's ``stubs`` (checked when the fixture was read) join them
    once, when the tenant first meets that fixture (created with it, or loaded into it later)."""
    found = tenant.stubs
    if found is None:
        with tenant.first_use:  # two first uses at once share one set
            if tenant.stubs is None:
                tenant.stubs = StubSet()
            found = tenant.stubs
    listed = (tenant.fixture or {}).get("stubs") or []
    if listed:
        found.seed_from(listed, vendors)
    return found


def check_fixture_stubs(stubs: Any, vendors: Iterable[str], where: str) -> None:
    """A fixture's ``stubs``: a list of stub objects, each as the admin API takes it (400 naming the item)."""
    if not isinstance(stubs, list):
        raise errors.BadRequest(f"{where}.stubs: must be a list of stubs.")
    for n, body in enumerate(stubs):
        try:
            parse_stub(body, "check", vendors)
        except errors.BadRequest as exc:
            raise errors.BadRequest(f"{where}.stubs[{n}]: {exc.message}") from None


def tenant_of_request(store: Store, vendor: str, req: Request) -> tuple[Tenant | None, bool]:
    """The tenant the request's credentials name for ``vendor`` (and True), else the default tenant (and False)."""
    headers = req.headers
    candidates = [headers.get(name) for name in CREDENTIAL_HEADERS]
    scheme, _, token = (headers.get("Authorization") or "").partition(" ")
    candidates += [token.strip() if token else scheme.strip()]
    for value in candidates:
        tenant = store.tenant_for(vendor, value) if value else None
        if tenant is not None:
            return tenant, True
    return store.tenants.get(DEFAULT_TENANT), False


class Unrouted:
    """The pipeline's step 7a (``core.pipeline``), for a vendor call no emulated route matches (Flask's
    ``request.routing_exception``, which the view step would raise): a stub answers, else ``--fallback-target``
    forwards it, else nothing happens here and the vendor's 404 (or 405) follows."""

    def __init__(self, app: Flask, fallback_target: str | None) -> None:
        state = app_state(app)
        self.store = state.store
        self.vendors = state.vendors
        self.fallback = Targets.parse(fallback_target or "")

    def answer(self, req: Request, vendor: Vendor) -> Response | None:
        if not isinstance(req.routing_exception, (NotFound, MethodNotAllowed)):
            return None
        tenant, named = tenant_of_request(self.store, vendor.name, req)
        if tenant is None:
            return None
        exchange = exchange_of(req.environ)
        exchange.unrouted_tenant = tenant.id
        if named:
            exchange.tenant = tenant  # the journal: this tenant's
        stub = stubs_of(tenant, self.vendors).take(vendor.name, req.method, req.path)
        if stub is not None:
            exchange.tenant = tenant
            exchange.stub = stub.id
            if stub.delay_ms:
                time.sleep(stub.delay_ms / 1000)
            return stub.response()
        original = exchange.original_path or req.path  # as sent (Absorb's paths are folded to route them)
        url = self.fallback.url_for(vendor.name, original) if self.fallback else None
        if url is None:
            return None
        exchange.forwarded_to = url
        try:
            return forward(url, req)
        except Unreachable as exc:
            raise injected_error(502, f"The fallback target did not answer ({exc}).", {}) from None


def not_found_message(req: Request) -> str:
    """The vendor's 404 for an unrouted call: what was asked, and the two ways to answer it."""
    tenant_id = exchange_of(req.environ).unrouted_tenant or "{tenant}"
    return (f"No route matches the request: the emulator does not serve {req.method} {req.path}. To answer it, "
            f"add a stub: POST /_emulator/tenants/{tenant_id}/stubs with "
            f'{{"method": "{req.method}", "path": "{req.path}", "status": 200, "body": ...}}; '
            "or start the emulator with --fallback-target URL to forward such calls to a real service.")
