"""Absorb Integration API v2 routes: thin handlers (parse, call the service, dump).

Paths are the vendor's (the evidence in ``docs/VENDOR-NOTES.md``); each handler is named after the
seed's operation. This module holds the blueprint, what every Absorb route shares (query parameters,
error statuses, paging) and the routes of authentication, users, departments and courses; a learner's
enrollments are in ``enrollment_routes``, the reference data in ``lookup_routes``.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from ..core import paging
from ..core.http import datetime_arg, int_arg, json_body
from ..core.errors import ValidationFailed
from ..core.openapi import Param, documented
from . import service, users
from .choices import CHOICES
from .auth import absorb_call, authenticate as authenticate_user, page_key, resolve_portal
from .models import AbsorbWorld, User
from .bodies import AUTHENTICATE, USER_BODY, load
from .schemas import COURSE, COURSES, DEFAULT_SORT, DEPARTMENT, DEPARTMENTS, USER, USERS, dump

bp = Blueprint("absorb", __name__)
STATUSES = range(13)

# Query parameters as the seed documents them, for the OpenAPI document and strict mode.
PAGED = (
    Param("_filter", {"type": "string"}, "OData filter over the resource's fields."),
    Param("_sort", {"type": "string"}, "Comma-separated fields; '-' prefix for descending. Default: the vendor's "
          "documented default sort (courseName for user course enrollments, username for users), else the key (id); "
          "ties are broken by id."),
    Param("_limit", {"type": "string", "pattern": "^[0-9]+$"}, "Page size (default 20, max 1000)."),
    Param("_offset", {"type": "string", "pattern": "^[0-9]+$"}, "Page number, 0 first (max 65535)."),
)
# The error statuses a route declares (``responses``): each answers Absorb's error body.
CALL_ERRORS = {400: None, 401: None, 403: None}  # every call with a token: bad input, no token, not allowed
GET_ERRORS = {**CALL_ERRORS, 404: None}  # ... naming a resource in its path
LIST_ERRORS = {**CALL_ERRORS, 422: None}  # a paged list: a _filter or _sort that cannot be applied
BODY_ERRORS = {413: None, 415: None, 422: None}  # a JSON body: too large, not JSON, not valid


def _created(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


def _filters(items: list[Any]) -> list[Any]:
    """The ``status`` and ``modifiedSince`` query parameters."""
    if "status" not in request.args and "modifiedSince" not in request.args:
        return items
    return service.changed_since(items, int_arg(request.args, "status", choices=STATUSES),
                                 datetime_arg(request.args, "modifiedSince"))


def _page(world: AbsorbWorld, user: User, items: list[Any], resource: Any, schema: Any,
          key: str = "enrollments", deprecated: bool = True) -> Response:
    """One page of a list, from the world's page cache until the next write (``core.pagecache``).

    ``deprecated``: the list takes the deprecated ``status``, ``modifiedSince``, ``limit``, ``offset`` too."""
    def compute() -> dict[str, Any]:
        return paging.query_list(_filters(items) if deprecated else items, resource, request.args, key=key,
                                 dump=lambda e: dump(world, schema, e), default_sort=DEFAULT_SORT.get(resource.name),
                                 deprecated=deprecated)

    body = world.pages.answer(page_key(user), compute)
    return Response(body, mimetype="application/json")


# -- authentication ---------------------------------------------------------------------------

@bp.post("/authenticate")
@documented("Authenticate and get a token", body="authenticate-request", auth=False,
            responses={200: "token", 400: None, 401: None, 413: None, 415: None})
def authenticate() -> Response:
    tenant = resolve_portal()
    g.tenant = tenant  # the journal and fault rules find the request's tenant here
    body = load(AUTHENTICATE, json_body(request))
    with tenant.lock:
        token = authenticate_user(tenant.world("absorb"), username=body["username"], password=body["password"],
                                  private_key=body["private_key"], api_key=request.headers["x-api-key"],
                                  now=tenant.clock.now())
    return jsonify(token)


# -- users ------------------------------------------------------------------------------------------

@bp.get("/users")
@documented("List users (default sort: username)", query=PAGED, responses={200: "user-page", **LIST_ERRORS})
@absorb_call()
def list_users(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return _page(world, user, list(world.users.values()), USERS, USER, key="users", deprecated=False)


@bp.get("/users/<guid:user_id>")
@documented("Get user", responses={200: "user", **GET_ERRORS})
@absorb_call()
def get_user(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, USER, users.get_user(world, user_id)))


@bp.put("/users/<guid:user_id>")
@documented("Update user", body="user-request", responses={200: "user", **GET_ERRORS, **BODY_ERRORS})
@absorb_call()
def update_user(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    target = users.get_user(world, user_id)
    body = load(USER_BODY, json_body(request))
    return jsonify(dump(world, USER, users.update_user(world, target, body, at=now)))


@bp.post("/users")
@documented("Create or update user (matched by username)", body="user-request",
            responses={200: "user", 201: "user", **CALL_ERRORS, **BODY_ERRORS})
@absorb_call()
def save_user(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    body = load(USER_BODY, json_body(request))
    saved, created = users.save_user(world, body, at=now)
    response = jsonify(dump(world, USER, saved))
    response.status_code = CHOICES["user_write_status"]["POST created" if created else "POST updated"]
    return response


@bp.post("/users/upload")
@documented("Upload users (create or update up to 200, matched by username; also at /users/upload/)",
            body="user-upload-request", responses={200: "user-upload-result", **CALL_ERRORS, **BODY_ERRORS})
@absorb_call()
def upload_users(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    raw = json_body(request)
    if not isinstance(raw, list):
        raise ValidationFailed("The body must be an array of users.", validations=["body: expected an array"])
    users.check_upload_size(len(raw))  # an oversized batch is refused whole, before any of it is read
    bodies = [load(USER_BODY, item, f"[{n}]") for n, item in enumerate(raw)]
    saved = users.upload_users(world, bodies, at=now)
    return jsonify([{"key": u.id, "value": u.username} for u in saved])


# -- departments and courses (read-only) ---------------------------------------------------------------

DEPARTMENT_QUERY = PAGED + (Param("departmentName", {"type": "string"}, "Departments with this name."),
                            Param("externalId", {"type": "string"}, "Departments with this external id."))


@bp.get("/departments")
@documented("List departments", query=DEPARTMENT_QUERY, responses={200: "department-page", **LIST_ERRORS})
@absorb_call()
def list_departments(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    found = users.list_departments(world, request.args.get("departmentName"), request.args.get("externalId"))
    return _page(world, user, found, DEPARTMENTS, DEPARTMENT, key="departments", deprecated=False)


@bp.get("/departments/<guid:department_id>")
@documented("Get department", responses={200: "department", **GET_ERRORS})
@absorb_call()
def get_department(department_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, DEPARTMENT, users.get_department(world, department_id)))


@bp.get("/courses")
@documented("List courses", query=PAGED, responses={200: "course-page", **LIST_ERRORS})
@absorb_call()
def list_courses(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return _page(world, user, list(world.courses.values()), COURSES, COURSE, key="courses", deprecated=False)


@bp.get("/courses/<guid:course_id>")
@documented("Get course", responses={200: "course", **GET_ERRORS})
@absorb_call()
def get_course(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, COURSE, service.get_course(world, course_id)))
