"""The built wheel, installed into a fresh venv, works from a directory outside the checkout.

What a CI job or a user does with ``pip install lms-emulator``: the package data (schemas, fixtures, the
dashboard) must come from the installed package, not from the repository next to it. Kept fast: the wheel is
built with pip (the build backend comes from pip's cache), installed ``--no-deps`` into a venv without pip,
and that venv borrows this venv's site-packages for the dependencies only (a ``.pth`` line: the editable
install's own ``.pth`` there is not processed, so ``emulator`` can only come from the wheel).
"""
from __future__ import annotations

import fcntl
import json
import re
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.slow  # builds and installs the wheel in a venv of its own


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the built wheel (plus this venv's dependencies on its path)."""
    work = tmp_path_factory.mktemp("wheel")
    # setuptools builds in the checkout's build/: two xdist workers that both need this fixture (the module's
    # tests split between them) would collide there ("File exists: build/bdist..."), so they take turns.
    with open(tmp_path_factory.getbasetemp().parent / "wheel-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
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


def _run(installed: Path, cwd: Path, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(installed / "bin" / args[0]), *args[1:]], cwd=cwd, env={**_env(), **kw.pop("env", {})},
                          capture_output=True, text=True, timeout=120, **kw)


def test_installed_wheel_serves_shipped_fixtures_schemas_and_dashboard(installed: Path, tmp_path: Path) -> None:
    where = _run(installed, tmp_path, "python", "-c", "import emulator; print(emulator.__file__)").stdout.strip()
    assert where.startswith(str(installed)), where  # the wheel's package, not the checkout
    # a free port, the default tenant from a shipped fixture by name, strict mode over the shipped schemas,
    # and the credentials as one JSON line (which says where the server listens)
    server = subprocess.Popen([str(installed / "bin" / "lms-emulator"), "serve", "--port", "0", "--strict",
                               "--fixtures", "learner-mid-course", "--print-credentials=json"],
                              cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        started = json.loads(server.stdout.readline())  # type: ignore[union-attr]
        base = started["url"]
        default = requests.get(base + "/_emulator/tenants/default", timeout=10).json()
        assert default["fixture"] == "learner-mid-course" and started["absorb"]["apiKey"] == default["absorb"]["apiKey"]
        names = {f["name"] for f in requests.get(base + "/_emulator/fixtures", timeout=10).json()["fixtures"]}
        assert {"learner-mid-course", "ilc-full-waitlist", "pearson-center-with-staff"} <= names
        created = requests.post(base + "/_emulator/tenants", json={"fixture": "ilc-full-waitlist",
                                                                   "anchor": "2030-01-01T00:00:00Z"}, timeout=30)
        assert created.status_code == 201, created.text
        tenant = created.json()
        assert tenant["fixture"] == "ilc-full-waitlist" and tenant["anchor"] == "2030-01-01T00:00:00Z"
        # strict mode validates every answer against the shipped schemas: a real vendor call passes it
        creds = tenant["absorb"]
        headers = {"x-api-key": creds["apiKey"], "x-api-version": "2"}
        token = requests.post(base + "/absorb/authenticate", headers=headers, timeout=10,
                              json={"username": creds["admin"]["username"], "password": creds["admin"]["password"],
                                    "privateKey": creds["apiKey"]})
        assert token.status_code == 200, token.text
        learner = creds["learners"][0]["userId"]
        listed = requests.get(f"{base}/absorb/users/{learner}/enrollments", timeout=10,
                              headers={**headers, "Authorization": f"Bearer {token.json()}"})
        assert listed.status_code == 200 and "X-Emulator-Contract-Violations" not in listed.headers, listed.text
        page = requests.get(base + "/_emulator/", headers={"Accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and "/_emulator/static/dashboard.js" in page.text
        assert re.search(r'<button[^>]*id="token-button"[^>]*hidden', page.text)  # shown only after a 401
        script = requests.get(base + "/_emulator/static/dashboard.js", timeout=10)
        assert script.status_code == 200 and "fetch(" in script.text
        spec = requests.get(base + "/absorb/openapi.json", timeout=10).json()
        assert "user-course-enrollment" in spec["components"]["schemas"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_installed_command_line_conventions(installed: Path, tmp_path: Path) -> None:
    version = _run(installed, tmp_path, "python", "-m", "emulator", "--version")
    assert version.returncode == 0 and version.stdout.startswith("lms-emulator ")
    assert "LMS_EMULATOR_PORT" in _run(installed, tmp_path, "lms-emulator", "serve", "--help").stdout
    bad = _run(installed, tmp_path, "lms-emulator", "serve", env={"LMS_EMULATOR_PORT": "xyz"})
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "LMS_EMULATOR_PORT" in bad.stderr
    missing = _run(installed, tmp_path, "lms-emulator", "serve", "--fixtures", "nope.json")
    assert missing.returncode == 2 and "--fixtures" in missing.stderr
    # the Procfile's server prints the same start-up output from its worker
    gunicorn = subprocess.Popen([str(installed / "bin" / "python"), "-m", "gunicorn",
                                 "-c", "python:emulator.gunicorn_conf", "--bind", "127.0.0.1:0", "--threads", "2",
                                 "emulator:create_app()"], cwd=tmp_path,
                                env={**_env(), "LMS_EMULATOR_PRINT_CREDENTIALS": "json"}, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
    try:
        url = json.loads(gunicorn.stdout.readline())["url"]  # type: ignore[union-attr]
        assert requests.get(url + "/_emulator/fixtures", timeout=10).json()["fixtures"]
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    piped = subprocess.run(f"'{installed}/bin/lms-emulator' openapi absorb | head -c 10", shell=True, cwd=tmp_path,
                           env=_env(), capture_output=True, text=True, timeout=120, executable="/bin/bash")
    assert piped.stdout.startswith("{") and "Traceback" not in piped.stderr, piped.stderr


def test_installed_testing_helpers_without_pytest_and_the_plugin(installed: Path, tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pytest'] = None\n"
            "from emulator.testing import EmulatorServer, EmulatorHTTPError\n"
            "with EmulatorServer() as s:\n"
            "    try:\n"
            "        s.create_tenant(fixture='nope')\n"
            "    except EmulatorHTTPError as exc:\n"
            "        print(exc.status, exc.message)\n")
    run = _run(installed, tmp_path, "python", "-c", code)
    assert run.returncode == 0 and run.stdout.startswith("400 fixture: no fixture named 'nope'"), run.stderr
    (tmp_path / "pytest.ini").write_text("[pytest]\nlms_emulator_anchor = 2031-05-01T00:00:00Z\n")
    (tmp_path / "test_mine.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.lms_tenant(fixture='pearson-center-with-staff')\n"
        "def test_it(lms_tenant):\n"
        "    assert lms_tenant.info['anchor'] == '2031-05-01T00:00:00Z'\n"
        "    assert lms_tenant.info['fixture'] == 'pearson-center-with-staff'\n")
    run = _run(installed, tmp_path, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               "-p", "no:schemathesis", "-p", "no:hypothesispytest")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout + run.stderr


def test_the_wheel_lists_the_data_files_inside_the_package(installed: Path) -> None:
    (wheel,) = installed.parent.joinpath("dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "emulator/fixtures/learner-mid-course.json" in names
    assert "emulator/schemas/absorb/user-course-enrollment.json" in names
    assert "emulator/static/dashboard/index.html" in names
    assert not [n for n in names if ".data/data/" in n]  # no data-files copies under <prefix>/share
    assert json.loads(zipfile.ZipFile(wheel).read("emulator/fixtures/learner-mid-course.json"))["name"]
    assert [n for n in names if n.endswith(".dist-info/LICENSE") or "/licenses/LICENSE" in n]  # MIT, as declared
