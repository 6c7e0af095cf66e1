"""Threads that write and then list, against a live server: every list that follows a write's answer shows it.

Lists are answered in front of Flask, from the page cache or computed under the tenant's lock
(the page step, ``core.pipeline.PageStep``); writes go through Flask. Each thread owns a learner, enrolls them
in a course and
reads their enrollments back with a query of its own (so that most reads miss the cache), then un-enrolls and
reads again, while another thread keeps reading every learner's pages. No 5xx, every answer valid, and no read
ever misses the write its thread was answered for.
"""
from __future__ import annotations

import random
import threading
from urllib.parse import quote

import requests

from emulator.core.contract import validate
from emulator.testing import EmulatorServer

from .vendor_api import absorb_admin_headers

WRITERS, ROUNDS = 6, 15
QUERIES = ["_limit=1000", "_limit=1000&_sort=-dateEdited", "_filter=" + quote("isActive eq true") + "&_limit=1000",
           "_limit=1000&_sort=courseName,-progress", "_filter=" + quote("progress ge 0") + "&_limit=500&_offset=0"]


def test_every_list_after_a_write_shows_it_while_others_read():
    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        headers = absorb_admin_headers(base, world.api_key)
        learners = [u.id for u in world.users.values() if not u.is_admin][:WRITERS + 4]
        courses = [c.id for c in world.courses.values() if not c.is_ilc and not c.multi_session]
        problems: list[str] = []
        done = threading.Event()

        def listed(s: requests.Session, user: str, query: str) -> dict[str, bool]:
            r = s.get(f"{base}/users/{user}/enrollments?{query}")
            if r.status_code != 200:
                problems.append(f"list {user} {query}: {r.status_code} {r.text[:200]}")
                return {}
            validate("absorb", "user-course-enrollment-page", r.json())
            return {e["id"]: e["isActive"] for e in r.json()["enrollments"]}

        def writer(n: int) -> None:
            rng, s, user = random.Random(n), requests.Session(), learners[n]
            s.headers.update(headers)
            for _ in range(ROUNDS):
                course = rng.choice(courses)
                r = s.post(f"{base}/users/{user}/enrollments/{course}", params={"reEnroll": "true"})
                if r.status_code != 201:
                    problems.append(f"enroll: {r.status_code} {r.text[:200]}")
                    continue
                enrollment = r.json()["enrollmentId"]
                seen = listed(s, user, rng.choice(QUERIES))
                if seen.get(enrollment) is not True:
                    problems.append(f"enrollment {enrollment} not listed active right after its 201")
                r = s.post(f"{base}/enrollments/unenroll", json=[enrollment])
                if r.status_code != 204:
                    problems.append(f"unenroll: {r.status_code} {r.text[:200]}")
                    continue
                if enrollment in listed(s, user, rng.choice(QUERIES)):
                    problems.append(f"enrollment {enrollment} still listed right after its un-enroll's 204")

        def reader() -> None:
            rng, s = random.Random(99), requests.Session()
            s.headers.update(headers)
            while not done.is_set():
                listed(s, rng.choice(learners), rng.choice(QUERIES))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        readers = [threading.Thread(target=reader) for _ in range(2)]
        for t in threads + readers:
            t.start()
        for t in threads:
            t.join()
        done.set()
        for t in readers:
            t.join()
        assert not problems, problems[:5]
