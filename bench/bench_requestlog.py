"""What the request log (``--log-requests``) adds to a request, in process: the same Absorb list request
(a cached page answered by the fast path, the cheapest request there is) through the app with and without
``core.requestlog.RequestLog`` around it, the line written to /dev/null, alternating rounds, this process's CPU
time, best of each side.

    python bench/bench_requestlog.py [--rounds 9] [--requests 3000]

Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkzeug.test import EnvironBuilder  # noqa: E402

from emulator.app import create_app  # noqa: E402
from emulator.core.requestlog import RequestLog  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    app = create_app({"seed": 42})
    world = app.state.store.tenants["default"].world("absorb")
    token = app.test_client().post("/absorb/authenticate", headers={"x-api-key": world.api_key}, json={
        "username": "admin", "password": "admin", "privateKey": world.api_key}).get_json()
    environ = EnvironBuilder(path="/absorb/users", query_string="_limit=5", headers={
        "x-api-key": world.api_key, "Authorization": token, "Host": "127.0.0.1"}).get_environ()
    with open(os.devnull, "w") as devnull:
        sides = {"without": app.wsgi_app, "text": RequestLog(app.wsgi_app, "text", devnull),
                 "json": RequestLog(app.wsgi_app, "json", devnull)}
        best = {name: float("inf") for name in sides}
        for _ in range(args.rounds):
            for name, wsgi in sides.items():
                best[name] = min(best[name], _per_request(wsgi, environ, args.requests))
    base = best["without"]
    print(f"Absorb list page (fast path), CPU us per request, best of {args.rounds} alternating rounds:")
    for name, cost in best.items():
        print(f"  {name:<8} {cost * 1e6:7.1f} us  {cost / base:5.2f}x  (+{(cost - base) * 1e6:.1f} us)")
    return 0


def _per_request(wsgi: Any, environ: dict[str, Any], count: int) -> float:
    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        return None

    started = time.process_time()
    for _ in range(count):
        for _chunk in wsgi(dict(environ), start):
            pass
    return (time.process_time() - started) / count


if __name__ == "__main__":
    sys.exit(main())
