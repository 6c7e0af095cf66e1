"""The request journal through HTTP: recorded, masked, filtered, bounded, cleared."""
from __future__ import annotations

from emulator.app import create_app

from tests.vendor_api import AbsorbApi


def _journal(client, tid, query=""):
    resp = client.get(f"/_emulator/tenants/{tid}/journal{query}")
    assert resp.status_code == 200
    return resp.get_json()["entries"]


def test_an_absorb_call_is_recorded_with_secrets_masked(client, tenant):
    tid = tenant["id"]
    key = tenant["absorb"]["apiKey"]
    headers = AbsorbApi.of_info(client, tenant).login().headers
    user_id, course_id = AbsorbApi.learner_and_course(client, tid)
    client.post(f"/absorb/users/{user_id}/enrollments/{course_id}?reEnroll=false", headers=headers)

    entries = _journal(client, tid)
    assert [e["path"] for e in entries] == ["/absorb/authenticate", f"/absorb/users/{user_id}/enrollments/{course_id}"]
    auth, call = entries
    assert auth["headers"]["X-Api-Key"] == "***"
    assert '"password":"***"' in auth["body"] and '"privateKey":"***"' in auth["body"] and key not in auth["body"]
    assert auth["responseBody"] == '"***"'  # the token itself
    assert call["method"] == "POST" and call["status"] == 201 and call["vendor"] == "absorb"
    assert call["headers"]["Authorization"] == "Bearer ***" and call["query"] == "reEnroll=false"
    assert user_id in call["responseBody"] and call["durationMs"] >= 0 and call["time"].endswith("Z")
    assert call["tenant"] == tid
    assert key not in str(entries)


def test_filters(client, tenant):
    tid = tenant["id"]
    headers = AbsorbApi.of_info(client, tenant).login().headers
    user_id, _ = AbsorbApi.learner_and_course(client, tid)
    client.get(f"/absorb/users/{user_id}/enrollments", headers=headers)
    client.get("/absorb/enrollments/00000000-0000-4000-8000-000000000000", headers=headers)
    assert len(_journal(client, tid)) == 3
    assert [e["status"] for e in _journal(client, tid, "?status=404")] == [404]
    assert len(_journal(client, tid, "?status=2xx")) == 2
    assert len(_journal(client, tid, "?method=get")) == 2
    assert len(_journal(client, tid, "?path=/absorb/users/*/enrollments")) == 1
    assert len(_journal(client, tid, "?path=enrollments")) == 2
    assert len(_journal(client, tid, "?vendor=absorb&limit=1")) == 1
    assert _journal(client, tid, "?limit=1")[0]["status"] == 404  # the most recent
    assert _journal(client, tid, "?since=2999-01-01T00:00:00Z") == []
    # count is this answer's entries; total how many matched before limit
    answer = client.get(f"/_emulator/tenants/{tid}/journal?vendor=absorb&limit=1").get_json()
    assert answer["count"] == 1 and answer["total"] == 3
    assert client.get(f"/_emulator/tenants/{tid}/journal?status=404").get_json()["total"] == 1
    assert client.get(f"/_emulator/tenants/{tid}/journal?since=soon").status_code == 400
    assert client.get(f"/_emulator/tenants/{tid}/journal?status=abc").status_code == 400


def test_clear(client, tenant):
    AbsorbApi.of_info(client, tenant).login()  # POST /absorb/authenticate: one entry to clear
    assert client.delete(f"/_emulator/tenants/{tenant['id']}/journal").status_code == 204
    assert _journal(client, tenant["id"]) == []


def test_unresolved_requests_go_to_the_default_tenant(client, tenant):
    resp = client.get("/absorb/bulk/student-courses", headers={"x-api-key": "not-a-key", "x-api-version": "2"})
    assert resp.status_code == 401
    default = _journal(client, "default", "?status=401")
    assert default and default[-1]["headers"]["X-Api-Key"] == "***" and default[-1]["tenant"] is None
    assert _journal(client, tenant["id"]) == []


def test_bounded_by_journal_size():
    client = create_app({"journal_size": 3}).test_client()
    info = client.post("/_emulator/tenants", json={}).get_json()
    headers = {"x-api-key": info["absorb"]["apiKey"], "x-api-version": "2"}
    for _ in range(5):
        client.get("/absorb/bulk/student-courses", headers=headers)
    entries = _journal(client, info["id"])
    assert len(entries) == 3 and entries[-1]["seq"] == 5


def test_admin_calls_are_not_journalled(client, tenant):
    client.get(f"/_emulator/tenants/{tenant['id']}")
    assert _journal(client, tenant["id"]) == []


def test_huge_headers_are_kept_cut(client, tenant):
    """An entry keeps at most ``HEADERS_LIMIT`` characters of header values: 1,000 entries stay small."""
    from emulator.core.journal import HEADERS_LIMIT

    client.get("/absorb/bulk/student-courses", headers={"x-api-key": "k" * 50_000, "x-api-version": "2",
                                                "X-Trace": "t" * 50_000})
    entry = _journal(client, "default", "?status=401")[-1]
    assert entry["headers"]["X-Api-Key"] == "***"  # a secret stays masked, cut or not
    assert len(entry["headers"]["X-Trace"]) < HEADERS_LIMIT + 100 and "truncated" in entry["headers"]["X-Trace"]


def test_secret_keys_spelled_with_escapes_are_masked(client, tenant):
    """``pass\\u0077ord`` authenticates as ``password``: the journal masks keys once unescaped."""
    tid, key = tenant["id"], tenant["absorb"]["apiKey"]
    raw = f'{{"username":"admin","pass\\u0077ord":"admin","priv\\u0061teKey":"{key}"}}'
    answer = client.post("/absorb/authenticate", data=raw, content_type="application/json",
                         headers={"x-api-key": key, "x-api-version": "2"})
    assert answer.status_code == 200
    owner = tenant["ispring"]["clients"][0]
    form = f"client_id={owner['clientId']}&client_secr%65t={owner['clientSecret']}&grant_type=client_credentials"
    granted = client.post("/ispring/api/v3/token", data=form, content_type="application/x-www-form-urlencoded")
    assert granted.status_code == 200
    user_id, _ = AbsorbApi.learner_and_course(client, tid)
    client.get(f"/absorb/users/{user_id}/enrollments?pass%77ord=hunter2&x=1",
               headers={"x-api-key": key, "x-api-version": "2"})
    entries = _journal(client, tid)
    assert len(entries) == 3
    shown = str(entries)
    assert key not in shown and "admin\"" not in entries[0]["body"].replace('"username":"admin"', "")
    assert owner["clientSecret"] not in shown and "hunter2" not in shown
    assert '"password":"***"' in entries[0]["body"] and '"privateKey":"***"' in entries[0]["body"]


def test_journal_numbers_are_ascii_digits_only(client, tenant):
    for query in ("?limit=\u00b2", "?limit=\u0661", "?status=\u00b2\u00b2\u00b2"):
        answer = client.get(f"/_emulator/tenants/{tenant['id']}/journal{query}")
        assert answer.status_code == 400 and set(answer.get_json()) == {"error", "message"}, query
