"""Which ``--threads`` for a server: the filtered list and the varied reads under each thread count, the
counts alternating round by round (so that the machine's changing speed falls on all of them alike).

    python bench/bench_threads.py [--server granian] [--threads 1,2,4,8] [--rounds 5]

wrk (or bench/loadgen.py) at ``BENCH_CONNECTIONS`` (default 8), ``BENCH_DURATION`` seconds per run. Prints,
per thread count, the median req/s and the median p99 of the rounds, and req/s relative to the first count.
Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import run  # noqa: E402  (bench/run.py: servers, scenarios, the load driver)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="granian", choices=["granian", "gunicorn"])
    parser.add_argument("--threads", default="1,2,4,8")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    counts = [c.strip() for c in args.threads.split(",") if c.strip()]
    _, app_spec = run.procfile_command()
    servers: dict[str, run.Server] = {}
    notes: list[str] = []
    try:
        for count in counts:
            servers[count] = Serve(f"emulator-{args.server}-t{count}", app_spec, kind=args.server,
                                   threads=count).start()
        scenarios = {}
        for count, server in servers.items():
            found = run.absorb_scenarios(server.port, run.tenant_credentials(server.port), notes)
            scenarios[count] = [s for s in found if s.name.startswith(("absorb list", "varied reads ("))]
        print(f"{args.server}, {run.CONNECTIONS} connections, {run.DURATION:g} s per run, {args.rounds} rounds, "
              f"{os.cpu_count()} cores")
        for index, label in enumerate(s.name for s in scenarios[counts[0]]):
            results: dict[str, list[dict[str, float]]] = {c: [] for c in counts}
            for _ in range(args.rounds):
                for count in counts:
                    results[count].append(run.drive(servers[count].port, scenarios[count][index]))
            base = statistics.median(r["rps"] for r in results[counts[0]])
            print(f"\n{label}\n{'threads':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs ' + counts[0]:>6}")
            for count in counts:
                rps = statistics.median(r["rps"] for r in results[count])
                print(f"{count:>7} {rps:>7.0f} {statistics.median(r['p50'] for r in results[count]):>7.2f} "
                      f"{statistics.median(r['p99'] for r in results[count]):>7.2f} {rps / base:>6.2f}", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    for note in dict.fromkeys(notes):
        print("note:", note)


class Serve(run.Server):
    """``lms-emulator serve --server KIND --threads N``."""

    def __init__(self, *args: object, threads: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.threads = threads

    def command(self) -> list[str]:
        return [sys.executable, "-m", "emulator.cli", "serve", "--server", self.kind, "--port", str(self.port),
                "--seed", str(run.SEED), "--threads", self.threads]


if __name__ == "__main__":
    main()
