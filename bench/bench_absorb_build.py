"""Absorb's seeded world at N users, built in process: CPU seconds per phase (issue 32).

    python bench/bench_absorb_build.py [--users 50000] [--runs 1] [--profile]

Builds Absorb's world alone (``absorb.seed.world.build_world``, as ``Store.create_tenant(users=N)`` does, with
the cyclic collector off as ``core.gcpolicy.paused`` has it) and prints the CPU seconds of the whole build and
of each phase (users, catalogue, enrollments, people, and the parts seeded from their own generators), the
least of ``--runs`` builds. ``--profile``: one build under cProfile instead, the 25 costliest functions by
own time. Nothing is asserted; a loaded machine moves CPU seconds too (compare runs made side by side).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from emulator.absorb.domain import (  # noqa: E402 - after the path set-up
    availability, catalogue, certificates, commerce, definitions, learning_state, managers,
)
from emulator.absorb.seed import world  # noqa: E402
from emulator.core.seedrandom import SeedRandom  # noqa: E402
from emulator.core.store import derive_seed  # noqa: E402
from emulator.core.vendor import WorldContext  # noqa: E402

ANCHOR = datetime(2030, 1, 1, tzinfo=timezone.utc)
PHASES: list[tuple[Any, str, str]] = [
    (world, "_users", "users"), (world, "_catalogue", "catalogue"), (world, "seed_enrollments", "enrollments"),
    (world, "_people", "people, departments"), (certificates, "award_existing", "certificates"),
    (world, "_reference", "reference"), (catalogue, "seed", "catalogue extras"), (managers, "seed", "managers"),
    (learning_state, "seed", "learning"), (commerce, "seed", "commerce"), (definitions, "seed", "definitions"),
    (availability, "seed", "availability"),
]


def _context(users: int) -> WorldContext:
    return WorldContext(tenant_id="bench", seed=42, anchor=ANCHOR,
                        rng=SeedRandom(derive_seed(42, "bench", "absorb")), users=users)


def _timed(spent: dict[str, float], label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.process_time() - started
    return timed


def phases(users: int, runs: int) -> tuple[float, dict[str, float]]:
    """The least total CPU of ``runs`` builds, and that build's CPU per phase."""
    spent: dict[str, float] = {}
    originals = [(module, name, getattr(module, name)) for module, name, _ in PHASES]
    for (module, name, label), (_, _, function) in zip(PHASES, originals, strict=True):
        setattr(module, name, _timed(spent, label, function))
    best: tuple[float, dict[str, float]] | None = None
    try:
        for _ in range(runs):
            spent.clear()
            started = time.process_time()
            world.build_world(_context(users))
            total = time.process_time() - started
            if best is None or total < best[0]:
                best = (total, dict(spent))
    finally:
        for module, name, function in originals:
            setattr(module, name, function)
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    gc.disable()  # as core.gcpolicy.paused has it while a store builds worlds
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(world.build_world, _context(args.users))
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return
    total, spent = phases(args.users, args.runs)
    print(f"Absorb at {args.users} users: {total:.2f} s CPU (least of {args.runs}), max RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {label:22s} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
