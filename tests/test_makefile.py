"""The Makefile: `make serve` installs the runtime only and lets the environment choose host, port and seed."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make")


def _dry(*args: str, tmp: Path) -> str:
    """What make would run (-n), for a venv that does not exist yet (-B: every step)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp)}  # no PORT/HOST/SEED from the caller's environment
    run = subprocess.run(["make", "-n", "-B", *args, f"VENV={tmp}/venv"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_serve_installs_the_runtime_only_and_test_adds_the_extras(tmp_path):
    serve = _dry("serve", tmp=tmp_path)
    assert "pip install -q -e .\n" in serve and "[test]" not in serve
    assert "pip install -q -e '.[test]'" in _dry("test", tmp=tmp_path)


def test_serve_passes_an_option_only_when_given_so_the_environment_wins(tmp_path):
    command = [line for line in _dry("serve", tmp=tmp_path).splitlines() if "lms-emulator serve" in line][0]
    assert command.split() == [f"{tmp_path}/venv/bin/lms-emulator", "serve"]  # LMS_EMULATOR_PORT=... applies
    given = [line for line in _dry("serve", "PORT=18040", "SEED=7", tmp=tmp_path).splitlines()
             if "lms-emulator serve" in line][0]
    assert given.split()[1:] == ["serve", "--port", "18040", "--seed", "7"]


def test_make_test_runs_ruff_then_mypy_then_the_suite(tmp_path):
    lines = _dry("test", tmp=tmp_path).splitlines()
    steps = [next(i for i, line in enumerate(lines) if needle in line)
             for needle in ("bin/ruff check .", "-m mypy", "-m pytest")]
    assert steps == sorted(steps)


def test_only_the_slow_target_installs_its_extra(tmp_path):
    test = _dry("test", tmp=tmp_path)
    assert "mutmut" not in test and ",mutation]" not in test and "tools/mutation.py" not in test
    mutation = _dry("mutation", tmp=tmp_path)
    assert "pip install -q -e '.[test,mutation]'" in mutation and "tools/mutation.py" in mutation


def _old_python(tmp: Path) -> Path:
    """A 'python' that says it is 3.9 (the real one underneath)."""
    fake = tmp / "python3.9"
    fake.write_text('#!/bin/sh\nexec python3 -c "import sys; code = sys.argv.pop(1); sys.version_info = (3, 9, 18); '
                    'exec(code)" "$2" "$3"\n')
    fake.chmod(0o755)
    return fake


def test_an_old_python_is_refused_before_a_venv_is_made(tmp_path):
    run = subprocess.run(["make", "install", f"VENV={tmp_path}/venv", f"PYTHON={_old_python(tmp_path)}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and not (tmp_path / "venv").exists()
    assert "lms-emulator needs Python 3.10 or newer" in run.stderr and "make PYTHON=python3.12 install" in run.stderr


def test_a_venv_an_old_python_made_is_named_with_the_way_out(tmp_path):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").symlink_to(_old_python(tmp_path))
    run = subprocess.run(["make", "install", f"VENV={tmp_path}/venv"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode != 0 and "Run 'make clean' to remove" in run.stderr


def test_make_clean_removes_the_venv(tmp_path):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    assert _dry("clean", tmp=tmp_path).split()[:3] == ["rm", "-rf", f"{tmp_path}/venv"]
