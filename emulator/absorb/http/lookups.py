"""Routes of the lookups a connector makes besides users, departments and courses: the reference data
(``reference``: groups, roles, countries, provinces) and a user's courses.

Paged lists answer the usual envelope (``groups``, ``roles``, ``countries``); ``/provinces`` answers a bare
array, as real clients read it. Wire schemas and their OData tables live here beside the routes that use them.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask import Response, jsonify

from emulator.core.http import guid_arg
from emulator.core.openapi import Param
from emulator.absorb.domain import reference, users
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.http.routes import NESTED_LIST_ERRORS, PAGED, Listing, read, read_list, wire
from emulator.absorb.wire.lookups import COUNTRIES, COUNTRY, GROUPS, PROVINCE, PROVINCES, ROLE, ROLES, dump_group
from emulator.absorb.wire.schemas import COURSE, COURSES

COUNTRY_ID = Param("countryId", {"type": "string", "anyOf": [{"format": "uuid"}, {"maxLength": 0}]},
                   "The country whose provinces to list (empty: every country's).")
ID_ORDER = "Default order: id (the vendor documents no default sort)."


# -- groups -------------------------------------------------------------------------------------------

@read_list("/groups", "List groups. " + ID_ORDER, "group-page")
def list_groups(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(list(world.reference.groups.values()), GROUPS, lambda g: dump_group(world, g), "groups",
                   deprecated=False)


@read("/groups/<guid:group_id>", "Get a group", "group")
def get_group(group_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump_group(world, reference.get_group(world, group_id)))


# -- roles ----------------------------------------------------------------------------------------------

@read_list("/roles", "List roles. " + ID_ORDER, "role-page")
def list_roles(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(list(world.reference.roles.values()), ROLES, ROLE.dump, "roles", deprecated=False)


@read("/roles/<guid:role_id>", "Get a role", "role")
def get_role(role_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(ROLE.dump(reference.get_role(world, role_id)))


# -- countries and provinces ------------------------------------------------------------------------------

@read_list("/countries", "List countries. " + ID_ORDER, "country-page")
def list_countries(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(list(world.reference.countries.values()), COUNTRIES, COUNTRY.dump, "countries", deprecated=False)


@read("/countries/<guid:country_id>", "Get a country", "country")
def get_country(country_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(COUNTRY.dump(reference.get_country(world, country_id)))


@read_list("/provinces",
           "List provinces of a country, as a bare array: every match unless _limit or _offset asks for a page. "
            + ID_ORDER,
           "province-list", query=(COUNTRY_ID,) + PAGED)
def list_provinces(*, world: AbsorbWorld, now: datetime, user: User, args: Mapping[str, str]) -> Listing:
    raw = args.get("countryId")
    country_id = guid_arg(raw, "countryId") if raw else None
    return Listing(reference.list_provinces(world, country_id), PROVINCES, PROVINCE.dump, bare=True)


@read("/provinces/<guid:province_id>", "Get a province", "province")
def get_province(province_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(PROVINCE.dump(reference.get_province(world, province_id)))


# -- a user's courses ----------------------------------------------------------------------------------------

@read_list("/users/<guid:user_id>/courses", "List the courses a user may take: enrolled or available. " + ID_ORDER,
           "course-page", errors=NESTED_LIST_ERRORS)
def list_user_courses(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    learner = users.get_user(world, user_id)
    return Listing(users.list_user_courses(world, learner), COURSES, wire(world, COURSE), key="courses",
                   deprecated=False)
