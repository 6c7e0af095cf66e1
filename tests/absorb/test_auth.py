"""Absorb authentication: x-api-key, x-api-version, Bearer tokens, roles."""
from __future__ import annotations

from datetime import timedelta

import pytest

from emulator.core import contract
from emulator.core.state import app_state


def test_authenticate_returns_a_token_string(anon):
    token = anon.token("admin")
    assert isinstance(token, str) and token.startswith("eyJ") and token.count(".") == 2


@pytest.mark.parametrize("body, status", [
    ({"username": "admin", "password": "wrong", "privateKey": None}, 401),
    ({"username": "nobody", "password": "admin", "privateKey": None}, 401),
    ({"username": "admin", "password": "admin", "privateKey": "00000000-0000-4000-8000-000000000000"}, 401),
    ({"username": "admin", "password": "admin"}, 400),
    ({"username": "", "password": "admin", "privateKey": None}, 400),
    ({"password": "admin", "privateKey": None}, 400),
])
def test_authenticate_refuses_bad_credentials(anon, body, status):
    body = {k: (anon.world.api_key if v is None else v) for k, v in body.items()}
    resp = anon.post("/authenticate", json=body, status=status)
    assert resp.body["code"] == status


def test_authenticate_refuses_malformed_json(anon):
    resp = anon.post("/authenticate", data="{not json", content_type="application/json", status=400)
    assert "JSON" in resp.body["message"]


@pytest.mark.parametrize("drop, status", [("x-api-key", 401), ("Authorization", 401)])
def test_each_missing_header_has_its_status(api, drop, status):
    headers = dict(api.headers)
    del headers[drop]
    resp = api.client.get("/absorb/my-enrollments", headers=headers)
    assert resp.status_code == status
    contract.validate("absorb", "error", resp.get_json())
    assert resp.get_json()["validations"]


@pytest.mark.parametrize("header, value, status", [
    ("x-api-key", "11111111-1111-4111-8111-111111111111", 401),
    ("x-api-version", "1", 400),
    ("Authorization", "Bearer not-a-token", 401),
    ("Authorization", "Basic YWRtaW46YWRtaW4=", 401),
    ("Authorization", "Bearer ", 401),
])
def test_wrong_header_values(api, header, value, status):
    assert api.get("/my-enrollments", headers={header: value}, status=status).body["code"] == status


def test_a_real_v2_client_sends_no_version_and_the_raw_token(anon):
    """Before issue 19 this client got 400 on every call (no x-api-version) and 401 for the raw token."""
    key = anon.world.api_key
    bare = {"x-api-key": key}
    resp = anon.client.post("/absorb/authenticate", headers=bare,
                            json={"username": "admin", "password": "admin", "privateKey": key})
    assert resp.status_code == 200
    token = resp.get_json()
    page = anon.get("/my-enrollments", "user-course-enrollment-page", status=200,
                    headers={"x-api-version": None, "Authorization": token})
    assert page.body["totalItems"] == 0  # the admin holds no enrollments, but the call is served
    learner = anon.learners()[0]
    raw = anon.client.get(f"/absorb/users/{learner.id}/enrollments", headers={**bare, "Authorization": token})
    bearer = anon.client.get(f"/absorb/users/{learner.id}/enrollments",
                             headers={**bare, "x-api-version": "2", "Authorization": f"Bearer {token}"})
    assert raw.status_code == bearer.status_code == 200 and raw.get_json() == bearer.get_json()
    contract.validate("absorb", "user-course-enrollment-page", raw.get_json())


@pytest.mark.parametrize("version, status", [(None, 200), ("", 200), ("2", 200), ("1", 400), ("3", 400),
                                             ("2.0", 400), ("v2", 400)])
def test_version_header_is_optional_but_exact(api, version, status):
    resp = api.get("/my-enrollments", headers={"x-api-version": version}, status=status)
    if status == 400:
        assert "the supported version is 2" in resp.body["message"]


def test_strict_mode_reports_a_missing_version_and_still_answers():
    from emulator.app import create_app
    from emulator.core.strict import HEADER

    app = create_app({"seed": 42, "strict": True})
    key = app_state(app).store.tenants["default"].world("absorb").api_key
    client = app.test_client()
    token = client.post("/absorb/authenticate", headers={"x-api-key": key},
                        json={"username": "admin", "password": "admin", "privateKey": key})
    assert token.status_code == 200 and "x-api-version" in token.headers[HEADER]
    plain = client.get("/absorb/my-enrollments", headers={"x-api-key": key, "Authorization": token.get_json()})
    assert plain.status_code == 200 and "x-api-version" in plain.headers[HEADER]
    documented = client.get("/absorb/my-enrollments", headers={"x-api-key": key, "x-api-version": "2",
                                                              "Authorization": f"Bearer {token.get_json()}"})
    assert documented.status_code == 200 and HEADER not in documented.headers


def test_token_expires_after_four_hours_on_the_tenant_clock(api, tenant):
    api.get("/my-enrollments", status=200)
    tenant.clock.advance(timedelta(hours=3, minutes=59))
    api.get("/my-enrollments", status=200)
    tenant.clock.advance(timedelta(minutes=2))
    resp = api.get("/my-enrollments", status=401)
    assert "expired" in resp.body["message"]


def test_authenticating_again_revokes_the_previous_token(anon):
    first = anon.token("admin")
    second = anon.token("admin")
    assert first != second
    anon.get("/my-enrollments", headers={"Authorization": f"Bearer {first}"}, status=401)
    anon.get("/my-enrollments", headers={"Authorization": f"Bearer {second}"}, status=200)


def test_learner_token_opens_my_enrollments_only(anon):
    learner = anon.learners()[0]
    anon.login(learner.username)
    mine = anon.get("/my-enrollments", "user-course-enrollment-page", status=200)
    assert mine.body["totalItems"] > 0
    assert {e["userId"] for e in mine.body["enrollments"]} == {learner.id}
    resp = anon.get(f"/users/{learner.id}/enrollments", status=403)
    assert resp.body["term"] == "Forbidden"


def test_a_token_of_another_tenant_is_refused(app, api):
    store = app.state.store
    other = store.create_tenant("other")
    other_key = other.world("absorb").api_key
    assert other_key != api.world.api_key
    api.get("/my-enrollments", headers={"x-api-key": other_key}, status=401)


def test_duplicate_conflicting_api_key_headers_are_refused(api):
    resp = api.client.get("/absorb/my-enrollments", headers=[
        ("x-api-key", api.world.api_key), ("x-api-key", "22222222-2222-4222-8222-222222222222"),
        ("x-api-version", "2"), ("Authorization", api.headers["Authorization"])])
    assert resp.status_code == 400
    contract.validate("absorb", "error", resp.get_json())


def test_paths_and_body_names_match_case_insensitively_as_on_aspnet(anon):
    """Real clients call /Authenticate with {"Username", "Password", "PrivateKey"} and /Users/{id}/Enrollments."""
    key = anon.world.api_key
    resp = anon.client.post("/absorb/Authenticate", headers={"x-api-key": key},
                            json={"Username": "admin", "Password": "admin", "PrivateKey": key})
    assert resp.status_code == 200
    contract.validate("absorb", "token", resp.get_json())
    headers = {"x-api-key": key, "Authorization": resp.get_json()}
    learner = anon.learners()[0]
    upper = anon.client.get(f"/absorb/Users/{learner.id.upper()}/Enrollments", headers=headers)
    lower = anon.client.get(f"/absorb/users/{learner.id}/enrollments", headers=headers)
    assert upper.status_code == 200 and upper.get_json() == lower.get_json()
    department = next(iter(anon.world.departments))
    one = anon.client.get(f"/absorb/Departments/{department}", headers=headers)
    assert one.status_code == 200 and one.get_json()["id"] == department
    assert anon.client.get("/ispring/API/v3/token").status_code == 404  # other vendors keep their exact paths


def test_password_and_private_key_are_compared_in_constant_time(client, monkeypatch):
    """hmac.compare_digest, like every other secret (``!=`` stops at the first wrong character)."""
    import hmac

    from emulator.absorb.domain import tokens

    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    key = client.application.state.store.tenants["default"].world("absorb").api_key
    answer = client.post("/absorb/authenticate", headers={"x-api-key": key, "x-api-version": "2"},
                         json={"username": "admin", "password": "wrong\u00e9", "privateKey": key})
    assert answer.status_code == 401
    assert (b"admin", "wrong\u00e9".encode()) in compared and (key.lower().encode(), key.lower().encode()) in compared
