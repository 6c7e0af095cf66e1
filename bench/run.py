"""The benchmark runner: ``make bench`` (``python bench/run.py``). Prints figures; asserts nothing.

What it does, in one run:

* starts the emulator with the Procfile's gunicorn command (1 worker, 8 threads) on
  127.0.0.1 and a free port, and times process start -> first 200 (five starts alternating with the
  constant app's under the same command, the floor: medians, and the median of the per-start ratios);
* times a new tenant over HTTP (``POST /_emulator/tenants``, what a test suite's set-up waits for), alternating
  with the constant app answering the same bytes to the same request (``TENANT_ROUNDS``, median ratio);
* starts ``bench/constant_app.py`` under the same settings: a minimal Flask app answering a
  constant JSON page of the same size as each scenario's response (the ceiling of our stack), sent
  the same request as the emulator (method, headers, query string, body; only the path differs);
* drives both, alternating (emulator, constant, emulator, constant), with ``wrk`` when it is
  installed, else with ``bench/loadgen.py`` (threads, http.client keep-alive) in a second
  process, and prints req/s, p50, p99 and the emulator/constant ratio per scenario (the median of
  the rounds' ratios: each round's pair ran seconds apart, so machine noise cancels best there),
  and "own p99": the p99 of the emulator's own handling time from its journal (``handler_p99``);
* in-process figures: each scenario's cost per request through the WSGI app against the constant
  app's (``bench_inprocess``: steadier than req/s on a noisy machine), creating and resetting a
  tenant, ``_filter`` + ``_sort`` over 100,000 enrollments (``bench_odata``), resident memory with
  100,000 Absorb enrollments loaded.

Scenarios of vendors that are not there yet (``emulator.pearson``, ``emulator.ispring``) or
whose route answers 404 are skipped with a note. Environment: ``BENCH_DURATION`` (seconds per
load run, default 3), ``BENCH_CONNECTIONS`` (default 8), ``BENCH_ROUNDS`` (default 5),
``BENCH_LOADGEN=python`` to use the Python generator even when wrk is present, ``BENCH_ONLY=list,get``
to run only the scenarios whose names contain one of those words and skip the other figures (for
quick iterations while profiling), ``BENCH_SCALE_SIZES`` (default ``1000,10000,50000``; empty to
skip) for the world sizes of ``bench_scale``, ``BENCH_PIN=1`` to pin the servers and the load generator to a
core each (see ``pin``).
"""
from __future__ import annotations

import contextlib
import http.client
import importlib
import json
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

from emulator.testing import stop_process  # noqa: E402 - after the path set-up

DURATION = float(os.environ.get("BENCH_DURATION", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))  # short alternating runs: fair on a busy machine
SEED = int(os.environ.get("LMS_EMULATOR_SEED", "42"))
ONLY = [word.strip() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]
N_ENROLLMENTS = 100_000
TENANT_ROUNDS = int(os.environ.get("BENCH_TENANT_ROUNDS", "15"))  # new tenants over HTTP, alternating

TARGETS = {
    "ratio": 0.8,  # filtered list req/s >= 0.8 x constant
    "varied_ratio": 0.85,  # cache-defeating reads (bench/varied.py) >= 0.85 x constant
    "p99_ms": 10.0,
    "ready_s": 0.5,
    "tenant_ms": 20.0,
    "odata_ms": 100.0,
    "rss_mb": 150.0,
}


# -- servers ------------------------------------------------------------------------------------

def procfile_command() -> tuple[list[str], str]:
    """(gunicorn options without --bind, app spec) from the Procfile's ``web:`` line."""
    line = next(raw for raw in (ROOT / "Procfile").read_text().splitlines() if raw.startswith("web:"))
    words = shlex.split(line.split(":", 1)[1])
    assert words[0] == "gunicorn", words
    options: list[str] = []
    app_spec = ""
    rest = iter(words[1:])
    for word in rest:
        if word in ("--bind", "-b"):
            next(rest)
        elif word.startswith("--bind="):
            continue
        elif word.startswith("-"):
            options.append(word)
            if "=" not in word:
                options.append(next(rest))
        else:
            app_spec = word
    return options, app_spec


def pin(role: str) -> list[str]:
    """With ``BENCH_PIN=1``: a ``taskset`` prefix giving the server and the load generator a core each.

    Off by default: on a 2-core machine pinning doubled both servers' req/s but tripled their p99
    (every server thread then fights for one core), while unpinned the kernel spreads them."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if os.environ.get("BENCH_PIN", "0") != "1" or len(cores) < 2 or not shutil.which("taskset"):
        return []
    return ["taskset", "-c", str(cores[0] if role == "server" else cores[1])]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its direct children (gunicorn's worker), from ``/proc``: what a
    start or a request cost, whatever else the machine runs (wall time here ran at 2-3x CPU time under load).
    Clock ticks of 10 ms: summed over rounds, the rounding averages out. NaN without ``/proc``."""
    def ticks(process: int | str) -> int:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()  # after "pid (name)"
        return int(fields[11]) + int(fields[12])  # utime, stime

    try:
        total = ticks(pid)
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, ValueError, IndexError):
        return float("nan")
    for child in children:
        with contextlib.suppress(OSError, ValueError, IndexError):  # gone meanwhile
            total += ticks(child)
    return total / os.sysconf("SC_CLK_TCK")


HANDED_OUT: set[int] = set()  # BENCH_PORTS given to a server in this run


def free_port() -> int:
    """A free port: the first free one of ``BENCH_PORTS`` ("18200-18219", a range a shared machine gave this
    run) when set, else one the system picks."""
    low, _, high = os.environ.get("BENCH_PORTS", "").partition("-")
    for port in range(int(low), int(high or low) + 1) if low else ():
        if port in HANDED_OUT:  # a server given it may not listen yet
            continue
        with socket.socket() as sock, contextlib.suppress(OSError):
            sock.bind(("127.0.0.1", port))
            HANDED_OUT.add(port)
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, headers: dict[str, str] | None = None,
            body: bytes | str | None = None, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


SERVERS = [w.strip() for w in os.environ.get("BENCH_SERVERS", "granian,gunicorn,werkzeug").split(",") if w.strip()]
THREADS = os.environ.get("BENCH_THREADS")  # granian/werkzeug --threads for both apps (default: serve's own)


@dataclass
class Server:
    """The emulator (``app="emulator"``) or the constant app under one HTTP server: ``kind`` "gunicorn" is the
    Procfile's command; "granian" and "werkzeug" are ``lms-emulator serve --server KIND`` for the emulator and
    ``bench/serve_app.py --server KIND`` (the same ``emulator.servers.run``) for the constant app."""
    name: str
    app_spec: str
    env: dict[str, str] = field(default_factory=dict)
    kind: str = "gunicorn"
    port: int = 0
    proc: subprocess.Popen | None = None
    ready_s: float = 0.0
    ready_cpu_s: float = 0.0  # the server's own CPU time at its first 200 (nan where /proc is not there)

    def command(self) -> list[str]:
        if self.kind == "gunicorn":
            options, _ = procfile_command()
            return [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{self.port}", self.app_spec]
        threads = ["--threads", THREADS] if THREADS and self.kind != "werkzeug" else []
        if self.app_spec == procfile_command()[1]:
            return [sys.executable, "-m", "emulator.cli", "serve", "--server", self.kind, "--port", str(self.port),
                    "--seed", str(SEED), *threads]
        return [sys.executable, str(BENCH / "serve_app.py"), "--server", self.kind, "--port", str(self.port),
                *threads, self.app_spec]

    def start(self) -> Server:
        self.port = free_port()
        cmd = [*pin("server"), *self.command()]
        env = dict(os.environ, **self.env)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), str(BENCH), env.get("PYTHONPATH")) if p)
        log = open(Path(tempfile.gettempdir()) / f"bench-{self.name}-{self.port}.log", "wb")  # noqa: SIM115
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = t0 + 30
        while True:
            try:
                status, _ = request(self.port, "GET", "/", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{self.name} did not start; see {log.name}")
            time.sleep(0.002)
        self.ready_s = time.perf_counter() - t0
        self.ready_cpu_s = cpu_seconds(self.proc.pid)
        return self

    def stop(self) -> None:
        if self.proc:
            stop_process(self.proc, timeout=10)


# -- load ---------------------------------------------------------------------------------------

@dataclass
class Scenario:
    name: str
    method: str = "GET"
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    kind: str = "fixed"  # or "enroll_unenroll", or "mix" (bench/varied.py: paths in a cycle, a write every Nth)
    paths: list[str] = field(default_factory=list)
    write_every: int = 0
    write_sample: Any = None  # "mix": the constant app's answer to a write (on /c/<name>w)
    enroll_path: str = ""
    unenroll_path: str = ""
    sample: Any = None  # one response body: the constant app answers a page of the same size


WRK_DONE = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,' ..
    '"p50":%d,"p99":%d,"mean":%f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _lua_table(headers: dict[str, str]) -> str:
    return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in headers.items()) + "}"


def wrk_script(s: Scenario) -> str:
    if s.kind == "mix":
        import varied  # type: ignore[import-not-found]

        return varied.wrk_script(s.paths, s.headers, s.write_every, s.enroll_path, s.unenroll_path, _lua,
                                 _lua_table) + WRK_DONE
    if s.kind == "enroll_unenroll":
        # Each enroll's id is queued; the next request on the thread un-enrolls it.
        return f"""
local headers = {_lua_table(s.headers)}
local ids = {{}}
local enroll
function init(args) enroll = wrk.format("POST", {_lua(s.enroll_path)}, headers, "") end
function request()
  local id = table.remove(ids)
  if id then return wrk.format("POST", {_lua(s.unenroll_path)}, headers, '["' .. id .. '"]') end
  return enroll
end
function response(status, hdrs, body)
  local id = body:match('"enrollmentId"%s*:%s*"([%x%-]+)"')
  if id then table.insert(ids, id) end
end
""" + WRK_DONE
    body = _lua(s.body) if s.body is not None else "nil"
    return f"""
local req
function init(args) req = wrk.format({_lua(s.method)}, {_lua(s.path)}, {_lua_table(s.headers)}, {body}) end
function request() return req end
""" + WRK_DONE


def drive(port: int, s: Scenario) -> dict[str, Any]:
    """One load run of DURATION seconds at CONNECTIONS connections; latencies in ms."""
    if use_wrk():
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(wrk_script(s))
        try:
            out = subprocess.run([*pin("load"), "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION:g}s", "-s", script.name,
                                  f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
        finally:
            os.unlink(script.name)
        raw = json.loads(out.split("WRKJSON", 1)[1].strip().splitlines()[0])
    else:
        spec = {"host": "127.0.0.1", "port": port, "duration": DURATION, "connections": CONNECTIONS,
                "kind": s.kind, "method": s.method, "path": s.path, "headers": s.headers, "body": s.body,
                "enroll_path": s.enroll_path, "unenroll_path": s.unenroll_path, "paths": s.paths,
                "write_every": s.write_every}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(spec, handle)
        try:
            out = subprocess.run([*pin("load"), sys.executable, str(BENCH / "loadgen.py"), handle.name],
                                 capture_output=True, text=True, check=True).stdout
        finally:
            os.unlink(handle.name)
        raw = json.loads(out)
    return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "p50": raw["p50"] / 1000,
            "p99": raw["p99"] / 1000, "bad": raw["errors"] + raw["non2xx"]}


def handler_p99(port: int) -> float:
    """p99 of the emulator's own handling (the journal's ``durationMs``: from Flask's first hook to its last)
    over the default tenant's last 1,000 calls, all from the scenario just run: what is left of the p99 under
    load once waiting for the process (GIL, threads, sockets) is taken out."""
    try:
        status, body = _json(port, "GET", "/_emulator/tenants/default/journal?limit=1000")
    except OSError:
        return float("nan")
    durations = sorted(e["durationMs"] for e in (body or {}).get("entries", ())) if status == 200 else []
    return durations[int(len(durations) * 0.99)] if durations else float("nan")


def use_wrk() -> bool:
    return os.environ.get("BENCH_LOADGEN") != "python" and shutil.which("wrk") is not None


# -- scenarios ----------------------------------------------------------------------------------

def _json(port: int, method: str, path: str, headers: dict[str, str] | None = None,
          body: Any = None, form: dict[str, str] | None = None) -> tuple[int, Any]:
    headers = dict(headers or {})
    data: bytes | None = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    status, raw = request(port, method, path, headers, data)
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def tenant_credentials(port: int) -> dict[str, Any] | None:
    """``GET /_emulator/tenants/default`` when the admin API is there."""
    try:
        status, body = _json(port, "GET", "/_emulator/tenants/default")
    except OSError:
        return None
    return body if status == 200 and isinstance(body, dict) else None


def absorb_scenarios(port: int, creds: dict[str, Any] | None, notes: list[str]) -> list[Scenario]:
    from emulator.absorb import VENDOR
    from emulator.core.store import Store

    # The seeded world is deterministic: the same seed in-process names the same ids as the server's.
    world = Store([VENDOR], seed=SEED).create_tenant("default").world("absorb")
    absorb = (creds or {}).get("absorb")
    if not isinstance(absorb, dict) or "apiKey" not in absorb:
        absorb = world.credentials()
    if absorb["apiKey"] != world.api_key:
        notes.append("Absorb: the server's world differs from the seed's; the learner keeps their own enrollments")
    base = {"x-api-key": absorb["apiKey"], "x-api-version": "2"}
    status, token = _json(port, "POST", "/absorb/authenticate", base,
                          {"username": absorb["admin"]["username"], "password": absorb["admin"]["password"],
                           "privateKey": absorb["apiKey"]})
    if status != 200:
        notes.append(f"Absorb: authenticate answered {status}; Absorb scenarios skipped")
        return []
    headers = dict(base, Authorization=f"Bearer {token}")
    learner = absorb["learners"][0]["userId"]
    # A page of about 20: enroll the learner in every course they can still enter.
    if absorb["apiKey"] == world.api_key:
        for course in world.courses.values():
            if not course.multi_session and (learner, course.id) not in world.active:
                _json(port, "POST", f"/absorb/users/{learner}/enrollments/{course.id}", headers)
    query = urllib.parse.urlencode({"_filter": "isActive eq true and progress ge 0",
                                    "_sort": "-dateEdited,courseName", "_limit": "20"},
                                   quote_via=urllib.parse.quote)
    list_path = f"/absorb/users/{learner}/enrollments?{query}"
    status, page = _json(port, "GET", list_path, headers)
    if status != 200:
        notes.append(f"Absorb: the list answered {status}; Absorb scenarios skipped")
        return []
    one = page["enrollments"][0]
    get_path = f"/absorb/enrollments/{one['id']}"
    _, got = _json(port, "GET", get_path, headers)
    online = next(c for c in world.courses.values() if not c.is_ilc)
    enroll_path = f"/absorb/users/{learner}/enrollments/{online.id}?reEnroll=true"
    _, created = _json(port, "POST", enroll_path, headers)
    _json(port, "POST", "/absorb/enrollments/unenroll", headers, [created["enrollmentId"]])
    write_headers = dict(headers, **{"Content-Type": "application/json"})
    scenarios = [
        Scenario(f"absorb list ({page['returnedItems']} of {page['totalItems']}, _filter+_sort)",
                 path=list_path, headers=headers, sample=page),
        Scenario("absorb get one enrollment", path=get_path, headers=headers, sample=got),
        Scenario("absorb enroll + un-enroll", kind="enroll_unenroll", headers=write_headers,
                 enroll_path=enroll_path, unenroll_path="/absorb/enrollments/unenroll", sample=created),
    ]
    if ONLY and not any("varied" in word for word in ONLY):
        return scenarios
    import varied  # type: ignore[import-not-found]

    mix = varied.build(port, write_headers, world, _json, notes)
    if mix is not None:
        with_writes = f"varied reads + a write every {varied.WRITE_EVERY}th"
        for every, label in ((0, "varied reads"), (varied.WRITE_EVERY, with_writes)):
            scenarios.append(Scenario(f"{label} ({len(mix['paths'])} pages)", kind="mix", headers=write_headers,
                                      paths=mix["paths"], write_every=every, enroll_path=mix["enroll_path"],
                                      unenroll_path=mix["unenroll_path"], sample=mix["sample"],
                                      write_sample=created))
    return scenarios


def mirror_of(s: Scenario, path: str) -> Scenario:
    """The constant app's request for a scenario: the same method, headers, query string and body, so that
    both servers parse the same bytes and the ratio isolates what the emulator does with them."""
    if s.kind == "mix":  # the same query strings; writes on <path>w
        return Scenario(s.name, kind="mix", headers=s.headers, write_every=s.write_every,
                        paths=[path + "?" + p.partition("?")[2] for p in s.paths],
                        enroll_path=path + "w?" + s.enroll_path.partition("?")[2], unenroll_path=path + "w")
    if s.kind == "enroll_unenroll":  # enroll on <path> (its answer names an enrollment), un-enroll that id on it
        query = s.enroll_path.partition("?")[2]
        return Scenario(s.name, kind="enroll_unenroll", headers=s.headers, unenroll_path=path,
                        enroll_path=path + (f"?{query}" if query else ""))
    query = s.path.partition("?")[2]
    return Scenario(s.name, method=s.method, path=path + (f"?{query}" if query else ""), headers=s.headers,
                    body=s.body)


def _importable(module: str, notes: list[str], label: str) -> bool:
    try:
        importlib.import_module(module)
        return True
    except ImportError:
        notes.append(f"{label}: skipped ({module} cannot be imported yet)")
        return False


def pearson_scenarios(port: int, creds: dict[str, Any] | None, notes: list[str]) -> list[Scenario]:
    """A student's current-or-next session, called by that student (token from the admin API)."""
    if not _importable("emulator.pearson", notes, "Pearson"):
        return []
    users = ((creds or {}).get("pearson") or {}).get("users") or []
    for user in (u for u in users if "Student" in u.get("roles", ())):
        status, body = _json(port, "POST", "/_emulator/tenants/default/pearson/tokens", body={"userId": user["id"]})
        if status != 201:
            notes.append(f"Pearson: skipped (issuing a token answered {status})")
            return []
        headers = {"Authorization": f"Bearer {body['token']}"}
        path = f"/pearson/users/{user['id']}/sessions"
        status, sessions = _json(port, "GET", path, headers)
        if status == 200 and sessions is not None:
            return [Scenario("pearson user sessions", path=path, headers=headers, sample=sessions)]
    notes.append("Pearson: skipped (no student with a session answered 200)")
    return []


def ispring_scenarios(port: int, creds: dict[str, Any] | None, notes: list[str]) -> list[Scenario]:
    """The attributes of a session's participants, called by the account owner's API client."""
    if not _importable("emulator.ispring", notes, "iSpring"):
        return []
    ispring = (creds or {}).get("ispring") or {}
    owner = next((c for c in ispring.get("clients", ()) if c.get("name") == "owner"), None)
    _, data = _json(port, "GET", "/_emulator/tenants/default/data.json")
    sessions = ((data or {}).get("ispring") or {}).get("sessions") or []
    session = next((s for s in sessions if s.get("participantIds")), None)
    if not (ispring.get("accountUrl") and owner and session):
        notes.append("iSpring: skipped (no account URL, owner client or session with participants)")
        return []
    account = ispring["accountUrl"]
    status, body = _json(port, "POST", "/ispring/api/v3/token", {"X-Auth-Account-Url": account},
                         form={"client_id": owner["clientId"], "client_secret": owner["clientSecret"],
                               "grant_type": "client_credentials"})
    if status != 200:
        notes.append(f"iSpring: skipped (token answered {status})")
        return []
    headers = {"Authorization": f"Bearer {body['access_token']}", "X-Auth-Account-Url": account,
               "Content-Type": "application/json", "Accept": "application/json"}
    path = f"/ispring/performance-management/appraisal/session/{session['id']}/user/attributes/list"
    user_ids = session["participantIds"][:20]
    status, sample = _json(port, "POST", path, {k: v for k, v in headers.items() if k != "Content-Type"},
                           {"userIds": user_ids})
    if status != 200:
        notes.append(f"iSpring: skipped (the attributes list answered {status})")
        return []
    return [Scenario(f"ispring attributes list ({len(sample)} users)", method="POST", path=path,
                     headers=headers, body=json.dumps({"userIds": user_ids}), sample=sample)]


# -- in-process figures -----------------------------------------------------------------------

def inprocess_figures() -> dict[str, Any]:
    """Tenant create (wall and CPU time) / reset, median of 20, with every vendor the app has."""
    from emulator.app import all_vendors
    from emulator.core.store import Store

    store = Store(all_vendors(), seed=SEED)
    store.create_tenant("warm-up")
    create, create_cpu = [], []
    for n in range(20):
        t0, c0 = time.perf_counter(), time.thread_time()
        store.create_tenant(f"bench-{n}")
        create.append((time.perf_counter() - t0) * 1000)
        create_cpu.append((time.thread_time() - c0) * 1000)  # the machine's load left out
    reset = []
    for _ in range(20):
        t0 = time.perf_counter()
        store.reset("bench-0")
        reset.append((time.perf_counter() - t0) * 1000)
    vendors = ", ".join(store.vendors)
    return {"tenant_ms": statistics.median(create), "tenant_cpu_ms": statistics.median(create_cpu),
            "reset_ms": statistics.median(reset), "vendors": vendors}


def odata_figure() -> float:
    """``query_list`` with bench_odata's filter and sort over its 100,000 enrollments: median ms."""
    import bench_odata as bo  # type: ignore[import-not-found]
    from emulator.core import odata
    from emulator.core.paging import query_list

    items = bo.build()
    odata._parser()
    args = {"_filter": bo.FILTER, "_sort": bo.SORT, "_limit": "20", "_offset": "3"}
    dump = lambda e: {"id": e.id, "fullName": e.full_name, "status": e.status}  # noqa: E731
    _, med = bo.timed(lambda: query_list(items, bo.ENROLLMENT, args, dump=dump))
    return med


RSS_CHILD = r"""
import random, statistics, sys, time
from datetime import timedelta
sys.path.insert(0, sys.argv[1])

def rss_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024

from emulator.app import all_vendors
from emulator.core.store import Store
from emulator.core.paging import query_list
from emulator.absorb.domain.lookups import add_enrollment
from emulator.absorb.domain.models import CourseEnrollment
from emulator.absorb.wire.schemas import USER_COURSE_ENROLLMENT, USER_COURSE_ENROLLMENTS, dump

store = Store(all_vendors(), seed=42)
world = store.create_tenant('default').world('absorb')
base = rss_mb()
rng = random.Random(7)
users, courses = list(world.users.values()), list(world.courses.values())
anchor = min(e.date_added for e in world.enrollments.values())
n = int(sys.argv[2])
for i in range(n):
    u, c = rng.choice(users), rng.choice(courses)
    added = anchor + timedelta(seconds=rng.randrange(400 * 86400))
    add_enrollment(world, CourseEnrollment(
        id='%08x-0000-4000-8000-%012x' % (i, rng.getrandbits(48)), user_id=u.id, course_id=c.id,
        course_name=c.name, full_name=u.full_name, status=rng.randrange(13), progress=round(rng.uniform(0, 100), 2),
        date_added=added, date_edited=added + timedelta(hours=rng.randrange(2000)), job_title=u.job_title,
        course_version_id=c.version_id, is_active=rng.random() < 0.9, avatar=u.avatar))
loaded = rss_mb()
items = list(world.enrollments.values())
args = {'_filter': "status eq 3 and startswith(courseName,'A') or dateEdited ge datetime'2020-01-01T00:00:00Z'",
        '_sort': '-dateEdited,fullName', '_limit': '20'}
samples = []
for _ in range(7):
    t0 = time.perf_counter()
    query_list(items, USER_COURSE_ENROLLMENTS, args, dump=lambda e: dump(world, USER_COURSE_ENROLLMENT, e))
    samples.append((time.perf_counter() - t0) * 1000)
print(base, loaded, statistics.median(samples))
"""


def rss_figure() -> tuple[float, float, float]:
    """(MB before, MB with 100k enrollments, ms for _filter+_sort over the real Absorb list) in a fresh process."""
    out = subprocess.run([sys.executable, "-c", RSS_CHILD, str(ROOT), str(N_ENROLLMENTS)], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


# -- main -----------------------------------------------------------------------------------------

def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


@dataclass
class Paired:
    """One figure of the emulator beside the constant app's, measured alternately in the same run: medians of
    wall time and the median of the paired ratios, and CPU time (the servers' own, ``cpu_seconds``)."""
    emulator: float
    constant: float
    ratio: float
    emulator_cpu: float = float("nan")
    constant_cpu: float = float("nan")
    cpu_ratio: float = float("nan")


NAN_PAIR = Paired(float("nan"), float("nan"), float("nan"))


def start_ups(kind: str, app_spec: str, starts: int = 5) -> Paired:
    """Process start -> first 200 of the emulator and of the constant app under one server, alternating."""
    wall: dict[str, list[float]] = {"emulator": [], "constant": []}
    cpu: dict[str, list[float]] = {"emulator": [], "constant": []}
    for _ in range(starts):
        for name, spec in (("emulator", app_spec), ("constant", "constant_app:create_app()")):
            server = Server(name, spec, kind=kind).start()
            wall[name].append(server.ready_s)
            cpu[name].append(server.ready_cpu_s)
            server.stop()
    return _paired(wall, cpu)


def _paired(wall: dict[str, list[float]], cpu: dict[str, list[float]], cpu_per_round: bool = True) -> Paired:
    """Medians and median ratios; with ``cpu_per_round`` False, the CPU figures are means and the ratio is that of
    the sums (a request's CPU time is a tick or none: only the sum over the rounds means anything)."""
    med = statistics.median
    figure = Paired(med(wall["emulator"]), med(wall["constant"]),
                    med(e / c for e, c in zip(wall["emulator"], wall["constant"], strict=True)))
    emulator, constant = cpu["emulator"], cpu["constant"]
    if cpu_per_round:
        figure.emulator_cpu, figure.constant_cpu = med(emulator), med(constant)
        figure.cpu_ratio = med(e / c if c else float("nan") for e, c in zip(emulator, constant, strict=True))
    else:
        figure.emulator_cpu, figure.constant_cpu = statistics.mean(emulator), statistics.mean(constant)
        figure.cpu_ratio = sum(emulator) / sum(constant) if sum(constant) else float("nan")
    return figure


JSON_HEADERS = {"Content-Type": "application/json"}


def tenant_sample(port: int) -> Any:
    """The answer to one ``POST /_emulator/tenants`` (the constant app answers its size); the tenant is deleted."""
    status, body = _json(port, "POST", "/_emulator/tenants", body={})
    if status != 201 or not isinstance(body, dict):
        return None
    request(port, "DELETE", f"/_emulator/tenants/{body['id']}")
    return body


def new_tenants(emulator: Server, constant: Server, rounds: int = TENANT_ROUNDS) -> Paired:
    """Seconds for ``POST /_emulator/tenants`` (a fresh connection each, as a suite's set-up makes), alternating
    with the constant app's answer of the same size to the same request; each tenant is deleted, untimed."""
    wall: dict[str, list[float]] = {"emulator": [], "constant": []}
    cpu: dict[str, list[float]] = {"emulator": [], "constant": []}
    for _ in range(rounds):
        for name, server, path in (("emulator", emulator, "/_emulator/tenants"), ("constant", constant, "/c/tenant")):
            pid = server.proc.pid  # type: ignore[union-attr]
            c0, t0 = cpu_seconds(pid), time.perf_counter()
            status, raw = request(server.port, "POST", path, JSON_HEADERS, b"{}")
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(cpu_seconds(pid) - c0)
            if name == "emulator":
                if status != 201:
                    raise RuntimeError(f"POST /_emulator/tenants answered {status}: {raw[:200]!r}")
                request(server.port, "DELETE", f"/_emulator/tenants/{json.loads(raw)['id']}")
    return _paired(wall, cpu, cpu_per_round=False)


Row = tuple[str, dict[str, float], dict[str, float], float]  # ratio: the median of the rounds' ratios


def scenario_rows(kind: str, app_spec: str, notes: list[str]) -> tuple[list[Row], Paired | None]:
    """Every scenario under one server, the emulator alternating with the constant app; then new tenants."""
    emulator = Server("emulator", app_spec, kind=kind).start()
    constant: Server | None = None
    rows: list[Row] = []
    tenants: Paired | None = None
    try:
        creds = tenant_credentials(emulator.port)
        if creds is None:
            notes.append("admin API: GET /_emulator/tenants/default is not there; Absorb credentials from the seed")
        scenarios = absorb_scenarios(emulator.port, creds, notes)
        scenarios += pearson_scenarios(emulator.port, creds, notes)
        scenarios += ispring_scenarios(emulator.port, creds, notes)
        if ONLY:
            scenarios = [s for s in scenarios if any(word in s.name for word in ONLY)]
        pages = {f"s{i}": s.sample for i, s in enumerate(scenarios)}
        pages.update({f"s{i}w": s.write_sample for i, s in enumerate(scenarios) if s.write_sample is not None})
        timed_tenants = not ONLY or "tenant" in ONLY
        sample = tenant_sample(emulator.port) if timed_tenants else None
        if sample is not None:
            pages["tenant"] = sample
        elif timed_tenants:
            notes.append("new tenant over HTTP: POST /_emulator/tenants did not answer 201; not timed")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(pages, handle)
        constant = Server("constant", "constant_app:create_app()", env={"BENCH_PAGES": handle.name},
                          kind=kind).start()
        for i, s in enumerate(scenarios):
            mirror = mirror_of(s, f"/c/s{i}")
            runs: dict[str, list[dict[str, float]]] = {"emulator": [], "constant": []}
            for _ in range(ROUNDS):
                runs["emulator"].append(drive(emulator.port, s))
                runs["constant"].append(drive(constant.port, mirror))
            ratio = statistics.median(e["rps"] / c["rps"] for e, c in zip(runs["emulator"], runs["constant"],
                                                                                   strict=True))
            emu = _combine(runs["emulator"])
            emu["handler_p99"] = handler_p99(emulator.port)
            rows.append((s.name, emu, _combine(runs["constant"]), ratio))
            size = len(json.dumps(s.sample, separators=(",", ":")))
            _print_row(rows[-1], size)
        if sample is not None:
            tenants = new_tenants(emulator, constant)
            size = len(json.dumps(sample, separators=(",", ":")))
            print(f"new tenant over HTTP (POST /_emulator/tenants, median of {TENANT_ROUNDS}): "
                  f"{tenants.emulator * 1000:.1f} ms, CPU {tenants.emulator_cpu * 1000:.1f} ms; the constant app "
                  f"answering the same {size} bytes: {tenants.constant * 1000:.1f} ms, CPU "
                  f"{tenants.constant_cpu * 1000:.1f} ms (ratios: wall {tenants.ratio:.1f}, "
                  f"CPU {tenants.cpu_ratio:.1f})", flush=True)
    finally:
        emulator.stop()
        if constant:
            constant.stop()
    return rows, tenants


def main() -> None:
    started = time.perf_counter()
    options, app_spec = procfile_command()
    generator = "wrk" if use_wrk() else "bench/loadgen.py (Python generator: wrk absent or BENCH_LOADGEN=python)"
    threads = f" --threads {THREADS}" if THREADS else ""
    print(f"lms-emulator benchmarks on 127.0.0.1: servers {', '.join(SERVERS)} (gunicorn: the Procfile, "
          f"{' '.join(options)}; the others: lms-emulator serve --server NAME{threads}); "
          f"{generator}, {CONNECTIONS} connections, {DURATION:g} s per run, {ROUNDS} alternating rounds; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    notes: list[str] = []
    results: dict[str, tuple[list[Row], Paired | None, Paired | None]] = {}
    for kind in SERVERS:
        global _header_printed  # noqa: PLW0603 - printing state of this script only
        _header_printed = False
        print(f"\n== {kind}")
        rows, tenants = scenario_rows(kind, app_spec, notes)
        results[kind] = (rows, None if ONLY else start_ups(kind, app_spec), tenants)
    if ONLY:
        for note in dict.fromkeys(notes):
            print("note:", note)
        return

    print("\nBy server (req/s ratios to the constant app on the same server; start-up: median of 5, new tenant over "
          f"HTTP: median of {TENANT_ROUNDS}, each beside the constant app's, with the median of the paired ratios):")
    print(f"{'server':<10} {'list req/s':>10} {'list p99':>9} {'list ratio':>10} {'varied':>7} {'+writes':>8} "
          f"{'start-up':>9} {'constant':>9} {'ratio':>6} {'tenant':>8} {'constant':>9} {'ratio':>6}")
    for kind, (rows, ready, tenants) in results.items():
        by = {name.split(" (")[0]: (emu, ratio) for name, emu, _, ratio in rows}
        lst = next(((emu, ratio) for name, (emu, ratio) in by.items() if name.startswith("absorb list")), None)
        varied_r = by.get("varied reads", (None, float("nan")))[1]
        writes_r = next((r for n, (_, r) in by.items() if n.startswith("varied reads + a write")), float("nan"))
        start, tenant = ready or NAN_PAIR, tenants or NAN_PAIR
        nan = float("nan")
        print(f"{kind:<10} {lst[0]['rps'] if lst else nan:>10.0f} {lst[0]['p99'] if lst else nan:>9.2f} "
              f"{lst[1] if lst else nan:>10.2f} {varied_r:>7.2f} {writes_r:>8.2f} {start.emulator * 1000:>7.0f}ms "
              f"{start.constant * 1000:>7.0f}ms {start.ratio:>6.2f} {tenant.emulator * 1000:>6.1f}ms "
              f"{tenant.constant * 1000:>7.1f}ms {tenant.ratio:>6.1f}")

    print("\nThe same scenarios in process (no sockets: Flask and the emulator's own work; bench/bench_inprocess.py):")
    print(subprocess.run([sys.executable, str(BENCH / "bench_inprocess.py")], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout, end="")
    figures = inprocess_figures()
    odata_ms = odata_figure()
    rss_base, rss_loaded, real_odata_ms = rss_figure()
    main_kind = SERVERS[0]
    rows, ready_pair, tenant_pair = results[main_kind]
    start, tenant = ready_pair or NAN_PAIR, tenant_pair or NAN_PAIR

    print()
    print(f"{'figure (' + main_kind + ')':<53}value      target")
    print(f"ready: process start -> first 200 (median of 5)  {start.emulator * 1000:7.0f} ms  <= 500 ms   "
          f"{_mark(start.emulator <= TARGETS['ready_s'])}  (constant app: {start.constant * 1000:.0f} ms, ratio "
          f"{start.ratio:.2f}; CPU {start.emulator_cpu * 1000:.0f} vs {start.constant_cpu * 1000:.0f} ms, "
          f"ratio {start.cpu_ratio:.2f})")
    print(f"new tenant over HTTP (median of {TENANT_ROUNDS})".ljust(49) +
          f"{tenant.emulator * 1000:7.1f} ms  <= 20 ms    {_mark(tenant.emulator * 1000 <= TARGETS['tenant_ms'])}  "
          f"(CPU {tenant.emulator_cpu * 1000:.1f} ms; the constant app, same bytes: {tenant.constant * 1000:.1f} ms, "
          f"ratio {tenant.ratio:.1f})")
    print(f"new tenant, in-process ({figures['vendors']})".ljust(49) +
          f"{figures['tenant_ms']:7.1f} ms  <= 20 ms    {_mark(figures['tenant_ms'] <= TARGETS['tenant_ms'])}"
          f"  (CPU {figures['tenant_cpu_ms']:.1f} ms)")
    print("reset a tenant".ljust(49) + f"{figures['reset_ms']:7.1f} ms")
    print("_filter+_sort, 100k (bench_odata query_list)".ljust(49) +
          f"{odata_ms:7.1f} ms  <= 100 ms   {_mark(odata_ms <= TARGETS['odata_ms'])}")
    print("_filter+_sort, 100k real Absorb enrollments".ljust(49) + f"{real_odata_ms:7.1f} ms")
    print("resident memory, 100k Absorb enrollments".ljust(49) +
          f"{rss_loaded:7.0f} MB  <= 150 MB   {_mark(rss_loaded <= TARGETS['rss_mb'])}"
          f"  (default world alone: {rss_base:.0f} MB)")
    if rows:
        name, emu, const, ratio = rows[0]
        print("filtered list vs constant JSON (req/s ratio)".ljust(49) +
              f"{ratio:7.2f} x   >= 0.8 x   {_mark(ratio >= TARGETS['ratio'])}")
        print(f"filtered list p99 at {CONNECTIONS} connections".ljust(49) +
              f"{emu['p99']:7.2f} ms  <= 10 ms    {_mark(emu['p99'] <= TARGETS['p99_ms'])}")
        varied_rows = [(n, r) for n, _, _, r in rows if n.startswith("varied")]
        for n, r in varied_rows:
            print(f"{n.split(' (')[0]} vs constant".ljust(49) +
                  f"{r:7.2f} x   >= 0.85 x  {_mark(r >= TARGETS['varied_ratio'])}")
    scale_sizes = os.environ.get("BENCH_SCALE_SIZES", "1000,10000,50000")
    if scale_sizes.strip():  # issue 32's curves: worlds of N users (bench/bench_scale.py; minutes at 50k)
        print(f"\nWorlds of N users, server CPU seconds (bench/bench_scale.py --sizes {scale_sizes}):", flush=True)
        subprocess.run([sys.executable, str(BENCH / "bench_scale.py"), "--sizes", scale_sizes], check=False, cwd=ROOT)
    for note in dict.fromkeys(notes):
        print("note:", note)
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


def _combine(runs: list[dict[str, float]]) -> dict[str, float]:
    """req/s: mean of the rounds; p50, p99: the median round; failed requests: summed."""
    return {"rps": statistics.mean(r["rps"] for r in runs), "p50": statistics.median(r["p50"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs), "bad": sum(r["bad"] for r in runs)}


_header_printed = False


def _print_row(row: tuple[str, dict[str, float], dict[str, float], float], size: int) -> None:
    global _header_printed  # noqa: PLW0603 - printing state of this script only
    if not _header_printed:
        print(f"\n{'scenario':<46} {'bytes':>6} | {'emulator req/s':>14} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'own p99':>7} | {'constant req/s':>14} {'p50 ms':>7} {'p99 ms':>7} | ratio")
        _header_printed = True
    name, emu, const, ratio = row
    bad = f"  ({emu['bad']:.0f} failed)" if emu["bad"] else ""
    print(f"{name:<46} {size:>6} | {emu['rps']:>14.0f} {emu['p50']:>7.2f} {emu['p99']:>7.2f} "
          f"{emu.get('handler_p99', float('nan')):>7.2f} | "
          f"{const['rps']:>14.0f} {const['p50']:>7.2f} {const['p99']:>7.2f} | {ratio:.2f}{bad}", flush=True)


if __name__ == "__main__":
    main()
