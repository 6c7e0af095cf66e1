"""Absorb users: look-up, create, update (one or a batch), and what a change means for their enrollments.

Plain functions taking the world first, called under the tenant's lock. Each write checks everything
before it changes anything, so a refused call -- a whole upload batch included -- leaves the world as it
was.

Rules (the emulator's choices where the vendor is silent, in docs/VENDOR-NOTES.md; settings in ``choices.CHOICES``):
- Bodies are partial: a field left out keeps its value, ``null`` clears a nullable one; inside
  ``customFields`` the same holds per key.
- Creating needs ``REQUIRED_TO_CREATE``; ``departmentId`` (and ``supervisorId``) must name an existing
  department (user). Usernames are unique, compared case-insensitively.
- ``POST /users`` and the upload match an existing user by ``username``; an ``id`` in the body is ignored.
- A renamed user (first or last name, job title) shows so in every enrollment of theirs (``fullName``...);
  their enrollments' ``dateEdited`` does not move, as the enrollment itself was not edited.
- A user with a password can authenticate with it; an inactive user (``activeStatus`` 1) cannot.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from emulator.core.errors import Unprocessable
from emulator.core.wire import new_guid
from emulator.absorb.domain import reference
from emulator.absorb.domain.choices import CHOICES
from emulator.absorb.domain.lookups import (  # noqa: F401 - get_user: users.get_user for the routes
    add_user, find, get_user, touch,
)
from emulator.absorb.domain.models import ACTIVE, AbsorbWorld, Course, CustomFields, Department, User, username_key

REQUIRED_TO_CREATE = tuple(re.sub(r"([A-Z])", r"_\1", name).lower() for name in CHOICES.user_required_to_create)
ACCOUNT_REQUIRED = tuple(re.sub(r"([A-Z])", r"_\1", name).lower() for name in CHOICES.account_required_to_create)
MAX_UPLOAD = 200  # users per POST /users/upload (vendor's limit)
# Accepted, ignored: the vendor derives these (dates, the role flags from the user's roles); the emulator's choice
READ_ONLY = ("id", "date_edited", "date_added", "last_login_date", "has_username", "is_learner", "is_admin",
             "is_instructor", "is_manager")
CHANGES_ENROLLMENTS = ("first_name", "last_name", "job_title")  # copied onto enrollments


def get_department(world: AbsorbWorld, department_id: str) -> Department:
    return find(world.departments, department_id, "Department")


def user_named(world: AbsorbWorld, username: str) -> User | None:
    user_id = world.users_by_name.get(username_key(username))
    return world.users.get(user_id) if user_id else None


def search_users(world: AbsorbWorld, text: str | None) -> list[User]:
    """``GET /users?_search=``: the users whose name fields contain ``text`` (``CHOICES.user_search_fields``),
    case-insensitively; every user when it is absent or blank."""
    needle = (text or "").strip().casefold()
    if not needle:
        return list(world.users.values())
    return [u for u in world.users.values()
            if any(needle in (getattr(u, name) or "").casefold() for name in CHOICES.user_search_fields)]


def list_departments(world: AbsorbWorld, name: str | None = None, external_id: str | None = None) -> list[Department]:
    """The departments, narrowed by the vendor's ``departmentName`` and ``externalId`` query parameters."""
    return [d for d in world.departments.values()
            if (name is None or d.name.lower() == name.lower())
            and (external_id is None or (d.external_id or "").lower() == external_id.lower())]


def list_user_courses(world: AbsorbWorld, user: User) -> list[Course]:
    """The courses a user may take: those they are enrolled in (active enrollment), and every active course
    (activeStatus 0) besides -- the emulator models no availability rules beyond that (docs/VENDOR-NOTES.md)."""
    return [c for c in world.courses.values() if c.active_status == ACTIVE or (user.id, c.id) in world.active]


# -- checks -------------------------------------------------------------------------------------------------

def problems(world: AbsorbWorld, body: dict[str, Any], user: User | None, where: str = "") -> list[str]:
    """What is wrong with writing ``body`` to ``user`` (None: creating one), as ``validations`` lines."""
    at = f"{where}." if where else ""
    found = []
    if user is None:
        found += [f"{at}{_wire(name)}: required to create a user" for name in REQUIRED_TO_CREATE if name not in body]
    if "username" in body:
        other = user_named(world, body["username"])
        if other is not None and (user is None or other.id != user.id):
            found.append(f"{at}username: '{body['username']}' is taken by another user")
    if body.get("department_id") is not None and body["department_id"] not in world.departments:
        found.append(f"{at}departmentId: department '{body['department_id']}' was not found")
    if body.get("supervisor_id") is not None:
        if body["supervisor_id"] not in world.users:
            found.append(f"{at}supervisorId: user '{body['supervisor_id']}' was not found")
        elif user is not None and body["supervisor_id"] == user.id:
            found.append(f"{at}supervisorId: a user cannot supervise themselves")
    return found + reference.problems(world, body, user, at)


def _wire(name: str) -> str:
    head, *tail = name.split("_")
    return head + "".join(part.title() for part in tail)


def _refuse(found: list[str], message: str = "The user is invalid.") -> None:
    if found:
        raise Unprocessable(message, validations=found)


# -- writes -----------------------------------------------------------------------------------------------

def update_user(world: AbsorbWorld, user: User, body: dict[str, Any], *, at: datetime) -> User:
    """PUT /users/{userId}: the given fields change, the others keep their values."""
    _refuse(problems(world, body, user))
    _apply(world, user, body, at)
    return user


def create_user(world: AbsorbWorld, body: dict[str, Any], *, at: datetime) -> User:
    _refuse(problems(world, body, None))
    return _create(world, body, at)


def create_account(world: AbsorbWorld, body: dict[str, Any], *, at: datetime) -> User:
    """``POST /create-absorb-account``: a new learner account, never an update. Besides a user write's checks
    (a username nobody has, an existing department, ...), every field of ``ACCOUNT_REQUIRED`` must be given and
    not null (a password among them: the account signs in with it) and, with ``CHOICES.account_unique_email``,
    the address must be nobody else's. The account is a learner's (no role unless the body gives ``roleIds``),
    shows at once in ``GET /users`` and its ``username eq`` look-up, and authenticates."""
    found = problems(world, body, None)  # names ``REQUIRED_TO_CREATE`` left out; the others are checked here
    found += [f"{_wire(name)}: required to create an account" for name in ACCOUNT_REQUIRED
              if body.get(name) is None and (name in body or name not in REQUIRED_TO_CREATE)]
    email = (body.get("email_address") or "").strip().casefold()
    if email and CHOICES.account_unique_email and any(
            (u.email_address or "").strip().casefold() == email for u in world.users.values()):
        found.append(f"emailAddress: '{body['email_address']}' is used by another user")
    _refuse(found, "The account could not be created.")
    return _create(world, body, at)


def save_user(world: AbsorbWorld, body: dict[str, Any], *, at: datetime) -> tuple[User, bool]:
    """POST /users: update the user with this ``username``, or create one. Returns (user, created)."""
    existing = user_named(world, body["username"]) if "username" in body else None
    if existing is None:
        return create_user(world, body, at=at), True
    return update_user(world, existing, body, at=at), False


def upload_users(world: AbsorbWorld, bodies: list[dict[str, Any]], *, at: datetime) -> list[User]:
    """POST /users/upload: up to ``MAX_UPLOAD`` users created or updated (matched by ``username``), all or none."""
    check_upload_size(len(bodies))
    found: list[str] = []
    seen: dict[str, int] = {}
    for n, body in enumerate(bodies):
        where = f"[{n}]"
        if "username" not in body:
            found.append(f"{where}.username: required (users are matched by username)")
            continue
        key = username_key(body["username"])
        if key in seen and CHOICES.upload_refuses_duplicate_username:
            found.append(f"{where}.username: '{body['username']}' is also at [{seen[key]}]")
        seen.setdefault(key, n)
        found += problems(world, body, user_named(world, body["username"]), where)
    _refuse(found, "One or more users in the upload are invalid; none were saved.")
    return [save_user(world, body, at=at)[0] for body in bodies]


def check_upload_size(count: int) -> None:
    if count > MAX_UPLOAD:
        raise Unprocessable(f"At most {MAX_UPLOAD} users can be uploaded per call.",
                            validations=[f"body: {count} users given; the maximum is {MAX_UPLOAD}"])


def _create(world: AbsorbWorld, body: dict[str, Any], at: datetime) -> User:
    user = User(id=new_guid(world.rng), username=body["username"], password=None, first_name=body["first_name"],
                last_name=body["last_name"], email_address=None, job_title=None, avatar=None,
                department_id=body["department_id"], date_added=at, date_edited=at)
    _apply(world, user, body, at, new=True)
    add_user(world, user)
    return user


def _apply(world: AbsorbWorld, user: User, body: dict[str, Any], at: datetime, *, new: bool = False) -> None:
    renamed = not new and any(name in body and body[name] != getattr(user, name) for name in CHANGES_ENROLLMENTS)
    if "username" in body and body["username"] != user.username and not new:
        del world.users_by_name[username_key(user.username)]
        world.users_by_name[username_key(body["username"])] = user.id
    for name, value in body.items():
        if name in READ_ONLY:
            continue
        if name == "custom_fields":
            for key, custom in (value or {}).items():
                setattr(user.custom_fields, key, custom)
            if value is None:
                user.custom_fields = CustomFields()
        elif name in ("cc_email_addresses", "role_ids"):
            setattr(user, name, list(value or []))
        else:
            setattr(user, name, value)
    if not new:
        touch(world, user, at)
    if renamed:
        for entity in _copies_of(world, user.id):
            entity.full_name = user.full_name
            if hasattr(entity, "job_title"):
                entity.job_title = user.job_title
            world.changed(entity)


def _copies_of(world: AbsorbWorld, user_id: str) -> list[Any]:
    """Every entity that carries a copy of the user's name: their course enrollments and, under them, the
    chapter, lesson and session enrollments made so far (pending ones copy the name when made)."""
    found: list[Any] = []
    for enrollment_id in world.by_user.get(user_id, ()):
        found.append(world.enrollments[enrollment_id])
        for index, table in ((world.chapters_of, world.chapter_enrollments),
                             (world.lessons_of, world.lesson_enrollments),
                             (world.sessions_of, world.session_enrollments)):
            found += [table[i] for i in index.get(enrollment_id, ()) if i in table]
    return found

