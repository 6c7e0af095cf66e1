"""Fault rules through HTTP: vendor-shaped errors, counts, rate limits, bodies, delays, drops, bad rules."""
from __future__ import annotations

import time

import pytest
import requests

from emulator.testing import EmulatorServer

from tests.vendor_api import AbsorbApi


def _add(client, tid, **rule):
    resp = client.post(f"/_emulator/tenants/{tid}/faults", json=rule)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_a_rule_fails_the_next_matching_call_in_absorbs_shape_then_disappears(client, tenant):
    tid = tenant["id"]
    headers = AbsorbApi.of_info(client, tenant).login().headers
    user_id, _ = AbsorbApi.learner_and_course(client, tid)
    rule = _add(client, tid, vendor="absorb", method="GET", path="/absorb/users/*/enrollments", status=503, count=1)
    assert rule["id"] and rule["count"] == 1

    other = client.get("/absorb/bulk/student-courses", headers=headers)  # does not match the glob
    assert other.status_code == 200
    failed = client.get(f"/absorb/users/{user_id}/enrollments", headers=headers)
    assert failed.status_code == 503
    body = failed.get_json()
    assert set(body) == {"validations", "code", "message", "term", "_meta"} and body["code"] == 503
    assert client.get(f"/_emulator/tenants/{tid}/faults").get_json()["faults"] == []
    assert client.get(f"/absorb/users/{user_id}/enrollments", headers=headers).status_code == 200
    journal = client.get(f"/_emulator/tenants/{tid}/journal?status=503").get_json()["entries"]
    assert journal[0]["fault"] == rule["id"]


def test_rate_limit_has_retry_after(client, tenant):
    _add(client, tenant["id"], path="/absorb/**", rateLimit={"retryAfter": 5}, count=2)
    headers = {"x-api-key": tenant["absorb"]["apiKey"], "x-api-version": "2"}
    for _ in range(2):
        resp = client.get("/absorb/bulk/student-courses", headers=headers)
        assert resp.status_code == 429 and resp.headers["Retry-After"] == "5"
        assert resp.get_json()["term"] == "TooManyRequests"
    assert client.get("/absorb/bulk/student-courses", headers=headers).status_code == 401  # rule spent: no token


def test_a_rule_body_is_answered_as_is(client, tenant):
    _add(client, tenant["id"], path="/absorb/authenticate", status=500, body={"oops": True})
    key = tenant["absorb"]["apiKey"]
    resp = client.post("/absorb/authenticate", json={"username": "admin", "password": "admin", "privateKey": key},
                       headers={"x-api-key": key, "x-api-version": "2"})
    assert resp.status_code == 500 and resp.get_json() == {"oops": True}


def test_faults_belong_to_their_tenant(client, new_tenant):
    a, b = new_tenant(), new_tenant()
    _add(client, a["id"], path="/absorb/**", status=500)
    headers_b = AbsorbApi.of_info(client, b).login().headers
    assert client.get("/absorb/bulk/student-courses", headers=headers_b).status_code == 200


def test_probability_zero_never_fires_and_rules_can_be_removed(client, tenant):
    tid = tenant["id"]
    never = _add(client, tid, path="/absorb/**", status=500, probability=0)
    headers = AbsorbApi.of_info(client, tenant).login().headers
    for _ in range(5):
        assert client.get("/absorb/bulk/student-courses", headers=headers).status_code == 200
    assert client.delete(f"/_emulator/tenants/{tid}/faults/{never['id']}").status_code == 204
    assert client.delete(f"/_emulator/tenants/{tid}/faults/{never['id']}").status_code == 404
    _add(client, tid, path="/absorb/**", status=500)
    _add(client, tid, path="/absorb/**", status=502)
    assert client.delete(f"/_emulator/tenants/{tid}/faults").status_code == 204
    assert client.get("/absorb/bulk/student-courses", headers=headers).status_code == 200


def test_probability_is_seeded_per_tenant(client, new_tenant):
    outcomes = []
    for _ in range(2):
        info = new_tenant(id=f"p-{len(outcomes)}", seed=3)
        client.post(f"/_emulator/tenants/{info['id']}/faults", json={"path": "/absorb/**", "status": 500,
                                                                      "probability": 0.5})
        headers = {"x-api-key": info["absorb"]["apiKey"], "x-api-version": "2"}
        outcomes.append([client.get("/absorb/bulk/student-courses", headers=headers).status_code for _ in range(20)])
    assert {500, 401} <= set(outcomes[0])


def test_delay(client, tenant):
    _add(client, tenant["id"], path="/absorb/bulk/student-courses", delayMs=150, count=1)
    headers = {"x-api-key": tenant["absorb"]["apiKey"], "x-api-version": "2"}
    started = time.perf_counter()
    assert client.get("/absorb/bulk/student-courses",
                      headers=headers).status_code == 401  # delayed, then handled normally
    assert time.perf_counter() - started >= 0.15


def test_drop_in_process_raises_connection_aborted(client, tenant):
    _add(client, tenant["id"], path="/absorb/**", drop=True, count=1)
    with pytest.raises(ConnectionAbortedError):
        client.get("/absorb/bulk/student-courses", headers={"x-api-key": tenant["absorb"]["apiKey"],
                                                            "x-api-version": "2"})


def test_drop_closes_the_connection_on_a_live_server():
    with EmulatorServer() as server:
        tenant = server.create_tenant()
        session = tenant.absorb()
        tenant.admin("POST", "/faults", json={"path": "/absorb/bulk/student-courses", "drop": True,
                                              "count": 1}).raise_for_status()
        with pytest.raises(requests.exceptions.ConnectionError):
            session.get(f"{server.url}/absorb/bulk/student-courses", timeout=5)
        assert session.get(f"{server.url}/absorb/bulk/student-courses", timeout=5).status_code == 200
        dropped = tenant.admin("GET", "/journal?path=/absorb/bulk/student-courses").json()["entries"][0]
        assert dropped["dropped"] is True and dropped["status"] is None


@pytest.mark.parametrize("rule, words", [
    ({"path": "/absorb/[x", "status": 500}, "glob"),
    ({"path": "absorb/*", "status": 500}, "glob"),
    ({"path": "/absorb**************q", "status": 500}, "***"),  # backtracked for seconds per call
    ({"path": "/absorb/" + "a" * 600, "status": 500}, "longer than"),
    ({"path": "/absorb/" + "*/" * 40, "status": 500}, "wildcards"),
    ({"status": 500}, "path"),
    ({"path": "/absorb/*", "vendor": "moodle", "status": 500}, "unknown vendor"),
    ({"path": "/absorb/*", "status": 500, "probability": 1.5}, "probability"),
    ({"path": "/absorb/*", "status": 200}, "status"),
    ({"path": "/absorb/*", "status": 302}, "status"),
    ({"path": "/absorb/*", "status": "500"}, "status"),
    ({"path": "/absorb/*", "status": 500, "count": 0}, "count"),
    ({"path": "/absorb/*", "delayMs": -1}, "delayMs"),
    ({"path": "/absorb/*", "method": "FETCH", "status": 500}, "method"),
    ({"path": "/absorb/*"}, "effect"),
    ({"path": "/absorb/*", "rateLimit": {"retryAfter": -1}}, "retryAfter"),
    ({"path": "/absorb/*", "drop": "yes"}, "drop"),
    ({"path": "/absorb/*", "status": 500, "colour": 1}, "colour"),
])
def test_bad_rules_are_400_and_not_added(client, tenant, rule, words):
    resp = client.post(f"/_emulator/tenants/{tenant['id']}/faults", json=rule)
    assert resp.status_code == 400 and words in resp.get_json()["message"], resp.get_json()
    assert client.get(f"/_emulator/tenants/{tenant['id']}/faults").get_json()["faults"] == []


@pytest.mark.parametrize("pattern, path, matches", [
    ("/absorb/users/*/enrollments", "/absorb/users/u1/enrollments", True),
    ("/absorb/users/*/enrollments", "/absorb/users/u1/x/enrollments", False),  # '*' stays in its segment
    ("/absorb/users/*/enrollments", "/absorb/users/u1/enrollments/", True),  # one trailing '/'
    ("/absorb/**", "/absorb/users/u1/enrollments", True),
    ("/absorb/**/enrollments", "/absorb/enrollments", False),
    ("/absorb/**enrollments", "/absorb/enrollments", True),
    ("/ABSORB/Users", "/absorb/users", True),
    ("/absorb/user?", "/absorb/users", True),
    ("/absorb/user?", "/absorb/user/", False),
    ("/absorb/[uv]sers", "/absorb/users", True),
    ("/absorb/[!uv]sers", "/absorb/users", False),
    ("/absorb/x/", "/absorb/x/", True),
    ("/absorb/*a*b*c*d*e*f*g*q", "/absorb/" + "abcdefg" * 30 + "z", False),  # many stars, quick
    ("/absorb**/**/**/**/**/**/**q", "/absorb/" + "a/" * 200, False),
    ("/absorb**/**/**/**/**/**/**q", "/absorb/" + "a/" * 10 + "q", True),
])
def test_glob_semantics(pattern, path, matches):
    from emulator.core.faults import compile_glob

    assert compile_glob(pattern).match(path) is matches
