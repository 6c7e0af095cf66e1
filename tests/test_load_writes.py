"""16 threads x 200 mixed writes against a live server: nothing lost, no duplicate active enrollments, no 5xx."""
from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
import requests

from emulator.testing import EmulatorServer

from .vendor_api import absorb_admin_headers

THREADS, OPERATIONS = 16, 200
pytestmark = pytest.mark.slow  # 3,200 writes over HTTP


def test_concurrent_enroll_unenroll_attempts_keep_a_consistent_world():
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        headers = absorb_admin_headers(base, world.api_key)
        learners = [u.id for u in world.users.values() if not u.is_admin]
        courses = [c for c in world.courses.values() if not c.is_ilc]
        statuses: Counter[int] = Counter()
        acknowledged: dict[str, set[str]] = {"enrolled": set(), "unenrolled": set(), "finished": set()}
        lock = threading.Lock()

        def worker(n: int) -> None:
            rng = random.Random(n)
            s = requests.Session()
            s.headers.update(headers)
            for _ in range(OPERATIONS):
                user, course = rng.choice(learners), rng.choice(courses)
                kind = rng.random()
                if kind < 0.45:
                    r = s.post(f"{base}/users/{user}/enrollments/{course.id}", params={"reEnroll": "true"})
                    if r.status_code == 201:
                        with lock:
                            acknowledged["enrolled"].add(r.json()["enrollmentId"])
                elif kind < 0.7:
                    r = s.get(f"{base}/users/{user}/enrollments/{course.id}")
                    if r.status_code == 200:
                        r = s.post(f"{base}/enrollments/unenroll", json=[r.json()["id"]])
                        if r.status_code == 204:
                            with lock:
                                acknowledged["unenrolled"].add(r.request.body.decode()[2:-2])
                else:
                    lesson = world.chapters[course.chapter_ids[0]].lesson_ids[0]
                    r = s.post(f"{base}/users/{user}/enrollments/{course.id}/lessons/{lesson}/attempts")
                    if r.status_code == 200:
                        attempt = r.json()["attemptId"]
                        r = s.put(f"{base}/attempts/{attempt}", json={"status": 3, "score": 75})
                        if r.status_code == 200:
                            with lock:
                                acknowledged["finished"].add(attempt)
                with lock:
                    statuses[r.status_code] += 1

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert not [code for code in statuses if code >= 500], statuses
        assert sum(statuses.values()) == THREADS * OPERATIONS
        # nothing acknowledged was lost
        for enrollment_id in acknowledged["enrolled"] - acknowledged["unenrolled"]:
            assert enrollment_id in world.enrollments
        for enrollment_id in acknowledged["unenrolled"]:
            assert enrollment_id not in world.enrollments
        for attempt_id in acknowledged["finished"]:
            attempt = world.attempts.get(attempt_id)
            if attempt is not None:  # its enrollment may have been un-enrolled since
                assert attempt.status == 3
        # one active enrollment per (user, course), and the index agrees with the data
        active = Counter((e.user_id, e.course_id) for e in world.enrollments.values() if e.is_active)
        assert max(active.values()) == 1
        assert {k for k in active} == set(world.active)
