"""Routes of the last operations of issue 29 (a user's and an enrollment's resources, a manager's users, ...).
Thin handlers; the rules are ``last_rules``'. Lists answer the usual envelope, honour the deprecated ``limit``
and ``offset``, and are ordered by id.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify, request

from emulator.core.errors import ValidationFailed
from emulator.core.http import guid_arg, guid_list_arg
from emulator.core.openapi import Param, documented
from emulator.absorb.domain import last as last_rules
from emulator.absorb.http.auth import absorb_call
from emulator.absorb.wire.catalogue import RESOURCE, RESOURCES
from emulator.absorb.wire.last import CURRICULUM_GROUP
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.http.routes import (
    GET_ERRORS, LEGACY_LIST, NESTED_LIST_ERRORS, Listing, bp, legacy_listing, read_list, wire,
)

from emulator.absorb.wire.schemas import USER, USERS


@read_list("/users/<guid:user_id>/resources",
           "List a user's resources: the global ones and their courses'. Default order: id.",
           "resource-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS)
def list_user_resources(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(last_rules.user_resources(world, user_id), RESOURCES, RESOURCE.dump, key="resources",
                   deprecated=False, legacy_paging=True)


@read_list("/enrollments/<guid:enrollment_id>/resources",
           "List an enrollment's resources: its course's. Default order: id.",
           "resource-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS)
def list_enrollment_resources(enrollment_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(last_rules.enrollment_resources(world, enrollment_id), RESOURCES, RESOURCE.dump, "resources")


@read_list("/managers/<guid:manager_id>/users",
           "List a manager's users: everyone below them in the supervisor tree. Default order: id.",
           "user-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS)
def list_managed_users(manager_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(last_rules.managed_users(world, manager_id), USERS, wire(world, USER), key="users",
                   deprecated=False, legacy_paging=True)


GROUP_ID = Param("curriculumGroupId", {"type": "string", "format": "uuid"}, "The curriculum group's id.", required=True)
GROUP_IDS = Param("curriculumGroupIds", {"type": "string"}, "Curriculum group ids, comma-separated or repeated.",
                  required=True)


@bp.get("/curriculums/curriculum-group")
@documented("Get a curriculum group", query=(GROUP_ID,), responses={200: "curriculum-group", **GET_ERRORS, 400: None})
@absorb_call(admin=False)
def get_curriculum_group(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    raw = request.args.get("curriculumGroupId", "")
    if not raw.strip():
        raise ValidationFailed("'curriculumGroupId' is required.", validations=["curriculumGroupId: required"])
    return jsonify(CURRICULUM_GROUP.dump(last_rules.curriculum_group(world, guid_arg(raw, "curriculumGroupId"))))


@bp.get("/curriculums/multiple-curriculum-groups")
@documented("List curriculum groups by id, in the order asked (a bare array)", query=(GROUP_IDS,),
            responses={200: "curriculum-group-list", **GET_ERRORS, 400: None})
@absorb_call(admin=False)
def list_curriculum_groups(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    ids = guid_list_arg(request.args, "curriculumGroupIds")
    if not ids:
        raise ValidationFailed("'curriculumGroupIds' is required.", validations=["curriculumGroupIds: required"])
    return jsonify(CURRICULUM_GROUP.dump(last_rules.curriculum_groups(world, ids), many=True))
