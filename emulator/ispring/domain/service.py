"""iSpring Learn's domain rules: client credentials, tokens, appraisal sessions, users and departments.

Plain functions taking the world first; routes call them under the tenant's lock.

- An API client acts with its owner's role. Appraisal session routes: Account Owner and
  Account Administrators only; users and departments: also Department Administrators, who
  see their own department only (``ROUTE_ROLES``; 403 "Permission denied" otherwise).
- ``displayingName`` is "first last"; with neither name, the login.
- ``initials`` are the first letters of the first and last names; with
  neither, of the login's first two parts (split on . _ - @), else its first letter.
- ``attributes`` are the profile fields that hold a value; dates as yyyy-mm-dd.

Not emulated: the rest of the Learn REST API (writes, groups, competencies, reviews).
"""
from __future__ import annotations

import base64
import binascii
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from emulator.core.errors import BadRequest, Forbidden, NotFound, Unauthorized
from emulator.core.http import ASCII_INTEGER
from emulator.ispring.domain.models import (
    ACCOUNT_ADMINISTRATOR, ACCOUNT_OWNER, DEPARTMENT_ADMINISTRATOR, LEARNER, ApiClient, AppraisalSession, Department,
    ISpringWorld, Token, User,
)
from emulator.ispring.domain.lookups import lookup

# -- the rules, and the emulator's choices the code reads (each listed in docs/VENDOR-NOTES.md) ---
TOKEN_LIFETIME: timedelta = timedelta(seconds=1800)  # help page: expires_in 1800 s, tenant clock
MEDIA_TYPES = ("application/json", "application/xml")  # the document offers both; JSON wins a tie (listed first)
PERMITTED_ROLES = (ACCOUNT_OWNER, ACCOUNT_ADMINISTRATOR)  # documented ("Permissions to Run the Request")
ROUTE_ROLES = {  # help pages, "Permissions to Run the Request"
    "sessions": PERMITTED_ROLES,
    "users": (*PERMITTED_ROLES, DEPARTMENT_ADMINISTRATOR),
    "departments": (*PERMITTED_ROLES, DEPARTMENT_ADMINISTRATOR),
}
DEFAULT_PAGE_SIZE: int = 1000  # help page: "If not indicated, equal to 1000"
MAX_PAGE_SIZE: int = 1000  # emulator's choice: larger pageSize values are served as 1000
MAX_TOKENS_PER_CLIENT: int = 50  # emulator's choice: a client's tokens are bounded
ROLE_TYPES = {ACCOUNT_OWNER: "administrator", ACCOUNT_ADMINISTRATOR: "administrator",  # the document's UserRoleEnum
              DEPARTMENT_ADMINISTRATOR: "department_administrator", LEARNER: "learner"}
USER_STATUS_CODES = {"ACTIVE": 1, "DEACTIVATED": 3, "TERMINATED": 3}  # help page: GET /user/{id} gives 3 for both
SUBORDINATION: dict[str, str] = {"subordinationType": "no_supervisor"}  # emulator's choice: no supervisors are modelled
STANDARD_PROFILE_KEYS = ("FIRST_NAME", "LAST_NAME", "JOB_TITLE", "PHONE")  # lower-cased in the fields object

STANDARD_FIELDS = (("FIRST_NAME", "First name"), ("LAST_NAME", "Last name"), ("LOGIN", "Login"),
                   ("EMAIL", "Email"))


@dataclass(slots=True)
class Participant:
    """One line of the answer: a user seen through one session."""

    session_id: str
    user: User
    department: Department

    @property
    def displaying_name(self) -> str:
        return display_name(self.user)

    @property
    def initials(self) -> str:
        return initials(self.user)

    @property
    def attributes(self) -> list[dict[str, str]]:
        return attributes(self.user)


def display_name(user: User) -> str:
    return " ".join(p for p in (user.first_name.strip(), user.last_name.strip()) if p) or user.login


def initials(user: User) -> str:
    names = [p for p in (user.first_name.strip(), user.last_name.strip()) if p]
    if not names:
        names = [p for p in re.split(r"[._\-@\s]+", user.login) if p][:2] or [user.login]
    return "".join(n[0] for n in names if n).upper()


def attributes(user: User) -> list[dict[str, str]]:
    standard = {"FIRST_NAME": user.first_name, "LAST_NAME": user.last_name, "LOGIN": user.login,
                "EMAIL": user.email or ""}
    out = [{"key": key, "value": standard[key], "title": title} for key, title in STANDARD_FIELDS if standard[key]]
    for f in user.fields:
        value = f.value.isoformat() if isinstance(f.value, date) else f.value
        if value:
            out.append({"key": f.key, "value": value, "title": f.title})
    return out


# -- clients and tokens -------------------------------------------------------------------------

def authenticate_client(world: ISpringWorld, client_id: str, client_secret: str) -> ApiClient:
    client = world.clients.get(client_id.strip().lower())
    if client is None or not secrets.compare_digest(client.client_secret.encode(), client_secret.encode()):
        raise Unauthorized("Invalid client credentials.")
    return client


def issue_token(world: ISpringWorld, client: ApiClient, now: datetime) -> Token:
    for value in [v for v, t in world.tokens.items() if t.expires <= now]:  # keep the table small
        del world.tokens[value]
    mine = [v for v, t in world.tokens.items() if t.client_id == client.client_id]
    for value in mine[:max(0, len(mine) - MAX_TOKENS_PER_CLIENT + 1)]:  # the oldest first: dicts keep issue order
        del world.tokens[value]
    token = Token(value=secrets.token_urlsafe(32), client_id=client.client_id, expires=now + TOKEN_LIFETIME)
    world.tokens[token.value] = token
    return token


def client_for_token(world: ISpringWorld, value: str, now: datetime) -> ApiClient:
    token = world.tokens.get(value)
    if token is None:
        raise Unauthorized("Invalid access token.")
    if token.expires <= now:
        raise Unauthorized("Access token expired.")
    client = world.clients.get(token.client_id)
    if client is None:
        raise Unauthorized("Invalid access token.")
    return client


def check_client_may_act(world: ISpringWorld, client: ApiClient) -> None:
    """403 at the token endpoint: the client's owner can no longer sign in (not an ACTIVE user)."""
    owner = world.users.get(client.user_id) if client.user_id else None
    if client.user_id and (owner is None or owner.status != "ACTIVE"):
        raise Forbidden("Permission denied")


# -- permissions --------------------------------------------------------------------------------

def require_permission(client: ApiClient, route: str = "sessions") -> None:
    if client.role not in ROUTE_ROLES[route]:
        raise Forbidden("Permission denied")


def visible_departments(world: ISpringWorld, client: ApiClient) -> set[str] | None:
    """The departments a department administrator manages, with those under them; None: every department."""
    if client.role != DEPARTMENT_ADMINISTRATOR:
        return None
    owner = world.users.get(client.user_id or "")
    out: set[str] = set()
    for root in manageable_departments(owner) if owner else []:
        out |= subtree(world, root)
    return out


def manageable_departments(user: User) -> list[str]:
    """A department administrator's departments: those set on them, else their own (emulator's choice)."""
    if user.role != DEPARTMENT_ADMINISTRATOR:
        return []
    return list(user.manageable_department_ids) or [user.department_id]


def subtree(world: ISpringWorld, department_id: str) -> set[str]:
    """A department and every department under it."""
    children: dict[str, list[str]] = {}
    for d in world.departments.values():
        if d.parent_id:
            children.setdefault(d.parent_id, []).append(d.id)
    out: set[str] = set()
    todo = [department_id]
    while todo:
        current = todo.pop()
        if current not in out:
            out.add(current)
            todo.extend(children.get(current, []))
    return out


def role_id(world: ISpringWorld, role: str) -> str:
    """A role's id, stable per account (the account's roles are not entities of the emulator)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{world.account_url}#role/{ROLE_TYPES[role]}"))


def profile_fields(user: User) -> dict[str, str]:
    """The document's UserProfileFields object: login and email, then the other fields by name."""
    out = {"login": user.login, "email": user.email or "", "first_name": user.first_name, "last_name": user.last_name}
    for f in user.fields:
        name = f.key.lower() if f.key in STANDARD_PROFILE_KEYS else f.key
        out.setdefault(name, f.value.isoformat() if isinstance(f.value, date) else f.value)  # names win
    return out


def reviewers(session: AppraisalSession, employee_id: str) -> list[dict[str, str]]:
    out = [{"reviewerId": employee_id, "role": "REVIEWER_ROLE_SELF_REVIEW"}]
    if session.manager_id and session.manager_id != employee_id:
        out.append({"reviewerId": session.manager_id, "role": "REVIEWER_ROLE_DIRECT_MANAGER"})
    return out


# -- lookups ------------------------------------------------------------------------------------

def list_sessions(world: ISpringWorld, session_ids: list[str] | None) -> list[AppraisalSession]:
    """Every session (no filter), or the named ones in request order, duplicates once; unknown: 404."""
    if session_ids is None:
        return list(world.sessions.values())
    out = []
    for session_id in dict.fromkeys(session_ids):
        if session_id not in world.sessions:
            raise NotFound("Session not found")
        out.append(world.sessions[session_id])
    return out


def get_session_info(world: ISpringWorld, session_id: str) -> AppraisalSession:
    return lookup(world.sessions, session_id, "Session")


def _listed(user: User, departments: set[str] | None) -> bool:
    return user.status != "DELETED" and (departments is None or user.department_id in departments)


def get_user(world: ISpringWorld, client: ApiClient, user_id: str) -> User:
    user = world.users.get(user_id.lower())
    if user is None or user.status == "DELETED":
        raise NotFound("Unknown user")
    if not _listed(user, visible_departments(world, client)):
        raise Forbidden("Permission denied")
    return user


def get_department(world: ISpringWorld, client: ApiClient, department_id: str) -> Department:
    department = lookup(world.departments, department_id.lower(), "Department")
    visible = visible_departments(world, client)
    if visible is not None and department.id not in visible:
        raise Forbidden("Permission denied")
    return department


def list_departments(world: ISpringWorld, client: ApiClient, size: int | None,
                     token: str | None) -> tuple[list[Department], str | None]:
    """One page of departments and the next page's token (None on the last page)."""
    visible = visible_departments(world, client)
    return token_page([d for d in world.departments.values() if visible is None or d.id in visible], size, token)


def token_page(items: list[Any], size: int | None, token: str | None) -> tuple[list[Any], str | None]:
    """One page of ``items`` (entities with an ``id``) from the one ``token`` names, and the next page's token
    (None on the last page): the ``pageSize``/``pageToken`` paging of the newer list routes."""
    start = 0
    if token is not None:
        wanted = _read_page_token(token)
        start = next((i for i, d in enumerate(items) if d.id == wanted), -1)
        if start < 0:
            raise BadRequest("pageToken: unknown or expired page token.")
    size = min(size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    page = items[start:start + size]
    after = items[start + size:start + size + 1]
    return page, _page_token(after[0].id) if after else None


def page_size(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not ASCII_INTEGER.fullmatch(raw.strip()):  # int() also takes '1_2' and other scripts' digits
        raise BadRequest(f"pageSize: '{raw}' is not an integer.")
    value = int(raw)
    if value < 1:
        raise BadRequest(f"pageSize: {value} must be at least 1.")
    return value


def _page_token(next_id: str) -> str:
    return base64.b64encode(next_id.encode()).decode()


def _read_page_token(token: str) -> str:
    try:
        return base64.b64decode(token.strip(), validate=True).decode().lower()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("pageToken: not a page token.") from None


# -- the attributes route -----------------------------------------------------------------------


def list_session_user_attributes(world: ISpringWorld, session_id: str, user_ids: list[str]) -> list[Participant]:
    """The requested users who take part in the session, in request order; the others are left out."""
    session = lookup(world.sessions, session_id, "Session")
    members = world.participants.get(session_id, set())
    out = []
    for user_id in dict.fromkeys(u.lower() for u in user_ids):
        if user_id in members and user_id in world.users:
            user = world.users[user_id]
            out.append(Participant(session_id=session.id, user=user, department=world.departments[user.department_id]))
    return out


# -- indexes ------------------------------------------------------------------------------------

def add_participant(world: ISpringWorld, session_id: str, user_id: str) -> None:
    session = world.sessions[session_id]
    if user_id not in world.participants.setdefault(session_id, set()):
        session.participant_ids.append(user_id)
        world.participants[session_id].add(user_id)
        world.changed(session)


def seed_participants(world: ISpringWorld, session_id: str, user_ids: list[str]) -> None:
    """``add_participant`` for each of ``user_ids`` of a session of a world being built: no ``world.changed``
    (nothing can have read a world not served yet)."""
    members = world.participants.setdefault(session_id, set())
    participant_ids = world.sessions[session_id].participant_ids
    for user_id in user_ids:
        if user_id not in members:
            participant_ids.append(user_id)
            members.add(user_id)
