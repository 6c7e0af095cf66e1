"""What ``--state-file`` costs a write: one Absorb enroll's time with and without it, and where it goes.

``python bench/bench_statewrite.py [--tenants 10] [--writes 40]``: the WSGI app in-process (no HTTP), the
default tenant plus ``--tenants - 1`` more (a CI run's parallel suites), then ``--writes`` enroll/un-enroll
pairs on the default tenant; prints the median time of one enroll without a state file and with one.
With ``--threads N``: N threads each enrolling on a tenant of its own at once (a parallel CI run), the median
enroll time then. With ``--scale 1,1000``: the median enroll with ``--state-file`` at each number of tenants,
and the ratio of the last to the first (a save writes the rows a write changed, whatever the tenants); the
enrolls of the apps are interleaved, so the machine's load falls on each alike.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator.app import create_app  # noqa: E402

from scaleworld import grow_absorb  # noqa: E402


def enroll_times(settings: dict[str, Any], tenants: int, writes: int, threads: int = 1) -> list[float]:
    app = create_app({"seed": 42, **settings})
    client = app.test_client()
    for i in range(tenants - 1):
        client.post("/_emulator/tenants", json={"id": f"t{i}"})
    if threads == 1:
        return _enrolls(app, "default", writes)
    names = ["default", *(f"t{i}" for i in range(threads - 1))]
    for name in names[tenants:]:
        client.post("/_emulator/tenants", json={"id": name})
    results: list[list[float]] = []
    workers = [threading.Thread(target=lambda n=name: results.append(_enrolls(app, n, writes))) for name in names]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return [t for r in results for t in r]


def _enrolls(app: Any, tenant_id: str, writes: int) -> list[float]:
    once = _enroller(app, tenant_id)
    return [once() for _ in range(writes)]


def _enroller(app: Any, tenant_id: str) -> Any:
    """One enroll (timed) and its un-enroll, on the tenant's first learner and online course."""
    client = app.test_client()
    world = app.state.store.tenants[tenant_id].world("absorb")
    headers = {"x-api-key": world.api_key, "x-api-version": "2"}
    token = client.post("/absorb/authenticate", headers=headers,
                        json={"username": "admin", "password": "admin", "privateKey": world.api_key}).get_json()
    headers["Authorization"] = f"Bearer {token}"
    learner = next(u for u in world.users.values() if not u.is_admin)
    course = next(c for c in world.courses.values() if not c.is_ilc)

    def once() -> float:
        t0 = time.perf_counter()
        made = client.post(f"/absorb/users/{learner.id}/enrollments/{course.id}?reEnroll=true", headers=headers)
        spent = (time.perf_counter() - t0) * 1000
        assert made.status_code == 201, made.get_json()
        client.post("/absorb/enrollments/unenroll", headers=headers, json=[made.get_json()["enrollmentId"]])
        return spent

    return once


def scale(counts: list[int], writes: int) -> None:
    """Each count's app with its tenants in one state file each (made in one transaction: the set-up is not
    what is measured), then the enrolls interleaved, one per app in turn, so load on the machine falls on all."""
    with tempfile.TemporaryDirectory() as folder:
        enrollers, sizes = {}, {}
        for count in counts:
            state = Path(folder) / f"emulator-{count}.state"
            app = create_app({"seed": 42, "state_file": str(state)})
            t0 = time.perf_counter()
            for i in range(count - 1):
                app.state.store.create_tenant(f"t{i}")
            app.state.state_file.save()
            print(f"{count} tenant(s) made and saved in {time.perf_counter() - t0:.0f} s", flush=True)
            enrollers[count] = _enroller(app, "default")
        times: dict[int, list[float]] = {count: [] for count in counts}
        for _ in range(writes):
            for count in counts:
                times[count].append(enrollers[count]())
        for count in counts:
            sizes[count] = sum(p.stat().st_size for p in Path(folder).glob(f"emulator-{count}.state*"))
    medians = {count: statistics.median(times[count]) for count in counts}
    for count in counts:
        print(f"--state-file, {count} tenant(s): enroll median {medians[count]:.2f} ms, p90 "
              f"{statistics.quantiles(times[count], n=10)[-1]:.2f} ms ({sizes[count] / 1e6:.1f} MB on disk)")
    print(f"enroll at {counts[-1]} tenants / at {counts[0]}: {medians[counts[-1]] / medians[counts[0]]:.2f}x "
          f"(medians of {writes} enrolls each, interleaved)")


def users_scale(counts: list[int], writes: int) -> None:
    """``--users 1000,10000``: the default tenant's Absorb world grown to each number of users
    (``bench/scaleworld.py``) in a state file of its own (saved whole once: not measured), then enroll/un-enroll
    pairs interleaved across the apps; the median enroll with ``--state-file`` at each size (issue 32: a write's
    cost must not follow the world's size)."""
    with tempfile.TemporaryDirectory() as folder:
        enrollers = {}
        for count in counts:
            app = create_app({"seed": 42, "state_file": str(Path(folder) / f"emulator-{count}.state")})
            t0 = time.perf_counter()
            grow_absorb(app.state.store.tenants["default"].world("absorb"), count)
            app.state.state_file.save()
            print(f"{count} users grown and saved in {time.perf_counter() - t0:.1f} s", flush=True)
            enrollers[count] = _enroller(app, "default")
            enrollers[count]()  # the first write after the whole save
        times: dict[int, list[float]] = {count: [] for count in counts}
        for _ in range(writes):
            for count in counts:
                times[count].append(enrollers[count]())
    for count in counts:
        print(f"--state-file, {count} users: enroll p50 {statistics.median(times[count]):.2f} ms, p90 "
              f"{statistics.quantiles(times[count], n=10)[-1]:.2f} ms")
    print(f"enroll p50 at {counts[-1]} users / at {counts[0]}: "
          f"{statistics.median(times[counts[-1]]) / statistics.median(times[counts[0]]):.2f}x "
          f"(medians of {writes} enrolls each, interleaved)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--scale", help="tenant counts to compare with --state-file, e.g. 1,1000")
    parser.add_argument("--users", help="numbers of users of one world to compare with --state-file, e.g. 1000,10000")
    args = parser.parse_args()
    if args.users:
        users_scale(sorted(int(n) for n in args.users.split(",")), args.writes)
        return
    if args.scale:
        scale(sorted(int(n) for n in args.scale.split(",")), args.writes)
        return
    plain = statistics.median(enroll_times({}, args.tenants, args.writes, args.threads))
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder) / "emulator.state"
        kept = statistics.median(enroll_times({"state_file": str(state)}, args.tenants, args.writes, args.threads))
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    print(f"state writes, {args.tenants} tenants, {args.threads} thread(s) x {args.writes} enrolls (median): "
          f"without --state-file {plain:.1f} ms, "
          f"with {kept:.1f} ms ({size / 1e6:.2f} MB on disk)")


if __name__ == "__main__":
    main()
