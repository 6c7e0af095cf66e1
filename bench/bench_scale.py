"""Worlds the size of real portals (issue 32): the cost curves at 1k, 10k and 50k users, in server CPU seconds.

    python bench/bench_scale.py [--sizes 1000,10000,50000] [--lookups 50] [--json FILE] [--port N] [--no-data-json]

For each size, ``lms-emulator serve --users N`` in a child process (granian, a fixed anchor), and from that
process's own ``/proc/<pid>/stat`` (user + system CPU, so the machine's other load does not count) and
``/proc/<pid>/status`` (resident memory):

* start-up CPU: process start to the ready line (imports, the app, the default tenant of N users);
* RSS at ready;
* new tenant CPU: ``POST /_emulator/tenants {"users": N}``;
* full pass CPU: one Absorb write (a user's job title), then every user 500 a page (``GET /absorb/users``);
* username lookup CPU: ``_filter=username eq '...'``: the first (it builds the username index), then per
  request for ``--lookups`` different users, on one kept-alive connection (as a sync client sends them);
* data.json peak RSS growth: the peak resident size while ``GET .../data.json`` is read (the larger of the
  kernel's ``VmHWM``, reset through ``/proc/<pid>/clear_refs`` first, and ``VmRSS`` sampled every 0.2 s: the
  kernel updates the first lazily) less the size before it.

Prints a table (and ``--json FILE`` writes the figures, for ``tools/scale_chart.py``). Nothing is asserted.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from emulator.testing import stop_process  # noqa: E402 - after the path set-up

ANCHOR = "2030-01-01T00:00:00Z"
PAGE = 500
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process so far (``/proc/<pid>/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mb(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _sample_rss(pid: int, sampled: list[float], done: threading.Event) -> None:
    """The server's resident size every 0.2 s until ``done``: the kernel updates ``VmHWM`` lazily (when memory is
    unmapped), so a peak that is never unmapped can be missing from it; the bench reports the larger of both."""
    while not done.wait(0.2):
        sampled.append(memory_mb(pid))


class Server:
    def __init__(self, users: int, port: int = 0) -> None:
        env = dict(os.environ, LMS_EMULATOR_PRINT_CREDENTIALS="json", LMS_EMULATOR_LOG_REQUESTS="0")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "serve", "--port", str(port), "--users", str(users), "--anchor", ANCHOR],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"serve --users {users} did not start: {self.proc.stderr.read()[-2000:]}")  # type: ignore[union-attr]
        self.info = json.loads(line)
        self.port = urllib.parse.urlsplit(self.info["url"]).port
        self.pid = self.proc.pid

    def call(self, method: str, path: str, headers: dict[str, str] | None = None, body: Any = None,
             sink: bool = False, kept: http.client.HTTPConnection | None = None) -> tuple[int, Any]:
        """One request, on a connection of its own, or on ``kept`` (left open: a client's kept-alive one)."""
        conn = kept or http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={**(headers or {}),
                                                       **({"Content-Type": "application/json"} if data else {})})
        resp = conn.getresponse()
        if sink:  # read in blocks, kept nowhere: the client's memory is not the server's
            while resp.read(1 << 20):
                pass
            conn.close()
            return resp.status, None
        raw = resp.read()
        if kept is None:
            conn.close()
        return resp.status, json.loads(raw) if raw else None

    def stop(self) -> None:
        stop_process(self.proc)


def measure(users: int, lookups: int, port: int = 0, data_json: bool = True) -> dict[str, float]:
    figures: dict[str, float] = {"users": users}
    server = Server(users, port)
    try:
        pid = server.pid
        figures["startup_cpu_s"] = cpu_seconds(pid)
        figures["rss_ready_mb"] = memory_mb(pid)

        before = cpu_seconds(pid)
        status, _ = server.call("POST", "/_emulator/tenants", body={"id": "bench", "users": users})
        assert status == 201, status
        figures["tenant_cpu_s"] = cpu_seconds(pid) - before
        figures["rss_two_tenants_mb"] = memory_mb(pid)

        status, tenant = server.call("GET", "/_emulator/tenants/default")
        absorb = tenant["absorb"]
        base = {"x-api-key": absorb["apiKey"], "x-api-version": "2"}
        status, token = server.call("POST", "/absorb/authenticate", base, {
            "username": absorb["admin"]["username"], "password": absorb["admin"]["password"],
            "privateKey": absorb["apiKey"]})
        assert status == 200, (status, token)
        headers = dict(base, Authorization=f"Bearer {token}")

        status, first = server.call("GET", f"/absorb/users?_limit={PAGE}&_offset=0", headers)
        assert status == 200, status
        some = first["users"][: max(1, lookups)]
        user = some[-1]
        before = cpu_seconds(pid)
        status, _ = server.call("PUT", f"/absorb/users/{user['id']}", headers,
                                dict(user, jobTitle="Scale bench", password="learner1"))
        pages, offset = 0, 0
        while True:
            status, page = server.call("GET", f"/absorb/users?_limit={PAGE}&_offset={offset}", headers)
            assert status == 200, status
            pages += 1
            if len(page["users"]) < PAGE:
                break
            offset += 1
        figures["full_pass_cpu_s"] = cpu_seconds(pid) - before
        figures["full_pass_pages"] = pages

        # on one kept-alive connection, as a sync client looks users up (a connection each cost the server ~0.3 ms)
        kept = http.client.HTTPConnection("127.0.0.1", server.port, timeout=3600)

        def lookup(item: dict[str, Any]) -> None:
            query = urllib.parse.quote(f"username eq '{item['username']}'")
            status, found = server.call("GET", f"/absorb/users?_filter={query}", headers, kept=kept)
            assert status == 200 and len(found["users"]) == 1, (status, found)

        before = cpu_seconds(pid)
        lookup(first["users"][-1])  # the first one builds the username index (kept up to date by writes after)
        figures["first_lookup_cpu_ms"] = (cpu_seconds(pid) - before) * 1000
        before = cpu_seconds(pid)
        for item in some:
            lookup(item)
        figures["lookup_cpu_ms"] = (cpu_seconds(pid) - before) / len(some) * 1000
        kept.close()

        if not data_json:
            figures["data_json_cpu_s"] = figures["data_json_peak_growth_mb"] = float("nan")
            return figures
        with contextlib.suppress(OSError):  # reset the peak (VmHWM) to the current size: 5 > /proc/<pid>/clear_refs
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        rss_before = memory_mb(pid)
        before = cpu_seconds(pid)
        sampled = [rss_before]
        done = threading.Event()
        sampler = threading.Thread(target=_sample_rss, args=(pid, sampled, done), daemon=True)
        sampler.start()
        status, _ = server.call("GET", "/_emulator/tenants/default/data.json", sink=True)
        done.set()
        sampler.join()
        assert status == 200, status
        figures["data_json_cpu_s"] = cpu_seconds(pid) - before
        figures["data_json_peak_growth_mb"] = max(memory_mb(pid, "VmHWM"), *sampled) - rss_before
    finally:
        server.stop()
    return figures


COLUMNS = (("users", "users", "{:.0f}"), ("startup_cpu_s", "start-up CPU s", "{:.2f}"),
           ("rss_ready_mb", "RSS at ready MB", "{:.0f}"), ("tenant_cpu_s", "new tenant CPU s", "{:.2f}"),
           ("full_pass_cpu_s", "full pass CPU s", "{:.2f}"), ("first_lookup_cpu_ms", "first lookup CPU ms", "{:.1f}"),
           ("lookup_cpu_ms", "lookup CPU ms", "{:.2f}"),
           ("data_json_peak_growth_mb", "data.json peak +MB", "{:.0f}"),
           ("data_json_cpu_s", "data.json CPU s", "{:.1f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--lookups", type=int, default=50)
    parser.add_argument("--json", default=None, help="write the figures to this file")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: any free one)")
    parser.add_argument("--no-data-json", action="store_true",
                        help="skip data.json (at 50k it may take longer than the 600 s a call is given)")
    args = parser.parse_args()
    rows = []
    print("  ".join(title for _, title, _ in COLUMNS), flush=True)
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        started = time.perf_counter()
        row = measure(size, args.lookups, args.port, data_json=not args.no_data_json)
        rows.append(row)
        print("  ".join(fmt.format(row[key]).rjust(len(title)) for key, title, fmt in COLUMNS)
              + f"   ({time.perf_counter() - started:.0f} s wall)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
