"""Requests the emulator makes itself (webhooks): who may be called, and a sender that never blocks a request.

- **Where to.** A callback URL must be ``http``/``https`` to a loopback address (127.0.0.0/8, ::1, or a name
  that resolves only to loopback, such as ``localhost``) unless ``Settings.webhook_allow`` names its host (a
  name, an address or a network such as ``10.0.0.0/8``). So the emulator is never a forwarder to arbitrary
  addresses. The address is checked when the URL is given and again just before each request (a name is
  connected to by the address checked, and redirects are never followed).
- **How.** ``Outbox.put`` queues a ``Delivery`` (bounded: QUEUE_LIMIT; over it the delivery is recorded as
  dropped) and returns at once: the request that caused it never waits, and holds no lock while anything is
  sent. One worker thread sends, started on the first delivery and ending after IDLE_SECONDS without work
  (or at ``close``), so idle apps and finished tests keep no thread. Each attempt has TIMEOUT_SECONDS; a
  failed one (no answer, or a status other than 2xx) is retried after RETRY_DELAYS, then given up.
- **Seen.** Each attempt's outcome is kept in the tenant's ``Deliveries`` (bounded, shown by the admin API,
  awaited by tests: ``wait``) and recorded in the tenant's journal as an ``outbound`` entry.
"""
from __future__ import annotations

import heapq
import http.client
import ipaddress
import itertools
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from .errors import BadRequest
from .journal import journal_of, make_entry
from .store import Tenant
from .wire import iso_z

QUEUE_LIMIT = 1000  # deliveries waiting at once, all tenants
TIMEOUT_SECONDS = 5.0  # per attempt: connect and answer
RETRY_DELAYS = (0.5, 2.0)  # after the first and second failed attempts; three attempts in all
IDLE_SECONDS = 2.0  # the worker ends after this long without work
LOG_LIMIT = 500  # delivery records kept per tenant
RESPONSE_LIMIT = 2048  # bytes of a subscriber's answer kept


def _allowed_networks(raw: str) -> tuple[list[ipaddress.IPv4Network | ipaddress.IPv6Network], set[str]]:
    networks, names = [], set()
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            names.add(part.lower().rstrip("."))
    return networks, names


@dataclass
class Target:
    """Where a checked URL is sent: the address to connect to (never re-resolved after the check)."""

    scheme: str
    host: str  # as written (the Host header)
    address: str
    port: int
    path: str


class Policy:
    """Which callback URLs may be called: loopback, or what ``Settings.webhook_allow`` names."""

    def __init__(self, allow: str = "") -> None:
        self.networks, self.names = _allowed_networks(allow)

    def _allowed(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        return ip.is_loopback or any(ip in n for n in self.networks)

    def check(self, url: str, name: str = "callbackUrl") -> Target:
        """The URL's target, or BadRequest saying why it may not be called."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise BadRequest(f"{name}: '{url}' is not a URL.") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadRequest(f"{name}: '{url}' must be an http or https URL.")
        host = parts.hostname.lower().rstrip(".")
        port = port or (443 if parts.scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if host in self.names:
            return Target(parts.scheme, host, host, port, path)
        try:
            addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
        except (OSError, UnicodeError):
            raise BadRequest(f"{name}: the host of '{url}' does not resolve.") from None
        if not addresses or not all(self._allowed(a) for a in addresses):
            raise BadRequest(f"{name}: '{url}' is not a loopback address; the emulator calls only loopback "
                             "addresses and those its webhook_allow setting names.")
        return Target(parts.scheme, host, sorted(addresses)[0], port, path)


@dataclass
class Delivery:
    """One request to send, and what to do with its outcome."""

    tenant: Tenant
    vendor: str
    url: str
    body: bytes
    headers: tuple[tuple[str, str], ...]
    kind: str  # what it carries (a vendor's event type)
    # (ok, final): called after each attempt, outside every lock but its own
    on_result: Callable[[bool, bool], None] | None = None
    attempts: int = 0
    id: int = 0


@dataclass
class Deliveries:
    """One tenant's delivery records, newest last; ``wait`` blocks until enough are finished."""

    records: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LOG_LIMIT))
    finished: int = 0  # deliveries done (delivered or given up) since the last clear
    changed: threading.Condition = field(default_factory=threading.Condition)

    def record(self, entry: dict[str, Any], done: bool) -> None:
        with self.changed:
            self.records.append(entry)
            self.finished += done
            self.changed.notify_all()

    def list(self) -> list[dict[str, Any]]:
        with self.changed:
            return list(self.records)

    def clear(self) -> None:
        with self.changed:
            self.records.clear()
            self.finished = 0

    def wait(self, count: int, timeout: float) -> bool:
        """True once ``count`` deliveries have finished (delivered or given up), False at ``timeout``."""
        with self.changed:
            return self.changed.wait_for(lambda: self.finished >= count, timeout=timeout)


def deliveries_of(tenant: Tenant) -> Deliveries:
    found = tenant.deliveries
    if found is None:
        with tenant.first_use:  # two first uses at once share one record
            if tenant.deliveries is None:
                tenant.deliveries = Deliveries()
            found = tenant.deliveries
    return found


class Outbox:
    """The app's sender (see the module docstring)."""

    def __init__(self, allow: str = "", journal_size: int = 1000) -> None:
        self.policy = Policy(allow)
        self.journal_size = journal_size
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._due: list[tuple[float, int, Delivery]] = []  # heap: (when, order, delivery)
        self._order = itertools.count(1)
        self._worker: threading.Thread | None = None
        self._closed = False

    def put(self, delivery: Delivery) -> bool:
        """Queue a delivery; False (recorded as dropped) when the queue is full or the outbox closed."""
        with self._lock:
            if self._closed or len(self._due) >= QUEUE_LIMIT:
                dropped = True
            else:
                dropped = False
                delivery.id = next(self._order)
                heapq.heappush(self._due, (time.monotonic(), delivery.id, delivery))
                if self._worker is None:
                    self._worker = threading.Thread(target=self._run, name="lms-emulator-webhooks", daemon=True)
                    self._worker.start()
                self._wake.notify()
        if dropped:
            self._record(delivery, None, "dropped: the delivery queue is full", 0.0, done=True)
        return not dropped

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker (what is still queued is dropped) and wait for it."""
        with self._lock:
            self._closed = True
            worker, self._worker = self._worker, None
            self._due.clear()
            self._wake.notify_all()
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)

    @property
    def running(self) -> bool:
        with self._lock:
            return self._worker is not None

    def _next(self) -> Delivery | None:
        """The next delivery once it is due; None when the worker should end (idle or closed)."""
        with self._lock:
            idle_since = time.monotonic()
            while not self._closed:
                now = time.monotonic()
                if self._due and self._due[0][0] <= now:
                    return heapq.heappop(self._due)[2]
                if not self._due and now - idle_since >= IDLE_SECONDS:
                    break
                self._wake.wait(min(self._due[0][0] - now, IDLE_SECONDS) if self._due else IDLE_SECONDS)
            if self._worker is threading.current_thread():
                self._worker = None
            return None

    def _run(self) -> None:
        while True:
            delivery = self._next()
            if delivery is None:
                return
            self._attempt(delivery)

    def _attempt(self, delivery: Delivery) -> None:
        delivery.attempts += 1
        started = time.perf_counter()
        status: int | None = None
        answer = b""
        try:
            target = self.policy.check(delivery.url)  # again: a name may resolve elsewhere now
            status, answer = _send(target, delivery)
            error = None if 200 <= status < 300 else f"answered {status}"
        except BadRequest as exc:
            error = exc.message
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        ok = error is None
        final = ok or delivery.attempts > len(RETRY_DELAYS)
        elapsed = (time.perf_counter() - started) * 1000
        if not final:
            with self._lock:
                if not self._closed:
                    heapq.heappush(self._due, (time.monotonic() + RETRY_DELAYS[delivery.attempts - 1],
                                               delivery.id, delivery))
                else:
                    final = True
        if delivery.on_result is not None:
            delivery.on_result(ok, final)
        self._record(delivery, status, error, elapsed, done=final, answer=answer)

    def _record(self, delivery: Delivery, status: int | None, error: str | None, elapsed: float, *, done: bool,
                answer: bytes = b"") -> None:
        tenant = delivery.tenant
        at: datetime = tenant.clock.now()
        outcome = "delivered" if error is None else ("failed" if done else "retrying")
        if error is not None and error.startswith("dropped"):
            outcome = "dropped"
        deliveries_of(tenant).record({
            "id": delivery.id, "time": iso_z(at), "vendor": delivery.vendor, "kind": delivery.kind,
            "url": delivery.url, "attempt": delivery.attempts, "outcome": outcome, "status": status,
            "error": error, "durationMs": round(elapsed, 3), "body": delivery.body.decode("utf-8", "replace"),
            "headers": dict(delivery.headers), "response": answer[:RESPONSE_LIMIT].decode("utf-8", "replace"),
        }, done)
        split = urlsplit(delivery.url)
        entry = make_entry(method="POST", path=delivery.url, query=split.query, headers=delivery.headers,
                           body=delivery.body, content_type="application/json", status=status,
                           response_body=answer[:RESPONSE_LIMIT], response_content_type="", duration_ms=elapsed,
                           at=at, vendor=delivery.vendor, tenant_id=tenant.id)
        entry.update({"direction": "outbound", "kind": delivery.kind, "outcome": outcome, "error": error})
        journal_of(tenant, self.journal_size).record(entry)


def _send(target: Target, delivery: Delivery) -> tuple[int, bytes]:
    """One POST to the checked address (no proxy, no redirect followed); the status and the answer's start."""
    cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = cls(target.address, target.port, timeout=TIMEOUT_SECONDS)
    try:
        headers = {"Host": target.host if target.port in (80, 443) else f"{target.host}:{target.port}",
                   "User-Agent": "lms-emulator-webhooks", "Content-Length": str(len(delivery.body)),
                   **dict(delivery.headers)}
        conn.request("POST", target.path, body=delivery.body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(RESPONSE_LIMIT)
    finally:
        conn.close()
