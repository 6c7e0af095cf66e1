"""Pearson token rules a client relies on, each tried at its edge: the header's alg, the part count, the
exact expiry instant, the claims' types, the memo of verified tokens, and lists in start order whatever
order the data arrived in."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from emulator.app import create_app
from emulator.core import contract
from emulator.core.state import app_state
from emulator.pearson.domain.signing import issue_token

DENIED = {"Message": "Authorization has been denied for this request."}


def _b64(data: object) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims_of(bearer: str) -> dict:
    payload = bearer.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def signed(secret: str, header: object, claims: object) -> str:
    """A token signed with the tenant's key exactly as the vendor's scheme says (HMAC-SHA256 of 'head.body')."""
    head = header if isinstance(header, str) else _b64(header)
    body = claims if isinstance(claims, str) else _b64(claims)
    mac = hmac.new(bytes.fromhex(secret), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.fixture
def frozen(tenant):
    """The tenant clock stopped on a whole second, so an ``exp`` in seconds can equal 'now' exactly."""
    now = tenant.clock.now().replace(microsecond=0) + timedelta(seconds=1)
    tenant.clock.freeze(now)
    return now


def _sessions(get, user, bearer):
    return get(f"/users/{user.id}/sessions", bearer)


# -- the header ------------------------------------------------------------------------------------------

def test_a_token_signed_as_documented_with_the_tenants_key_is_accepted(get, token, people, world):
    """The control for the refusals below: re-signing an issued token's own header and claims changes nothing."""
    bearer = token(people["student"])
    assert bearer.count(".") == 2 and "=" not in bearer  # JWS compact form: base64url without padding
    again = signed(world.secret, {"alg": "HS256", "typ": "JWT"}, _claims_of(bearer))
    assert _sessions(get, people["student"], again).status_code == 200
    assert _sessions(get, people["student"], signed(world.secret, {"alg": "HS256"},
                                                    _claims_of(bearer))).status_code == 200


@pytest.mark.parametrize("header", [
    {"alg": "none", "typ": "JWT"}, {"alg": "HS384", "typ": "JWT"}, {"alg": "HS512"}, {"alg": "RS256"},
    {"alg": "hs256"}, {"typ": "JWT"}, {}, ["HS256"], "HS256", None,
], ids=repr)
def test_a_header_other_than_hs256_is_refused_even_when_the_hmac_verifies(get, token, people, world, header):
    """``alg: none`` re-signed, another algorithm, or a header that is not an object: 401, whatever the MAC."""
    claims = _claims_of(token(people["student"]))
    response = _sessions(get, people["student"], signed(world.secret, _b64(header), claims))
    assert response.status_code == 401 and response.get_json() == DENIED


@pytest.mark.parametrize("claims", [["sub"], "a string", 42, None], ids=repr)
def test_claims_that_are_not_an_object_are_refused(get, people, world, claims):
    response = _sessions(get, people["student"], signed(world.secret, {"alg": "HS256"}, _b64(claims)))
    assert response.status_code == 401 and response.get_json() == DENIED


@pytest.mark.parametrize("shape", [
    lambda t: t.rsplit(".", 1)[0],                    # two parts: no signature
    lambda t: t + ".x",                               # four parts
    lambda t: t + ".",                                # four, the last empty
    lambda t: "." + t,                                # four, the first empty
    lambda t: t.replace(".", "..", 1),                # an empty part between
    lambda t: t.replace(".", ""),                     # one part
    lambda t: "%%%." + t.split(".", 1)[1],            # a header that is not base64url
    lambda t: _b64(b"\xff\xfe") + "." + t.split(".", 1)[1],  # a header that is not UTF-8 JSON
], ids=["two-parts", "four-parts", "trailing-dot", "leading-dot", "empty-part", "one-part", "bad-base64",
        "not-utf8"])
def test_a_token_that_is_not_three_base64url_parts_is_refused(get, token, people, shape):
    bearer = token(people["student"])
    assert _sessions(get, people["student"], bearer).status_code == 200
    response = _sessions(get, people["student"], shape(bearer))
    assert response.status_code == 401 and response.get_json() == DENIED


# -- expiry -------------------------------------------------------------------------------------------------

def test_a_token_is_valid_up_to_the_second_before_exp_and_refused_at_exp(get, people, tenant, world, frozen):
    """``exp`` is the first instant the token is no longer accepted (tenant clock)."""
    bearer = issue_token(world, people["student"].id, frozen)
    assert _claims_of(bearer)["exp"] == int(frozen.timestamp()) + 3600
    tenant.clock.advance(timedelta(seconds=3599, microseconds=999_999))
    assert _sessions(get, people["student"], bearer).status_code == 200
    tenant.clock.advance(timedelta(microseconds=1))  # now == exp
    response = _sessions(get, people["student"], bearer)
    assert response.status_code == 401 and response.get_json() == DENIED


@pytest.mark.parametrize("exp", [
    lambda now: float(now + 3600), lambda now: str(now + 3600), True, None, lambda now: [now + 3600],
], ids=["float", "string", "bool", "null", "list"])
def test_an_exp_that_is_not_an_integer_of_seconds_is_refused(get, people, world, frozen, exp):
    claims = _claims_of(issue_token(world, people["student"].id, frozen))
    claims["exp"] = exp(int(frozen.timestamp())) if callable(exp) else exp
    response = _sessions(get, people["student"], signed(world.secret, {"alg": "HS256"}, claims))
    assert response.status_code == 401 and response.get_json() == DENIED


def test_a_token_without_exp_is_refused(get, people, world, frozen):
    claims = _claims_of(issue_token(world, people["student"].id, frozen))
    del claims["exp"]
    assert _sessions(get, people["student"], signed(world.secret, {"alg": "HS256"}, claims)).status_code == 401


# -- the other claims ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change", [
    {"sub": None}, {"sub": 7}, {"sub": "00000000-0000-4000-8000-000000000000"}, {"roles": "Student"},
    {"roles": None}, {"iss": 1}, {"iss": None}, {"iss": "no-such-tenant"},
], ids=repr)
def test_claims_of_the_wrong_type_or_naming_nobody_are_refused(get, token, people, world, change):
    claims = _claims_of(token(people["student"]))
    claims.update(change)
    response = _sessions(get, people["student"], signed(world.secret, {"alg": "HS256"}, claims))
    assert response.status_code == 401 and response.get_json() == DENIED


def test_a_token_without_iss_is_refused(get, token, people, world):
    claims = _claims_of(token(people["student"]))
    del claims["iss"]
    assert _sessions(get, people["student"], signed(world.secret, {"alg": "HS256"}, claims)).status_code == 401


def test_roles_that_are_not_text_are_ignored_and_a_center_that_is_not_text_is_no_center(get, token, people, world):
    """Staff rights come from a ``centerId`` string equal to the student's center; anything else is no center."""
    staff = _claims_of(token(people["staff"]))
    student = people["student"]
    assert _sessions(get, student, signed(world.secret, {"alg": "HS256"}, staff)).status_code == 200
    for center in ([student.center_id], {"id": student.center_id}, None):
        forged = dict(staff, centerId=center)
        assert _sessions(get, student, signed(world.secret, {"alg": "HS256"}, forged)).status_code == 403
    own = _claims_of(token(student))
    hs256 = {"alg": "HS256"}
    assert _sessions(get, student, signed(world.secret, hs256, dict(own, roles=[7, "Student"]))).status_code == 200
    assert _sessions(get, student, signed(world.secret, hs256, dict(own, roles=[7, None]))).status_code == 403


# -- the memo of verified tokens ------------------------------------------------------------------------------

def test_a_remembered_token_follows_its_tenant_through_a_reset(store, get, token, people, tenant):
    """A remembered token ends with a reset (a new signing secret, issue 31), memo or not; a token issued after
    it stops at a reset with a fixture that lacks the user it names."""
    bearer = token(people["student"])
    for _ in range(2):  # the second answer comes from the memo
        assert _sessions(get, people["student"], bearer).status_code == 200
    store.reset("default")
    assert _sessions(get, people["student"], bearer).status_code == 401
    bearer = token(people["student"])
    assert _sessions(get, people["student"], bearer).status_code == 200
    store.reset("default", fixture={"pearson": {"users": [
        {"id": "a1000000-0000-4000-8000-000000000009", "name": "Only One", "roles": ["Administrator"]}]}})
    response = _sessions(get, people["student"], bearer)
    assert response.status_code == 401 and response.get_json() == DENIED


def test_a_remembered_token_is_refused_by_a_tenant_with_another_key(get, token):
    """The same tenant id with another seed has another key: a token remembered under the old key is refused,
    and a token of the new tenant is accepted."""
    app = create_app({"seed": 42})
    store, client = app_state(app).store, app.test_client()
    first = store.create_tenant("rekeyed", seed=1)
    student = next(u for u in first.world("pearson").users.values() if "Student" in u.roles)
    old = issue_token(first.world("pearson"), student.id, first.clock.now())
    assert get(f"/users/{student.id}/encounters", old, via=client).status_code == 200
    assert get(f"/users/{student.id}/encounters", old, via=client).status_code == 200
    store.delete("rekeyed")
    second = store.create_tenant("rekeyed", seed=2, fixture={"pearson": {
        "centers": [{"id": student.center_id, "name": "C", "referenceId": "C-1"}],
        "users": [{"id": student.id, "name": student.name, "roles": ["Student"], "centerId": student.center_id}]}})
    assert second.world("pearson").secret != first.world("pearson").secret
    response = get(f"/users/{student.id}/encounters", old, via=client)
    assert response.status_code == 401 and response.get_json() == DENIED
    new = issue_token(second.world("pearson"), student.id, second.clock.now())
    assert get(f"/users/{student.id}/encounters", new, via=client).status_code == 200


# -- order ------------------------------------------------------------------------------------------------------

ANA = "a1000000-0000-4000-8000-000000000001"
CENTER = "0b6f3c1e-5a4d-4e2b-9c71-2f8d7a6b5c01"
TEACHER = "7e1d2c3b-4a59-4687-9a8b-1c2d3e4f5a01"


def _encounter(n: int, start: str, unit: int) -> dict:
    return {"id": f"e5000000-0000-4000-8000-00000000000{n}", "userId": ANA, "unitNumber": unit, "start": start}


def test_encounters_and_sessions_come_in_start_order_whatever_order_they_were_added_in(get):
    """Encounters by start time (ties by id), and 'current or next' session, from data added out of order."""
    app = create_app({"seed": 42})
    store, client = app_state(app).store, app.test_client()
    tenant = store.create_tenant("order", fixture={"pearson": {
        "centers": [{"id": CENTER, "name": "São Paulo", "referenceId": "BR-SAO-01"}],
        "teachers": [{"id": TEACHER, "name": "Olivia Bennett"}],
        "users": [{"id": ANA, "name": "Ana Souza", "roles": ["Student"], "centerId": CENTER}],
        "sessions": [
            {"id": "d4000000-0000-4000-8000-000000000003", "userId": ANA, "teacherId": TEACHER,
             "start": "+3d10h", "end": "+3d11h"},
            {"id": "d4000000-0000-4000-8000-000000000001", "userId": ANA, "teacherId": TEACHER,
             "start": "+1d10h", "end": "+1d11h"},
            {"id": "d4000000-0000-4000-8000-000000000002", "userId": ANA, "teacherId": TEACHER,
             "start": "+2d10h", "end": "+2d11h"},
        ],
        "encounters": [
            _encounter(5, "+5d9h", 5), _encounter(2, "+2d9h", 2), _encounter(9, "+3d9h", 4),
            _encounter(1, "+1d9h", 1), _encounter(8, "+3d9h", 3), _encounter(7, "+9d9h", 7),
        ],
    }})
    tenant.clock.freeze(tenant.anchor + timedelta(hours=12))

    def read(route: str):  # a fresh token each time: the clock moves by days
        bearer = issue_token(tenant.world("pearson"), ANA, tenant.clock.now())
        response = get(f"/users/{ANA}/{route}", bearer, via=client)
        assert response.status_code == 200
        return response.get_json()

    listed = read("encounters")
    assert [e["UnitNumber"] for e in listed] == [1, 2, 3, 4, 5, 7]
    assert [e["Id"][-1] for e in listed] == ["1", "2", "8", "9", "5", "7"]

    def starts_on(day: int) -> int:
        return int((tenant.anchor + timedelta(days=day, hours=10)).timestamp())

    assert read("sessions")["StartDate"] == starts_on(1)
    tenant.clock.advance(timedelta(days=1, hours=-1))  # +1d11h: the first has ended, the next to start is +2d
    assert read("sessions")["StartDate"] == starts_on(2)
    tenant.clock.advance(timedelta(days=1, hours=-1, minutes=30))  # +2d10h30: running now
    assert read("sessions")["StartDate"] == starts_on(2)
    tenant.clock.advance(timedelta(days=1, minutes=30))  # +3d11h: the last has just ended
    assert read("sessions") is None
    later = read("encounters")
    assert [e["UnitNumber"] for e in later] == [5, 7]
    for body in (listed, later):
        contract.validate("pearson", "available-encounter-list", body)


def test_the_memo_starts_over_when_full_and_every_token_still_answers(client, tenant, people):
    """Issue 31, item 8: past ``VERIFIED_MAX`` distinct verified tokens the memo starts over: every new token still
    answers 200 (not 500), a token dropped from it verifies again, the store forgets the dropped tokens' keys and
    the memo never passes its cap."""
    from emulator.pearson.http import auth

    world, student, store = tenant.world("pearson"), people["student"], app_state(client.application).store
    now = tenant.clock.now()
    tokens = [issue_token(world, student.id, now - timedelta(seconds=n)) for n in range(auth.VERIFIED_MAX + 6)]
    assert len(set(tokens)) == len(tokens)
    path = f"/pearson/users/{student.id}/sessions"
    for bearer in tokens:
        assert client.get(path, headers={"Authorization": f"Bearer {bearer}"}).status_code == 200
        assert len(world.verified) <= auth.VERIFIED_MAX
    assert tokens[0] not in world.verified and tokens[-1] in world.verified and len(world.verified) == 6
    assert store.tenant_for("pearson", tokens[0]) is None  # dropped with the memo (the iss still names the tenant)
    assert client.get(path, headers={"Authorization": f"Bearer {tokens[0]}"}).status_code == 200
