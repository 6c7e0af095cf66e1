"""iSpring Learn group routes: list forms, create (plain and smart), read, rename, rules, members, delete.

Thin handlers on the blueprint of ``routes``; the rules are ``groups``' (members of smart groups: ``users``).
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, request

from emulator.core.errors import BadRequest
from emulator.ispring.wire import bodies
from emulator.ispring.domain import groups, service
from emulator.ispring.domain.models import ApiClient, ISpringWorld
from emulator.ispring.http.queries import token_page_body
from emulator.ispring.http.routes import ERRORS, PAGING, answer, learn
from emulator.ispring.http.users import WRITE_ERRORS, empty, new_id
from emulator.ispring.wire.schemas import dump_group, load
from emulator.ispring.http.request import read_body

RULE_ARRAYS = ("and", "or")


@learn.get("/group", "Get group list", responses={200: "group-list", **ERRORS})
def get_groups(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    service.require_permission(client, "users")
    return answer([dump_group(world, g) for g in world.groups.values()], "group-list", media)


@learn.get("/groups", "List groups", query=PAGING, responses={200: "group-page", **ERRORS})
def list_groups(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    size = service.page_size(request.args.get("pageSize"))
    service.require_permission(client, "users")
    page, token = service.token_page(list(world.groups.values()), size, request.args.get("pageToken"))
    return answer(token_page_body("groups", [dump_group(world, g) for g in page], token), "group-page", media)


@learn.post("/group", "Add a new group", body="new-group-request", responses={201: "new-id", **ERRORS})
def add_group(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.NEW_GROUP, read_body(("userIds",)))
    service.require_permission(client, "users")
    return new_id(groups.create(world, body["name"], body["user_ids"]).id, media)


@learn.post("/group/smart",
            "Add a new smart group", body="new-smart-group-request", responses={201: "new-id", **ERRORS})
def add_smart_group(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.NEW_SMART_GROUP, read_body(RULE_ARRAYS))
    service.require_permission(client, "users")
    rules = groups.read_rules(world, body["rules"])
    return new_id(groups.create(world, body["name"], None, rules).id, media)


@learn.post("/group/smart/<group_id>",
            "Update smart group rules", body="update-smart-group-request", responses={200: None, **WRITE_ERRORS})
def edit_smart_group(group_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                     media: str) -> Response:
    body = load(bodies.UPDATE_SMART_GROUP, read_body(RULE_ARRAYS))
    service.require_permission(client, "users")
    group = groups.find(world, group_id)
    groups.set_rules(world, group, body["name"], groups.read_rules(world, body["rules"]))
    return empty()


@learn.get("/group/smart/<group_id>/rules",
           "Get smart group rules", responses={200: "smart-group-rules", **WRITE_ERRORS})
def get_smart_group_rules(group_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                          media: str) -> Response:
    service.require_permission(client, "users")
    group = groups.find(world, group_id)
    if group.smart_rules is None:
        raise BadRequest("The group is not a smart group.")
    return answer({"smartGroupRules": {"groupId": group.id, "rules": groups.rules_wire(group)}},
                  "smart-group-rules", media)


@learn.get("/group/<group_id>", "Get group", responses={200: "group-detail", **WRITE_ERRORS})
def get_group(group_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    service.require_permission(client, "users")
    return answer(dump_group(world, groups.find(world, group_id), detailed=True), "group-detail", media)


@learn.post("/group/<group_id>", "Update group", body="update-group-request", responses={200: None, **WRITE_ERRORS})
def update_group(group_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(bodies.UPDATE_GROUP, read_body())
    service.require_permission(client, "users")
    groups.rename(world, groups.find(world, group_id), body["name"])
    return empty()


@learn.delete("/group/<group_id>", "Delete group", responses={204: None, **WRITE_ERRORS})
def remove_group(group_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    service.require_permission(client, "users")
    groups.delete(world, groups.find(world, group_id))
    return empty(204)


@learn.post("/group/<group_id>/members",
            "Update group members", body="user-ids-request", responses={200: None, **WRITE_ERRORS})
def update_group_members(group_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                         media: str) -> Response:
    body = load(bodies.USER_IDS, read_body(("userIds",)))
    service.require_permission(client, "users")
    groups.set_members(world, groups.find(world, group_id), body["user_ids"])
    return empty()
