"""Slow clients against the Procfile's server: normal requests' latency while many connections dawdle.

``python bench/bench_slowclients.py [--server gunicorn|granian] [--kinds a,b] [--slow 50] [--hold 30]
[--options '...']``

Starts the emulator with the Procfile's gunicorn command (``--options`` replaces its options, to
compare settings), or ``lms-emulator serve`` (granian) with ``--server granian``, then:

1. baseline: a probe client sends the Absorb list request (authenticated, ``_limit=10``) back to
   back for ``--baseline`` seconds, on a kept-alive connection and on a new connection per request;
2. held: ``--slow`` connections are opened and kept for ``--hold`` seconds, a third each
   *idle* (connected, nothing sent), *partial headers* (a request line and a header, then one
   more header byte every 2 s, never the blank line), *body never sent* (a POST announcing 100
   bytes that never come). ``--kinds`` picks others (issue 31's reproductions): *body held back*
   (``Content-Length: 1000``, ``[``, then nothing), *expect continue* (``Expect: 100-continue``, no body),
   *huge chunk size* (18 hex digits), *long chunk line* (1,500 bytes, no CRLF), *trickled chunks* (a
   chunked body growing by 20 one-byte chunks every 50 ms). A connection the server closes is opened
   again at once, so the number held stays the same. The probe runs meanwhile.

Prints, per phase, the probe's requests, p50, p99 and max (ms) and its failures (a request that
took over 10 s counts as a failure at 10 s), and how often the server closed a slow connection.
Figures, not assertions: the goal is a held p99 under 100 ms.
"""
from __future__ import annotations

import argparse
import http.client
import json
import shlex
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

import run as bench  # noqa: E402  (bench/run.py: the Procfile command, server start, helpers)

PROBE_TIMEOUT = 10.0
KINDS = ("idle", "partial headers", "body never sent")
MORE_KINDS = ("body held back", "expect continue", "huge chunk size", "long chunk line", "trickled chunks")
_POST = (b"POST /absorb/authenticate HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: %s\r\nx-api-version: 2\r\n"
         b"Content-Type: application/json\r\n")
FRAMES = {
    "body never sent": b"Content-Length: 100\r\n\r\n",
    "body held back": b"Content-Length: 1000\r\n\r\n[",
    "expect continue": b"Content-Length: 100\r\nExpect: 100-continue\r\n\r\n",
    "huge chunk size": b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 18 + b"\r\nab",
    "long chunk line": b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 1500,
    "trickled chunks": b"Transfer-Encoding: chunked\r\n\r\n",
}


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Probe:
    """Sequential normal requests; latencies kept per phase."""

    def __init__(self, port: int, path: str, headers: dict[str, str], keep_alive: bool) -> None:
        self.port, self.path, self.headers, self.keep_alive = port, path, headers, keep_alive
        self.phase = "baseline"
        self.latencies: dict[str, list[float]] = {}
        self.failures: dict[str, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        conn: http.client.HTTPConnection | None = None
        while not self.stop.is_set():
            phase = self.phase
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PROBE_TIMEOUT)
                conn.request("GET", self.path, headers=self.headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
            elapsed = min(time.perf_counter() - t0, PROBE_TIMEOUT)
            self.latencies.setdefault(phase, []).append(elapsed * 1000)
            if not ok:
                self.failures[phase] = self.failures.get(phase, 0) + 1
            if not ok or not self.keep_alive:
                if conn is not None:
                    conn.close()
                conn = None
            time.sleep(0.005)  # a test suite's pace, not a load generator's
        if conn is not None:
            conn.close()


class SlowClient:
    """One dawdling connection of a kind, reopened whenever the server closes it."""

    def __init__(self, port: int, kind: str, api_key: str) -> None:
        self.port, self.kind, self.api_key = port, kind, api_key
        self.closed_by_server = 0
        self.stop = threading.Event()

    def _open(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        if self.kind == "partial headers":
            sock.sendall(b"GET /absorb/users HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-version: 2\r\n")
        elif self.kind in FRAMES:
            sock.sendall(_POST % self.api_key.encode() + FRAMES[self.kind])
        sock.settimeout(0.05 if self.kind == "trickled chunks" else 0.5)
        return sock

    def run(self) -> None:
        sock: socket.socket | None = None
        last_byte = time.monotonic()
        while not self.stop.is_set():
            try:
                if sock is None:
                    sock = self._open()
                    last_byte = time.monotonic()
                if self.kind == "partial headers" and time.monotonic() - last_byte > 2:
                    sock.sendall(b"X")  # one more byte of a header name that never ends
                    last_byte = time.monotonic()
                if self.kind == "trickled chunks":
                    sock.sendall(b"1\r\n \r\n" * 20)
                try:
                    received = sock.recv(65536)
                    if received == b"HTTP/1.1 100 Continue\r\n\r\n":
                        continue  # the interim answer to Expect: the client may now send (it never does)
                    raise ConnectionResetError  # closed, or an answer (408, 400...): the server let go of us
                except TimeoutError:
                    pass
            except OSError:
                self.closed_by_server += 1
                if sock is not None:
                    sock.close()
                sock = None
                self.stop.wait(0.05)
        if sock is not None:
            sock.close()


def absorb_probe(port: int) -> tuple[str, dict[str, str], str]:
    creds = bench.tenant_credentials(port)
    assert creds, "the admin API did not answer"
    absorb = creds["absorb"]
    base = {"x-api-key": absorb["apiKey"], "x-api-version": "2"}
    status, token = bench._json(port, "POST", "/absorb/authenticate", base,
                                {"username": absorb["admin"]["username"], "password": absorb["admin"]["password"],
                                 "privateKey": absorb["apiKey"]})
    assert status == 200, (status, token)
    learner = absorb["learners"][0]["userId"]
    return f"/absorb/users/{learner}/enrollments?_limit=10", dict(base, Authorization=f"Bearer {token}"), \
        absorb["apiKey"]


def summary(values: list[float], failures: int) -> str:
    if not values:
        return "no requests"
    return (f"{len(values):5d} req  p50 {statistics.median(values):7.1f}  p99 {_percentile(values, 0.99):7.1f}  "
            f"max {max(values):7.1f} ms  failed {failures}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", type=int, default=50, help="slow connections held (default 50)")
    parser.add_argument("--hold", type=float, default=30, help="seconds they are held (default 30)")
    parser.add_argument("--baseline", type=float, default=5, help="seconds of the baseline phase (default 5)")
    parser.add_argument("--options", default=None, help="gunicorn options instead of the Procfile's")
    parser.add_argument("--server", default="gunicorn", choices=["gunicorn", "granian"],
                        help="the Procfile's gunicorn (default) or lms-emulator serve (granian)")
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help=f"slow kinds, comma-separated (default: {', '.join(KINDS)}; also {', '.join(MORE_KINDS)})")
    args = parser.parse_args()
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    unknown = set(kinds) - set(KINDS) - set(MORE_KINDS)
    if unknown:
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")

    options, app_spec = bench.procfile_command()
    if args.options is not None:
        options = shlex.split(args.options)
        bench.procfile_command = lambda: (options, app_spec)  # type: ignore[assignment]
    server = bench.Server("slowclients", app_spec, kind=args.server).start()
    try:
        path, headers, api_key = absorb_probe(server.port)
        probes = [Probe(server.port, path, headers, keep_alive=True),
                  Probe(server.port, path, headers, keep_alive=False)]
        threads = [threading.Thread(target=p.run, daemon=True) for p in probes]
        for t in threads:
            t.start()
        time.sleep(args.baseline)
        slow = [SlowClient(server.port, kinds[i % len(kinds)], api_key) for i in range(args.slow)]
        slow_threads = [threading.Thread(target=c.run, daemon=True) for c in slow]
        for p in probes:
            p.phase = "held"
        for t in slow_threads:
            t.start()
        time.sleep(args.hold)
        for c in slow:
            c.stop.set()
        for p in probes:
            p.stop.set()
        for t in threads + slow_threads:
            t.join(timeout=PROBE_TIMEOUT + 2)
    finally:
        server.stop()

    where = f"gunicorn {' '.join(options)}" if args.server == "gunicorn" else "lms-emulator serve (granian)"
    print(f"slow clients: {where}; {args.slow} slow connections held {args.hold:.0f} s "
          f"({', '.join(kinds)}); probe: GET {path.split('?')[0].rsplit('/', 2)[0]}/.../enrollments?_limit=10")
    for label, probe in (("kept-alive", probes[0]), ("new conn", probes[1])):
        for phase in ("baseline", "held"):
            print(f"  {label:10s} {phase:8s} {summary(probe.latencies.get(phase, []), probe.failures.get(phase, 0))}")
    both = probes[0].latencies.get("held", []) + probes[1].latencies.get("held", [])
    print(f"  held p99, both probes: {_percentile(both, 0.99):.1f} ms (goal < 100 ms)")
    closed = {kind: sum(c.closed_by_server for c in slow if c.kind == kind) for kind in kinds}
    print("  slow connections closed by the server (then reopened): " + json.dumps(closed))


if __name__ == "__main__":
    main()
