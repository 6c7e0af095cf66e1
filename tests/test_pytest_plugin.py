"""The pytest plugin as a user's suite meets it: in a separate project directory, run by a fresh pytest."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SUITE = '''
import pytest


def test_every_helper(lms_emulator, lms_tenant):
    assert lms_tenant.url == lms_emulator.url and lms_emulator.url.startswith(EXPECTED)
    learner = lms_tenant.info["absorb"]["learners"][0]
    assert lms_tenant.absorb().get(lms_tenant.url + "/absorb/users", timeout=30).status_code == 200
    assert lms_tenant.absorb(learner["username"], "learner").get(
        lms_tenant.url + "/absorb/my-enrollments", timeout=30).status_code == 200
    assert lms_tenant.ispring().get(lms_tenant.url + "/ispring/departments", timeout=30).status_code == 200
    student = lms_tenant.info["pearson"]["users"][0]["id"]
    assert lms_tenant.pearson(student).get(
        f"{lms_tenant.url}/pearson/users/{student}/encounters", timeout=30).status_code == 200
    assert lms_tenant.admin("POST", "/clock/freeze", json={"at": "2030-01-01T00:00:00Z"}).status_code == 200
    assert lms_tenant.data()["absorb"]["users"]


def test_no_faker_fixture(request):
    with pytest.raises(pytest.FixtureLookupError):
        request.getfixturevalue("faker")
'''


def _run(tmp_path: Path, *args: str, expected: str = "http://") -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_suite.py").write_text(f"EXPECTED = {expected!r}\n" + SUITE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_a_users_suite_gets_every_helper_and_no_faker_fixture(tmp_path):
    run = _run(tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout


def test_the_plugin_serves_https_when_asked_and_faker_comes_back_with_p_faker(tmp_path):
    run = _run(tmp_path, "--lms-emulator-tls", "-p", "faker", expected="https://")
    assert "1 failed, 1 passed" in run.stdout, run.stdout[-3000:]  # the faker fixture is there again
    assert "test_no_faker_fixture" in run.stdout and "DID NOT RAISE" in run.stdout
