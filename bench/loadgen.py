"""A small HTTP load generator for when ``wrk`` is absent: threads, keep-alive, latencies.

Run as its own process (``python bench/loadgen.py SPEC.json``) so that it never
shares a GIL with the server; prints one JSON line: requests, duration, errors,
non-2xx, p50/p99/mean latency in microseconds. It is slower than wrk (the
figures it gives are a floor, not the server's ceiling), but the ratio between
two servers driven the same way still means something.

SPEC: {"host", "port", "duration", "connections", "kind": "fixed" | "enroll_unenroll" | "mix",
       "method", "path", "headers", "body"  (fixed)
       "enroll_path", "unenroll_path", "headers"  (enroll_unenroll)
       "paths", "write_every", "enroll_path", "unenroll_path", "headers"  (mix)}
"""
from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time
from typing import Any

ENROLLMENT_ID = re.compile(rb'"enrollmentId"\s*:\s*"([0-9a-fA-F-]+)"')


def _worker(spec: dict[str, Any], deadline: float, out: list[float], counts: dict[str, int],
            lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=10)
    headers = spec.get("headers", {})
    latencies: list[float] = []
    errors = non2xx = 0

    def call(method: str, path: str, body: bytes | None) -> bytes | None:
        nonlocal conn, errors, non2xx
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=10)
            return None
        latencies.append(time.perf_counter() - t0)
        if not 200 <= resp.status < 300:
            non2xx += 1
        return data

    body = spec.get("body")
    fixed_body = body.encode() if isinstance(body, str) else None
    paths, n, ids = spec.get("paths") or [], 0, []
    while time.perf_counter() < deadline:
        if spec["kind"] == "mix":  # bench/varied.py: paths in a cycle, every Nth request a write
            n += 1
            if spec["write_every"] and n % spec["write_every"] == 0:
                if ids:
                    call("POST", spec["unenroll_path"], b'["' + ids.pop() + b'"]')
                else:
                    found = ENROLLMENT_ID.search(call("POST", spec["enroll_path"], b"") or b"")
                    if found:
                        ids.append(found.group(1))
            else:
                call("GET", paths[n % len(paths)], None)
        elif spec["kind"] == "enroll_unenroll":
            data = call("POST", spec["enroll_path"], b"")
            found = ENROLLMENT_ID.search(data or b"")
            if found:
                call("POST", spec["unenroll_path"], b'["' + found.group(1) + b'"]')
        else:
            call(spec.get("method", "GET"), spec["path"], fixed_body)
    conn.close()
    with lock:
        out.extend(latencies)
        counts["errors"] += errors
        counts["non2xx"] += non2xx


def run(spec: dict[str, Any]) -> dict[str, Any]:
    duration = float(spec["duration"])
    latencies: list[float] = []
    counts = {"errors": 0, "non2xx": 0}
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + duration
    threads = [threading.Thread(target=_worker, args=(spec, deadline, latencies, counts, lock))
               for _ in range(int(spec["connections"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> int:
        if not latencies:
            return 0
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1e6)

    return {"requests": len(latencies), "duration_us": int(elapsed * 1e6), "errors": counts["errors"],
            "non2xx": counts["non2xx"], "p50": pct(50), "p99": pct(99),
            "mean": (sum(latencies) / len(latencies) * 1e6) if latencies else 0.0}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        print(json.dumps(run(json.load(handle))))
