"""Instructions per request, counted under cachegrind: a figure a loaded machine does not move.

    python bench/bench_instructions.py [--scenario varied] [--requests 600]

On a shared machine CPU-time A/B runs of a change worth a few microseconds moved by +-20%; the number of
instructions a request executes does not depend on the load. For the emulator and for the constant app
(``constant_app.py``, the same requests): one run of ``valgrind --tool=cachegrind`` with no measured
requests and one with ``--requests``, after the same warm-up (four cycles of the scenario, a full journal,
the long-lived objects frozen out of the GC as in a server); the difference over the requests is the
figure. Each child takes a minute or two. Needs valgrind; prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def child(target: str, scenario: str, requests: int) -> None:
    """Warm up, then send ``requests`` requests of the scenario (``target``: emulator or constant)."""
    import bench_inprocess  # type: ignore[import-not-found]

    from emulator.app import create_app

    app = create_app({"seed": 42})
    found = bench_inprocess.pick(bench_inprocess.build(app), scenario)
    world = app.state.store.tenants["default"].world("absorb")
    calls = found.calls if len(found.calls) > 1 else found.calls * 300
    wsgi: Any = app
    environs = [c.environ() for c in calls]
    if target == "constant":
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"s0": found.sample}, handle)
        os.environ["BENCH_PAGES"] = handle.name
        import constant_app  # type: ignore[import-not-found]

        wsgi = constant_app.create_app()
        os.unlink(handle.name)
        environs = [c.environ("/c/s0" + ("?" + c.path.partition("?")[2] if "?" in c.path else "")) for c in calls]
    gc.freeze()

    def send(count: int) -> None:
        world.pages.clear()  # the varied scenario misses anyway; the list's page is cached after its first call
        if found.chained:  # enroll, then un-enroll what it made (the constant app answers the same two requests)
            for _ in range(count // 2):
                created = json.loads(b"".join(wsgi(dict(environs[0], **{"wsgi.input": io.BytesIO(b"")}),
                                                   lambda *args: None)))
                body = json.dumps([created["enrollmentId"]]).encode()
                b"".join(wsgi(dict(environs[1], **{"wsgi.input": io.BytesIO(body)}), lambda *args: None))
            return
        for environ in environs[:count]:
            fresh = dict(environ, **{"wsgi.input": io.BytesIO(b"")})
            b"".join(wsgi(fresh, lambda *args: None))

    for _ in range(4):
        send(len(environs))
    send(requests)


def count(target: str, scenario: str, requests: int) -> int:
    out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          sys.executable, __file__, "--child", target, "--scenario", scenario,
                          "--requests", str(requests)], capture_output=True, text=True, check=True, cwd=ROOT)
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if found is None:
        raise RuntimeError(out.stderr[-2000:])
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="varied", help="a scenario of bench_inprocess.py (part of its name)")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scenario, args.requests)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed (apt-get install valgrind)")
    per_request = {}
    for target in ("emulator", "constant"):
        per_request[target] = (count(target, args.scenario, args.requests) - count(target, args.scenario, 0)) \
            / args.requests
    print(f"{args.scenario}: instructions per request, emulator {per_request['emulator'] / 1000:.0f}k, constant "
          f"{per_request['constant'] / 1000:.0f}k, ratio {per_request['constant'] / per_request['emulator']:.2f}")


if __name__ == "__main__":
    main()
