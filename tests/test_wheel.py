"""The built wheel, installed into a fresh venv, works from a directory outside the checkout.

What a CI job or a user does with ``pip install lms-emulator``: the package data (schemas, fixtures, the
dashboard) must come from the installed package, not from the repository next to it. Kept fast: the wheel is
built with pip (the build backend comes from pip's cache), installed ``--no-deps`` into a venv without pip,
and that venv borrows this venv's site-packages for the dependencies only (a ``.pth`` line: the editable
install's own ``.pth`` there is not processed, so ``emulator`` can only come from the wheel).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the built wheel (plus this venv's dependencies on its path)."""
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"),
                            str(ROOT)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    assert "emulator.static.dashboard" not in build.stderr  # setuptools' "package would be ignored" warning
    (wheel,) = (work / "dist").glob("lms_emulator-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                              str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "_lms_emulator_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env = {k: v for k, v in env.items() if not k.startswith("LMS_EMULATOR_") or k == "LMS_EMULATOR_CACHE"}
    return env


def test_installed_wheel_serves_shipped_fixtures_schemas_and_dashboard(installed: Path, tmp_path: Path) -> None:
    python, cli = installed / "bin" / "python", installed / "bin" / "lms-emulator"
    where = subprocess.run([str(python), "-c", "import emulator; print(emulator.__file__)"], cwd=tmp_path,
                           env=_env(), capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(installed)), where  # the wheel's package, not the checkout
    port = _free_port()
    server = subprocess.Popen([str(cli), "serve", "--port", str(port), "--strict"], cwd=tmp_path, env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read()  # type: ignore
                time.sleep(0.1)
        names = {f["name"] for f in requests.get(base + "/_emulator/fixtures", timeout=10).json()["fixtures"]}
        assert {"learner-mid-course", "ilc-full-waitlist", "pearson-center-with-staff"} <= names
        created = requests.post(base + "/_emulator/tenants", json={"fixture": "learner-mid-course"}, timeout=30)
        assert created.status_code == 201, created.text
        tenant = created.json()
        assert tenant["fixture"] == "learner-mid-course"
        # strict mode validates every answer against the shipped schemas: a real vendor call passes it
        creds = tenant["absorb"]
        headers = {"x-api-key": creds["apiKey"], "x-api-version": "2"}
        token = requests.post(base + "/absorb/authenticate", headers=headers, timeout=10,
                              json={"username": creds["admin"]["username"], "password": creds["admin"]["password"],
                                    "privateKey": creds["apiKey"]})
        assert token.status_code == 200, token.text
        listed = requests.get(base + "/absorb/enrollments", headers={**headers, "Authorization": f"Bearer {token.json()}"},
                              timeout=10)
        assert listed.status_code == 200 and listed.json(), listed.text  # the fixture's enrollments
        page = requests.get(base + "/_emulator/", headers={"Accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and "/_emulator/static/dashboard.js" in page.text
        script = requests.get(base + "/_emulator/static/dashboard.js", timeout=10)
        assert script.status_code == 200 and "fetch(" in script.text
        spec = requests.get(base + "/absorb/openapi.json", timeout=10).json()
        assert "user-course-enrollment" in spec["components"]["schemas"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_wheel_lists_the_data_files_inside_the_package(installed: Path) -> None:
    (wheel,) = installed.parent.joinpath("dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "emulator/fixtures/learner-mid-course.json" in names
    assert "emulator/schemas/absorb/user-course-enrollment.json" in names
    assert "emulator/static/dashboard/index.html" in names
    assert not [n for n in names if ".data/data/" in n]  # no data-files copies under <prefix>/share
    assert json.loads(zipfile.ZipFile(wheel).read("emulator/fixtures/learner-mid-course.json"))["name"]
