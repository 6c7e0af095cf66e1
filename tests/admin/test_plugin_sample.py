"""A sample of a user's own test using the pytest plugin: only the ``lms_tenant`` fixture.

``lms_tenant`` is a fresh isolated tenant on a live emulator (one server per
test session / xdist worker), deleted after the test. ``lms_tenant.absorb()``
is a ready-authenticated ``requests.Session`` for the tenant's Absorb portal.
"""
from __future__ import annotations

import subprocess
import sys

import pytest


def test_enroll_a_learner_and_see_it_in_their_list(lms_tenant):
    absorb = lms_tenant.absorb()
    base = lms_tenant.info["baseUrls"]["absorb"]
    learner = lms_tenant.info["absorb"]["learners"][0]["userId"]
    data = lms_tenant.data()["absorb"]
    mine = {e["courseId"] for e in data["enrollments"] if e["userId"] == learner}
    course = next(c["id"] for c in data["courses"] if c["courseType"] == "OnlineCourse" and c["id"] not in mine)

    created = absorb.post(f"{base}/users/{learner}/enrollments/{course}")
    assert created.status_code == 201

    listed = absorb.get(f"{base}/users/{learner}/enrollments", params={"_limit": 100}).json()
    assert course in {e["courseId"] for e in listed["enrollments"]}


def test_a_rate_limited_call_has_retry_after(lms_tenant):
    lms_tenant.admin("POST", "/faults", json={"path": "/absorb/bulk/student-courses", "rateLimit": {"retryAfter": 2},
                                              "count": 1}).raise_for_status()
    resp = lms_tenant.absorb().get(f"{lms_tenant.info['baseUrls']['absorb']}/bulk/student-courses")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "2"


@pytest.mark.lms_tenant(seed=7, anchor="2030-01-01T00:00:00Z", fixture="learner-mid-course")
def test_a_pinned_tenant_from_the_marker(lms_tenant):
    assert lms_tenant.info["seed"] == 7 and lms_tenant.info["fixture"] == "learner-mid-course"
    assert lms_tenant.info["anchor"] == "2030-01-01T00:00:00Z" and lms_tenant.info["clock"]["frozen"]


def test_a_separate_project_pins_seed_and_anchor_in_its_ini(tmp_path):
    """What a user's own project does: only the installed plugin, settings in its pytest.ini."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nlms_emulator_seed = 9\n"
                                         "lms_emulator_anchor = 2031-05-01T00:00:00Z\n")
    (tmp_path / "test_mine.py").write_text(
        "def test_it(lms_tenant, lms_emulator):\n"
        "    assert lms_tenant.info['seed'] == 9 and lms_tenant.info['anchor'] == '2031-05-01T00:00:00Z'\n"
        "    import requests\n"
        "    default = requests.get(lms_emulator.url + '/_emulator/tenants/default', timeout=10).json()\n"
        "    assert default['anchor'].startswith('2031-05-01')  # the server's own default tenant too\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                         "-p", "no:schemathesis", "-p", "no:hypothesispytest"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
