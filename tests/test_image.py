"""The container image (``Dockerfile``): built with buildah, started, and a first answer from each vendor and
the dashboard.

No daemon and no image registry are needed: buildah builds and runs with ``--isolation chroot``, and the base
image is made from Debian packages with mmdebstrap (a plain Debian with ``python3``, the harder of the two bases
the Dockerfile supports), kept in buildah's storage for the next run. ``LMS_EMULATOR_TEST_BASE_IMAGE`` names
another base instead (``python:3.12-slim`` where a registry is reachable). The host's certificate authorities
are lent to the build's steps (``-v /etc/ssl/certs:/etc/ssl/certs:ro``, for a TLS proxy in front of PyPI), never
copied into the image.

Marked ``image``: it runs where buildah and mmdebstrap are installed and the user is root (CI: ``.ci/run``
installs them), and skips elsewhere; ``make test PYTEST_ARGS='-m "not image"'`` leaves it out.
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from emulator.testing import stop_process

pytestmark = [pytest.mark.image, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
STORAGE = Path(os.environ.get("LMS_EMULATOR_TEST_IMAGE_STORAGE", "/var/tmp/lms-emulator-buildah"))
BASE = "localhost/lms-emulator-base:bookworm"
IMAGE = "localhost/lms-emulator:test"
HOST_CAS = Path("/etc/ssl/certs")


def _storage(driver: str) -> list[str]:
    """buildah's options for its own storage here, one directory per driver."""
    return ["--root", str(STORAGE / driver / "root"), "--runroot", str(STORAGE / driver / "run"), "--storage-driver",
            driver]


@functools.cache
def _driver() -> str:
    """overlay where the kernel lets buildah mount it (layers shared, fast), else vfs (a full copy per layer and
    per container: minutes slower, works anywhere). ``LMS_EMULATOR_TEST_STORAGE_DRIVER`` chooses."""
    chosen = os.environ.get("LMS_EMULATOR_TEST_STORAGE_DRIVER")
    if chosen:
        return chosen
    probe = subprocess.run(["buildah", *_storage("overlay"), "from", "--quiet", "scratch"], capture_output=True,
                           text=True, timeout=120)
    if probe.returncode != 0:
        return "vfs"
    container = probe.stdout.strip()
    mounted = subprocess.run(["buildah", *_storage("overlay"), "mount", container], capture_output=True, timeout=120)
    subprocess.run(["buildah", *_storage("overlay"), "rm", container], capture_output=True, timeout=120)
    return "overlay" if mounted.returncode == 0 else "vfs"


def _buildah(*args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = ["buildah", *_storage(_driver()), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                             f"{done.stderr[-3000:]}")
    return done


def _base_image() -> str:
    """The base: ``LMS_EMULATOR_TEST_BASE_IMAGE``, else Debian bookworm with python3 made by mmdebstrap."""
    named = os.environ.get("LMS_EMULATOR_TEST_BASE_IMAGE")
    if named:
        return named
    if _buildah("images", "--quiet", BASE, check=False).returncode == 0:
        return BASE
    if shutil.which("mmdebstrap") is None:
        pytest.skip("mmdebstrap is not installed (apt-get install mmdebstrap), nor LMS_EMULATOR_TEST_BASE_IMAGE set")
    with tempfile.TemporaryDirectory() as work:
        tarball = Path(work) / "base.tar"
        subprocess.run(["mmdebstrap", "--quiet", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
                        "bookworm", str(tarball)], check=True, capture_output=True, timeout=1200)
        container = _buildah("from", "scratch").stdout.strip()
        try:
            _buildah("add", container, str(tarball), "/")
            _buildah("commit", "--quiet", container, BASE)
        finally:
            _buildah("rm", container, check=False)
    return BASE


@pytest.fixture(scope="module")
def image() -> str:
    if shutil.which("buildah") is None:
        pytest.skip("buildah is not installed (apt-get install buildah mmdebstrap)")
    if os.geteuid() != 0:
        pytest.skip("the image test runs buildah as root (CI does)")
    base = _base_image()
    build = ["bud", "--isolation", "chroot", "--format", "docker", "--build-arg", f"BASE_IMAGE={base}",
             "--tag", IMAGE]
    if (HOST_CAS / "ca-certificates.crt").is_file():
        build += ["--volume", f"{HOST_CAS}:{HOST_CAS}:ro", "--build-arg", f"PIP_CERT={HOST_CAS}/ca-certificates.crt"]
    _buildah(*build, str(ROOT))
    return IMAGE


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Running:
    """The image's default command in a buildah container (the host's network, as ``--isolation chroot``)."""

    def __init__(self, image: str, port: int, env: dict[str, str] | None = None) -> None:
        self.container = _buildah("from", "--quiet", image).stdout.strip()
        self.port, self.output, self.ready = port, [], threading.Event()
        options = [f"--env=LMS_EMULATOR_PORT={port}", *[f"--env={k}={v}" for k, v in (env or {}).items()]]
        command = ["buildah", *_storage(_driver()), "run", "--isolation", "chroot", *options, self.container, "--",
                   "lms-emulator", "serve"]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if "bound to every address" in line:  # the start-up output's last line (bound to 0.0.0.0)
                self.ready.set()
        self.ready.set()

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return _buildah("run", "--isolation", "chroot", f"--env=LMS_EMULATOR_PORT={self.port}", self.container, "--",
                        *command, check=False, timeout=60)

    def stop(self) -> None:
        stop_process(self.proc)
        _buildah("rm", self.container, check=False)


def test_the_image_starts_and_answers_each_vendor_and_the_dashboard(image):
    config = json.loads(_buildah("inspect", "--type", "image", image).stdout)
    docker = config["Docker"]["config"]
    assert docker["User"] == "lms" and "LMS_EMULATOR_HOST=0.0.0.0" in docker["Env"]
    assert docker["Healthcheck"]["Test"][-3:] == ["python3", "-m", "emulator.healthcheck"]
    assert "/var/lib/lms-emulator" in docker["Volumes"]
    started = time.perf_counter()
    running = Running(image, _free_port())
    try:
        assert running.ready.wait(120), "".join(running.output)
        first_answer = time.perf_counter() - started
        url = f"http://127.0.0.1:{running.port}"
        banner = "".join(running.output)
        assert f"listening on {url} " in banner and "bound to every address (0.0.0.0)" in banner
        key = re.search(r"x-api-key\s+(\S+)", banner).group(1)
        token = requests.post(f"{url}/absorb/authenticate", headers={"x-api-key": key}, timeout=30,
                              json={"username": "admin", "password": "admin", "privateKey": key})
        assert token.status_code == 200, token.text
        users = requests.get(f"{url}/absorb/users", headers={"x-api-key": key, "Authorization": token.json()},
                             params={"_limit": 1}, timeout=30)
        assert users.status_code == 200 and len(users.json()["users"]) == 1
        client = re.search(r"client\s+(\S+) / (\S+)", banner)
        ispring = requests.post(f"{url}/ispring/api/v3/token", timeout=30, data={
            "client_id": client.group(1), "client_secret": client.group(2), "grant_type": "client_credentials"})
        assert ispring.status_code == 200 and ispring.json()["access_token"]
        student = re.search(r'"userId": "([0-9a-f-]{36})"', banner).group(1)
        pearson = requests.post(f"{url}/_emulator/tenants/default/pearson/tokens", json={"userId": student},
                                timeout=30).json()["token"]
        sessions = requests.get(f"{url}/pearson/users/{student}/sessions", timeout=30,
                                headers={"Authorization": f"Bearer {pearson}"})
        assert sessions.status_code == 200
        dashboard = requests.get(f"{url}/_emulator/", headers={"Accept": "text/html"}, timeout=30)
        assert dashboard.status_code == 200 and "text/html" in dashboard.headers["Content-Type"]
        assert running.run("python3", "-m", "emulator.healthcheck").returncode == 0
        assert running.run("id", "-u").stdout.strip() == "10001"  # not root
        time.sleep(0.3)
        assert re.search(r" GET /absorb/users\?_limit=1 200 default ", "".join(running.output))  # the request log
        print(f"image ({_driver()} storage): first answer {first_answer:.2f} s after start")
    finally:
        running.stop()
