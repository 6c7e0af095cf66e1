"""Wire forms of Absorb's reference data: groups, roles, countries, provinces (``domain.reference``)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from marshmallow import fields

from emulator.core.wire import CamelCaseSchema, Guid, IsoDateTime, resource_for
from emulator.absorb.domain import reference
from emulator.absorb.domain.models import AbsorbWorld

MAX_GROUP_USER_IDS = 50_000  # the vendor's cap; past it the list ends with the empty GUID
EMPTY_GUID = "00000000-0000-0000-0000-000000000000"


class GroupSchema(CamelCaseSchema):
    """GroupResource."""

    id = Guid()
    name = fields.String()
    is_automatic = fields.Boolean()
    user_ids = fields.List(Guid(), attribute="member_ids")
    date_edited = IsoDateTime()
    date_added = IsoDateTime()


class RoleSchema(CamelCaseSchema):
    """RoleResource."""

    id = Guid()
    name = fields.String()
    description = fields.String()
    date_edited = IsoDateTime()
    date_added = IsoDateTime()


class CountrySchema(CamelCaseSchema):
    id = Guid()
    country_code = fields.String()
    name = fields.String()


class ProvinceSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()


class ManagerRoleSchema(CamelCaseSchema):
    """ManagerRoleResource: a role of the Manager Experience (the vendor's help article's fields: a name, the
    locked default, the permissions chosen; with RoleResource's id, description and dates)."""

    id = Guid()
    name = fields.String()
    description = fields.String()
    is_default = fields.Boolean()
    permissions = fields.List(fields.String())
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


GROUP, ROLE, COUNTRY, PROVINCE = GroupSchema(), RoleSchema(), CountrySchema(), ProvinceSchema()
GROUPS = resource_for(GROUP, "GroupResource")
ROLES = resource_for(ROLE, "RoleResource")
COUNTRIES = resource_for(COUNTRY, "CountryResource")
PROVINCES = resource_for(PROVINCE, "ProvinceResource")
MANAGER_ROLE = ManagerRoleSchema()
MANAGER_ROLES = resource_for(MANAGER_ROLE, "ManagerRoleResource")


def dump_group(world: AbsorbWorld, group: reference.Group) -> dict[str, Any]:
    """A group with its members as they are now (an automatic group follows its rule), capped as the vendor caps."""
    ids = reference.members(world, group)
    if len(ids) > MAX_GROUP_USER_IDS:
        ids = ids[:MAX_GROUP_USER_IDS] + [EMPTY_GUID]
    return GROUP.dump(replace(group, member_ids=ids))
