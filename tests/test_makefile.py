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
