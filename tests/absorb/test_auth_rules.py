"""Absorb credentials, rules a client relies on: who may authenticate (an inactive user may not, the username
matches whatever its case), and which ``Authorization`` forms carry a token (raw or ``Bearer``, the scheme in
any case, one or more spaces before the token; any other scheme is refused and told the forms accepted).
Mutation testing (tools/mutation.py) showed each could break with every other test green."""
from __future__ import annotations

import pytest

from emulator.core import contract

TOKEN_REQUIRED = ["Authorization: token required ('<token>' or 'Bearer <token>')"]


def _authenticate(anon, username, password, private_key=None):
    return anon.post("/authenticate", "token", json={"username": username, "password": password,
                                                      "privateKey": private_key or anon.world.api_key})


def _user_body(api, learner, **changes):
    user = api.get(f"/users/{learner.id}", "user", status=200).body
    return {"username": user["username"], "departmentId": user["departmentId"], "firstName": user["firstName"],
            "lastName": user["lastName"], **changes}


def test_an_inactive_user_cannot_authenticate_until_made_active_again(api, anon):
    learner = api.learners()[0]
    assert _authenticate(anon, learner.username, learner.password).status_code == 200
    api.put(f"/users/{learner.id}", "user", status=200, json=_user_body(api, learner, activeStatus=1))
    refused = _authenticate(anon, learner.username, learner.password)
    assert refused.status_code == 401
    assert refused.body["validations"] == ["credentials: invalid username, password or privateKey"]
    api.put(f"/users/{learner.id}", "user", status=200, json=_user_body(api, learner, activeStatus=0))
    assert _authenticate(anon, learner.username, learner.password).status_code == 200


def test_the_username_matches_in_any_case_and_the_private_key_too(anon):
    learner = anon.learners()[1]
    for username in (learner.username.upper(), learner.username.lower()):
        token = _authenticate(anon, username, learner.password, anon.world.api_key.upper()).body
        page = anon.get("/my-enrollments", "user-course-enrollment-page", status=200,
                        headers={"Authorization": f"Bearer {token}"}).body
        assert {e["userId"] for e in page["enrollments"]} <= {learner.id}
    # the password, though, is exact
    assert _authenticate(anon, learner.username, learner.password.swapcase()).status_code == 401


@pytest.mark.parametrize("form", ["{}", "Bearer {}", "bearer {}", "BEARER {}", "Bearer  {}", "  Bearer {}  "])
def test_the_token_is_accepted_raw_or_after_bearer_in_any_case_and_spacing(api, form):
    """RFC 7235: the scheme is case-insensitive and one or more spaces separate it from the credentials."""
    token = api.headers["Authorization"].removeprefix("Bearer ")
    api.get("/my-enrollments", "user-course-enrollment-page", status=200,
            headers={"Authorization": form.format(token)})


@pytest.mark.parametrize("form", ["Basic {}", "Token {}", "Bearer{}", "Bearer {} {}"])
def test_a_valid_token_in_any_other_form_is_refused_naming_the_forms_accepted(api, form):
    token = api.headers["Authorization"].removeprefix("Bearer ")
    resp = api.client.get("/absorb/my-enrollments",
                          headers={**api.headers, "Authorization": form.format(token, token)})
    assert resp.status_code == 401
    contract.validate("absorb", "error", resp.get_json())
    if form.startswith(("Basic", "Token")):  # another scheme: the answer says which forms carry a token
        assert resp.get_json()["validations"] == TOKEN_REQUIRED


def test_an_empty_authorization_header_is_told_a_token_is_required(api):
    resp = api.get("/my-enrollments", status=401, headers={"Authorization": ""})
    assert resp.body["validations"] == TOKEN_REQUIRED
