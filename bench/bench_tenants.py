"""Time to create a tenant and to reset one through the admin API (median of 20), in process.

    python bench/bench_tenants.py [--runs 20] [--fixture learner-mid-course]

Prints figures; nothing is asserted.
"""
from __future__ import annotations

import argparse
import statistics
import time

from emulator.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fixture", default=None)
    args = parser.parse_args()
    client = create_app({}).test_client()
    body = {"fixture": args.fixture} if args.fixture else {}
    client.post("/_emulator/tenants", json=body)  # warm-up: imports, Faker tables, schemas

    create, reset, ids = [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        resp = client.post("/_emulator/tenants", json=body)
        create.append(time.perf_counter() - started)
        assert resp.status_code == 201, resp.get_json()
        ids.append(resp.get_json()["id"])
    for tenant_id in ids:
        started = time.perf_counter()
        resp = client.post(f"/_emulator/tenants/{tenant_id}/reset")
        reset.append(time.perf_counter() - started)
        assert resp.status_code == 200
    counts = client.get(f"/_emulator/tenants/{ids[0]}").get_json()["counts"]
    label = f" with fixture {args.fixture}" if args.fixture else ""
    print(f"tenant create{label}: median {statistics.median(create) * 1000:.1f} ms "
          f"(min {min(create) * 1000:.1f}, max {max(create) * 1000:.1f}, n={args.runs})")
    print(f"tenant reset{label}:  median {statistics.median(reset) * 1000:.1f} ms "
          f"(min {min(reset) * 1000:.1f}, max {max(reset) * 1000:.1f}, n={args.runs})")
    print("world size: " + ", ".join(f"{v}: {sum(c.values())} entities" for v, c in counts.items()))


if __name__ == "__main__":
    main()
