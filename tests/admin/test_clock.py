"""The per-tenant clock through HTTP: freeze, advance, unfreeze, and what vendors see."""
from __future__ import annotations

import pytest

from tests.vendor_api import AbsorbApi


def test_freeze_sets_the_dates_vendors_write(client, tenant):
    tid = tenant["id"]
    frozen = client.post(f"/_emulator/tenants/{tid}/clock/freeze", json={"at": "2099-01-02T03:04:05Z"})
    assert frozen.status_code == 200
    assert frozen.get_json() == {"now": "2099-01-02T03:04:05Z", "frozen": True, "offsetSeconds": 0.0}
    user_id, course_id = AbsorbApi.learner_and_course(client, tid)
    headers = AbsorbApi.of_info(client, tenant).login().headers
    created = client.post(f"/absorb/users/{user_id}/enrollments/{course_id}", headers=headers)
    enrollment = client.get(f"/absorb/enrollments/{created.get_json()['enrollmentId']}", headers=headers).get_json()
    assert enrollment["dateAdded"] == "2099-01-02T03:04:05Z"
    assert client.get(f"/_emulator/tenants/{tid}/clock").get_json()["now"] == "2099-01-02T03:04:05Z"


def test_advancing_past_four_hours_expires_an_absorb_token(client, tenant):
    tid = tenant["id"]
    client.post(f"/_emulator/tenants/{tid}/clock/freeze", json={})
    headers = AbsorbApi.of_info(client, tenant).login().headers
    user_id, _ = AbsorbApi.learner_and_course(client, tid)
    assert client.get(f"/absorb/users/{user_id}/enrollments", headers=headers).status_code == 200
    moved = client.post(f"/_emulator/tenants/{tid}/clock/advance", json={"duration": "PT3H59M"})
    assert moved.status_code == 200 and moved.get_json()["frozen"] is True
    assert client.get(f"/absorb/users/{user_id}/enrollments", headers=headers).status_code == 200
    client.post(f"/_emulator/tenants/{tid}/clock/advance", json={"seconds": 61})
    expired = client.get(f"/absorb/users/{user_id}/enrollments", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.get_json()["message"]


@pytest.mark.parametrize("duration, seconds", [("2h", 7200), ("PT2H", 7200), ("1h30m", 5400), ("P1D", 86400),
                                               ("90s", 90), ("P1DT2H", 93600)])
def test_durations(client, tenant, duration, seconds):
    tid = tenant["id"]
    start = client.post(f"/_emulator/tenants/{tid}/clock/freeze", json={}).get_json()
    moved = client.post(f"/_emulator/tenants/{tid}/clock/advance", json={"duration": duration}).get_json()
    from datetime import datetime

    parse = lambda s: datetime.fromisoformat(s["now"].replace("Z", "+00:00"))  # noqa: E731
    assert (parse(moved) - parse(start)).total_seconds() == seconds


def test_unfreeze_lets_time_run_from_the_frozen_reading(client, tenant):
    tid = tenant["id"]
    client.post(f"/_emulator/tenants/{tid}/clock/freeze", json={"at": "2099-05-05T00:00:00Z"})
    state = client.post(f"/_emulator/tenants/{tid}/clock/unfreeze").get_json()
    assert state["frozen"] is False and state["now"].startswith("2099-05-05T00:00:0")


@pytest.mark.parametrize("path, body, words", [
    ("freeze", {"at": "2000-01-01T00:00:00Z"}, "before the tenant was seeded"),
    ("freeze", {"at": "yesterday"}, "ISO 8601"),
    ("advance", {"seconds": -10 * 86400}, "before the tenant was seeded"),
    ("advance", {"duration": "-P30D"}, "before the tenant was seeded"),
    ("advance", {"duration": "two hours"}, "not a duration"),
    ("advance", {"duration": "PT"}, "not a duration"),
    ("advance", {"seconds": "10"}, "seconds"),
    ("advance", {}, "exactly one"),
    ("advance", {"seconds": 1, "duration": "1h"}, "exactly one"),
])
def test_impossible_moves_are_400_and_leave_the_clock(client, tenant, path, body, words):
    tid = tenant["id"]
    before = client.post(f"/_emulator/tenants/{tid}/clock/freeze", json={}).get_json()
    resp = client.post(f"/_emulator/tenants/{tid}/clock/{path}", json=body)
    assert resp.status_code == 400 and words in resp.get_json()["message"]
    assert client.get(f"/_emulator/tenants/{tid}/clock").get_json() == before


@pytest.mark.parametrize("move", [
    ("freeze", {"at": "9999-12-31T23:00:00Z"}),
    ("freeze", {"at": "9999-12-01T00:00:01Z"}),
    ("advance", {"seconds": 3_153_600_000}),  # 100 years from near the end
])
def test_the_clock_cannot_move_where_token_expiries_overflow(client, tenant, move):
    tid = tenant["id"]
    assert client.post(f"/_emulator/tenants/{tid}/clock/freeze", json={"at": "9950-01-01T00:00:00Z"}).status_code == 200
    kind, body = move
    refused = client.post(f"/_emulator/tenants/{tid}/clock/{kind}", json=body)
    assert refused.status_code == 400 and set(refused.get_json()) >= {"error", "message"}, refused.get_json()
    assert client.get(f"/_emulator/tenants/{tid}/clock").get_json()["now"] == "9950-01-01T00:00:00Z"


def test_at_the_latest_instant_every_token_route_still_answers(client, tenant):
    """Absorb's 4 h tokens, iSpring's 30 min ones and Pearson's 1 h ones, issued at 9999-12-01."""
    tid = tenant["id"]
    moved = client.post(f"/_emulator/tenants/{tid}/clock/freeze", json={"at": "9999-12-01T00:00:00Z"})
    assert moved.status_code == 200
    user_id, _ = AbsorbApi.learner_and_course(client, tid)
    headers = AbsorbApi.of_info(client, tenant).login().headers  # POST /absorb/authenticate answered 200
    assert client.get(f"/absorb/users/{user_id}/enrollments", headers=headers).status_code == 200
    owner = tenant["ispring"]["clients"][0]
    token = client.post("/ispring/api/v3/token", data={"client_id": owner["clientId"],
                                                       "client_secret": owner["clientSecret"],
                                                       "grant_type": "client_credentials"})
    assert token.status_code == 200, token.get_json()
    student = tenant["pearson"]["users"][0]["id"]
    issued = client.post(f"/_emulator/tenants/{tid}/pearson/tokens", json={"userId": student})
    assert issued.status_code == 201, issued.get_json()
    assert issued.get_json()["expiresAt"].startswith("9999-12-01T01:00"), issued.get_json()
