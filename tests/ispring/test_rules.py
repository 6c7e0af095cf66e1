"""iSpring rules at their edges: initials from the names (not the login) and from at most two login parts,
the email attribute, a session nobody takes part in, and the token's exact expiry instant."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

from emulator.ispring.domain import service

NOBODY = "00000000-0000-4000-8000-000000000000"


def _participant(world, session, user):
    if user.id not in session.participant_ids:
        service.add_participant(world, session.id, user.id)


def test_initials_come_from_the_names_whatever_the_login(call, world):
    session = next(iter(world.sessions.values()))
    named = next(u for u in world.users.values() if u.first_name and u.last_name)
    named.login = "zq-9"  # a login whose letters differ from the names'
    _participant(world, session, named)
    item = call(session.id, {"userIds": [named.id]}).get_json()[0]
    assert item["initials"] == (named.first_name[0] + named.last_name[0]).upper()


def test_initials_of_a_nameless_user_use_two_login_parts_at_most(call, world):
    session = next(iter(world.sessions.values()))
    nameless = next(u for u in world.users.values() if u.first_name and u.last_name)
    nameless.first_name = nameless.last_name = ""
    nameless.login = "ana.bia.caio@example.com"
    _participant(world, session, nameless)
    item = call(session.id, {"userIds": [nameless.id]}).get_json()[0]
    assert item["initials"] == "AB" and item["displayingName"] == "ana.bia.caio@example.com"


def test_the_email_is_an_attribute_when_the_user_has_one(call, world):
    session = next(iter(world.sessions.values()))
    with_mail, without = [u for u in world.users.values() if u.first_name][:2]
    with_mail.email, without.email = "someone@example.com", None
    for user in (with_mail, without):
        _participant(world, session, user)
    got = {i["userId"]: i["attributes"] for i in call(session.id, {"userIds": [with_mail.id, without.id]}).get_json()}
    assert {"key": "EMAIL", "value": "someone@example.com", "title": "Email"} in got[with_mail.id]
    assert all(a["key"] != "EMAIL" for a in got[without.id])


def test_a_session_nobody_takes_part_in_answers_an_empty_list(call, world):
    empty = dataclasses.replace(next(iter(world.sessions.values())), id="5e55e55e-0000-4000-8000-000000000001",
                                participant_ids=[])
    world.sessions[empty.id] = empty
    world.participants.pop(empty.id, None)
    assert call(empty.id, {"userIds": [NOBODY]}).get_json() == []


def test_a_token_is_refused_from_the_exact_instant_it_expires(call, token, tenant):
    session_id = next(iter(tenant.world("ispring").sessions))
    start = tenant.clock.now().replace(microsecond=0) + timedelta(seconds=1)
    tenant.clock.freeze(start)
    bearer = token("owner")
    tenant.clock.advance(timedelta(seconds=1800) - timedelta(microseconds=1))
    assert call(session_id, {"userIds": [NOBODY]}, None, Authorization=f"Bearer {bearer}").status_code == 200
    tenant.clock.advance(timedelta(microseconds=1))
    response = call(session_id, {"userIds": [NOBODY]}, None, Authorization=f"Bearer {bearer}")
    assert response.status_code == 401 and response.get_json()["message"] == "Access token expired."
