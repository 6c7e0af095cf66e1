"""iSpring Learn department routes: the list, create, update, delete, subordination and moves.

Thin handlers on the blueprint of ``routes``; the rules are ``departments``'.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, request

from emulator.core.errors import BadRequest
from emulator.core.openapi import Param
from emulator.ispring.wire import bodies
from emulator.ispring.domain import departments, service
from emulator.ispring.domain.models import ApiClient, ISpringWorld
from emulator.ispring.http.routes import ERRORS, answer, learn
from emulator.ispring.http.users import WRITE_ERRORS, empty, new_id, subordination_of
from emulator.ispring.wire.schemas import dump_department, load
from emulator.ispring.http.request import header_params, read_body


@learn.get("/department", "Get department list", query=(Param("code", {"type": "string"}),),
           responses={200: "department-list", **ERRORS})
def get_departments(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    code = request.args.get("code")
    service.require_permission(client, "departments")
    visible = service.visible_departments(world, client)
    found = [d for d in world.departments.values() if (visible is None or d.id in visible)
             and (code is None or (d.code or "") == code)]
    return answer({"departments": [dump_department(d) for d in found]}, "department-list", media)


@learn.post("/department", "Add a new department", body="new-department-request",
            query=header_params("X-Name", "X-Parent-Department-Id", "X-Code"), responses={201: "new-id", **ERRORS})
def add_department(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.NEW_DEPARTMENT, read_body(headers=("X-Name", "X-Parent-Department-Id", "X-Code")))
    service.require_permission(client, "departments")
    department = departments.create(world, client, body["name"], body["parent_department_id"], body["code"])
    return new_id(department.id, media)


@learn.post("/department/<department_id>",
            "Update department", body="update-department-request", responses={204: None, **WRITE_ERRORS})
def update_department(department_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                      media: str) -> Response:
    body = load(bodies.UPDATE_DEPARTMENT, read_body())
    service.require_permission(client, "departments")
    departments.update(world, client, departments.find(world, department_id), body["name"],
                       body["parent_department_id"], body["code"])
    return empty(204)


@learn.delete("/department/<department_id>", "Delete department", responses={204: None, **WRITE_ERRORS})
def remove_department(department_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                      media: str) -> Response:
    service.require_permission(client, "departments")
    departments.delete(world, client, departments.find(world, department_id))
    return empty(204)


@learn.post("/department/<department_id>/subordination",
            "Change department subordination", body="subordination-request", responses={204: None, **WRITE_ERRORS})
def change_department_subordination(department_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                                    media: str) -> Response:
    body = load(bodies.CHANGE_SUBORDINATION, read_body())
    service.require_permission(client, "departments")
    departments.set_subordination(world, client, departments.find(world, department_id),
                                  subordination_of(body["subordination"]), subordination_of(body["co_subordination"]))
    return empty(204)


@learn.post("/department/<department_id>/user/move",
            "Move users to department", body="user-ids-request", responses={204: None, **WRITE_ERRORS})
def move_users_to_department(department_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                             media: str) -> Response:
    body = load(bodies.USER_IDS, read_body(("userIds",)))
    service.require_permission(client, "departments")
    departments.move_users(world, client, departments.find(world, department_id), body["user_ids"])
    return empty(204)


@learn.post("/department/<parent_id>/department/move",
            "Move departments to parent department", body="department-ids-request",
            responses={204: None, **WRITE_ERRORS})
def move_departments(parent_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                     media: str) -> Response:
    body = load(bodies.DEPARTMENT_IDS, read_body(("departmentIds", "departmnetIds")))
    ids = body["department_ids"] if body["department_ids"] is not None else body["departmnet_ids"]
    if ids is None:
        raise BadRequest("departmentIds: Missing data for required field.")
    service.require_permission(client, "departments")
    departments.move_departments(world, client, departments.find(world, parent_id, "parentId"), ids)
    return empty(204)
