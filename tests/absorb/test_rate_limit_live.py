"""Absorb's documented rate limit over real HTTP: a burst gets 429s with Retry-After, a client that backs off
recovers, and nothing is lost (a write answered 429 was not applied; one answered 201 was, once)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from emulator.core import contract
from emulator.testing import EmulatorServer

THREADS = 8


def _sessions(headers: dict[str, str]):
    """One keep-alive session per client thread."""
    local = threading.local()

    def get() -> requests.Session:
        if not hasattr(local, "s"):
            local.s = requests.Session()
            local.s.headers.update(headers)
        return local.s
    return get


def test_a_burst_of_400_is_limited_and_a_client_that_backs_off_loses_nothing():
    with EmulatorServer({"seed": 42, "rate_limit": "absorb"}) as server:
        admin = f"{server.url}/_emulator/tenants/default"
        world = server.store.tenants["default"].world("absorb")
        base = server.url + "/absorb"
        headers = {"x-api-key": world.api_key, "x-api-version": "2"}
        token = requests.post(f"{base}/authenticate", headers=headers, timeout=10,
                              json={"username": "admin", "password": "admin", "privateKey": world.api_key}).json()
        headers["Authorization"] = token
        learners = [u.id for u in world.users.values() if not u.is_admin]
        online = [c.id for c in world.courses.values() if not c.is_ilc]
        pairs = [(u, c) for u in learners for c in online if (u, c) not in world.active][:200]
        calls = [("POST", f"/users/{u}/enrollments/{c}") for u, c in pairs]
        calls += [("GET", f"/users/{learners[n % len(learners)]}/enrollments?_limit=5") for n in range(200)]
        calls = [calls[n // 2] if n % 2 == 0 else calls[200 + n // 2] for n in range(400)]  # writes and reads mixed

        # The tenant's clock stands still: no token comes back, so the count is exact on any machine.
        assert requests.post(f"{admin}/clock/freeze", json={}, timeout=10).status_code == 200
        limit = requests.get(f"{admin}/rate-limit", timeout=10).json()["absorb"]
        assert limit["enabled"] and limit["requestsPerSecond"] == 200 and limit["burst"] == 100
        available = int(limit["tokens"])  # a full bucket of 100 once the token's call has been refilled
        assert 99 <= available <= 100
        session = _sessions(headers)

        def send(call: tuple[str, str]) -> requests.Response:
            method, path = call
            return session().request(method, base + path, timeout=30)

        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            first = list(pool.map(send, calls))
        print(f"burst of {len(calls)} in {time.monotonic() - started:.2f}s")
        limited = [r for r in first if r.status_code == 429]
        assert len(limited) == len(calls) - available
        assert sorted({r.status_code for r in first}) == [200, 201, 429]
        for r in limited[:20]:
            assert int(r.headers["Retry-After"]) >= 1
            contract.validate("absorb", "error", r.json())
            assert r.json()["code"] == 429 and r.json()["term"] == "TooManyRequests"
        state = requests.get(f"{admin}/rate-limit", timeout=10).json()["absorb"]
        assert state["limited"] == len(limited) and state["admitted"] == available + 1
        journal = requests.get(f"{admin}/journal", params={"status": "429"}, timeout=10).json()["entries"]
        assert journal and all(e["rateLimited"] for e in journal)

        # Writes answered 429 were not applied; writes answered 201 were.
        enrolled = {(e["userId"], e["courseId"]) for e in
                    requests.get(f"{admin}/data.json", timeout=30).json()["absorb"]["enrollments"] if e["isActive"]}
        for (method, path), r in zip(calls, first, strict=True):
            if method == "POST":
                pair = tuple(path.split("/")[i] for i in (2, 4))
                assert (pair in enrolled) == (r.status_code == 201), (path, r.status_code)

        # Back off as a real client does: real time again, wait Retry-After, retry what was refused.
        assert requests.post(f"{admin}/clock/unfreeze", timeout=10).status_code == 200

        def with_backoff(call: tuple[str, str]) -> requests.Response:
            for _ in range(50):
                r = send(call)
                if r.status_code != 429:
                    return r
                time.sleep(int(r.headers["Retry-After"]))
            raise AssertionError(f"still limited after 50 tries: {call}")

        retried = [c for c, r in zip(calls, first, strict=True) if r.status_code == 429]
        with ThreadPoolExecutor(THREADS) as pool:
            second = list(pool.map(with_backoff, retried))
        assert {r.status_code for r, (m, _) in zip(second, retried,
                                                   strict=True) if m == "POST"} <= {201}  # no 422: none ran twice
        assert {r.status_code for r, (m, _) in zip(second, retried, strict=True) if m == "GET"} <= {200}
        after = [e for e in requests.get(f"{admin}/data.json", timeout=30).json()["absorb"]["enrollments"]
                 if e["isActive"] and (e["userId"], e["courseId"]) in set(pairs)]
        assert len(after) == len(pairs) == len({(e["userId"], e["courseId"]) for e in after})


def test_the_limit_is_off_by_default():
    with EmulatorServer({"seed": 42}) as server:
        state = requests.get(f"{server.url}/_emulator/tenants/default/rate-limit", timeout=10).json()
        assert state == {"absorb": {"enabled": False, "requestsPerSecond": 200.0, "burst": 100}}
        world = server.store.tenants["default"].world("absorb")
        with requests.Session() as s:
            codes = {s.get(f"{server.url}/absorb/my-enrollments", headers={"x-api-key": world.api_key},
                           timeout=10).status_code for _ in range(150)}
        assert codes == {401}  # no token, but never 429
