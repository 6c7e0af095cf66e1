"""What building a sized tenant costs each vendor, in process (issue 32): CPU seconds and peak memory.

    python bench/bench_build.py [--users 20000,50000] [--vendors ispring,pearson] [--repeat 3] [--state-file]

Each size in a fresh child process (so sizes do not share a heap): ``Store(vendors).create_tenant(users=N)``
with the collector policy a server has (``core.gcpolicy.enable()`` first), timed with ``time.process_time()``
(the machine's other load moves it least); ``--repeat`` runs each size that many times and prints the best.
``--state-file``: then the new tenant's first save to a fresh state file, split into encoding its rows,
SQLite's inserts and the commit. ``--profile N``: the N functions with the most own time (cProfile) instead.
Nothing is asserted.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator.app import all_vendors  # noqa: E402
from emulator.core import gcpolicy, persistence  # noqa: E402
from emulator.core.store import Store  # noqa: E402

ANCHOR = datetime(2030, 1, 1, tzinfo=timezone.utc)


def build_once(users: int, vendors: list[str], state_file: bool, profile: int) -> dict[str, float]:
    gcpolicy.enable()
    store = Store([v for v in all_vendors() if v.name in vendors], seed=42, anchor=ANCHOR)
    profiler = cProfile.Profile() if profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    tenant = store.create_tenant("bench", users=users)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(profile)
    out = {"build_cpu_s": time.process_time() - started,
           "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if state_file:
        with tempfile.TemporaryDirectory() as folder:
            state = persistence.StateFile(Path(folder) / "state.db", store)
            state.load()
            started = time.process_time()
            ops = state._tenant_ops(tenant.id)  # what save() writes, without its lock and retry around it
            out["encode_cpu_s"] = time.process_time() - started
            db = state._db
            assert db is not None
            started = time.process_time()
            db.execute("BEGIN IMMEDIATE")
            for sql, batch in persistence._batches(ops):
                db.executemany(sql, batch)
            out["insert_cpu_s"] = time.process_time() - started
            started = time.process_time()
            db.execute("COMMIT")
            out["commit_cpu_s"] = time.process_time() - started
            out["rows"] = len(ops)
            state.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", default="20000,50000")
    parser.add_argument("--vendors", default="ispring,pearson")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--state-file", action="store_true")
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    vendors = args.vendors.split(",")
    if args.child:
        print(json.dumps(build_once(args.child, vendors, args.state_file, args.profile)))
        return
    for users in (int(n) for n in args.users.split(",")):
        runs = []
        for _ in range(args.repeat):
            child = subprocess.run([sys.executable, __file__, "--child", str(users), "--vendors", args.vendors,
                                    *(["--state-file"] if args.state_file else []), "--profile", str(args.profile)],
                                   capture_output=True, text=True, check=True, env=dict(os.environ))
            sys.stderr.write(child.stderr)
            runs.append(json.loads(child.stdout))
        best = min(runs, key=lambda r: r["build_cpu_s"])
        each = ", ".join(f"{r['build_cpu_s']:.2f}" for r in runs)
        print(f"{users:>7} users  {args.vendors}: build {best['build_cpu_s']:.2f} s CPU (runs: {each}), "
              f"max RSS {best['max_rss_mb']:.0f} MB"
              + (f"; first save: {best['rows']:.0f} rows, encode {best['encode_cpu_s']:.2f} s, insert "
                 f"{best['insert_cpu_s']:.2f} s, commit {best['commit_cpu_s']:.2f} s" if args.state_file else ""))


if __name__ == "__main__":
    main()
