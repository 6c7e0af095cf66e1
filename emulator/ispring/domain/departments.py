"""iSpring Learn departments: the tree's writes, kept consistent.

- A department's parent must be a department of the account and not the department itself or one under
  it (400: the tree has no cycles).
- Deleting a department moves its users and its sub-departments to its parent (emulator's choice, see
  docs/VENDOR-NOTES.md); a department without a parent that still holds users or
  departments cannot be deleted (400).
- A department administrator writes only the departments they manage (and those under them): 403.
"""
from __future__ import annotations

from emulator.core.errors import BadRequest, Forbidden
from emulator.core.wire import is_guid, new_guid
from emulator.ispring.domain import service, users
from emulator.ispring.domain.lookups import check_uuid, lookup
from emulator.ispring.domain.models import ApiClient, Department, ISpringWorld, Subordination


def find(world: ISpringWorld, department_id: str, name: str = "departmentId") -> Department:
    return lookup(world.departments, check_uuid(name, department_id), "Department")


def may_write(world: ISpringWorld, client: ApiClient, department_id: str) -> None:
    if client.role in users.ADMIN_ROLES:
        return
    if department_id not in users.managed_by(world, client):
        raise Forbidden("Permission denied")


def _parent(world: ISpringWorld, parent_id: str, child: str | None) -> str:
    if not is_guid(parent_id) or parent_id.lower() not in world.departments:
        raise BadRequest(f"parentDepartmentId: '{parent_id}' is not a department of the account.")
    if child is not None and parent_id.lower() in service.subtree(world, child):
        raise BadRequest("parentDepartmentId: a department cannot move under itself or a department under it.")
    return parent_id.lower()


def _name(world: ISpringWorld, name: str, parent_id: str | None, department_id: str | None) -> str:
    if not name.strip():
        raise BadRequest("name: must not be empty.")
    if any(d.name.lower() == name.strip().lower() and d.parent_id == parent_id and d.id != department_id
           for d in world.departments.values()):
        raise BadRequest(f"name: '{name.strip()}' exists under that parent.")
    return name.strip()


def create(world: ISpringWorld, client: ApiClient, name: str, parent_id: str, code: str | None) -> Department:
    parent = _parent(world, parent_id, None)
    may_write(world, client, parent)
    department = Department(id=new_guid(world.rng), name=_name(world, name, parent, None), code=code or None,
                            parent_id=parent)
    world.departments[department.id] = department
    world.changed()
    return department


def update(world: ISpringWorld, client: ApiClient, department: Department, name: str | None,
           parent_id: str | None, code: str | None) -> None:
    may_write(world, client, department.id)
    parent = department.parent_id if parent_id is None else _parent(world, parent_id, department.id)
    if parent_id is not None:
        may_write(world, client, parent or "")
    department.name = _name(world, department.name if name is None else name, parent, department.id)
    department.parent_id = parent
    if code is not None:
        department.code = code or None
    world.changed()


def delete(world: ISpringWorld, client: ApiClient, department: Department) -> None:
    may_write(world, client, department.id)
    held = [u for u in world.users.values() if u.department_id == department.id and u.status != "DELETED"]
    children = [d for d in world.departments.values() if d.parent_id == department.id]
    if department.parent_id is None and (held or children):
        raise BadRequest("A top-level department that holds users or departments cannot be deleted.")
    for user in world.users.values():
        if user.department_id == department.id:  # the deleted ones too: no user names a missing department
            user.department_id = department.parent_id or user.department_id
    for child in children:
        child.parent_id = department.parent_id
    for user in world.users.values():
        if department.id in user.manageable_department_ids:
            user.manageable_department_ids.remove(department.id)
    del world.departments[department.id]
    world.changed()


def set_subordination(world: ISpringWorld, client: ApiClient, department: Department, main: Subordination | None,
                      co: Subordination | None) -> None:
    may_write(world, client, department.id)
    for sub in (main, co):
        if sub is not None and sub.type == "manual":
            users.check_supervisor(world, sub, None)
    if main is not None:
        department.subordination = main
    if co is not None:
        department.co_subordination = co
    world.changed()


def move_users(world: ISpringWorld, client: ApiClient, department: Department, user_ids: list[str]) -> None:
    """Every named user moves (404 for one the account does not have, before anything moves)."""
    may_write(world, client, department.id)
    moving = users.find_many(world, client, user_ids)
    for user in moving:
        user.department_id = department.id
    world.changed()


def move_departments(world: ISpringWorld, client: ApiClient, parent: Department, department_ids: list[str]) -> None:
    may_write(world, client, parent.id)
    moving = [find(world, d, "departmentIds") for d in dict.fromkeys(department_ids)]
    for department in moving:
        may_write(world, client, department.id)
        _parent(world, parent.id, department.id)
    for department in moving:
        department.parent_id = parent.id
    world.changed()
