"""``make bench-peers``: the emulator's filtered list against other mock servers serving the same page.

    python bench/peers.py   # needs node/npm and java; BENCH_PEERS_DIR (default ~/.cache/lms-emulator/bench-peers)

Installs (once, with npm, into BENCH_PEERS_DIR, never into the repository) Prism (@stoplight/prism-cli 5),
json-server 0.17, WireMock (the npm package ``wiremock`` ships the standalone jar) and Mockoon CLI 9. They
serve the page ``lms-emulator serve`` answers to the filtered list of ``bench/run.py``:

* Prism and Mockoon: an OpenAPI document whose one path has the emulator's answer as its example;
* WireMock: a stub mapping with the answer as its body;
* json-server: a ``db.json`` of the same rows (the learner's enrollments), asked with its own filter,
  sort and limit (``?isActive=true&_sort=dateEdited&_order=desc&_limit=20``): it computes its page.

Each peer gets a warm-up (WireMock's JVM 15 s, the others 3 s), then ``BENCH_ROUNDS`` (default 5) rounds
alternating emulator and peer, ``BENCH_DURATION`` s each; the figure is the median of the per-round req/s
ratios (emulator / peer). Prints figures; asserts nothing.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import run  # noqa: E402  (bench/run.py: servers, scenarios, the load driver)

PEERS_DIR = Path(os.environ.get("BENCH_PEERS_DIR") or Path.home() / ".cache" / "lms-emulator" / "bench-peers")
PACKAGES = ["@stoplight/prism-cli@5", "json-server@0.17", "wiremock@3", "@mockoon/cli@9"]
TARGETS = {"WireMock": 2.0, "Prism": 4.0, "json-server": 4.0, "Mockoon": 4.0}


def install() -> Path:
    bin_dir = PEERS_DIR / "node_modules" / ".bin"
    if not all((bin_dir / name).exists() for name in ("prism", "json-server", "mockoon-cli")):
        PEERS_DIR.mkdir(parents=True, exist_ok=True)
        print(f"installing {', '.join(PACKAGES)} into {PEERS_DIR} ...", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(PEERS_DIR),
                        *PACKAGES], check=True)
    return bin_dir


class Peer(run.Server):
    """A peer's command on a free port; ready when ``probe`` answers 200."""

    def __init__(self, name: str, command: list[str], probe: str, warmup: float) -> None:
        super().__init__(name, "")
        self.argv, self.probe, self.warmup = command, probe, warmup

    def command(self) -> list[str]:
        return [part.replace("{port}", str(self.port)) for part in self.argv]

    def start(self) -> Peer:
        self.port = run.free_port()
        log = open(Path(tempfile.gettempdir()) / f"bench-peer-{self.name}-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(self.command(), cwd=PEERS_DIR, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.perf_counter() + 120
        while True:
            try:
                if run.request(self.port, "GET", self.probe, timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{self.name} did not start; see {log.name}")
            time.sleep(0.05)


def openapi(page: object) -> dict:
    return {"openapi": "3.0.3", "info": {"title": "bench", "version": "1"},
            "paths": {"/c/list": {"get": {"responses": {"200": {"description": "the page", "content": {
                "application/json": {"example": page}}}}}}}}


def main() -> None:
    if not (shutil.which("npm") and shutil.which("java") and shutil.which("node")):
        print("bench-peers needs node, npm and java; skipped")
        return
    bin_dir = install()
    jar = next((PEERS_DIR / "node_modules" / "wiremock").rglob("wiremock-standalone-*.jar"))
    _, app_spec = run.procfile_command()
    run.ONLY = ["absorb list"]  # the fixed scenarios only (not the varied workloads' set-up)
    emulator = run.Server("emulator", app_spec, kind="granian").start()
    notes: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="bench-peers-"))
    peers: list[Peer] = []
    try:
        scenario = next(s for s in run.absorb_scenarios(emulator.port, run.tenant_credentials(emulator.port), notes)
                        if s.name.startswith("absorb list"))
        page = scenario.sample
        (work / "openapi.json").write_text(json.dumps(openapi(page)))
        (work / "db.json").write_text(json.dumps({"enrollments": page["enrollments"]}))
        (work / "mappings").mkdir()
        (work / "mappings" / "list.json").write_text(json.dumps({
            "request": {"method": "GET", "urlPath": "/c/list"},
            "response": {"status": 200, "body": json.dumps(page, separators=(",", ":")),
                         "headers": {"Content-Type": "application/json"}}}))
        query = scenario.path.partition("?")[2]
        peers = [
            Peer("WireMock", ["java", "-jar", str(jar), "--port", "{port}", "--root-dir", str(work),
                              "--disable-banner"],
                 "/c/list", 15),
            Peer("Prism", [str(bin_dir / "prism"), "mock", "-p", "{port}", str(work / "openapi.json")], "/c/list", 3),
            Peer("json-server", [str(bin_dir / "json-server"), "--port", "{port}", "--quiet", str(work / "db.json")],
                 "/enrollments", 3),
            Peer("Mockoon", [str(bin_dir / "mockoon-cli"), "start", "--data", str(work / "openapi.json"), "--port",
                             "{port}"], "/c/list", 3),
        ]
        print(f"emulator: lms-emulator serve (granian); {scenario.name}, {len(json.dumps(page))} bytes; "
              f"wrk at {run.CONNECTIONS} connections, {run.DURATION:g} s per run, {run.ROUNDS} alternating rounds")
        print(f"\n{'peer':<12} {'peer req/s':>10} {'p99 ms':>7} | {'emulator req/s':>14} {'p99 ms':>7} | "
              f"{'ratio':>5}  target")
        for peer in peers:
            peer.start()
            path = "/enrollments?isActive=true&_sort=dateEdited&_order=desc&_limit=20" if peer.name == "json-server" \
                else f"/c/list?{query}"
            mirror = run.Scenario(peer.name, path=path, headers=scenario.headers)
            end = time.perf_counter() + peer.warmup
            while time.perf_counter() < end:  # warm-up (the JVM's JIT for WireMock)
                run.drive(peer.port, mirror)
            run.drive(emulator.port, scenario)
            mine, theirs = [], []
            for _ in range(run.ROUNDS):
                mine.append(run.drive(emulator.port, scenario))
                theirs.append(run.drive(peer.port, mirror))
            peer.stop()
            ratio = statistics.median(m["rps"] / t["rps"] for m, t in zip(mine, theirs, strict=False))
            bad = sum(t["bad"] for t in theirs)
            target = TARGETS[peer.name]
            print(f"{peer.name:<12} {statistics.median(t['rps'] for t in theirs):>10.0f} "
                  f"{statistics.median(t['p99'] for t in theirs):>7.2f} | "
                  f"{statistics.median(m['rps'] for m in mine):>14.0f} "
                  f"{statistics.median(m['p99'] for m in mine):>7.2f} | "
                  f"{ratio:>5.2f}  >= {target:g}x {'ok' if ratio >= target else 'MISSED'}"
                  f"{f'  ({bad} failed peer requests)' if bad else ''}", flush=True)
    finally:
        emulator.stop()
        for peer in peers:
            peer.stop()
        shutil.rmtree(work, ignore_errors=True)
    for note in dict.fromkeys(notes):
        print("note:", note)


if __name__ == "__main__":
    main()
