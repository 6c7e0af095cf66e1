"""Routes of the last operations of issue 29 (a user's and an enrollment's resources, a manager's users,
curriculum groups, the account sign-up, session details, manager roles).
Thin handlers; the rules are ``last_rules``'. Lists answer the usual envelope, honour the deprecated ``limit``
and ``offset``, and are ordered by id.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify, request

from emulator.core.errors import ValidationFailed
from emulator.core.http import guid_arg, guid_list_arg, json_body
from emulator.core.openapi import Param, documented
from emulator.absorb.domain import last as last_rules, managers, users
from emulator.absorb.domain.choices import CHOICES
from emulator.absorb.http.auth import absorb_call
from emulator.absorb.wire.catalogue import RESOURCE, RESOURCES
from emulator.absorb.wire.last import CURRICULUM_GROUP, SESSION_DETAIL
from emulator.absorb.wire.lookups import MANAGER_ROLE, MANAGER_ROLES
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.http.routes import (
    BODY_ERRORS, CALL_ERRORS, GET_ERRORS, LEGACY_PAGING, PAGED, Listing, bp, paged, wire,
)
from emulator.absorb.wire.bodies import USER_BODY, load
from emulator.absorb.wire.schemas import USER, USERS, dump

LIST = PAGED + LEGACY_PAGING
NESTED_LIST_ERRORS = {**GET_ERRORS, 422: None}


@bp.get("/users/<guid:user_id>/resources")
@documented("List a user's resources: the global ones and their courses'. Default order: id.", query=LIST,
            responses={200: "resource-page", **NESTED_LIST_ERRORS})
@absorb_call()
@paged
def list_user_resources(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(last_rules.user_resources(world, user_id), RESOURCES, RESOURCE.dump, key="resources",
                   deprecated=False, legacy_paging=True)


@bp.get("/enrollments/<guid:enrollment_id>/resources")
@documented("List an enrollment's resources: its course's. Default order: id.", query=LIST,
            responses={200: "resource-page", **NESTED_LIST_ERRORS})
@absorb_call()
@paged
def list_enrollment_resources(enrollment_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(last_rules.enrollment_resources(world, enrollment_id), RESOURCES, RESOURCE.dump,
                   key="resources", deprecated=False, legacy_paging=True)


@bp.get("/managers/roles")
@documented("List manager roles: the Manager Experience's roles (not the admin roles of /roles), the locked default "
            "'Manager' and the custom ones. Default order: id.", query=LIST,
            responses={200: "manager-role-page", **CALL_ERRORS, 422: None})
@absorb_call()
@paged
def list_manager_roles(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(managers.manager_roles(world), MANAGER_ROLES, MANAGER_ROLE.dump, key="managerRoles",
                   deprecated=False, legacy_paging=True)


@bp.get("/managers/<guid:manager_id>/users")
@documented("List a manager's users: everyone below them in the supervisor tree. Default order: id.", query=LIST,
            responses={200: "user-page", **NESTED_LIST_ERRORS})
@absorb_call()
@paged
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


@bp.post("/create-absorb-account")
@documented("Create an Absorb account (learner sign-up): a new learner, never an update; username, password, "
            "firstName, lastName, emailAddress and departmentId required; a taken username or email: 422",
            body="account-request", responses={201: "user", **CALL_ERRORS, **BODY_ERRORS})
@absorb_call()
def create_absorb_account(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    body = load(USER_BODY, json_body(request))
    response = jsonify(dump(world, USER, users.create_account(world, body, at=now)))
    response.status_code = CHOICES.account_created_status
    return response


SESSION_IDS = Param("sessionIds", {"type": "string"}, "Session ids, comma-separated or repeated: those sessions, "
                    "in the order asked.")
COURSE_ID = Param("courseId", {"type": "string", "format": "uuid"}, "A course: its sessions (with sessionIds: the "
                  "sessions named must be its own).")


@bp.get("/courses/session-details")
@documented("List session details (a bare array): each session with its course's name, its seats taken, waitlisted "
            "and free, its venue and schedules; by sessionIds and/or courseId, one of them required",
            query=(SESSION_IDS, COURSE_ID), responses={200: "session-detail-list", **GET_ERRORS})
@absorb_call(admin=False)
def list_session_details(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    ids = guid_list_arg(request.args, "sessionIds")
    raw = request.args.get("courseId", "")
    course_id = guid_arg(raw.strip(), "courseId") if raw.strip() else None
    if not ids and course_id is None:
        raise ValidationFailed("'sessionIds' or 'courseId' is required.",
                               validations=["sessionIds: required unless courseId is given"])
    return jsonify(SESSION_DETAIL.dump(last_rules.session_details(world, ids, course_id), many=True))
