"""iSpring Learn's domain rules: client credentials, tokens, and the appraisal session user attributes.

Plain functions taking the world first; routes call them under the tenant's lock.

- Only the Account Owner and Account Administrators may read a session's user
  attributes (403 "Permission denied"); an API client acts with its owner's role.
- ``displayingName`` is "first last"; with neither name, the login.
- ``initials`` are the first letters of the first and last names; with
  neither, of the login's first two parts (split on . _ - @), else its first letter.
- ``attributes`` are the profile fields that hold a value; dates as yyyy-mm-dd.

Not emulated: the rest of the Learn REST API; ``sessionIds`` in the body is
validated (a list of UUIDs) and otherwise ignored: the path names the session.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..core.errors import BadRequest, Forbidden, NotFound, Unauthorized
from .models import ACCOUNT_ADMINISTRATOR, ACCOUNT_OWNER, ApiClient, Department, ISpringWorld, Token, User

# -- the emulator's choices: one place ------------------------------------------------------------
TOKEN_LIFETIME = timedelta(seconds=1800)  # expires_in of POST /api/v3/token, counted on the tenant clock
ACCEPTABLE = ("application/json",)  # Accept must allow JSON: absent, */*, application/*, application/json
PERMITTED_ROLES = (ACCOUNT_OWNER, ACCOUNT_ADMINISTRATOR)  # documented ("Permissions to Run the Request")
CHOICES: dict[str, Any] = {
    "missing_accept_header": "allowed",  # a missing Accept means "anything", as in HTTP
    "non_participants": "left out",  # users not in the session and unknown ids are left out, no error
    "answer_order": "request order, duplicates once",
    "check_order": ("account 401", "token 401", "headers/path/body 400", "role 403", "session 404"),
    "token_endpoint_account_header": "optional; when sent it must name the client's account (else 401)",
    "error_code": "the HTTP status",
}

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


# -- the route ----------------------------------------------------------------------------------

def require_permission(client: ApiClient) -> None:
    if client.role not in PERMITTED_ROLES:
        raise Forbidden("Permission denied")


def session_user_attributes(world: ISpringWorld, session_id: str, user_ids: list[str]) -> list[Participant]:
    """The requested users who take part in the session, in request order; the others are left out."""
    session = world.sessions.get(session_id)
    if session is None:
        raise NotFound("Session not found")
    members = world.participants.get(session_id, set())
    out = []
    for user_id in dict.fromkeys(u.lower() for u in user_ids):
        if user_id in members and user_id in world.users:
            user = world.users[user_id]
            out.append(Participant(session_id=session.id, user=user, department=world.departments[user.department_id]))
    return out


def check_session_id(value: str) -> str:
    from ..core.wire import is_guid

    if not is_guid(value):
        raise BadRequest(f"sessionId: '{value}' is not a valid UUID.")
    return value.lower()


# -- indexes ------------------------------------------------------------------------------------

def add_participant(world: ISpringWorld, session_id: str, user_id: str) -> None:
    world.pages.clear()
    session = world.sessions[session_id]
    if user_id not in world.participants.setdefault(session_id, set()):
        session.participant_ids.append(user_id)
        world.participants[session_id].add(user_id)
