"""Pearson authorization: every allow and deny branch of both routes' documented rule, and every token failure."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from emulator.pearson.domain import signing
from emulator.pearson.domain import service

DENIED = {"Message": "Authorization has been denied for this request."}


def _path(user, route):
    return f"/users/{user.id}/{route}"


# -- the relationship rule -----------------------------------------------------------------------

@pytest.mark.parametrize("route", ["sessions", "encounters"])
def test_student_reads_own(get, token, people, route):
    assert get(_path(people["student"], route), token(people["student"])).status_code == 200


@pytest.mark.parametrize("route", ["sessions", "encounters"])
def test_staff_of_same_center_reads_student(get, token, people, route):
    assert get(_path(people["student"], route), token(people["staff"])).status_code == 200


@pytest.mark.parametrize("route", ["sessions", "encounters"])
def test_staff_of_other_center_is_forbidden(get, token, people, route):
    response = get(_path(people["student"], route), token(people["other_staff"]))
    assert response.status_code == 403
    assert response.get_json() == DENIED


@pytest.mark.parametrize("route", ["sessions", "encounters"])
def test_classmate_is_forbidden(get, token, people, route):
    """A student of the same center is not staff: only their own data."""
    assert get(_path(people["student"], route), token(people["classmate"])).status_code == 403


def test_administrator_is_not_staff_of_the_center(get, token, people):
    assert get(_path(people["student"], "sessions"), token(people["Administrator"])).status_code == 403


# -- the role tables -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["Administrator", "ProspectWithTrial", "User"])
def test_sessions_roles_allowed_on_own(get, token, people, role):
    response = get(_path(people[role], "sessions"), token(people[role]))
    assert response.status_code == 200
    assert response.get_json() is None  # they have no teacher sessions


@pytest.mark.parametrize("role", ["QA", "ISUSTeacher", "FocusTool"])
def test_sessions_second_list_only_roles_are_forbidden(get, token, people, role):
    """Both role conditions must hold: roles only in the wider list fail the first."""
    assert get(_path(people[role], "sessions"), token(people[role])).status_code == 403


@pytest.mark.parametrize("role", ["Administrator", "ProspectWithTrial", "User", "QA", "ISUSTeacher", "FocusTool"])
def test_encounters_need_staff_or_student(get, token, people, role):
    response = get(_path(people[role], "encounters"), token(people[role]))
    assert response.status_code == 403
    assert response.get_json() == DENIED


def test_role_tables_are_the_documented_ones():
    assert set(service.ROUTE_ROLES["sessions"]) == {"StaffMember", "Student", "Administrator", "ProspectWithTrial",
                                                    "User"}
    assert set(service.ROUTE_ROLES["encounters"]) == {"StaffMember", "Student"}


def test_roles_come_from_the_token(get, token, people, world, tenant):
    """Claims are what the token says at issue time (a JWT is not re-read from the directory)."""
    user = people["QA"]
    user.roles.append("Student")
    bearer = token(user)
    user.roles.remove("Student")
    assert get(_path(user, "encounters"), bearer).status_code == 200


# -- tokens --------------------------------------------------------------------------------------

def test_token_claims(world, tenant, people):
    now = tenant.clock.now()
    value = signing.issue_token(world, people["staff"].id, now)
    header, payload, signature = value.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert claims["sub"] == people["staff"].id and claims["roles"] == ["StaffMember"]
    assert claims["centerId"] == people["staff"].center_id and claims["iss"] == "default"
    assert claims["exp"] - int(now.timestamp()) == 3600
    assert signature


def test_issue_token_for_unknown_user_is_404(world, tenant):
    from emulator.core.errors import NotFound

    with pytest.raises(NotFound):
        signing.issue_token(world, "00000000-0000-4000-8000-000000000000", tenant.clock.now())


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer not-a-jwt", "Bearer a.b.c",
                                    "Bearer a..c", "Bearer e30.e30.e30"])
def test_missing_or_malformed_token_is_401(client, get, people, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get(f"/pearson/users/{people['student'].id}/sessions", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == DENIED


def test_expired_token_is_401(get, token, people, tenant):
    bearer = token(people["student"])
    assert get(_path(people["student"], "sessions"), bearer).status_code == 200
    tenant.clock.advance(timedelta(minutes=59))
    assert get(_path(people["student"], "sessions"), bearer).status_code == 200
    tenant.clock.advance(timedelta(hours=2))
    response = get(_path(people["student"], "sessions"), bearer)
    assert response.status_code == 401 and response.get_json() == DENIED


def _reencode(bearer: str, **changes) -> str:
    header, payload, signature = bearer.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


def test_forged_signature_is_401(get, token, people):
    bearer = token(people["student"])
    head, body, sig = bearer.split(".")
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    assert get(_path(people["student"], "sessions"), f"{head}.{body}.{flipped}").status_code == 401


def test_tampered_claims_are_401(get, token, people):
    """Promoting oneself to StaffMember, or extending exp, breaks the signature."""
    bearer = token(people["classmate"])
    assert get(_path(people["student"], "sessions"), _reencode(bearer, roles=["StaffMember"])).status_code == 401
    assert get(_path(people["classmate"], "sessions"), _reencode(bearer, exp=4102444800)).status_code == 401


def test_other_tenants_token_is_401(store, get, token, people):
    """A token of tenant 'other' re-labelled as the default tenant's fails the default tenant's secret."""
    other = store.create_tenant("other")
    student = next(u for u in other.world("pearson").users.values() if "Student" in u.roles)
    bearer = token(student, on=other)
    assert get(f"/users/{student.id}/sessions", bearer).status_code == 200  # valid where it was issued
    assert get(f"/users/{student.id}/sessions", _reencode(bearer, iss="default")).status_code == 401
    # and the default tenant's users are unknown to the other tenant
    assert get(_path(people["student"], "sessions"), bearer).status_code == 404


def test_token_of_deleted_tenant_is_401(store, get, token):
    other = store.create_tenant("gone")
    student = next(u for u in other.world("pearson").users.values() if "Student" in u.roles)
    bearer = token(student, on=other)
    store.delete("gone")
    assert get(f"/users/{student.id}/sessions", bearer).status_code == 401


def test_a_reset_ends_every_token_as_absorbs_and_isprings_end(store, get, tenant, token, people):
    """A reset rebuilds the same world (same ids) with a new signing secret: a token issued before it is 401, as
    Absorb's and iSpring's tokens end with their world (issue 31); a new one works; a vanished user's does not."""
    bearer = token(people["student"])
    assert get(_path(people["student"], "sessions"), bearer).status_code == 200
    store.reset("default")
    assert get(_path(people["student"], "sessions"), bearer).status_code == 401
    bearer = token(people["student"])
    assert get(_path(people["student"], "sessions"), bearer).status_code == 200
    del tenant.world("pearson").users[people["student"].id]
    tenant.world("pearson").changed()
    assert get(_path(people["student"], "sessions"), bearer).status_code == 401


def test_only_verified_tokens_are_memoised(get, token, people, tenant):
    """Verified tokens skip decoding and the HMAC next time; forged or oversized ones never enter the memo
    (the tenant's world holds it)."""
    from emulator.pearson.http import auth

    memo = tenant.world("pearson").verified
    memo.clear()
    bearer = token(people["student"])
    head, body, sig = bearer.split(".")
    forged = f"{head}.{body}.{('A' if sig[0] != 'A' else 'B') + sig[1:]}"
    for _ in range(2):
        assert get(_path(people["student"], "sessions"), forged).status_code == 401
    assert forged not in memo
    assert get(_path(people["student"], "sessions"), bearer).status_code == 200
    assert bearer in memo
    assert get(_path(people["student"], "sessions"), bearer).status_code == 200  # from the memo
    padded = _reencode(bearer, pad="x" * auth.VERIFIED_MAX_LENGTH)  # bad signature and too long: both refused
    assert get(_path(people["student"], "sessions"), padded).status_code == 401 and padded not in memo


def test_a_memoised_token_is_refused_once_its_tenant_has_another_secret(store, get, token):
    """The memo holds the secret a token verified with: a tenant re-created with another seed refuses it."""
    other = store.create_tenant("reborn")
    student = next(u for u in other.world("pearson").users.values() if "Student" in u.roles)
    bearer = token(student, on=other)
    assert get(f"/users/{student.id}/sessions", bearer).status_code == 200
    store.delete("reborn")
    store.create_tenant("reborn", seed=7)
    assert get(f"/users/{student.id}/sessions", bearer).status_code == 401
