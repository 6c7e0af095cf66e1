"""iSpring Learn users: the login mode's caller, filters and pages, profile writes, statuses and schedules.

Plain functions taking the world first; the routes call them under the tenant's lock. Rules:

- Login mode: ``X-Auth-Email`` names an ACTIVE user of the account and ``X-Auth-Password`` is theirs
  (else 401); the caller acts with that user's role (``login_caller``).
- Who may write: the account owner and administrators everywhere; a department administrator only
  users of the departments they manage, and never an owner's or administrator's role (403).
- Profile fields come as the document's object (``{"first_name": ...}``, snake_case) or as the list of
  ``{name, value}`` two public clients send (``FIRST_NAME``); names are matched case-insensitively
  against the account's fields (``profile_catalog``); an unknown name is a 400.
- Status writes take the document's codes (1 active, 3 deactivated, 5 terminated) or the status names.
- Scheduled deactivation and termination take effect when the tenant's clock reaches the day
  (``apply_schedules``, run before every call); deleting a schedule cancels it.
- A deleted user is gone from every read (404) and from every group; their id is not reused.
"""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from emulator.core.errors import BadRequest, Forbidden, NotFound, Unauthorized
from emulator.core.wire import is_guid, new_guid
from emulator.ispring.domain import service, webhooks
from emulator.ispring.domain.lookups import check_uuid
from emulator.ispring.domain.models import (
    ACCOUNT_ADMINISTRATOR, ACCOUNT_OWNER, DEPARTMENT_ADMINISTRATOR, LEARNER, ApiClient, ISpringWorld, ProfileField,
    Subordination, User, WorkLeave,
)

ADMIN_ROLES = (ACCOUNT_OWNER, ACCOUNT_ADMINISTRATOR)
ROLE_BY_TYPE = {"administrator": ACCOUNT_ADMINISTRATOR, "department_administrator": DEPARTMENT_ADMINISTRATOR,
                "learner": LEARNER}  # the document's UserRoleEnum (publisher and custom roles are not modelled)
STATUS_BY_CODE = {1: "ACTIVE", 3: "DEACTIVATED", 5: "TERMINATED"}  # the document's UserStatus
STANDARD_KEYS = {"login": "LOGIN", "email": "EMAIL", "first_name": "FIRST_NAME", "last_name": "LAST_NAME",
                 "job_title": "JOB_TITLE", "phone": "PHONE"}
STANDARD_TITLES = {"LOGIN": "Login", "EMAIL": "Email", "FIRST_NAME": "First name", "LAST_NAME": "Last name",
                   "JOB_TITLE": "Job title", "PHONE": "Phone"}


# -- the caller --------------------------------------------------------------------------------------

def login_caller(world: ISpringWorld, email: str, password: str) -> ApiClient:
    """The signed-in user as a caller (login mode); 401 for an unknown e-mail, a wrong password or a user who
    cannot sign in (not ACTIVE)."""
    wanted = email.strip().lower()
    user = next((u for u in world.users.values() if (u.email or "").lower() == wanted and u.status != "DELETED"),
                None) if wanted else None
    if user is None or not user.password or not secrets.compare_digest(user.password.encode(), password.encode()):
        raise Unauthorized("Invalid email or password.")
    if user.status != "ACTIVE":
        raise Unauthorized("The user is not active.")
    return ApiClient(name="login", client_id=f"login:{user.id}", client_secret="", role=user.role, user_id=user.id)


def may_manage(world: ISpringWorld, client: ApiClient, user: User) -> None:
    """403 unless the caller may write this user (see the module's docstring)."""
    if client.role in ADMIN_ROLES:
        return
    visible = managed_by(world, client)
    if client.role != DEPARTMENT_ADMINISTRATOR or user.department_id not in visible or user.role in ADMIN_ROLES:
        raise Forbidden("Permission denied")


def managed_by(world: ISpringWorld, client: ApiClient) -> set[str]:
    """The departments a department administrator manages (with every department under them)."""
    return service.visible_departments(world, client) or set()


# -- reads -------------------------------------------------------------------------------------------

def find(world: ISpringWorld, client: ApiClient, user_id: str) -> User:
    """A user the caller may see: 400 for an id that is no UUID, 404 unknown or deleted, 403 out of reach."""
    check_uuid("userId", user_id)
    return service.get_user(world, client, user_id)


@dataclass(frozen=True, slots=True)
class UserFilter:
    """Every filter given must match; an empty one matches everybody."""

    departments: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    logins: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    user_ids: frozenset[str] = frozenset()
    profile_fields: tuple[tuple[str, frozenset[str]], ...] = ()  # (field key, allowed values)
    date_ranges: tuple[tuple[str, date | None, date | None], ...] = ()

    @staticmethod
    def of(*, departments: Iterable[str] = (), groups: Iterable[str] = (), logins: Iterable[str] = (),
           emails: Iterable[str] = (), user_ids: Iterable[str] = ()) -> UserFilter:
        return UserFilter(frozenset(d.lower() for d in departments), frozenset(g.lower() for g in groups),
                          frozenset(v.lower() for v in logins), frozenset(v.lower() for v in emails),
                          frozenset(v.lower() for v in user_ids))


def listed(world: ISpringWorld, client: ApiClient, wanted: UserFilter) -> list[User]:
    """The users the caller may see that match every filter, in the account's order."""
    visible = service.visible_departments(world, client)
    members = group_members(world, wanted.groups) if wanted.groups else None
    out = []
    for u in world.users.values():
        if u.status == "DELETED" or (visible is not None and u.department_id not in visible):
            continue
        if wanted.departments and u.department_id not in wanted.departments:
            continue
        if members is not None and u.id not in members:
            continue
        if wanted.logins and u.login.lower() not in wanted.logins:
            continue
        if wanted.emails and (u.email or "").lower() not in wanted.emails:
            continue
        if wanted.user_ids and u.id not in wanted.user_ids:
            continue
        values = field_values(u)
        if any(values.get(key, "").lower() not in allowed for key, allowed in wanted.profile_fields):
            continue
        if any(not _in_range(values.get(key, ""), low, high) for key, low, high in wanted.date_ranges):
            continue
        out.append(u)
    return out


def _in_range(value: str, low: date | None, high: date | None) -> bool:
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return False
    return (low is None or day >= low) and (high is None or day <= high)


def group_members(world: ISpringWorld, group_ids: Iterable[str]) -> set[str]:
    """Every member of the named groups (a smart group's members are computed); unknown groups have none."""
    from_groups: set[str] = set()
    for group_id in group_ids:
        group = world.groups.get(group_id)
        if group is not None:
            from_groups |= set(members_of(world, group.id))
    return from_groups


def members_of(world: ISpringWorld, group_id: str) -> list[str]:
    """A group's members in the account's order: a plain group's as added, a smart group's by its rules."""
    group = world.groups[group_id]
    if group.smart_rules is None:
        return [m for m in group.member_ids if m in world.users and world.users[m].status != "DELETED"]
    rules = group.smart_rules
    return [u.id for u in world.users.values() if u.status != "DELETED" and matches(world, u, rules, {group_id})]


def matches(world: ISpringWorld, user: User, rules: list[list[Any]], seen: set[str]) -> bool:
    """A smart group's rules (an AND of ORs) against a user; a rule naming a group counts that group's members
    (a cycle of smart groups matches nobody)."""
    return all(any(_rule_holds(world, user, rule, seen) for rule in either) for either in rules)


def _rule_holds(world: ISpringWorld, user: User, rule: Any, seen: set[str]) -> bool:
    if rule.attribute_type == 1:  # department: only it (1) or it and those under it (2)
        wanted = service.subtree(world, rule.value.lower()) if rule.operator == 2 else {rule.value.lower()}
        return user.department_id in wanted
    if rule.attribute_type == 2:  # group
        group = world.groups.get(rule.value.lower())
        if group is None or group.id in seen:
            return False
        if group.smart_rules is None:
            return user.id in group.member_ids
        return matches(world, user, group.smart_rules, seen | {group.id})
    key = field_key(world, rule.attribute_id or "")  # 3: a profile field equal to the value
    return key is not None and field_values(user).get(key, "").lower() == rule.value.lower()


def groups_of(world: ISpringWorld, user: User) -> list[str]:
    """The groups the user is in: a plain group's members, a smart group's rules matched (per user, not per
    group member list: a user list reads this for every user)."""
    if user.status == "DELETED":
        return []
    return [g.id for g in world.groups.values()
            if (user.id in g.member_ids if g.smart_rules is None else matches(world, user, g.smart_rules, {g.id}))]


# -- profile fields ----------------------------------------------------------------------------------

def profile_catalog(world: ISpringWorld) -> dict[str, str]:
    """The account's profile fields, key -> title: the standard ones, then every custom field a user holds."""
    out = dict(STANDARD_TITLES)
    for u in world.users.values():
        for f in u.fields:
            out.setdefault(f.key, f.title)
    return out


def field_key(world: ISpringWorld, name: str) -> str | None:
    """The key of the account's field called ``name`` (``first_name``, ``FIRST_NAME``, a custom key), or None."""
    upper = name.strip().upper()
    return next((key for key in profile_catalog(world) if key.upper() == upper), None)


def field_values(user: User) -> dict[str, str]:
    """Every field of the user by key, dates as yyyy-mm-dd."""
    out = {"LOGIN": user.login, "EMAIL": user.email or "", "FIRST_NAME": user.first_name,
           "LAST_NAME": user.last_name}
    for f in user.fields:
        out.setdefault(f.key, f.value.isoformat() if isinstance(f.value, date) else f.value)
    return out


def field_list(user: User) -> list[dict[str, str]]:
    """The live answer's ``fields``: ``[{name, value}]`` in upper-case names (public clients read them so)."""
    return [{"name": key, "value": value} for key, value in field_values(user).items()]


def profile_field_infos(world: ISpringWorld) -> list[dict[str, Any]]:
    """``GET /user/profile/fields``: the document's ``UserFieldInfo`` per field (login and e-mail unique and
    required, the others free text)."""
    out = []
    for n, (key, title) in enumerate(profile_catalog(world).items()):
        name = key.lower() if key in STANDARD_TITLES else key
        required = int(key in ("LOGIN",))
        out.append({"userFieldInfoId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{world.account_url}#field/{key}")),
                    "name": name, "label": title, "type": "text" if key != "EMAIL" else "email",
                    "isUnique": int(key in ("LOGIN", "EMAIL")), "isRequired": required, "orderPriority": n,
                    "values": {"login": "", "email": ""}})
    return out


def read_fields(world: ISpringWorld, raw: Any) -> dict[str, str]:
    """A request's ``fields`` (the document's object or the clients' ``[{name, value}]``) by field key; 400 for
    another shape or an unknown name."""
    if isinstance(raw, list):
        pairs = []
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise BadRequest("fields: each item must be {\"name\": ..., \"value\": ...}.")
            pairs.append((item["name"], item.get("value")))
    elif isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        raise BadRequest("fields: must be an object of profile fields.")
    out: dict[str, str] = {}
    for name, value in pairs:
        key = field_key(world, name)
        if key is None:
            raise BadRequest(f"fields: unknown profile field '{name}'.")
        if value is not None and not isinstance(value, (str, int, float)):
            raise BadRequest(f"fields.{name}: must be a string.")
        out[key] = "" if value is None else str(value)
    return out


def _write_fields(world: ISpringWorld, user: User, values: dict[str, str]) -> None:
    catalog = profile_catalog(world)
    for key, value in values.items():
        if key == "LOGIN":
            user.login = value
        elif key == "EMAIL":
            user.email = value or None
        elif key == "FIRST_NAME":
            user.first_name = value
        elif key == "LAST_NAME":
            user.last_name = value
        else:
            current = next((f for f in user.fields if f.key == key), None)
            if current is None:
                user.fields.append(ProfileField(key, catalog[key], value))
            else:
                current.value = value


def _check_login(world: ISpringWorld, login: str, email: str | None, user_id: str | None) -> None:
    if not login.strip():
        raise BadRequest("fields.login: must not be empty.")
    for other in world.users.values():
        if other.id != user_id and other.status != "DELETED":
            if other.login.lower() == login.strip().lower():
                raise BadRequest(f"fields.login: '{login}' is taken.")
            if email and (other.email or "").lower() == email.strip().lower():
                raise BadRequest(f"fields.email: '{email}' is taken.")


# -- writes ------------------------------------------------------------------------------------------

@dataclass(slots=True)
class ProfileWrite:
    """What a create or an update sends (None: left as it is)."""

    department_id: str | None = None
    fields: dict[str, str] | None = None
    role: str | None = None  # UserRoleEnum
    manageable_department_ids: list[str] | None = None
    group_ids: list[str] | None = None
    password: str | None = None


def _check_department(world: ISpringWorld, department_id: str) -> str:
    if not is_guid(department_id) or department_id.lower() not in world.departments:
        raise BadRequest(f"departmentId: '{department_id}' is not a department of the account.")
    return department_id.lower()


def _check_groups(world: ISpringWorld, group_ids: list[str]) -> list[str]:
    out = []
    for group_id in group_ids:
        group = world.groups.get(group_id.lower()) if is_guid(group_id) else None
        if group is None:
            raise BadRequest(f"groupIds: '{group_id}' is not a group of the account.")
        if group.smart_rules is not None:
            raise BadRequest(f"groupIds: '{group_id}' is a smart group (its members follow its rules).")
        out.append(group.id)
    return out


def _apply(world: ISpringWorld, client: ApiClient, user: User, write: ProfileWrite) -> None:
    """Every check first (400, 403), then the writes: a refused write changes nothing."""
    department = _check_department(world, write.department_id) if write.department_id is not None else None
    if department is not None and client.role not in ADMIN_ROLES and department not in managed_by(world, client):
        raise Forbidden("Permission denied")  # a department administrator keeps users within reach
    role = None
    if write.role is not None:
        if write.role not in ROLE_BY_TYPE:
            raise BadRequest(f"role: '{write.role}' is not one of {', '.join(ROLE_BY_TYPE)}.")
        role = ROLE_BY_TYPE[write.role]
        if role == ACCOUNT_ADMINISTRATOR and client.role not in ADMIN_ROLES:
            raise Forbidden("Permission denied")
    manageable = None
    if write.manageable_department_ids is not None:
        manageable = [_check_department(world, d) for d in write.manageable_department_ids]
    wanted = set(_check_groups(world, write.group_ids)) if write.group_ids is not None else None
    if department is not None:
        user.department_id = department
    if role is not None and user.role != ACCOUNT_OWNER:  # the owner stays the owner
        user.role = role
    if manageable is not None:
        user.manageable_department_ids = manageable
    if write.fields is not None:
        _write_fields(world, user, write.fields)
    if write.password is not None:
        user.password = write.password
    if wanted is not None:
        for group in world.groups.values():
            if group.smart_rules is None:
                if group.id in wanted and user.id not in group.member_ids:
                    group.member_ids.append(user.id)
                elif group.id not in wanted and user.id in group.member_ids:
                    group.member_ids.remove(user.id)


def create(world: ISpringWorld, client: ApiClient, write: ProfileWrite, now: datetime) -> User:
    """A new ACTIVE user; ``fields.login`` and ``departmentId`` required (the document's NewUser), the login
    and e-mail unique in the account (400)."""
    fields = write.fields or {}
    login = fields.get("LOGIN", "")
    _check_login(world, login, fields.get("EMAIL"), None)
    department_id = _check_department(world, write.department_id or "")
    user = User(id=new_guid(world.rng), login=login.strip(), first_name="", last_name="", email=None,
                department_id=department_id, status="ACTIVE", added=now, last_login=None)
    probe = User(id=user.id, login="", first_name="", last_name="", email=None, department_id=department_id,
                 status="ACTIVE")
    may_manage(world, client, probe)
    _apply(world, client, user, write)
    world.users[user.id] = user
    world.changed(user)
    webhooks.emit(world, "USER_REGISTERED", [{"userId": user.id, "departmentId": user.department_id,
                                              "login": user.login, "email": user.email}])
    return user


def update(world: ISpringWorld, client: ApiClient, user: User, write: ProfileWrite) -> None:
    may_manage(world, client, user)
    if write.fields is not None and ("LOGIN" in write.fields or "EMAIL" in write.fields):
        _check_login(world, write.fields.get("LOGIN", user.login), write.fields.get("EMAIL"), user.id)
    _apply(world, client, user, write)
    world.changed(user)


def delete(world: ISpringWorld, client: ApiClient, user: User) -> None:
    """The user is gone from every read and every group; 400 for the account owner (the account needs one)."""
    may_manage(world, client, user)
    if user.role == ACCOUNT_OWNER:
        raise BadRequest("The account owner cannot be deleted.")
    user.status = "DELETED"
    for group in world.groups.values():
        if user.id in group.member_ids:
            group.member_ids.remove(user.id)
    world.changed()


def status_of(raw: Any) -> str:
    """A status write: 1, 3, 5 (or as text) or ACTIVE / DEACTIVATED / TERMINATED; else 400."""
    text = str(raw).strip().upper() if raw is not None else ""
    if text.isdigit() and int(text) in STATUS_BY_CODE:
        return STATUS_BY_CODE[int(text)]
    if text in STATUS_BY_CODE.values():
        return text
    raise BadRequest(f"status: '{raw}' is not 1 (active), 3 (deactivated) or 5 (terminated).")


def check_status(world: ISpringWorld, client: ApiClient, user: User, status: str) -> None:
    """403 out of reach; 400 for the account owner leaving ACTIVE (the account needs one)."""
    may_manage(world, client, user)
    if user.role == ACCOUNT_OWNER and status != "ACTIVE":
        raise BadRequest("The account owner cannot be deactivated or terminated.")


def set_status(world: ISpringWorld, client: ApiClient, user: User, status: str) -> None:
    check_status(world, client, user, status)
    user.status = status
    world.changed(user)


def find_many(world: ISpringWorld, client: ApiClient, user_ids: list[str]) -> list[User]:
    """The named users for a bulk write: every one must exist (404 names the first that does not)."""
    out = []
    for user_id in dict.fromkeys(u.lower() for u in user_ids):
        user = world.users.get(user_id)
        if user is None or user.status == "DELETED":
            raise NotFound(f"User not found: {user_id}")
        may_manage(world, client, user)
        out.append(user)
    return out


def schedule(world: ISpringWorld, client: ApiClient, user: User, what: str, day: date | None) -> None:
    """Set (``day``) or cancel (None) a scheduled ``deactivation`` or ``termination``."""
    may_manage(world, client, user)
    if what == "deactivation":
        user.deactivate_on = day
    else:
        user.terminate_on = day
    if day is not None:
        world.scheduled.add(user.id)
    world.changed(user)


def apply_schedules(world: ISpringWorld, now: datetime) -> None:
    """Scheduled changes whose day the tenant's clock has reached: termination wins over deactivation."""
    today = now.date()
    for user_id in list(world.scheduled):
        user = world.users[user_id]
        if user.deactivate_on is None and user.terminate_on is None:
            world.scheduled.discard(user_id)
            continue
        due_termination = user.terminate_on is not None and user.terminate_on <= today
        due_deactivation = user.deactivate_on is not None and user.deactivate_on <= today
        if due_termination or due_deactivation:
            if user.status in ("ACTIVE", "DEACTIVATED") and user.role != ACCOUNT_OWNER:
                user.status = "TERMINATED" if due_termination else "DEACTIVATED"
            if due_termination:
                user.terminate_on = None
            if due_deactivation:
                user.deactivate_on = None
            world.changed(user)


def set_subordination(world: ISpringWorld, client: ApiClient, user: User, main: Subordination | None,
                      co: Subordination | None) -> None:
    may_manage(world, client, user)
    for sub in (main, co):
        if sub is not None and sub.type == "manual":
            check_supervisor(world, sub, user.id)
    if main is not None:
        user.subordination = main
    if co is not None:
        user.co_subordination = co
    world.changed(user)


def check_supervisor(world: ISpringWorld, sub: Subordination, himself: str | None) -> None:
    """A manual subordination names an existing user other than the subordinate (400)."""
    supervisor = world.users.get((sub.supervisor_id or "").lower())
    if supervisor is None or supervisor.status == "DELETED":
        raise BadRequest(f"supervisorId: '{sub.supervisor_id}' is not a user of the account.")
    if supervisor.id == himself:
        raise BadRequest("supervisorId: a user cannot supervise themself.")
    sub.supervisor_id = supervisor.id


def check_work_leave(world: ISpringWorld, client: ApiClient, user: User, leave: WorkLeave | None) -> None:
    may_manage(world, client, user)
    if leave is not None and leave.end is not None and leave.end < leave.start:
        raise BadRequest("endDate: must not be before startDate.")


def set_work_leave(world: ISpringWorld, client: ApiClient, user: User, leave: WorkLeave | None) -> None:
    check_work_leave(world, client, user, leave)
    user.work_leave = leave
    world.changed(user)


def remove_from_groups(world: ISpringWorld, client: ApiClient, user: User, group_ids: list[str]) -> None:
    may_manage(world, client, user)
    for group_id in _check_groups(world, group_ids):
        if user.id in world.groups[group_id].member_ids:
            world.groups[group_id].member_ids.remove(user.id)
    world.changed()


def existing(world: ISpringWorld, user_ids: list[str]) -> list[str]:
    """``POST /users/find_existing``: the ids among ``user_ids`` that name a user of the account (not deleted)."""
    return [u for u in dict.fromkeys(i.lower() for i in user_ids)
            if u in world.users and world.users[u].status != "DELETED"]


def roles(world: ISpringWorld) -> list[dict[str, str]]:
    """``GET /role``: the account's roles (those the emulator models), with their stable ids."""
    titles = {ACCOUNT_ADMINISTRATOR: ("Administrator", "Manages the whole account"),
              DEPARTMENT_ADMINISTRATOR: ("Department administrator", "Manages the users of their departments"),
              LEARNER: ("Learner", "Takes courses")}
    return [{"roleId": service.role_id(world, role), "type": service.ROLE_TYPES[role], "title": title,
             "description": text} for role, (title, text) in titles.items()]
