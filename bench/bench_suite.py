"""Which live server makes a test suite faster: a realistic test's sequence of calls, run back to back, on
each way the pytest plugin could serve the emulator.

    python bench/bench_suite.py [--tests 40] [--rounds 5]

One "test" is what a user's test does through the plugin (``emulator.testing``): create a tenant; authenticate
(Absorb); look up (the portal's enrollments, then one course's lessons); enroll a learner; list their
enrollments (``_filter``/``_sort``); start and finish two lesson attempts; get the enrollment; delete the
tenant: about 13 calls.
Servers compared, alternating round by round:

* ``werkzeug, thread``: ``EmulatorServer``, Werkzeug in a thread of this (the test) process;
* ``granian, process``: ``EmulatorProcess``, ``lms-emulator serve`` in a child process;
* ``werkzeug, process``: the same child process on Werkzeug (to tell the server from the process apart).

``--workers 2`` runs that many test processes at once, each with its own server, as ``pytest -n 2`` does
(on 2 cores a child-process server then competes with the other worker for a core). Prints ms per test
(wall time of a round / tests, median of the rounds) and the speed-up over the thread. Asserts nothing.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from emulator.testing import EmulatorProcess, EmulatorServer, Tenant  # noqa: E402

QUERY = {"_filter": "isActive eq true and progress ge 0", "_sort": "-dateEdited,courseName", "_limit": "20"}


def one_test(server: Any) -> int:
    """The sequence of one test; returns the number of HTTP calls made."""
    tenant: Tenant = server.create_tenant()
    absorb = tenant.absorb()  # authenticate
    base = tenant.info["baseUrls"]["absorb"]
    learner = tenant.info["absorb"]["learners"][0]["userId"]
    listed = _ok(absorb.get(f"{base}/enrollments", params={"_limit": "200"})).json()  # look up
    mine = {e["courseId"] for e in listed if e["userId"] == learner}
    calls = 4
    for course_id in dict.fromkeys(e["courseId"] for e in listed if e["courseId"] not in mine):
        calls += 1  # enroll (an instructor-led or multi-session course answers 4xx: the next one is tried)
        if absorb.post(f"{base}/users/{learner}/enrollments/{course_id}").status_code == 201:
            break
    lessons = _ok(absorb.get(f"{base}/users/{learner}/enrollments/{course_id}/lessons")).json()
    _ok(absorb.get(f"{base}/users/{learner}/enrollments", params=QUERY))
    calls += 2
    for lesson in lessons[:2]:
        lesson_id = lesson.get("lessonId") or lesson["id"]
        started = _ok(absorb.post(f"{base}/users/{learner}/enrollments/{course_id}/lessons/{lesson_id}/attempts"))
        _ok(absorb.put(f"{base}/attempts/{started.json()['attemptId']}", json={"status": 3, "score": 90}))
        calls += 2
    _ok(absorb.get(f"{base}/users/{learner}/enrollments/{course_id}"))
    tenant.delete()
    return calls + 1


def _ok(resp: Any) -> Any:
    if resp.status_code >= 400:
        raise RuntimeError(f"{resp.request.method} {resp.url} answered {resp.status_code}: {resp.text[:300]}")
    return resp


MAKERS: dict[str, Callable[[], Any]] = {
    "werkzeug, thread": lambda: EmulatorServer(),
    "granian, process": lambda: EmulatorProcess(),
    "werkzeug, process": lambda: EmulatorProcess(server="werkzeug"),
}


def worker(name: str, tests: int, rounds: int, go: Any, done: Any) -> None:
    """One test process: its own server of kind ``name``; each round waits for ``go``, runs, reports."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # pytest would capture these lines; not print them
    server = MAKERS[name]().start()
    try:
        one_test(server)  # warm-up: imports, caches
        done.put(("ready", 0))
        for _ in range(rounds):
            go.get()
            calls = sum(one_test(server) for _ in range(tests))
            done.put(("round", calls / tests))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=40, help="tests per round per worker")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="test processes at once (as pytest -n)")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    pools = {}
    for name in MAKERS:
        go, done = ctx.Queue(), ctx.Queue()
        procs = [ctx.Process(target=worker, args=(name, args.tests, args.rounds, go,
                                                  done)) for _ in range(args.workers)]
        for proc in procs:
            proc.start()
        for _ in procs:
            done.get(timeout=120)
        pools[name] = (go, done, procs)
    times: dict[str, list[float]] = {name: [] for name in pools}
    calls = 0.0
    try:
        for _ in range(args.rounds):
            for name, (go, done, procs) in pools.items():
                started = time.perf_counter()
                for _ in procs:
                    go.put(1)
                for _ in procs:
                    calls = done.get(timeout=600)[1]
                times[name].append((time.perf_counter() - started) / (args.tests * args.workers) * 1000)
    finally:
        for _, _, procs in pools.values():
            for proc in procs:
                proc.join(timeout=30)
    base = statistics.median(times["werkzeug, thread"])
    print(f"one test = {calls:.1f} calls on average; {args.tests} tests per round in each of {args.workers} "
          "worker process(es), "
          f"{args.rounds} rounds, alternating")
    print(f"{'live server':<20} {'ms per test':>11} {'ms per call':>11} {'speed-up':>8}")
    for name, samples in times.items():
        med = statistics.median(samples)
        print(f"{name:<20} {med:>11.1f} {med / calls:>11.2f} {base / med:>7.2f}x")


if __name__ == "__main__":
    main()
