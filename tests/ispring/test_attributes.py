"""POST .../appraisal/session/{sessionId}/user/attributes/list: answers, every status code, the header rules."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def session(world):
    return next(iter(world.sessions.values()))


def test_owner_reads_participants_in_request_order(call, world, session):
    wanted = list(reversed(session.participant_ids[:4]))
    body = call(session.id, {"userIds": wanted}).get_json()
    assert [item["userId"] for item in body] == wanted
    for item in body:
        user = world.users[item["userId"]]
        assert item["sessionId"] == session.id
        assert item["departmentId"] == user.department_id
        assert item["departmentName"] == world.departments[user.department_id].name
        assert item["status"] == user.status
        assert {"key": "LOGIN", "value": user.login, "title": "Login"} in item["attributes"]


def test_non_participants_and_unknown_ids_are_left_out(call, world, session):
    outsider = next(u for u in world.users if u not in session.participant_ids)
    inside = session.participant_ids[0]
    body = call(session.id, {"userIds": [outsider, NOBODY, inside, inside.upper()]}).get_json()
    assert [item["userId"] for item in body] == [inside]
    assert call(session.id, {"userIds": [outsider]}).get_json() == []


def test_dates_are_yyyy_mm_dd(call, session):
    body = call(session.id, {"userIds": session.participant_ids}).get_json()
    hired = [a["value"] for item in body for a in item["attributes"] if a["key"] == "USER_DEFINED_FIELD3"]
    assert hired and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in hired)


def test_login_fallback_and_initials(call, world):
    """Users without names show their login; initials come from the login's parts."""
    nameless = next(u for u in world.users.values() if not u.first_name and not u.last_name)
    session = next(s for s in world.sessions.values() if nameless.id in s.participant_ids) \
        if any(nameless.id in s.participant_ids for s in world.sessions.values()) else None
    if session is None:  # make them a participant
        from emulator.ispring.domain import service

        session = next(iter(world.sessions.values()))
        service.add_participant(world, session.id, nameless.id)
    item = call(session.id, {"userIds": [nameless.id]}).get_json()[0]
    assert item["displayingName"] == nameless.login
    parts = re.split(r"[._\-@]+", nameless.login)
    assert item["initials"] == "".join(p[0] for p in parts[:2]).upper()
    named = next(u for u in world.users.values() if u.first_name and u.id in session.participant_ids)
    item = call(session.id, {"userIds": [named.id]}).get_json()[0]
    assert item["displayingName"] == f"{named.first_name} {named.last_name}"
    assert item["initials"] == (named.first_name[0] + named.last_name[0]).upper()


def test_every_user_status_appears(world):
    assert {u.status for u in world.users.values()} == {"ACTIVE", "DEACTIVATED", "DELETED", "TERMINATED"}
    assert {s.status for s in world.sessions.values()} == {"NOT_STARTED", "IN_PROGRESS", "COMPLETED"}


# -- roles ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, status", [("owner", 200), ("administrator", 200), ("learner", 403)])
def test_only_owner_and_administrators(call, session, who, status):
    response = call(session.id, {"userIds": session.participant_ids[:1]}, who)
    assert response.status_code == status
    if status == 403:
        assert response.get_json() == {"code": 403, "message": "Permission denied"}


# -- 401 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Basic abc", "Bearer made-up"])
def test_missing_or_unknown_token_is_401(call, session, authorization):
    response = call(session.id, {"userIds": [NOBODY]}, None, Authorization=authorization)
    assert response.status_code == 401 and response.get_json()["code"] == 401


@pytest.mark.parametrize("account", [None, ""])
def test_the_token_alone_names_the_account(call, session, account):
    """The vendor's OpenAPI never lists X-Auth-Account-Url: a client generated from it sends none."""
    response = call(session.id, {"userIds": session.participant_ids[:1]}, X_Auth_Account_Url=account)
    assert response.status_code == 200 and len(response.get_json()) == 1


def test_an_account_url_naming_another_account_is_401(call, store, session):
    other = store.create_tenant("other").world("ispring").account_url
    for url in ("https://nowhere.ispringlearn.local", other):
        response = call(session.id, {"userIds": [NOBODY]}, X_Auth_Account_Url=url)
        assert response.status_code == 401 and "X-Auth-Account-Url" in response.get_json()["message"]


def test_account_url_tolerates_case_and_trailing_slash(call, creds, session):
    url = creds["accountUrl"].upper() + "/"
    assert call(session.id, {"userIds": [NOBODY]}, X_Auth_Account_Url=url).status_code == 200


def test_expired_token_is_401(call, client, creds, token, tenant, session):
    bearer = token("owner")
    assert call(session.id, {"userIds": [NOBODY]}, None, Authorization=f"Bearer {bearer}").status_code == 200
    tenant.clock.advance(timedelta(seconds=1799))
    assert call(session.id, {"userIds": [NOBODY]}, None, Authorization=f"Bearer {bearer}").status_code == 200
    tenant.clock.advance(timedelta(hours=2))
    response = call(session.id, {"userIds": [NOBODY]}, None, Authorization=f"Bearer {bearer}")
    assert response.status_code == 401 and response.get_json()["message"] == "Access token expired."


def test_other_accounts_token_reads_its_own_account_only(call, store, token, session):
    other = store.create_tenant("other").world("ispring")
    bearer = token("owner", on=other.credentials())
    # with this account's URL: 401; without one, the token names its own account, where this session is unknown
    assert call(session.id, {"userIds": [NOBODY]}, None, Authorization=f"Bearer {bearer}").status_code == 401
    assert call(session.id, {"userIds": [NOBODY]}, None, Authorization=f"Bearer {bearer}",
                X_Auth_Account_Url=None).status_code == 404
    own = next(iter(other.sessions))
    for account in (other.account_url, None):
        assert call(own, {"userIds": [NOBODY]}, None, Authorization=f"Bearer {bearer}",
                    X_Auth_Account_Url=account).status_code == 200


def test_a_reset_forgets_the_accounts_tokens(call, store, token, tenant, session):
    bearer = token("owner")
    assert call(session.id, {"userIds": []}, None, Authorization=f"Bearer {bearer}").status_code == 200
    store.reset(tenant.id)
    assert call(session.id, {"userIds": []}, None, Authorization=f"Bearer {bearer}",
                X_Auth_Account_Url=None).status_code == 401


# -- 400 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [{}, {"userIds": "a"}, {"userIds": [NOBODY, "nope"]}, {"userIds": None},
                                  {"userIds": [42]}, [NOBODY], "text"])
def test_bad_bodies_are_400(call, session, body):
    """Only what the document's ListAppraisalSessionUserAttributesRequest rules out: userIds required, an array
    of UUIDs, in an object."""
    response = call(session.id, body)
    assert response.status_code == 400 and response.get_json()["code"] == 400


def test_empty_user_ids_are_answered_empty(call, session):
    """The document sets no minimum on userIds."""
    response = call(session.id, {"userIds": []})
    assert response.status_code == 200 and response.get_json() == []


@pytest.mark.parametrize("raw", [b"", b"{not json", b"\xff\xfe"])
def test_non_json_body_is_400(call, session, raw):
    assert call(session.id, raw=raw).status_code == 400


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_content_type_must_be_json(call, session, content_type):
    response = call(session.id, {"userIds": [NOBODY]}, Content_Type=content_type)
    assert response.status_code == 400 and "Content-Type" in response.get_json()["message"]


@pytest.mark.parametrize("accept, status", [(None, 200), ("*/*", 200), ("application/*", 200),
                                            ("application/json", 200), ("text/html, application/json;q=0.5", 200),
                                            ("application/xml", 200), ("text/html", 406), ("text/xml", 406),
                                            ("application/json;q=0", 406)])
def test_accept_rule(call, session, accept, status):
    assert call(session.id, {"userIds": [NOBODY]}, Accept=accept).status_code == status


@pytest.mark.parametrize("session_id", ["42", "not-a-uuid", "00000000-0000-4000-8000-00000000000z"])
def test_malformed_session_id_is_400(call, session_id):
    assert call(session_id, {"userIds": [NOBODY]}).status_code == 400


@pytest.mark.parametrize("session_ids", [[NOBODY], ["x"], "not a list"])
def test_sessionIds_in_the_body_are_ignored(call, session, session_ids):
    """The vendor document's prose names sessionIds; its request body does not: nothing checks it."""
    body = call(session.id, {"userIds": session.participant_ids[:1], "sessionIds": session_ids, "other": 1}).get_json()
    assert len(body) == 1


# -- 404 / 405 ---------------------------------------------------------------------------------------

def test_unknown_session_is_404(call):
    response = call(NOBODY, {"userIds": [NOBODY]})
    assert response.status_code == 404 and response.get_json() == {"code": 404, "message": "Session not found"}


def test_upper_case_session_id_is_found(call, session):
    assert call(session.id.upper(), {"userIds": session.participant_ids[:1]}).status_code == 200


def test_routing_errors_use_the_ispring_shape(client, session):
    from emulator.core import contract

    json = {"Accept": "application/json"}
    for response in (client.get(f"/ispring/performance-management/appraisal/session/{session.id}/user/attributes/list",
                                headers=json),
                     client.get("/ispring/api/v3/token"), client.post("/ispring/nothing", headers=json),
                     client.get("/ispring/api/v2/api/v3/token", headers=json)):
        assert response.status_code in (404, 405)
        contract.validate("ispring", "error", response.get_json())


def test_answers_are_cached_per_body_and_caller(call, world, session):
    """The same body is answered from the world's page cache (verified against a fresh answer by the
    suite's verify mode); the key holds the caller, so a learner sending the owner's body is still 403."""
    body = {"userIds": session.participant_ids[:3]}
    first = call(session.id, body).get_json()
    assert len(world.pages) == 1
    assert call(session.id, body).get_json() == first
    assert call(session.id, body, who="learner").status_code == 403
    assert call(session.id, {"userIds": session.participant_ids[:1]}).get_json() == first[:1]
    big = {"userIds": session.participant_ids[:1] + [NOBODY] * 600}  # a body too large to be a key
    assert call(session.id, big).get_json() == first[:1]
    assert len(world.pages) == 2


def test_a_body_over_the_limit_is_413_naming_the_limit(call, session):
    from emulator.core.http import MAX_BODY_BYTES

    response = call(session.id, raw=b'{"userIds": ["' + b"x" * MAX_BODY_BYTES + b'"]}')
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in response.get_json()["message"]
