"""Absorb credentials at their edges: the token's exact expiry instant, its JWT shape, and a header sent
twice with the same value (as proxies and some clients do), which is accepted."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from emulator.core import contract


def test_a_token_is_refused_from_the_exact_instant_it_expires(api, tenant):
    start = tenant.clock.now().replace(microsecond=0) + timedelta(seconds=1)
    tenant.clock.freeze(start)
    api.login("admin")
    tenant.clock.advance(timedelta(hours=4) - timedelta(microseconds=1))
    api.get("/my-enrollments", "user-course-enrollment-page", status=200)
    tenant.clock.advance(timedelta(microseconds=1))
    assert "expired" in api.get("/my-enrollments", status=401).body["message"]


def test_the_token_is_three_unpadded_base64url_parts_whose_payload_names_the_user_and_expiry(anon, tenant):
    for username in ("admin", anon.learners()[0].username, anon.learners()[1].username):
        before = int((tenant.clock.now() + timedelta(hours=4)).timestamp())
        token = anon.token(username)
        after = int((tenant.clock.now() + timedelta(hours=4)).timestamp())
        parts = token.split(".")
        assert len(parts) == 3 and all(parts) and "=" not in token
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        assert header == {"alg": "HS256", "typ": "JWT"}
        assert claims["sub"] == anon.user_named(username).id
        assert before <= claims["exp"] <= after, "issued now, for four hours (the clock runs: a second may pass)"


@pytest.mark.parametrize("name", ["x-api-key", "x-api-version", "Authorization"])
def test_a_header_repeated_with_the_same_value_is_accepted(api, name):
    headers = [(k, v) for k, v in api.headers.items() if k != name]
    headers += [(name, api.headers[name]), (name, api.headers[name])]
    resp = api.client.get("/absorb/my-enrollments", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    contract.validate("absorb", "user-course-enrollment-page", resp.get_json())


def test_a_header_repeated_with_different_values_is_refused(api):
    headers = [(k, v) for k, v in api.headers.items() if k != "x-api-version"] + [
        ("x-api-version", "2"), ("x-api-version", "3")]
    resp = api.client.get("/absorb/my-enrollments", headers=headers)
    assert resp.status_code == 400
    contract.validate("absorb", "error", resp.get_json())
    assert resp.get_json()["validations"] == ["x-api-version: duplicate header"]
