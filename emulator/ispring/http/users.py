"""iSpring Learn user routes: every list form, the profile reads and writes, statuses, schedules, roles.

Thin handlers on the blueprint of ``routes`` (parse, call ``users``, answer in the negotiated media type);
``ispring_call`` gives each both auth modes, and ``Vendor.base_paths`` every base path.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, request

from emulator.core.errors import BadRequest
from emulator.core.openapi import Param
from emulator.core.persistence import read_only
from emulator.ispring.wire import bodies
from emulator.ispring.domain import service, users
from emulator.ispring.domain.models import ApiClient, ISpringWorld, Subordination, User, WorkLeave
from emulator.ispring.http.queries import token_page_body
from emulator.ispring.http.routes import ERRORS, PAGING, STRINGS, UUIDS, XML, answer, learn, uuid_list
from emulator.ispring.wire.schemas import dump_user, load
from emulator.ispring.http.request import header_params, read_body

NEW_USER_HEADERS = ("X-Department-Id", "X-Fields", "X-Password", "X-Role", "X-Role-Id", "X-Manageable-Department-Ids",
                    "X-Group-Ids", "X-Send-Login-Email", "X-Invitation-Message", "X-Send-Login-SMS",
                    "X-Invitation-SMS-Message")  # the document's header forms (X-Roles, an array of objects: not read)
UPDATE_USER_HEADERS = ("X-Department-Id", "X-Role", "X-Role-Id", "X-Fields", "X-Group-Ids",
                       "X-Manageable-Department-Ids")
FILTER_QUERY = (Param("departments[]", UUIDS), Param("groups[]", UUIDS), Param("logins[]", STRINGS),
                Param("emails[]", STRINGS))
WRITE_ERRORS = {**ERRORS, 404: None}
USER_LIST_PAGE_SIZE = 100  # POST /user/list without pageSize (emulator's choice, docs/VENDOR-NOTES.md)


def empty(status: int = 200) -> Response:
    """A write's answer with no body (the document's 200 or 204 "Success Response")."""
    return Response(status=status)


def new_id(value: str, media: str) -> Response:
    """201 with the new entity's id: a JSON string, or ``<response>id</response>``."""
    response = answer(value, "new-id", media)
    response.status_code = 201
    return response


def _query_filter() -> users.UserFilter:
    return users.UserFilter.of(departments=uuid_list("departments[]"), groups=uuid_list("groups[]"),
                               logins=request.args.getlist("logins[]"), emails=request.args.getlist("emails[]"),
                               user_ids=uuid_list("userIds[]"))


def _page(world: ISpringWorld, client: ApiClient, wanted: users.UserFilter, media: str) -> Response:
    size = service.page_size(request.args.get("pageSize"))
    page, token = service.token_page(users.listed(world, client, wanted), size, request.args.get("pageToken"))
    return answer(token_page_body("userProfiles", [dump_user(world, u) for u in page], token), "user-page", media)


# -- lists ---------------------------------------------------------------------------------------------

@read_only  # a query sent as POST
@learn.post("/user/list", "Get users list (paged by page number)", body="user-list-request",
            responses={200: "paged-user-list", **ERRORS})
def get_paged_users_list(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.PAGED_USERS_LIST, read_body(("groups", "departments", "logins", "emails", "profileFields",
                                                    "profileFieldsDateRange", "values"), optional=True))
    service.require_permission(client, "users")
    wanted = users.UserFilter.of(departments=body["departments"], groups=body["groups"], logins=body["logins"],
                                 emails=body["emails"])
    keys = []
    for item in body["profile_fields"]:
        key = users.field_key(world, item["name"])
        if key is None:
            raise BadRequest(f"profileFields: unknown profile field '{item['name']}'.")
        keys.append((key, frozenset(v.lower() for v in item["values"])))
    ranges = []
    for item in body["profile_fields_date_range"]:
        key = users.field_key(world, item["name"])
        if key is None:
            raise BadRequest(f"profileFieldsDateRange: unknown profile field '{item['name']}'.")
        ranges.append((key, item["low"], item["high"]))
    wanted = users.UserFilter(wanted.departments, wanted.groups, wanted.logins, wanted.emails,
                              profile_fields=tuple(keys), date_ranges=tuple(ranges))
    found = users.listed(world, client, wanted)
    size = min(body["page_size"] or USER_LIST_PAGE_SIZE, service.MAX_PAGE_SIZE)
    start = (body["page"] - 1) * size
    data = {"pageNumber": body["page"], "totalUsersNumber": len(found),
            "userProfiles": [dump_user(world, u, field_list=True) for u in found[start:start + size]]}
    return answer(data, "paged-user-list", media)


@learn.get("/user/v2", "Get user list (v2)", query=FILTER_QUERY, responses={200: "user-list", **ERRORS})
def get_users_v2(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    wanted = _query_filter()
    service.require_permission(client, "users")
    return answer([dump_user(world, u) for u in users.listed(world, client, wanted)], "user-list", media)


@learn.get("/users", "List users (deprecated by the vendor)", query=(*PAGING, *FILTER_QUERY),
           responses={200: "user-page", **ERRORS})
def list_users(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    wanted = _query_filter()
    service.require_permission(client, "users")
    return _page(world, client, wanted, media)


@learn.get("/users/v2", "List users (v2)", query=(*PAGING, *FILTER_QUERY, Param("userIds[]", UUIDS)),
           responses={200: "user-page", **ERRORS})
def list_users_v2(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    wanted = _query_filter()
    service.require_permission(client, "users")
    return _page(world, client, wanted, media)


@read_only  # a query sent as POST
@learn.post("/users/v2", "List users (v2), the filters in the body", query=PAGING, body="users-v2-request",
            body_media=XML, body_required=False, responses={200: "user-page", **ERRORS})
def list_users_v2_by_post(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.USERS_BY_POST, read_body(("groups", "departments", "logins", "emails", "userIds"),
                                                optional=True))
    service.require_permission(client, "users")
    wanted = users.UserFilter.of(departments=body["departments"], groups=body["groups"], logins=body["logins"],
                                 emails=body["emails"], user_ids=body["user_ids"])
    return _page(world, client, wanted, media)


@learn.get("/user/<user_id>/v2", "Get user profile (v2)", responses={200: "user-profile", **ERRORS, 404: None})
def get_user_v2(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    service.require_permission(client, "users")
    return answer({"response": dump_user(world, users.find(world, client, user_id))}, "user-profile", media)


@read_only  # a query sent as POST
@learn.post("/users/find_existing", "Find existing users", body="user-ids-request", query=header_params("X-User-Ids"),
            responses={200: "id-list", **ERRORS})
def find_existing_users(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.USER_IDS, read_body(("userIds",), headers=("X-User-Ids",)))
    service.require_permission(client, "users")
    return answer(users.existing(world, body["user_ids"]), "id-list", media)


@learn.get("/user/profile/fields", "Get user profile fields", responses={200: "profile-field-list", **ERRORS})
def get_user_profile_fields(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    service.require_permission(client, "users")
    return answer(users.profile_field_infos(world), "profile-field-list", media)


@learn.get("/role", "Get role list", responses={200: "role-list", **ERRORS})
def get_roles(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    service.require_permission(client, "users")
    return answer(users.roles(world), "role-list", media)


# -- one user ------------------------------------------------------------------------------------------

def _write(world: ISpringWorld, body: dict[str, Any]) -> users.ProfileWrite:
    fields = users.read_fields(world, body["fields"]) if body.get("fields") is not None else None
    for name in ("login", "email"):  # beside fields (the Laravel package)
        if body.get(name) is not None:
            fields = {**(fields or {}), name.upper(): body[name]}
    role = body.get("role")
    manageable = body.get("manageable_department_ids")
    if body.get("roles"):  # the document's UserRole list: its first role (one role per user is modelled)
        first = body["roles"][0]
        role = first.get("role_type") or role
        manageable = first.get("manageable_department_ids") or manageable
    groups = body.get("group_ids")
    if groups is None:
        groups = body.get("groups")
    return users.ProfileWrite(department_id=body.get("department_id"), fields=fields, role=role,
                              manageable_department_ids=manageable, group_ids=groups,
                              password=body.get("password"))


@learn.post("/user", "Add a new user", body="new-user-request", query=header_params(*NEW_USER_HEADERS),
            responses={201: "new-id", **ERRORS})
def add_user(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.NEW_USER, read_body(("groupIds", "groups", "manageableDepartmentIds", "roles"),
                                           headers=NEW_USER_HEADERS))
    service.require_permission(client, "users")
    user = users.create(world, client, _write(world, body), now)
    return new_id(user.id, media)


@learn.post("/user/<user_id>",
            "Update user profile", body="update-user-request", query=header_params(*UPDATE_USER_HEADERS),
            responses={200: None, **WRITE_ERRORS})
def update_user_profile(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                        media: str) -> Response:
    body = load(bodies.UPDATE_USER, read_body(("groupIds", "manageableDepartmentIds", "roles"),
                                              headers=UPDATE_USER_HEADERS))
    service.require_permission(client, "users")
    users.update(world, client, users.find(world, client, user_id), _write(world, body))
    return empty()


@learn.delete("/user/<user_id>", "Delete user", responses={204: None, **WRITE_ERRORS})
def remove_user(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    service.require_permission(client, "users")
    users.delete(world, client, users.find(world, client, user_id))
    return empty(204)


def _one(user_id: str, world: ISpringWorld, client: ApiClient) -> User:
    service.require_permission(client, "users")
    return users.find(world, client, user_id)


@learn.post("/user/<user_id>/password",
            "Update user password", body="password-request", query=header_params("X-Password"),
            responses={200: None, **WRITE_ERRORS})
def update_user_password(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                         media: str) -> Response:
    body = load(bodies.PASSWORD, read_body(headers=("X-Password",)))
    user = _one(user_id, world, client)
    users.update(world, client, user, users.ProfileWrite(password=body["password"]))
    return empty()


@learn.post("/user/<user_id>/status", "Change user status", body="status-request", query=header_params("X-Status"),
            responses={200: None, **WRITE_ERRORS})
def change_user_status(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                       media: str) -> Response:
    status = users.status_of(load(bodies.STATUS, read_body(headers=("X-Status",)))["status"])
    users.set_status(world, client, _one(user_id, world, client), status)
    return empty()


def subordination_of(raw: dict[str, Any] | None) -> Subordination | None:
    if raw is None:
        return None
    if raw["subordination_type"] == "manual" and not raw.get("supervisor_id"):
        raise BadRequest("supervisorId: required when subordinationType is manual.")
    return Subordination(type=raw["subordination_type"],
                         supervisor_id=raw.get("supervisor_id") if raw["subordination_type"] == "manual" else None)


@learn.post("/user/<user_id>/subordination",
            "Change user subordination", body="subordination-request", responses={204: None, **WRITE_ERRORS})
def change_user_subordination(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                              media: str) -> Response:
    body = load(bodies.CHANGE_SUBORDINATION, read_body())
    users.set_subordination(world, client, _one(user_id, world, client), subordination_of(body["subordination"]),
                            subordination_of(body["co_subordination"]))
    return empty(204)


def _schedule(user_id: str, what: str, world: ISpringWorld, client: ApiClient) -> Response:
    day = load(bodies.SCHEDULED_DATE, read_body())["date"] if request.method == "POST" else None
    users.schedule(world, client, _one(user_id, world, client), what, day)
    return empty()


@learn.route("/user/<user_id>/scheduled_deactivation",
             "Schedule user deactivation (POST) or delete the scheduled date (DELETE)", body="date-request",
             body_required=False, responses={200: None, **WRITE_ERRORS}, methods=["POST", "DELETE"])
def scheduled_deactivation(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                           media: str) -> Response:
    return _schedule(user_id, "deactivation", world, client)


@learn.route("/user/<user_id>/scheduled_termination",
             "Schedule user termination (POST) or delete the scheduled date (DELETE)", body="date-request",
             body_required=False, responses={200: None, **WRITE_ERRORS}, methods=["POST", "DELETE"])
def scheduled_termination(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                          media: str) -> Response:
    return _schedule(user_id, "termination", world, client)


@learn.post("/user/<user_id>/groups/remove",
            "Remove user from groups", body="group-ids-request", query=header_params("X-Group-Ids"),
            responses={200: None, **WRITE_ERRORS})
def remove_user_from_groups(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                            media: str) -> Response:
    body = load(bodies.GROUP_IDS, read_body(("groupIds",), headers=("X-Group-Ids",)))
    users.remove_from_groups(world, client, _one(user_id, world, client), body["group_ids"])
    return empty()


# -- many users ----------------------------------------------------------------------------------------

def _bulk_status(status: str, world: ISpringWorld, client: ApiClient) -> Response:
    body = load(bodies.USER_IDS, read_body(("userIds",), headers=("X-User-Ids",)))
    service.require_permission(client, "users")
    found = users.find_many(world, client, body["user_ids"])
    for user in found:  # every check before any write: a refused bulk write changes nothing
        users.check_status(world, client, user, status)
    for user in found:
        users.set_status(world, client, user, status)
    return empty()


@learn.post("/users/activate", "Activate users", body="user-ids-request", query=header_params("X-User-Ids"),
            responses={200: None, **WRITE_ERRORS})
def activate_users(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _bulk_status("ACTIVE", world, client)


@learn.post("/users/deactivate", "Deactivate users", body="user-ids-request", query=header_params("X-User-Ids"),
            responses={200: None, **WRITE_ERRORS})
def deactivate_users(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _bulk_status("DEACTIVATED", world, client)


@learn.post("/users/terminate", "Terminate users", body="user-ids-request", query=header_params("X-User-Ids"),
            responses={200: None, **WRITE_ERRORS})
def terminate_users(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _bulk_status("TERMINATED", world, client)


@learn.post("/users/work-leave-status",
            "Update work leave statuses", body="work-leave-request", responses={200: None, **WRITE_ERRORS})
def update_work_leave_statuses(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.WORK_LEAVE_STATUSES, read_body(("workLeaveStatuses",)))
    service.require_permission(client, "users")
    changes = []
    for item in body["work_leave_statuses"]:
        user = users.find_many(world, client, [item["user_id"]])[0]
        leave = WorkLeave(reason=item["work_leave_reason"], start=item["start_date"] or now.date(),
                          end=item["end_date"])
        users.check_work_leave(world, client, user, leave)
        changes.append((user, leave))
    for user, leave in changes:
        users.set_work_leave(world, client, user, leave)
    return empty()


@learn.post("/users/work-leave-status/delete",
            "Remove work leave statuses", body="user-ids-request", query=header_params("X-User-Ids"),
            responses={200: None, **WRITE_ERRORS})
def remove_work_leave_statuses(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.USER_IDS, read_body(("userIds",), headers=("X-User-Ids",)))
    service.require_permission(client, "users")
    for user in users.find_many(world, client, body["user_ids"]):
        users.set_work_leave(world, client, user, None)
    return empty()
