"""The opt-in rate limit through the admin API: on, off, read, per tenant, on the tenant's clock (core.ratelimit)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from emulator.app import create_app
from emulator.cli import main
from emulator.core import contract
from emulator.core.ratelimit import Bucket

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _app(**settings):
    app = create_app({"seed": 42, **settings})
    return app, app.test_client(), app.state.store


def _burn(client, key: str, n: int) -> list[int]:
    return [client.get("/absorb/my-enrollments", headers={"x-api-key": key}).status_code for _ in range(n)]


def test_switch_on_read_and_switch_off():
    app, c, store = _app()
    key = store.tenants["default"].world("absorb").api_key
    assert c.get("/_emulator/tenants/default/rate-limit").get_json()["absorb"]["enabled"] is False
    assert c.get("/_emulator/tenants/default").get_json()["rateLimits"]["absorb"]["enabled"] is False
    c.post("/_emulator/tenants/default/clock/freeze", json={})
    on = c.post("/_emulator/tenants/default/rate-limit", json={"vendor": "absorb"})
    assert on.status_code == 200 and on.get_json()["absorb"] == {
        "enabled": True, "requestsPerSecond": 200.0, "burst": 100, "tokens": 100.0, "admitted": 0, "limited": 0}
    codes = _burn(c, key, 103)
    assert codes.count(401) == 100 and codes.count(429) == 3
    assert c.get("/_emulator/tenants/default/rate-limit").get_json()["absorb"]["limited"] == 3
    assert c.delete("/_emulator/tenants/default/rate-limit").status_code == 204
    assert set(_burn(c, key, 5)) == {401}
    c.post("/_emulator/tenants/default/rate-limit", json={})  # no vendor: every vendor that documents one
    assert c.post("/_emulator/tenants/default/rate-limit",
                  json={"enabled": False}).get_json()["absorb"]["enabled"] is False


def test_the_answer_is_absorbs_429_with_retry_after_and_the_journal_marks_it():
    app, c, store = _app(rate_limit="absorb")
    key = store.tenants["default"].world("absorb").api_key
    c.post("/_emulator/tenants/default/clock/freeze", json={})
    c.post("/_emulator/tenants/default/rate-limit", json={"burst": 2, "requestsPerSecond": 0.5})
    assert _burn(c, key, 2) == [401, 401]
    refused = c.get("/absorb/my-enrollments", headers={"x-api-key": key})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"  # one token every 2 s
    contract.validate("absorb", "error", refused.get_json())
    entry = c.get("/_emulator/tenants/default/journal?limit=1").get_json()["entries"][0]
    assert entry["status"] == 429 and entry["rateLimited"] is True
    c.post("/_emulator/tenants/default/clock/advance", json={"seconds": 2})  # the frozen clock moves: a token back
    assert _burn(c, key, 2) == [401, 429]


def test_other_tenants_and_vendors_are_not_limited():
    app, c, store = _app()
    other = c.post("/_emulator/tenants", json={"id": "other"}).get_json()
    c.post("/_emulator/tenants/default/clock/freeze", json={})
    c.post("/_emulator/tenants/default/rate-limit", json={"burst": 1})
    key = store.tenants["default"].world("absorb").api_key
    assert _burn(c, key, 2) == [401, 429]
    assert set(_burn(c, other["absorb"]["apiKey"], 3)) == {401}
    assert c.get("/pearson/users/00000000-0000-0000-0000-000000000000/sessions").status_code == 401


def test_a_reset_keeps_the_limit_and_new_tenants_get_the_servers_setting():
    app, c, store = _app(rate_limit="absorb")
    assert c.post("/_emulator/tenants/default/reset").get_json()["rateLimits"]["absorb"]["enabled"] is True
    created = c.post("/_emulator/tenants", json={"id": "t2"}).get_json()
    assert created["rateLimits"]["absorb"]["enabled"] is True


@pytest.mark.parametrize("body,message", [
    ({"vendor": "ispring"}, "documents no rate limit"),
    ({"burst": 0}, "burst"),
    ({"burst": True}, "burst"),
    ({"requestsPerSecond": -1}, "requestsPerSecond"),
    ({"requestsPerSecond": "fast"}, "requestsPerSecond"),
    ({"enabled": "yes"}, "enabled"),
    ({"colour": "red"}, "Unknown field"),
])
def test_bad_rate_limit_bodies_are_400(body, message):
    app, c, store = _app()
    resp = c.post("/_emulator/tenants/default/rate-limit", json=body)
    assert resp.status_code == 400 and message in resp.get_json()["message"]
    assert c.get("/_emulator/tenants/default/rate-limit").get_json()["absorb"]["enabled"] is False


def test_unknown_tenant_or_vendor_is_404():
    app, c, store = _app()
    assert c.get("/_emulator/tenants/nobody/rate-limit").status_code == 404
    assert c.delete("/_emulator/tenants/default/rate-limit?vendor=pearson").status_code == 404


def test_the_server_setting_must_name_a_vendor_with_a_documented_limit(capsys):
    with pytest.raises(ValueError, match="documented rate limit"):
        create_app({"rate_limit": "pearson"})
    assert main(["serve", "--port", "18299", "--rate-limit", "nobody"]) == 2
    assert "absorb" in capsys.readouterr().err


def test_the_bucket_refills_at_its_rate_up_to_its_burst_and_never_from_a_clock_moved_back():
    bucket = Bucket(200, 100)
    assert [bucket.take(T0) for _ in range(100)] == [None] * 100
    assert bucket.take(T0) == 1
    assert bucket.take(T0 + timedelta(milliseconds=10)) is None  # 2 tokens back after 10 ms
    assert bucket.take(T0 + timedelta(milliseconds=10)) is None
    assert bucket.take(T0 + timedelta(milliseconds=10)) == 1
    assert bucket.take(T0 - timedelta(hours=1)) == 1  # backwards: nothing refilled
    assert bucket.state(T0 + timedelta(hours=1))["tokens"] == 100.0  # capped at the burst


def test_after_the_clock_moves_back_the_bucket_refills_from_the_new_time_as_retry_after_says():
    """Issue 31: moved back, the bucket refilled nothing for hours (until the clock passed its old time again)
    while Retry-After said 1."""
    bucket = Bucket(1, 2)
    later = T0 + timedelta(hours=3)
    assert [bucket.take(later), bucket.take(later)] == [None, None]
    wait = bucket.take(T0)  # the clock moved back three hours
    assert wait == 1
    assert bucket.take(T0 + timedelta(seconds=wait)) is None  # Retry-After was true


def test_live_clock_moved_back_then_retry_after_holds():
    app, c, store = _app()
    key = store.tenants["default"].world("absorb").api_key
    c.post("/_emulator/tenants/default/clock/freeze", json={"at": "2030-01-01T03:00:00Z"})
    c.post("/_emulator/tenants/default/rate-limit", json={"vendor": "absorb", "requestsPerSecond": 1, "burst": 1})
    assert _burn(c, key, 2) == [401, 429]
    c.post("/_emulator/tenants/default/clock/freeze", json={"at": "2030-01-01T00:00:00Z"})
    refused = c.get("/absorb/my-enrollments", headers={"x-api-key": key})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    c.post("/_emulator/tenants/default/clock/advance", json={"seconds": 1})
    assert _burn(c, key, 1) == [401]


def test_the_state_file_keeps_the_bucket(tmp_path):
    state = tmp_path / "state.bin"
    client = create_app({"state_file": str(state)}).test_client()
    client.post("/_emulator/tenants", json={"id": "keep"})
    client.post("/_emulator/tenants/keep/clock/freeze", json={})
    client.post("/_emulator/tenants/keep/rate-limit", json={"burst": 3})
    again = create_app({"state_file": str(state)}).test_client()
    kept = again.get("/_emulator/tenants/keep/rate-limit").get_json()["absorb"]
    assert kept["enabled"] is True and kept["burst"] == 3 and kept["tokens"] == 3.0
    assert again.get("/_emulator/tenants/default/rate-limit").get_json()["absorb"]["enabled"] is False
