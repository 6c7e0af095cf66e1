"""The emulator's own cost per request, in process: each scenario through the WSGI app, against the
constant app (``constant_app.py``) answering a page of the same size to the same request.

    python bench/bench_inprocess.py [--rounds 8] [--requests 500] [--profile "absorb list"]

No server, no sockets, no load generator: what is left is Flask and what the emulator does on top,
and the time is this process's CPU time, so the "extra" column is a steady figure on a noisy machine where
req/s under ``wrk`` are not (the
load runs of ``run.py`` add gunicorn's own ~500 us per request to both sides). Each figure is the
best of ``--rounds`` alternating runs. ``--profile NAME`` prints the cProfile of one scenario
(the emulator side), sorted by own time. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from werkzeug.test import EnvironBuilder  # noqa: E402

from emulator.app import create_app  # noqa: E402


@dataclass
class Call:
    method: str
    path: str  # with the query string
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def environ(self, path: str | None = None) -> dict[str, Any]:
        """The WSGI environ a server hands over: ``wsgi.input_terminated`` as granian and gunicorn set it (their
        input ends with the body, so werkzeug reads it as it is, not through its ``LimitedStream``)."""
        base, _, query = (path or self.path).partition("?")
        environ = EnvironBuilder(path=base, query_string=query or None, method=self.method, headers=self.headers,
                                 data=self.body).get_environ()
        environ["wsgi.input_terminated"] = True
        return environ


@dataclass
class Scenario:
    name: str
    calls: list[Call]
    sample: Any = None
    chained: bool = False  # the second call's body is ``[<enrollmentId of the first answer>]``


def _send(app: Any, environ: dict[str, Any], body: bytes) -> bytes:
    env = dict(environ)
    env["wsgi.input"] = io.BytesIO(body)
    captured = []

    def start(status: str, headers: list[Any], exc_info: Any = None) -> Callable[[bytes], None]:
        captured.append(status)
        return lambda data: None

    out = b"".join(app(env, start))
    if not captured[0].startswith("2"):
        raise RuntimeError(f"{environ['PATH_INFO']} answered {captured[0]}: {out[:300]!r}")
    return out


def build(app: Any) -> list[Scenario]:
    """The scenarios of ``run.py``, from the default world of seed 42 (credentials from the admin API)."""
    client = app.test_client()
    creds = client.get("/_emulator/tenants/default").get_json()
    data = client.get("/_emulator/tenants/default/data.json").get_json()
    absorb = creds["absorb"]
    base = {"x-api-key": absorb["apiKey"], "x-api-version": "2"}
    token = client.post("/absorb/authenticate", headers=base, json={
        "username": absorb["admin"]["username"], "password": absorb["admin"]["password"],
        "privateKey": absorb["apiKey"]}).get_json()
    headers = dict(base, Authorization=f"Bearer {token}")
    learner = absorb["learners"][0]["userId"]
    courses = data["absorb"]["courses"]
    active = {e["courseId"] for e in data["absorb"]["enrollments"] if e["userId"] == learner and e["isActive"]}
    for course in courses:  # a page of about 20, as in run.py
        if not course["multiSession"] and course["id"] not in active:
            client.post(f"/absorb/users/{learner}/enrollments/{course['id']}", headers=headers)
    query = urllib.parse.urlencode({"_filter": "isActive eq true and progress ge 0",
                                    "_sort": "-dateEdited,courseName", "_limit": "20"}, quote_via=urllib.parse.quote)
    list_call = Call("GET", f"/absorb/users/{learner}/enrollments?{query}", headers)
    page = client.get(list_call.path, headers=headers).get_json()
    get_call = Call("GET", f"/absorb/enrollments/{page['enrollments'][0]['id']}", headers)
    online = next(c for c in courses if c["courseType"] != "InstructorLedCourse" and not c["multiSession"]
                  and not c["sessionIds"])
    enroll = Call("POST", f"/absorb/users/{learner}/enrollments/{online['id']}?reEnroll=true", headers)
    unenroll = Call("POST", "/absorb/enrollments/unenroll", dict(headers, **{"Content-Type": "application/json"}),
                    json.dumps(["0" * 36]).encode())  # the id changes each time, the length does not
    scenarios = [
        Scenario("absorb list (_filter+_sort)", [list_call], page),
        Scenario("absorb get one enrollment", [get_call], client.get(get_call.path, headers=headers).get_json()),
        Scenario("absorb enroll + un-enroll", [enroll, unenroll], {"enrollmentId": "0" * 36, "courseId": "0" * 36,
                                                                   "userId": "0" * 36}, chained=True),
    ]
    student = next(u for u in creds["pearson"]["users"] if "Student" in u["roles"])
    pearson_token = client.post("/_emulator/tenants/default/pearson/tokens", json={"userId": student["id"]}).get_json()
    pearson = Call("GET", f"/pearson/users/{student['id']}/sessions",
                   {"Authorization": f"Bearer {pearson_token['token']}"})
    scenarios.append(Scenario("pearson user sessions", [pearson],
                              client.get(pearson.path, headers=pearson.headers).get_json()))
    ispring = creds["ispring"]
    owner = next(c for c in ispring["clients"] if c["name"] == "owner")
    session = next(s for s in data["ispring"]["sessions"] if s["participantIds"])
    access = client.post("/ispring/api/v3/token", headers={"X-Auth-Account-Url": ispring["accountUrl"]},
                         data={"client_id": owner["clientId"], "client_secret": owner["clientSecret"],
                               "grant_type": "client_credentials"}).get_json()["access_token"]
    attributes = Call("POST", f"/ispring/performance-management/appraisal/session/{session['id']}/user/attributes/list",
                      {"Authorization": f"Bearer {access}", "X-Auth-Account-Url": ispring["accountUrl"],
                       "Content-Type": "application/json", "Accept": "application/json"},
                      json.dumps({"userIds": session["participantIds"][:20]}).encode())
    scenarios.append(Scenario("ispring attributes list", [attributes], json.loads(
        _send(app, attributes.environ(), attributes.body))))
    scenarios.append(varied_scenario(app, client, headers))
    return scenarios


def varied_scenario(app: Any, client: Any, headers: dict[str, str]) -> Scenario:
    """bench/varied.py's cache-defeating reads: 300 distinct pages in a cycle (more than the 256 a world
    caches, so every request misses), the median-sized answer as the constant app's page."""
    import varied  # type: ignore[import-not-found]

    world = app.state.store.tenants["default"].world("absorb")

    def call(port: Any, method: str, path: str, hdrs: dict[str, str], body: Any = None) -> tuple[int, Any]:
        resp = client.open(path, method=method, headers=hdrs, json=body)
        return resp.status_code, resp.get_json()

    mix = varied.build(None, headers, world, call, [])
    assert mix is not None
    return Scenario("varied reads (cache misses)", [Call("GET", p, headers) for p in mix["paths"][:300]], mix["sample"])


def pick(scenarios: list[Scenario], text: str) -> Scenario:
    """The scenario ``text`` names: the first whose name holds it as whole words ("enroll" is the enroll +
    un-enroll pair, not "get one enrollment"), else the first holding it at all."""
    whole = re.compile(r"(?<![\w-])" + re.escape(text) + r"(?![\w-])")
    return next((s for s in scenarios if whole.search(s.name)), None) or next(s for s in scenarios if text in s.name)


def per_request_us(target: Any, scenario: Scenario, requests: int, mirror: str | None = None) -> float:
    """Mean microseconds per request over ``requests`` iterations (``mirror``: the constant app's path)."""
    def environ(call: Call) -> dict[str, Any]:
        query = call.path.partition("?")[2]
        return call.environ(None if mirror is None else mirror + (f"?{query}" if query else ""))

    prepared = [(environ(c), c.body) for c in scenario.calls]
    started = time.process_time()  # CPU time of this process: steady while other processes share the cores
    requests = max(1, requests // len(prepared)) if len(prepared) > 2 else requests  # many calls: one cycle each
    for _ in range(requests):
        if scenario.chained:
            (first, body), (second, _) = prepared
            created = json.loads(_send(target, first, body))["enrollmentId"]
            _send(target, second, json.dumps([created]).encode())
        else:
            for env, body in prepared:
                _send(target, env, body)
    return (time.process_time() - started) / (requests * len(prepared)) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", default=None, help="a scenario name (or part of one) to profile")
    parser.add_argument("--only", default=None, help="run only the scenarios whose name holds this text")
    args = parser.parse_args()

    app = create_app({"seed": 42})
    scenarios = build(app)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({f"s{i}": s.sample for i, s in enumerate(scenarios)}, handle)
    os.environ["BENCH_PAGES"] = handle.name
    import constant_app  # type: ignore[import-not-found]

    constant = constant_app.create_app()
    os.unlink(handle.name)

    if args.profile:
        scenario = pick(scenarios, args.profile)
        per_request_us(app, scenario, args.requests)  # warm the caches first, as a test suite would
        profiler = cProfile.Profile()
        profiler.enable()
        per_request_us(app, scenario, args.requests * 4)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "30")))
        return

    print(f"{'scenario (in process, us per request)':<40} {'emulator':>9} {'constant':>9} {'extra':>7} {'ratio':>6}")
    for i, scenario in enumerate(scenarios):
        if args.only and args.only not in scenario.name:
            continue
        emulator_us, constant_us = [], []
        for _ in range(args.rounds):
            emulator_us.append(per_request_us(app, scenario, args.requests))
            constant_us.append(per_request_us(constant, scenario, args.requests, mirror=f"/c/s{i}"))
        best_e, best_c = min(emulator_us), min(constant_us)
        print(f"{scenario.name:<40} {best_e:>9.1f} {best_c:>9.1f} {best_e - best_c:>7.1f} {best_c / best_e:>6.2f}",
              flush=True)


if __name__ == "__main__":
    main()
