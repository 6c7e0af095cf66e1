"""iSpring Learn groups: plain groups (members as added) and smart groups (members by rules), and their seeding.

A smart group's rules are an AND of ORs of rules (the document's ``SmartGroupRuleNodes``); its members are
computed from the users at every read (``users.members_of``), so a user who comes to match a rule is in the
group at once. A smart group's members cannot be written (400). Names are unique in the account (400).
"""
from __future__ import annotations

import random
from typing import Any

from emulator.core.errors import BadRequest
from emulator.core.wire import new_guid
from emulator.ispring.domain.lookups import check_uuid, lookup
from emulator.ispring.domain.models import Group, ISpringWorld, SmartRule

SEEDED = (("New hires", 6), ("Mentors", 4), ("Safety training", 8))  # name, members drawn


def seed_groups(world: ISpringWorld, rng: random.Random, cohorts: int = 0) -> None:
    """Three plain groups and one smart group (the first department, with those under it); then ``cohorts``
    more plain groups of the same sizes (a larger world's, ``core.scale``)."""
    users = [u.id for u in world.users.values() if u.status != "DELETED"]
    for name, size in SEEDED:
        group = Group(id=new_guid(rng), name=name, member_ids=rng.sample(users, min(size, len(users))))
        world.groups[group.id] = group
    first = next(iter(world.departments), None)
    if first is not None:
        smart = Group(id=new_guid(rng), name=f"All of {world.departments[first].name}",
                      smart_rules=[[SmartRule(attribute_type=1, operator=2, value=first)]])
        world.groups[smart.id] = smart
    for n in range(cohorts):
        name, size = SEEDED[n % len(SEEDED)]
        group = Group(id=new_guid(rng), name=f"{name}, cohort {n // len(SEEDED) + 2}",
                      member_ids=rng.sample(users, min(size, len(users))))
        world.groups[group.id] = group


def find(world: ISpringWorld, group_id: str) -> Group:
    return lookup(world.groups, check_uuid("groupId", group_id), "Group")


def _check_name(world: ISpringWorld, name: str, group_id: str | None) -> str:
    if not name.strip():
        raise BadRequest("name: must not be empty.")
    if any(g.name.lower() == name.strip().lower() and g.id != group_id for g in world.groups.values()):
        raise BadRequest(f"name: a group called '{name.strip()}' exists.")
    return name.strip()


def _check_users(world: ISpringWorld, user_ids: list[str]) -> list[str]:
    out = []
    for user_id in dict.fromkeys(u.lower() for u in user_ids):
        user = world.users.get(user_id)
        if user is None or user.status == "DELETED":
            raise BadRequest(f"userIds: '{user_id}' is not a user of the account.")
        out.append(user_id)
    return out


def read_rules(world: ISpringWorld, raw: dict[str, Any]) -> list[list[SmartRule]]:
    """The document's ``{"and": [{"or": [{"rule": {...}}]}]}`` as an AND of ORs; 400 for a rule naming a
    department or group the account does not have, or a profile field it does not have."""
    out = []
    for either in raw["and"]:
        rules = []
        for node in either["or"]:
            rule = SmartRule(**node["rule"])
            if rule.attribute_type == 1 and rule.value.lower() not in world.departments:
                raise BadRequest(f"rules: '{rule.value}' is not a department of the account.")
            if rule.attribute_type == 2 and rule.value.lower() not in world.groups:
                raise BadRequest(f"rules: '{rule.value}' is not a group of the account.")
            if rule.attribute_type == 3 and not rule.attribute_id:
                raise BadRequest("rules: a profile field rule needs attributeId (the field's name).")
            rules.append(rule)
        if not rules:
            raise BadRequest("rules: each 'and' item needs at least one 'or' rule.")
        out.append(rules)
    if not out:
        raise BadRequest("rules: at least one rule is required.")
    return out


def create(world: ISpringWorld, name: str, user_ids: list[str] | None,
           rules: list[list[SmartRule]] | None = None) -> Group:
    group = Group(id=new_guid(world.rng), name=_check_name(world, name, None),
                  member_ids=_check_users(world, user_ids or []) if rules is None else [], smart_rules=rules)
    world.groups[group.id] = group
    world.changed()
    return group


def rename(world: ISpringWorld, group: Group, name: str) -> None:
    group.name = _check_name(world, name, group.id)
    world.changed()


def set_rules(world: ISpringWorld, group: Group, name: str | None, rules: list[list[SmartRule]]) -> None:
    if group.smart_rules is None:
        raise BadRequest("The group is not a smart group.")
    if name is not None:
        group.name = _check_name(world, name, group.id)
    group.smart_rules = rules
    world.changed()


def set_members(world: ISpringWorld, group: Group, user_ids: list[str]) -> None:
    """``POST /group/{id}/members``: the group's members become exactly ``user_ids``."""
    if group.smart_rules is not None:
        raise BadRequest("A smart group's members follow its rules.")
    group.member_ids = _check_users(world, user_ids)
    world.changed()


def delete(world: ISpringWorld, group: Group) -> None:
    """The group is gone; smart groups whose rules named it lose those rules' matches."""
    del world.groups[group.id]
    world.changed()


def rules_wire(group: Group) -> dict[str, Any]:
    return {"and": [{"or": [{"rule": {"attributeType": r.attribute_type, "operator": r.operator,
                                      "value": r.value, **({"attributeId": r.attribute_id} if r.attribute_id
                                                           else {})}} for r in either]}
                    for either in group.smart_rules or []]}
