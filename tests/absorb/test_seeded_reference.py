"""The seeded reference data is believable: what a connector reads from groups, roles, countries and provinces
fits the portal's users and its clock (``absorb.reference``)."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from emulator.absorb.domain import reference
from emulator.absorb.domain.reference import HOME_COUNTRIES, MANUAL_GROUPS, ROLES, fixed_id

ANCHOR = datetime(2030, 1, 1, 9, 30, tzinfo=UTC)


def _wire_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_every_manual_group_has_3_to_12_distinct_members_all_learners(api):
    learners = {u.id for u in api.learners()}
    manual = api.get("/groups?_filter=isAutomatic eq false", "group-page", status=200).body["groups"]
    assert sorted(g["name"] for g in manual) == sorted(MANUAL_GROUPS)
    for group in manual:
        members = group["userIds"]
        assert 3 <= len(members) <= 12, group
        assert len(set(members)) == len(members) and set(members) <= learners, group


def test_every_seeded_role_and_group_was_added_then_edited_before_the_world_clock(api, tenant):
    now = tenant.clock.now()
    rows = (api.get("/roles", "role-page", status=200).body["roles"]
            + api.get("/groups", "group-page", status=200).body["groups"])
    assert len(rows) == len(ROLES) + len(MANUAL_GROUPS) + len(reference.AUTOMATIC_GROUPS)
    for row in rows:
        assert _wire_time(row["dateAdded"]) <= _wire_time(row["dateEdited"]) <= now, row


def test_every_role_is_one_of_the_portal_roles_with_its_description(api):
    roles = api.get("/roles", "role-page", status=200).body["roles"]
    assert sorted((r["name"], r["description"]) for r in roles) == sorted(ROLES)


def test_each_seeded_user_lives_in_a_home_country_and_one_of_its_provinces(api):
    users = api.get("/users?_limit=1000", "user-page", status=200).body["users"]
    assert len(users) == len(api.world.users)
    homes = {fixed_id("country", code) for code in HOME_COUNTRIES}
    provinces = {c: {p["id"] for p in api.get(f"/provinces?countryId={c}", "province-list", status=200).body}
                 for c in homes}
    for user in users:
        assert user["countryId"] in homes, user["username"]
        assert user["provinceId"] in provinces[user["countryId"]], user["username"]


def test_learners_hold_no_role_and_the_admin_holds_system_admin(api):
    system_admin = next(r["id"] for r in api.get("/roles", "role-page").body["roles"] if r["name"] == "System Admin")
    users = api.get("/users?_limit=1000", "user-page", status=200).body["users"]
    for user in users:
        assert user["roleIds"] == ([system_admin] if user["username"] == "admin" else []), user["username"]


# -- the seeder's ranges, at both ends of every draw ------------------------------------------------------
# A generator whose randint always answers the lowest (or the highest) value shows the bounds themselves:
# reference rows are added 400 to 1,500 days (and up to a day) before the anchor and edited 0 to 300 days later
# (the emulator's choice); a manual group has 3 to 12 members.

class _Lowest(random.Random):
    def randint(self, a: int, b: int) -> int:
        return a


class _Highest(random.Random):
    def randint(self, a: int, b: int) -> int:
        return b


def _portal(learners: int = 20) -> SimpleNamespace:
    users = {f"u{n}": SimpleNamespace(id=f"u{n}", is_admin=n == 0) for n in range(learners + 1)}
    return SimpleNamespace(users=users)


def _dated(ref: reference.Reference) -> list:
    return [*ref.roles.values(), *ref.groups.values()]


def test_at_the_lowest_draws_rows_are_added_400_days_before_the_anchor_and_never_edited_since():
    portal = _portal()
    ref = reference.seed(portal, _Lowest(1), ANCHOR)
    for row in _dated(ref):
        assert row.date_added == ANCHOR - timedelta(days=400) and row.date_edited == row.date_added, row.name
    manual = [g for g in ref.groups.values() if not g.is_automatic]
    assert [len(g.member_ids) for g in manual] == [3] * len(MANUAL_GROUPS)


def test_at_the_highest_draws_rows_are_added_1500_days_and_a_day_before_and_edited_300_days_later():
    portal = _portal()
    ref = reference.seed(portal, _Highest(1), ANCHOR)
    for row in _dated(ref):
        assert row.date_added == ANCHOR - timedelta(days=1500, seconds=86399), row.name
        assert row.date_edited == row.date_added + timedelta(days=300), row.name
    manual = [g for g in ref.groups.values() if not g.is_automatic]
    assert [len(g.member_ids) for g in manual] == [12] * len(MANUAL_GROUPS)
    assert all(portal.users[m].is_admin is False for g in manual for m in g.member_ids)


@pytest.mark.parametrize("learners", [0, 2])
def test_a_portal_with_fewer_learners_than_a_group_needs_puts_every_learner_in_each_manual_group(learners):
    portal = _portal(learners)
    ref = reference.seed(portal, random.Random(3), ANCHOR)
    everyone = {u.id for u in portal.users.values() if not u.is_admin}
    for group in ref.groups.values():
        if not group.is_automatic:
            assert set(group.member_ids) == everyone and len(group.member_ids) == learners, group.name
    assert [g.name for g in ref.groups.values() if g.is_automatic] == [n for n, _ in reference.AUTOMATIC_GROUPS]


def test_a_manual_group_leaves_out_users_no_longer_in_the_portal():
    portal = _portal()
    ref = reference.seed(portal, random.Random(5), ANCHOR)
    group = next(g for g in ref.groups.values() if not g.is_automatic)
    gone = group.member_ids[0]
    del portal.users[gone]
    assert reference.members(portal, group) == group.member_ids[1:]
