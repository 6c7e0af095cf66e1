"""Absorb's OAuth 2.0 rules in process: what the authorize and token endpoints refuse (RFC 6749 answers, the world
unchanged), lifetimes on the tenant's clock, one-time codes, revocation, and the roles the tokens carry."""
from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from emulator.app import create_app
from emulator.core import contract
from emulator.core.strict import HEADER

CALLBACK = "https://app.example/cb"


@pytest.fixture
def world(tenant: Any) -> Any:
    return tenant.world("absorb")


@pytest.fixture
def oauth_client(client: Any) -> dict[str, Any]:
    made = client.post("/_emulator/tenants/default/absorb/oauth-clients",
                       json={"name": "Portal app", "redirectUris": [CALLBACK]})
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def _query(oc: dict[str, Any], **over: str) -> dict[str, str]:
    return {"client_id": oc["clientId"], "redirect_uri": CALLBACK, "response_type": "code", "state": "s1", **over}


def _code(client: Any, oc: dict[str, Any], username: str = "admin", password: str = "admin") -> str:
    """The one-POST way a test signs in: the login form's fields with consent=allow."""
    back = client.post("/absorb/oauth/authorize", data={**_query(oc), "username": username, "password": password,
                                                         "consent": "allow"})
    assert back.status_code == 302, back.get_data(as_text=True)[:300]
    return parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]


def _token(client: Any, oc: dict[str, Any], world: Any, **form: str) -> Any:
    return client.post("/absorb/oauth/token", headers={"x-api-key": world.api_key},
                       data={"client_id": oc["clientId"], "client_secret": oc["clientSecret"], **form})


def _oauth_error(resp: Any, status: int, error: str) -> None:
    assert resp.status_code == status, resp.get_data(as_text=True)
    body = resp.get_json()
    contract.validate("absorb", "oauth-error", body)
    assert body["error"] == error
    assert resp.headers["Cache-Control"] == "no-store"


def test_the_login_page_needs_a_known_client_and_its_redirect_uri(client, oauth_client):
    _oauth_error(client.get("/absorb/oauth/authorize", query_string=_query(oauth_client, client_id="nope")), 400,
                 "invalid_client")
    wrong = client.get("/absorb/oauth/authorize", query_string=_query(oauth_client, redirect_uri="https://evil.test/"))
    _oauth_error(wrong, 400, "invalid_request")  # never redirected to an unregistered URI
    page = client.get("/absorb/oauth/authorize", query_string=_query(oauth_client))
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["X-Frame-Options"] == "DENY" and "Portal app" in page.get_data(as_text=True)


@pytest.mark.parametrize(("over", "error"), [({"response_type": "token"}, "unsupported_response_type"),
                                             ({"scope": "admin.v1 everything"}, "invalid_scope")])
def test_what_the_client_asked_wrong_goes_back_to_it(client, oauth_client, over, error):
    back = client.get("/absorb/oauth/authorize", query_string=_query(oauth_client, **over))
    assert back.status_code == 302
    got = parse_qs(urlsplit(back.headers["Location"]).query)
    assert got["error"] == [error] and got["state"] == ["s1"]


def test_a_wrong_password_shows_the_login_page_again_and_deny_sends_access_denied(client, oauth_client):
    wrong = client.post("/absorb/oauth/authorize", data={**_query(oauth_client), "username": "admin",
                                                          "password": "nope"})
    assert wrong.status_code == 401 and "not valid" in wrong.get_data(as_text=True)
    denied = client.post("/absorb/oauth/authorize", data={**_query(oauth_client), "username": "admin",
                                                           "password": "admin", "consent": "deny"})
    assert denied.status_code == 302
    assert parse_qs(urlsplit(denied.headers["Location"]).query)["error"] == ["access_denied"]


def test_a_code_is_one_time_short_lived_and_bound_to_its_client(client, oauth_client, world, tenant):
    code = _code(client, oauth_client)
    _oauth_error(_token(client, oauth_client, world, grant_type="authorization_code", code=code,
                        redirect_uri="https://other.test/"), 400, "invalid_grant")
    _oauth_error(_token(client, oauth_client, world, grant_type="authorization_code", code=code), 400,
                 "invalid_grant")  # the failed exchange spent it
    late = _code(client, oauth_client)
    tenant.clock.advance(timedelta(minutes=6))
    _oauth_error(_token(client, oauth_client, world, grant_type="authorization_code", code=late), 400,
                 "invalid_grant")
    _oauth_error(_token(client, oauth_client, world, grant_type="password"), 400, "unsupported_grant_type")
    bad_secret = client.post("/absorb/oauth/token", headers={"x-api-key": world.api_key}, data={
        "grant_type": "authorization_code", "code": _code(client, oauth_client),
        "client_id": oauth_client["clientId"], "client_secret": "wrong"})
    _oauth_error(bad_secret, 401, "invalid_client")


def test_lifetimes_refresh_and_roles(client, oauth_client, world, tenant):
    learner = next(u for u in world.users.values() if not u.is_admin)
    answer = _token(client, oauth_client, world, grant_type="authorization_code",
                    code=_code(client, oauth_client, learner.username, learner.password))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    contract.validate("absorb", "oauth-token", body)
    headers = {"x-api-key": world.api_key, "Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/absorb/my-details", headers=headers).get_json()["id"] == learner.id
    assert client.get("/absorb/users", headers=headers).status_code == 403  # a learner's token, a learner's routes
    tenant.clock.advance(timedelta(hours=4))
    assert client.get("/absorb/my-details", headers=headers).status_code == 401  # expired
    fresh = _token(client, oauth_client, world, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert fresh.status_code == 200
    headers["Authorization"] = f"Bearer {fresh.get_json()['access_token']}"
    assert client.get("/absorb/my-details", headers=headers).status_code == 200
    tenant.clock.advance(timedelta(days=366))
    _oauth_error(_token(client, oauth_client, world, grant_type="refresh_token",
                        refresh_token=body["refresh_token"]), 400, "invalid_grant")


def test_oauth_tokens_leave_the_authenticate_token_alone(client, oauth_client, world):
    key = world.api_key
    plain = client.post("/absorb/authenticate", headers={"x-api-key": key},
                        json={"username": "admin", "password": "admin", "privateKey": key}).get_json()
    _token(client, oauth_client, world, grant_type="authorization_code", code=_code(client, oauth_client))
    assert client.get("/absorb/users?_limit=1", headers={"x-api-key": key, "Authorization": plain}).status_code == 200


def test_basic_client_credentials_and_revocation(client, oauth_client, world):
    basic = base64.b64encode(f"{oauth_client['clientId']}:{oauth_client['clientSecret']}".encode()).decode()
    got = client.post("/absorb/oauth/token", headers={"Authorization": f"Basic {basic}"},
                      data={"grant_type": "authorization_code", "code": _code(client, oauth_client)})
    assert got.status_code == 200  # no x-api-key: the client id names the portal
    refresh = got.get_json()["refresh_token"]
    gone = client.post(f"/_emulator/tenants/default/absorb/oauth-clients/{oauth_client['clientId']}/revoke")
    assert gone.status_code == 204
    _oauth_error(client.post("/absorb/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh, "client_id": oauth_client["clientId"],
        "client_secret": oauth_client["clientSecret"]}), 401, "invalid_client")


@pytest.mark.parametrize("body", [{}, {"redirectUris": []}, {"redirectUris": ["not a url"]},
                                  {"redirectUris": ["https://a.test/#frag"]},
                                  {"redirectUris": [CALLBACK], "name": ""}, {"redirectUris": "https://a.test/"}])
def test_client_registration_refuses_bad_bodies(client, body, world):
    before = dict(world.oauth.clients) if world.oauth else {}
    made = client.post("/_emulator/tenants/default/absorb/oauth-clients", json=body)
    assert made.status_code == 400
    assert (dict(world.oauth.clients) if world.oauth else {}) == before


def test_registered_clients_show_in_the_tenants_credentials(client, oauth_client):
    info = client.get("/_emulator/tenants/default").get_json()
    assert oauth_client["clientId"] in {c["clientId"] for c in info["absorb"]["oauthClients"]}


def test_strict_mode_checks_oauth_answers_against_their_own_schemas():
    app = create_app({"seed": 42, "strict": True})
    c = app.test_client()
    world = app.state.store.tenants["default"].world("absorb")
    oc = c.post("/_emulator/tenants/default/absorb/oauth-clients",
                json={"name": "x", "redirectUris": [CALLBACK]}).get_json()
    bad = c.post("/absorb/oauth/token", headers={"x-api-key": world.api_key, "x-api-version": "2"},
                 data={"grant_type": "authorization_code", "code": "nope", "client_id": oc["clientId"],
                       "client_secret": oc["clientSecret"]})
    assert bad.status_code == 400 and HEADER not in bad.headers
    good = c.post("/absorb/oauth/token", headers={"x-api-key": world.api_key, "x-api-version": "2"},
                  data={"grant_type": "authorization_code", "code": _code(c, oc), "client_id": oc["clientId"],
                        "client_secret": oc["clientSecret"]})
    assert good.status_code == 200 and HEADER not in good.headers
