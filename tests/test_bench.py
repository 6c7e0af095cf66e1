"""The bench runner keeps working: its pieces, and a short smoke run of each script (figures not checked)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
assert _spec is not None and _spec.loader is not None
bench_run = importlib.util.module_from_spec(_spec)
sys.modules["bench_run"] = bench_run  # dataclasses look their module up
_spec.loader.exec_module(bench_run)


def test_procfile_options_are_the_ones_the_bench_uses():
    options, app_spec = bench_run.procfile_command()
    assert app_spec == "emulator:create_app()"
    assert options[:2] == ["-c", "python:emulator.gunicorn_conf"]
    assert "--threads" in options and "--bind" not in options


def test_the_constant_app_gets_the_same_request():
    s = bench_run.Scenario("x", method="POST", path="/absorb/things?_filter=a%20eq%201&_limit=5",
                           headers={"x-api-key": "k"}, body='{"a": 1}')
    mirror = bench_run.mirror_of(s, "/c/s0")
    assert (mirror.method, mirror.path, mirror.headers, mirror.body) == (
        "POST", "/c/s0?_filter=a%20eq%201&_limit=5", {"x-api-key": "k"}, '{"a": 1}')
    write = bench_run.Scenario("w", kind="enroll_unenroll", headers={"h": "1"}, enroll_path="/e?reEnroll=true")
    paired = bench_run.mirror_of(write, "/c/s1")  # the pair, so that both servers read the un-enroll's body
    assert (paired.kind, paired.enroll_path, paired.unenroll_path, paired.headers) == (
        "enroll_unenroll", "/c/s1?reEnroll=true", "/c/s1", {"h": "1"})


@pytest.mark.slow  # a short run of a benchmark
def test_a_short_run_of_the_runner_prints_its_row():
    env = dict(os.environ, BENCH_ONLY="get one,tenant", BENCH_DURATION="0.5", BENCH_ROUNDS="1",
               BENCH_LOADGEN="python", BENCH_TENANT_ROUNDS="2")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py")], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    row = next(line for line in out.stdout.splitlines() if line.startswith("absorb get one enrollment"))
    assert "failed" not in row
    tenant = next(line for line in out.stdout.splitlines() if line.startswith("new tenant over HTTP"))
    assert "the constant app answering the same" in tenant and "nan ms" not in tenant.split(";")[0]


def test_paired_figures_are_medians_and_median_ratios():
    figure = bench_run._paired({"emulator": [2.0, 9.0, 3.0], "constant": [1.0, 3.0, 1.0]},
                               {"emulator": [0.2, 0.6, 0.4], "constant": [0.1, 0.3, 0.1]})
    assert (figure.emulator, figure.constant, figure.ratio) == (3.0, 1.0, 3.0)
    assert (figure.emulator_cpu, figure.constant_cpu, figure.cpu_ratio) == (0.4, 0.1, 2.0)
    summed = bench_run._paired({"emulator": [2.0, 4.0], "constant": [1.0, 1.0]},
                               {"emulator": [0.01, 0.0], "constant": [0.0, 0.01]}, cpu_per_round=False)
    assert (summed.emulator_cpu, summed.cpu_ratio) == (0.005, 1.0)  # a tick or none per request: the sums


def test_cpu_seconds_counts_the_process_and_its_children():
    before = bench_run.cpu_seconds(os.getpid())
    if before != before:  # NaN: no /proc here
        return
    child = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.3: pass\ntime.sleep(30)"])
    try:
        deadline = time.monotonic() + 20
        while bench_run.cpu_seconds(os.getpid()) - before < 0.2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert bench_run.cpu_seconds(os.getpid()) - before >= 0.2  # the child's busy loop, counted while it runs
    finally:
        child.kill()
        child.wait()


@pytest.mark.slow  # a short run of a benchmark
def test_a_short_in_process_run_prints_every_scenario():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_inprocess.py"), "--rounds", "1",
                          "--requests", "20"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    names = [line.split("  ")[0] for line in out.stdout.splitlines()[1:]]
    assert names == ["absorb list (_filter+_sort)", "absorb get one enrollment", "absorb enroll + un-enroll",
                     "pearson user sessions", "ispring attributes list", "varied reads (cache misses)"]


def test_a_short_casefold_run_prints_both_requests_and_the_steps():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_casefold.py"), "--rounds", "1",
                          "--requests", "5", "--step-calls", "50"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert lines[1].startswith("cached filtered list page") and lines[2].startswith("create-or-update")
    assert lines[3].startswith("steps alone: before_request ")


@pytest.mark.slow  # a short run of a benchmark
def test_short_runs_of_the_hardening_benches_print_their_figures():
    runs = {"bench_slowclients.py": ["--slow", "3", "--hold", "1", "--baseline", "0.5"],
            "bench_statewrite.py": ["--tenants", "1", "--writes", "2"], "bench_faultglob.py": []}
    for script, args in runs.items():
        out = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, (script, out.stderr[-2000:])
        assert " ms" in out.stdout, (script, out.stdout)


@pytest.mark.slow  # a short run of a benchmark
def test_the_instruction_count_children_run_their_requests():
    """bench_instructions.py's children (run under valgrind by the bench; here without it) send their requests."""
    for target in ("emulator", "constant"):
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_instructions.py"), "--child", target,
                              "--scenario", "list", "--requests", "5"], cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
