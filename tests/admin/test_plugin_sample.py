"""A sample of a user's own test using the pytest plugin: only the ``lms_tenant`` fixture.

``lms_tenant`` is a fresh isolated tenant on a live emulator (one server per
test session / xdist worker), deleted after the test. ``lms_tenant.absorb()``
is a ready-authenticated ``requests.Session`` for the tenant's Absorb portal.
"""
from __future__ import annotations


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
