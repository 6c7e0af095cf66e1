"""Fault injection: per-tenant rules that delay, fail, rate-limit or drop matching vendor calls.

Where faults are applied (the design): a vendor's auth code resolves the
request's tenant from its credentials and calls ``core.tenantcall.bind_tenant``,
which calls ``check(tenant, vendor)``: after the tenant is known, before the
handler touches the world. So every vendor gets fault injection from one call,
and requests whose credentials name no tenant are never faulted (they have no
tenant to carry rules).

An injected error is raised as a ``core.errors`` exception, so the app's one
error handler renders it in the vendor's own error shape (429 carries
``Retry-After``). A rule with a ``body`` answers exactly that JSON. ``drop``
marks the request; ``DropMiddleware`` then closes the socket without an
answer (the client sees a connection error). ``probability`` draws from the
tenant's own seeded ``random.Random``; ``count`` decrements on each
application and the rule disappears at 0.
"""
from __future__ import annotations

import contextlib
import itertools
import math
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

from . import errors
from flask import json
from .store import derive_seed
from .store import Tenant
from .exchange import exchange_of

DEFER_KEY = "lms_emulator.defer_delay"  # environ: a server that waits out delays itself puts a DeferredDelay here
MAX_DELAY_MS = 60_000
RULE_KEYS = {"vendor", "method", "path", "status", "body", "delayMs", "drop", "rateLimit", "probability", "count"}
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


MAX_GLOB_LENGTH = 512
MAX_GLOB_WILDCARDS = 32


class Glob:
    """A path glob: ``*`` one path segment (or part of one), ``**`` any number of segments, ``?`` one
    character, ``[abc]`` / ``[!abc]`` a class; case-insensitive; the path may end with one more ``/``.

    Matched by stepping the set of pattern positions along the path (a Thompson NFA), the set held as the bits
    of one integer: a step is a few integer operations on ``len(pattern)`` bits, so time is path length times
    pattern length over the machine word, whatever the pattern. A regex would backtrack (``/absorb*****...q``
    took seconds per call), and a set of positions stepped one by one took 7.4 s for a 484-character glob on a
    60 KB path (issue 31). Parsed once; raises ``ValueError`` for a pattern that is not a path glob."""

    def __init__(self, pattern: str) -> None:
        if not isinstance(pattern, str) or not pattern.startswith("/"):
            raise ValueError("must be a string starting with '/'")
        if any(c.isspace() for c in pattern):
            raise ValueError("must not contain whitespace")
        if len(pattern) > MAX_GLOB_LENGTH:
            raise ValueError(f"longer than {MAX_GLOB_LENGTH} characters")
        if "***" in pattern:
            raise ValueError("'***' is not a glob ('*' one segment, '**' any number)")
        tokens: list[tuple[str, Any]] = []
        i = 0
        while i < len(pattern):
            c = pattern[i]
            if pattern.startswith("**", i):  # never three in a row (refused above)
                tokens.append(("**", None))
                i += 2
            elif c == "*":
                tokens.append(("*", None))
                i += 1
            elif c == "?":
                tokens.append(("?", None))
                i += 1
            elif c == "[":
                negate = pattern.startswith("[!", i)
                end = pattern.find("]", i + 2 + negate)  # a class holds one character at least: "[]]", "[!]]"
                if end < 0:
                    raise ValueError(f"unclosed '[' at position {i}")
                tokens.append(("[", (negate, frozenset(pattern[i + 1 + negate:end].lower()))))
                i = end + 1
            elif c == "]":
                raise ValueError(f"unmatched ']' at position {i}")
            else:
                tokens.append(("=", c.lower()))
                i += 1
        if sum(kind in ("*", "**", "?", "[") for kind, _ in tokens) > MAX_GLOB_WILDCARDS:
            raise ValueError(f"more than {MAX_GLOB_WILDCARDS} wildcards")
        self.pattern = pattern
        self.tokens = tokens
        self.literal = None if any(kind != "=" for kind, _ in tokens) else pattern.lower()
        self._masks()

    def _masks(self) -> None:
        """Bit ``i`` stands for pattern position ``i`` (before token ``i``; bit ``len(tokens)``: the end)."""
        self.any_star = self.star = self.slash_free = 0
        for i, (kind, _) in enumerate(self.tokens):
            if kind == "**":
                self.any_star |= 1 << i
            elif kind == "*":
                self.star |= 1 << i
            elif kind == "?":
                self.slash_free |= 1 << i
        self.stars = self.any_star | self.star
        self.accept = 1 << len(self.tokens)
        self.steps: dict[str, int] = {}

    def _step(self, ch: str) -> int:
        """The positions whose token consumes ``ch`` and moves on (a literal, ``?``, a class)."""
        mask = self.steps.get(ch)
        if mask is None:
            mask = 0
            for i, (kind, arg) in enumerate(self.tokens):
                if (kind == "=" and arg == ch) or (kind == "[" and (ch in arg[1]) != arg[0]):
                    mask |= 1 << i
            if ch != "/":
                mask |= self.slash_free
            if len(self.steps) < 256:  # paths are mostly ASCII: a few dozen characters
                self.steps[ch] = mask
        return mask

    def _closure(self, states: int) -> int:
        """Add the positions reachable without a character: past any '*' or '**' (they match nothing too)."""
        while True:
            grown = states | ((states & self.stars) << 1)
            if grown == states:
                return states
            states = grown

    def match(self, path: str) -> bool:
        path = path.lower()
        if self.literal is not None:
            return path == self.literal or (path.endswith("/") and path[:-1] == self.literal)
        trailing = path.endswith("/")
        states = self._closure(1)
        for ch in path[:-1] if trailing else path:
            following = ((states & self._step(ch)) << 1) | (states & self.any_star)
            if ch != "/":
                following |= states & self.star
            if not following:
                return False
            states = self._closure(following)
        if trailing:  # the path may end with one more '/': matched with it, or without it
            if states & self.accept:
                return True
            states = self._closure(((states & self._step("/")) << 1) | (states & self.any_star))
        return bool(states & self.accept)


def compile_glob(pattern: str) -> Glob:
    """The parsed glob (``ValueError`` for a pattern that is not one)."""
    return Glob(pattern)


@dataclass
class Rule:
    id: str
    path: str
    vendor: str | None = None
    method: str | None = None
    status: int | None = None
    body: Any = None
    delay_ms: int = 0
    drop: bool = False
    retry_after: int | None = None
    probability: float = 1.0
    count: int | None = None
    hits: int = 0
    _regex: Glob | None = field(default=None, repr=False, compare=False)

    @property
    def regex(self) -> Glob:
        if self._regex is None:
            self._regex = compile_glob(self.path)
        return self._regex

    def matches(self, vendor: str, method: str, path: str) -> bool:
        return ((self.vendor is None or self.vendor == vendor) and (self.method is None or self.method == method)
                and self.regex.match(path))

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "vendor": self.vendor, "method": self.method, "path": self.path,
                               "status": self.status, "delayMs": self.delay_ms, "drop": self.drop,
                               "probability": self.probability, "count": self.count, "hits": self.hits}
        if self.body is not None:
            out["body"] = self.body
        if self.retry_after is not None:
            out["rateLimit"] = {"retryAfter": self.retry_after}
        return out

    def __getstate__(self) -> dict[str, Any]:  # the compiled pattern is rebuilt on demand
        state = asdict(self)
        state["_regex"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def parse_rule(body: Any, rule_id: str, vendors: Iterable[str]) -> Rule:
    """A rule from an admin request body; any problem is a 400 naming the field."""
    bad = errors.BadRequest
    if not isinstance(body, dict):
        raise bad("A fault rule must be a JSON object.")
    unknown = sorted(set(body) - RULE_KEYS)
    if unknown:
        raise bad(f"Unknown fault rule field(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(RULE_KEYS))}.")
    vendor = body.get("vendor")
    if vendor is not None and vendor not in set(vendors):
        raise bad(f"vendor: unknown vendor '{vendor}' (known: {', '.join(sorted(vendors))}).")
    method = body.get("method")
    if method is not None:
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise bad(f"method: '{method}' is not an HTTP method.")
        method = method.upper()
    path = body.get("path")
    if path is None:
        raise bad("path: required (a glob such as '/absorb/users/*/enrollments').")
    try:
        regex = compile_glob(path)
    except ValueError as exc:
        raise bad(f"path: '{path}' is not a valid path glob: {exc}.") from None
    status = body.get("status")
    if status is not None and (not _is_int(status) or not 400 <= status <= 599):
        raise bad(f"status: must be an HTTP error status 400-599 (got {status!r}).")
    delay = body.get("delayMs", 0)
    if not _is_number(delay) or not 0 <= delay <= MAX_DELAY_MS:
        raise bad(f"delayMs: must be a number of milliseconds between 0 and {MAX_DELAY_MS} (got {delay!r}).")
    drop = body.get("drop", False)
    if not isinstance(drop, bool):
        raise bad("drop: must be true or false.")
    retry_after = None
    rate = body.get("rateLimit")
    if rate is not None:
        if not isinstance(rate, dict) or set(rate) - {"retryAfter"}:
            raise bad("rateLimit: must be an object {\"retryAfter\": seconds}.")
        retry_after = rate.get("retryAfter", 1)
        if not _is_int(retry_after) or retry_after < 0:
            raise bad(f"rateLimit.retryAfter: must be a non-negative integer (got {retry_after!r}).")
        if status not in (None, 429):
            raise bad("rateLimit: a rate limit answers 429; leave status out or set it to 429.")
        status = 429
    probability = body.get("probability", 1.0)
    if not _is_number(probability) or not 0.0 <= probability <= 1.0:
        raise bad(f"probability: must be a number between 0 and 1 (got {probability!r}).")
    count = body.get("count")
    if count is not None and (not _is_int(count) or count < 1):
        raise bad(f"count: must be a positive integer (got {count!r}).")
    if "body" in body and status is None:
        status = 500
    if status is None and not drop and not delay:
        raise bad("A fault rule needs an effect: status, rateLimit, body, drop or delayMs.")
    if drop and (status is not None or "body" in body):
        raise bad("drop: a dropped connection has no status or body; leave them out.")
    return Rule(id=rule_id, path=path, vendor=vendor, method=method, status=status, body=body.get("body"),
                delay_ms=int(delay), drop=drop, retry_after=retry_after, probability=float(probability),
                count=count, _regex=regex)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) and math.isfinite(value)


@dataclass
class DeferredDelay:
    """How long the server must hold the answer back. Both servers of ``serve`` and the Procfile wait out a delay
    without a thread (``emulator.granian_bridge``, ``emulator.gunicorn_worker``): they offer one in the environ,
    and a delay fault adds to it instead of sleeping, so one tenant's slow answers cannot hold every thread.
    The answer is computed at once and held back; elsewhere (werkzeug, the test client) the thread sleeps first."""

    seconds: float = 0.0


class FaultSet:
    """The rules of one tenant, first match wins, with the tenant's own seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rules: list[Rule] = []
        self.rng = random.Random(seed)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            following = next(self._ids)
            self._ids = itertools.count(following)  # reading the next id does not spend it
            return {"rules": list(self.rules), "rng": self.rng.getstate(), "next": following}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.rules = state["rules"]
        self.rng = random.Random()
        self.rng.setstate(state["rng"])
        self._ids = itertools.count(state["next"])
        self._lock = threading.Lock()

    def add(self, body: Any, vendors: Iterable[str]) -> Rule:
        with self._lock:
            rule = parse_rule(body, f"f-{next(self._ids)}", vendors)
            self.rules.append(rule)
            return rule

    def remove(self, rule_id: str) -> None:
        with self._lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if r.id != rule_id]
            if len(self.rules) == before:
                raise errors.NotFound(f"no fault rule '{rule_id}'")

    def clear(self) -> None:
        with self._lock:
            self.rules = []

    def take(self, vendor: str, method: str, path: str) -> Rule | None:
        """The first rule that matches and fires (probability), its count spent."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(vendor, method, path):
                    continue
                if rule.probability < 1.0 and self.rng.random() >= rule.probability:
                    continue
                rule.hits += 1
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count <= 0:
                        self.rules.remove(rule)
                return rule
        return None


def faults_of(tenant: Tenant, create: bool = False) -> FaultSet | None:
    faults = tenant.faults
    if faults is None and create:
        with tenant.first_use:  # two requests adding the first rules at once share one FaultSet
            if tenant.faults is None:
                tenant.faults = FaultSet(derive_seed(tenant.seed, tenant.id, "faults"))
            faults = tenant.faults
    return faults


class InjectedResponse(HTTPException):
    """A fault answering a body of the rule's own: the app's error handler sends ``response`` as is."""


def check(tenant: Tenant, vendor: str) -> None:
    """Apply the first matching rule of ``tenant`` to the current request (``core.tenantcall.bind_tenant``)."""
    faults = tenant.faults
    if faults is None or not faults.rules:
        return
    rule = faults.take(vendor, request.method, request.path)
    if rule is None:
        return
    exchange = exchange_of(request.environ)
    exchange.fault = rule.id
    if rule.delay_ms:
        deferred = request.environ.get(DEFER_KEY)
        if deferred is not None:
            deferred.seconds += rule.delay_ms / 1000
        else:
            time.sleep(rule.delay_ms / 1000)
    if rule.drop:
        exchange.dropped = True
        raise errors.InternalError("Connection dropped by a fault rule.")
    if rule.status is None:
        return  # latency only
    headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
    if rule.body is not None:
        response = Response(json.dumps(rule.body), status=rule.status, mimetype="application/json", headers=headers)
        raise InjectedResponse(response=response)
    raise injected_error(rule.status, f"Injected fault ({rule.id}).", headers)


def injected_error(status: int, message: str, headers: dict[str, str]) -> errors.EmulatorError:
    kind = errors.BY_STATUS.get(status)
    if kind is None:
        kind = errors.EmulatorError if status >= 500 else errors.BadRequest
        err = kind(message, headers=headers)
        err.status = status
        err.term = _term(status)
        return err
    return kind(message, headers=headers)


def _term(status: int) -> str:
    """A machine term for a status no error class has, as .NET names its ``HttpStatusCode`` members:
    ``ServiceUnavailable``, ``RequestUriTooLong``, ``ImATeapot``; ``Error`` when the status has no name."""
    if status not in HTTPStatus._value2member_map_:
        return "Error"
    words = re.split(r"[^A-Za-z0-9]+", HTTPStatus(status).phrase.replace("'", ""))
    return "".join(word.capitalize() for word in words)


class DropMiddleware:
    """Closes the connection without an answer for requests a ``drop`` rule marked.

    Raising ``ConnectionAbortedError`` out of the WSGI app makes werkzeug's server
    treat the connection as dropped; shutting the socket down first makes sure no
    byte is written (gunicorn's socket is reached the same way)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def guarded_start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            if exchange_of(environ).dropped:
                return lambda data: None
            return start_response(status, headers, exc_info)

        result = self.app(environ, guarded_start_response)
        if not exchange_of(environ).dropped:
            return result
        if hasattr(result, "close"):
            result.close()
        sock = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        raise ConnectionAbortedError("connection dropped by an lms-emulator fault rule")
