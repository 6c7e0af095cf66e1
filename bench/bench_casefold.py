"""What ASP.NET's case-insensitivity (``core.casefold``) costs per Absorb request, in process.

    python bench/bench_casefold.py [--rounds 21] [--requests 300] [--step-calls 20000]

The same seed-42 app twice, Absorb with and without ``case_insensitive``, sent the same request alternately:
a cached filtered list page and a create-or-update with a JSON body. Prints the median of the paired
differences (microseconds per request), then the two steps timed alone (best of 7 runs of 20,000), which is
the steadier figure on a busy machine. Asserts nothing.
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.pop("LMS_EMULATOR_VERIFY_PAGES", None)  # a verified page is recomputed: not what a server does

import emulator.app as appmod  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402


def build(case_insensitive: bool) -> tuple[Any, dict[str, tuple[dict[str, Any], bytes]]]:
    every = appmod.all_vendors
    appmod.all_vendors = lambda: [dataclasses.replace(v, case_insensitive=case_insensitive) if v.name == "absorb"
                                  else v for v in every()]
    try:
        app = appmod.create_app({"seed": 42})
    finally:
        appmod.all_vendors = every
    world = app.state.store.tenants["default"].world("absorb")
    headers = {"x-api-key": world.api_key, "x-api-version": "2"}
    token = app.test_client().post("/absorb/authenticate", headers=headers, json={
        "username": "admin", "password": "admin", "privateKey": world.api_key}).get_json()
    headers["Authorization"] = f"Bearer {token}"
    learner = next(u for u in world.users.values() if not u.is_admin)
    course = next(c for c in world.courses.values() if not c.is_ilc and (learner.id, c.id) not in world.active)
    calls = {
        "cached filtered list page": EnvironBuilder(
            path=f"/absorb/users/{learner.id}/enrollments", headers=headers,
            query_string="_filter=status eq 3&_sort=-dateAdded&_limit=5"),
        "create-or-update (JSON body)": EnvironBuilder(
            path=f"/absorb/users/{learner.id}/enrollments", method="POST", headers=headers,
            json={"courseId": course.id, "status": 1}),
    }
    out = {}
    for name, builder in calls.items():
        environ = builder.get_environ()
        out[name] = (environ, environ["wsgi.input"].read())
    return app, out


def per_request(app: Any, call: tuple[dict[str, Any], bytes], n: int) -> float:
    environ, body = call
    started = time.perf_counter()
    for _ in range(n):
        fresh = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        for _chunk in app(fresh, lambda status, headers, exc_info=None: None):
            pass
    return (time.perf_counter() - started) / n * 1e6


def steps_alone(calls: int = 20_000) -> tuple[float, float]:
    """(the before_request step on a canonical list request, the WSGI path step), microseconds, best of 7."""
    from flask import request

    from emulator.core.casefold import FoldPaths

    app, _ = build(True)
    world = app.state.store.tenants["default"].world("absorb")
    learner = next(u for u in world.users.values() if not u.is_admin)
    path = f"/absorb/users/{learner.id}/enrollments"
    hook = next(f for f in app.before_request_funcs[None] if f.__name__ == "_fold")
    with app.test_request_context(path, query_string="_filter=status eq 3&_sort=-dateAdded&_limit=5"):
        _ = request.url_rule  # routed: the step sees the endpoint
        step = min(_timed(hook, calls) for _ in range(7))
    fold = FoldPaths(lambda environ, start: None, ["/absorb"])
    environ = {"PATH_INFO": path.replace("/users/", "/Users/")}
    return step, min(_timed(lambda: fold(dict(environ), None), calls) for _ in range(7))


def _timed(call: Any, n: int = 20_000) -> float:
    started = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--step-calls", type=int, default=20_000, help="calls per timing of each step alone")
    args = parser.parse_args()
    (on, on_calls), (off, off_calls) = build(True), build(False)
    print(f"{'Absorb request (in process, us)':34} {'folding':>8} {'exact':>8} {'extra':>7}")
    for name in on_calls:
        pairs = [(per_request(on, on_calls[name], args.requests), per_request(off, off_calls[name], args.requests))
                 for _ in range(args.rounds)]
        print(f"{name:34} {statistics.median(a for a, _ in pairs):8.1f} {statistics.median(b for _, b in pairs):8.1f} "
              f"{statistics.median(a - b for a, b in pairs):7.1f}")
    step, path = steps_alone(args.step_calls)
    print(f"steps alone: before_request {step:.2f} us per canonical request; path lowering {path:.2f} us")


if __name__ == "__main__":
    main()
