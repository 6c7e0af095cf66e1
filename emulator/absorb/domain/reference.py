"""Absorb's reference data: groups, roles, countries and provinces — what a connector reads before users.

Seeded consistently with the rest of the portal: groups hold real user ids, users point at real countries,
provinces and roles (``assign_users``). Everything here is drawn from its own generator, derived from the
tenant's seed, so adding reference data changes no id or value of the entities seeded before it.

Emulator's choices (the vendor's field lists give the shapes, not the contents):
- countries and provinces are a fixed table of real ISO countries and their first-level divisions, with ids
  derived from their codes (``uuid5``): the same in every tenant, as global reference data would be;
- roles are the portal's admin roles (the admin holds "System Admin"; learners hold none), with per-portal ids;
- manager roles (the Manager Experience's, a table of their own) are the vendor's locked default "Manager", with
  every permission, and one custom role, each naming the permissions the vendor's help article lists;
- an automatic group's members follow its rule at every read (a user created later joins it); a manual
  group's members are the ids it was given.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from emulator.core.wire import new_guid
from emulator.absorb.domain.lookups import find

NAMESPACE = uuid.UUID("5f0e3c1a-8d3b-4c52-9a57-0b6b1e2a7c44")  # the emulator's: ids of fixed reference rows

# (ISO code, name, first-level divisions)
COUNTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("US", "United States", (
        "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
        "District of Columbia", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas",
        "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi",
        "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
        "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
        "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
        "West Virginia", "Wisconsin", "Wyoming")),
    ("CA", "Canada", (
        "Alberta", "British Columbia", "Manitoba", "New Brunswick", "Newfoundland and Labrador",
        "Northwest Territories", "Nova Scotia", "Nunavut", "Ontario", "Prince Edward Island", "Quebec",
        "Saskatchewan", "Yukon")),
    ("AU", "Australia", (
        "Australian Capital Territory", "New South Wales", "Northern Territory", "Queensland", "South Australia",
        "Tasmania", "Victoria", "Western Australia")),
    ("GB", "United Kingdom", ("England", "Northern Ireland", "Scotland", "Wales")),
    ("IE", "Ireland", ("Connacht", "Leinster", "Munster", "Ulster")),
    ("DE", "Germany", ("Bavaria", "Berlin", "Hamburg", "Hesse", "North Rhine-Westphalia")),
    ("FR", "France", ()),
    ("NZ", "New Zealand", ()),
    ("IN", "India", ("Karnataka", "Maharashtra", "Tamil Nadu")),
    ("MX", "Mexico", ()),
    ("ZA", "South Africa", ("Gauteng", "Western Cape")),
    ("JP", "Japan", ()),
)
HOME_COUNTRIES = ("US", "CA", "AU", "GB")  # where the seeded learners live
ROLES: tuple[tuple[str, str], ...] = (
    ("System Admin", "Full access to every part of the portal, including the Integration API."),
    ("Admin", "Manages users, courses and enrollments in every department."),
    ("Department Admin", "Manages the users and enrollments of their own departments."),
    ("Reporting Admin", "Reads reports; changes nothing."),
    ("Instructor Admin", "Manages instructor-led courses, sessions and their rosters."),
    ("Course Editor", "Creates and edits courses and their content."),
)
# The Manager Experience's permissions (the vendor's "Manager Experience: Roles & Permissions" article), and its
# manager roles: the default "Manager" (locked, every permission) and a custom one.
MANAGER_PERMISSIONS = ("Users - View", "Users - Modify - Enroll")
MANAGER_ROLES: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    ("Manager", "The default manager role: every permission of the Manager Experience; it cannot be edited.", True,
     MANAGER_PERMISSIONS),
    ("Team Viewer", "Sees their direct reports and their learning; enrolls nobody.", False, ("Users - View",)),
)
MANUAL_GROUPS = ("Sales Team", "Customer Support", "Leadership Programme", "Compliance Cohort", "Mentors")


@dataclass(slots=True)
class Country:
    id: str
    country_code: str
    name: str


@dataclass(slots=True)
class Province:
    id: str
    country_id: str
    name: str


@dataclass(slots=True)
class Role:
    id: str
    name: str
    description: str
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class ManagerRole:
    """A role of the Manager Experience (what a manager may see and do for their direct reports), not an admin
    role: ``GET /managers/roles``."""

    id: str
    name: str
    description: str
    is_default: bool  # the vendor's locked "Manager"
    permissions: list[str]
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class Group:
    id: str
    name: str
    is_automatic: bool
    date_added: datetime
    date_edited: datetime
    member_ids: list[str] = field(default_factory=list)  # a manual group's members
    rule: str | None = None  # an automatic group's rule, a key of RULES


# An automatic group's members, computed at every read: (world) -> user ids in the world's order.
RULES: dict[str, Callable[[Any], list[str]]] = {
    "learners": lambda world: [u.id for u in world.users.values() if not u.is_admin],
    "admins": lambda world: [u.id for u in world.users.values() if u.is_admin],
}
AUTOMATIC_GROUPS = (("All Learners", "learners"), ("Administrators", "admins"))


@dataclass
class Reference:
    """One portal's reference data (``world.reference``)."""

    countries: dict[str, Country] = field(default_factory=dict)
    provinces: dict[str, Province] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    manager_roles: dict[str, ManagerRole] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"groups": len(self.groups), "roles": len(self.roles), "countries": len(self.countries),
                "provinces": len(self.provinces), "managerRoles": len(self.manager_roles)}


@cache  # a fixed table's rows: every tenant asks for the same few hundred ids
def fixed_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def seed(world: Any, rng: random.Random, anchor: datetime) -> Reference:
    """The reference data of a portal whose users are already in ``world`` (draws only from ``rng``)."""
    ref = Reference()
    for code, name, divisions in COUNTRIES:
        country = Country(id=fixed_id("country", code), country_code=code, name=name)
        ref.countries[country.id] = country
        for division in divisions:
            province = Province(id=fixed_id("province", code, division), country_id=country.id, name=division)
            ref.provinces[province.id] = province

    def added() -> tuple[datetime, datetime]:
        at = anchor - timedelta(days=rng.randint(400, 1500), seconds=rng.randint(0, 86399))
        return at, at + timedelta(days=rng.randint(0, 300))

    for name, description in ROLES:
        role = Role(new_guid(rng), name, description, *added())
        ref.roles[role.id] = role
    for name, rule in AUTOMATIC_GROUPS:
        group = Group(new_guid(rng), name, True, *added(), rule=rule)
        ref.groups[group.id] = group
    learners = [u.id for u in world.users.values() if not u.is_admin]
    for name in MANUAL_GROUPS:
        members = rng.sample(learners, min(len(learners), rng.randint(3, 12))) if learners else []
        group = Group(new_guid(rng), name, False, *added(), member_ids=members)
        ref.groups[group.id] = group
    return ref


def seed_manager_roles(ref: Reference, rng: random.Random, anchor: datetime) -> None:
    """The manager roles (``MANAGER_ROLES``), drawn last from the reference generator: no id above moves."""
    for name, description, is_default, permissions in MANAGER_ROLES:
        at = anchor - timedelta(days=rng.randint(400, 1500), seconds=rng.randint(0, 86399))
        role = ManagerRole(new_guid(rng), name, description, is_default, list(permissions), at,
                           at if is_default else at + timedelta(days=rng.randint(0, 300)))
        ref.manager_roles[role.id] = role


def assign_users(world: Any, rng: random.Random) -> None:
    """Seeded users get a country and province (unless a fixture gave them one), the admin the System Admin
    role: every id a user carries resolves."""
    ref = world.reference
    system_admin = next(r.id for r in ref.roles.values() if r.name == ROLES[0][0])
    homes = {code: [p.id for p in ref.provinces.values() if p.country_id == fixed_id("country", code)]
             for code in HOME_COUNTRIES}
    for user in world.users.values():
        if user.country_id is None:
            code = rng.choice(HOME_COUNTRIES)
            user.country_id = fixed_id("country", code)
            user.province_id = rng.choice(homes[code]) if homes[code] and user.province_id is None else user.province_id
        if user.is_admin and not user.role_ids:
            user.role_ids = [system_admin]


def problems(world: Any, body: dict[str, Any], user: Any, at: str = "") -> list[str]:
    """What is wrong with the reference ids of a user body: countryId, provinceId (of that country) and roleIds
    must exist (``users.problems`` adds these lines)."""
    ref, found = world.reference, list[str]()
    if ref is None:
        return found
    country = body.get("country_id", getattr(user, "country_id", None))
    if body.get("country_id") is not None and body["country_id"] not in ref.countries:
        found.append(f"{at}countryId: country '{body['country_id']}' was not found")
    province_id = body.get("province_id")
    if province_id is not None:
        province = ref.provinces.get(province_id)
        if province is None:
            found.append(f"{at}provinceId: province '{province_id}' was not found")
        elif country is not None and province.country_id != country:
            found.append(f"{at}provinceId: province '{province_id}' is not in country '{country}'")
    found += [f"{at}roleIds: role '{r}' was not found" for r in body.get("role_ids") or () if r not in ref.roles]
    return found


# -- lookups ---------------------------------------------------------------------------------------

def members(world: Any, group: Group) -> list[str]:
    """The group's user ids: its rule's at this moment, or its own list (users since removed left out)."""
    if group.rule is not None:
        return RULES[group.rule](world)
    return [i for i in group.member_ids if i in world.users]


def get_group(world: Any, group_id: str) -> Group:
    return find(world.reference.groups, group_id, "Group")


def get_role(world: Any, role_id: str) -> Role:
    return find(world.reference.roles, role_id, "Role")


def get_country(world: Any, country_id: str) -> Country:
    return find(world.reference.countries, country_id, "Country")


def get_province(world: Any, province_id: str) -> Province:
    return find(world.reference.provinces, province_id, "Province")


def list_provinces(world: Any, country_id: str | None) -> list[Province]:
    """The provinces of a country (all when None); an unknown country has none (emulator's choice)."""
    return [p for p in world.reference.provinces.values() if country_id is None or p.country_id == country_id]
