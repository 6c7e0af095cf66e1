"""docs/CI.md and docs/compose.yaml: the recipes parse, name only real settings, and the plain one runs."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import yaml

from emulator.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
CI = (ROOT / "docs" / "CI.md").read_text(encoding="utf-8")
KNOWN = {ENV_PREFIX + f.name.upper() for f in fields(Settings)} | {ENV_PREFIX + "TLS_NAMES", ENV_PREFIX + "CACHE"}


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", CI, re.S)


def _settings_named(text: str) -> set[str]:
    return set(re.findall(r"LMS_EMULATOR_[A-Z_]+", text))


def test_every_variable_the_recipes_set_is_a_real_setting():
    named = _settings_named(CI) | _settings_named((ROOT / "docs" / "compose.yaml").read_text())
    assert named and named <= KNOWN, named - KNOWN


def test_the_yaml_recipes_parse_and_use_the_image_health_check():
    github, gitlab = (yaml.safe_load(block) for block in _blocks("yaml"))
    service = github["jobs"]["integration"]["services"]["lms-emulator"]
    assert service["ports"] == ["8080:8080"] and "python3 -m emulator.healthcheck" in service["options"]
    assert 'CMD ["python3", "-m", "emulator.healthcheck"]' in (ROOT / "Dockerfile").read_text()
    assert gitlab["integration"]["services"][0]["alias"] == "lms-emulator"
    assert gitlab["integration"]["variables"]["EMULATOR"] == "http://lms-emulator:8080"


def test_the_compose_file_builds_the_top_level_dockerfile():
    compose = yaml.safe_load((ROOT / "docs" / "compose.yaml").read_text())
    emulator = compose["services"]["lms-emulator"]
    assert (ROOT / "docs" / emulator["build"] / "Dockerfile").is_file()
    assert emulator["ports"] == ["127.0.0.1:8080:8080"]
    assert compose["services"]["frontend"]["depends_on"]["lms-emulator"]["condition"] == "service_healthy"
    assert emulator["volumes"][0].endswith(":/var/lib/lms-emulator")


def test_the_plain_recipe_runs_as_written(tmp_path):
    """The sh block, on a free port, with the package already installed (the pip line is left out)."""
    block = _blocks("sh")[0]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lines = [line for line in block.splitlines() if "pip install" not in line]
    script = "set -euo pipefail\n" + "\n".join(lines).replace("8080", str(port)) + "\n" \
        + 'curl -sf "$EMULATOR/absorb/users" -o /dev/null -w "%{http_code}\\n" || true\nkill %1\nwait\n'
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    run = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr
    log = (tmp_path / "lms-emulator.log").read_text()
    assert f"listening on http://127.0.0.1:{port}" in log
    assert re.search(r" GET /_emulator/tenants/default 200 default ", log)  # the request log, in the job's log
    assert re.search(r" GET /absorb/users 401 - ", log)
